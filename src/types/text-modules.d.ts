/**
 * Stylesheets imported as text: only src/runtime/worker-assets.ts does, and wrangler bundles them as
 * Text modules (`[[rules]] type = "Text"` in wrangler.toml). Node never imports a .css file.
 */
declare module '*.css' {
  const text: string;
  export default text;
}

/** htmx imported as text, the same way (a Text rule for this one file in wrangler.toml). */
declare module 'htmx.org/dist/htmx.min.js' {
  const text: string;
  export default text;
}
