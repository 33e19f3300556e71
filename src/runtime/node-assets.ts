/**
 * Static files for the hub on Node, read from node_modules (the package has no `exports` map, so any
 * file in it resolves). The asset route reads each once and keeps it in memory with its ETag
 * (src/http/routes/assets.ts). The Workers counterpart is src/runtime/worker-assets.ts.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { HubAssets } from '../http/context.js';
import { SLDS_CSS_FILE, SLDS_VERSION } from '../http/embed-html.js';
import { HTMX_FILE, HTMX_VERSION } from '../http/ui/asset-paths.js';

const require = createRequire(import.meta.url);
const SLDS_PACKAGE = '@salesforce-ux/design-system';

async function readSldsCss(): Promise<string> {
  const { version } = require(`${SLDS_PACKAGE}/package.json`) as { version: string };
  if (version !== SLDS_VERSION) {
    // The URL carries SLDS_VERSION and is cached as immutable: never serve another release under it.
    throw new Error(
      `${SLDS_PACKAGE} ${version} is installed but the hub serves ${SLDS_VERSION} (src/http/embed-html.ts)`,
    );
  }
  return readFile(require.resolve(`${SLDS_PACKAGE}/assets/styles/${SLDS_CSS_FILE}`), 'utf8');
}

async function readHtmx(): Promise<string> {
  const { version } = require('htmx.org/package.json') as { version: string };
  if (version !== HTMX_VERSION) {
    throw new Error(
      `htmx.org ${version} is installed but the console serves ${HTMX_VERSION} (src/http/ui/asset-paths.ts)`,
    );
  }
  return readFile(require.resolve(`htmx.org/dist/${HTMX_FILE}`), 'utf8');
}

export const nodeAssets: HubAssets = { sldsCss: readSldsCss, htmxJs: readHtmx };
