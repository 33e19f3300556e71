/**
 * The console's script: htmx (https://htmx.org), pinned to exactly this version in package.json and
 * served by the hub itself (src/http/routes/assets.ts), never from a CDN. The version is in the URL, so
 * the file is cached forever and a new release gets a new URL.
 */
export const HTMX_VERSION = '2.0.11';
export const HTMX_FILE = 'htmx.min.js';
export const HTMX_PATH = `/htmx/${HTMX_VERSION}/${HTMX_FILE}`;
export const HTMX_URL = `/assets${HTMX_PATH}`;
