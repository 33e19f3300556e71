/**
 * Static files for the hub on Workers, which cannot read files at run time: wrangler bundles them as
 * Text modules (the `[[rules]] type = "Text"` for `**\/*.css` in wrangler.toml; types in
 * src/types/text-modules.d.ts). Imported only by src/runtime/worker.ts, so Node (tsx, vitest) never
 * loads it; the Node counterpart is src/runtime/node-assets.ts.
 *
 * Bundle size: the stylesheet is a separate module of ~964 KB (~100 KB gzipped) in the upload. The
 * Workers size limits (3 MB Free, 10 MB Paid) apply to the compressed bundle, so it costs ~100 KB of
 * that budget.
 */
import sldsCss from '@salesforce-ux/design-system/assets/styles/salesforce-lightning-design-system.min.css';
import sldsPackage from '@salesforce-ux/design-system/package.json';
import htmxJs from 'htmx.org/dist/htmx.min.js';
import htmxPackage from 'htmx.org/package.json';
import type { HubAssets } from '../http/context.js';
import { SLDS_VERSION } from '../http/embed-html.js';
import { HTMX_VERSION } from '../http/ui/asset-paths.js';

export const workerAssets: HubAssets = {
  sldsCss() {
    if (sldsPackage.version !== SLDS_VERSION) {
      // The URL carries SLDS_VERSION and is cached as immutable: never serve another release under it.
      throw new Error(
        `@salesforce-ux/design-system ${sldsPackage.version} is bundled but the hub serves ${SLDS_VERSION} (src/http/embed-html.ts)`,
      );
    }
    return sldsCss;
  },
  htmxJs() {
    if (htmxPackage.version !== HTMX_VERSION) {
      throw new Error(`htmx.org ${htmxPackage.version} is bundled but the console serves ${HTMX_VERSION}`);
    }
    return htmxJs;
  },
};
