/**
 * The console's own few style rules, on top of SLDS, served by the hub at a URL that changes with
 * the content (src/http/routes/assets.ts). The CSP allows styles from the hub only, never inline.
 *
 * The mapping preview updates only a field's error slot as the admin types, not the field's wrapper,
 * so the wrapper cannot carry SLDS's `slds-has-error`; these rules draw the same red border from
 * the slot's content instead (`:has`, no script).
 */
export const CONSOLE_CSS = `/* A field whose error slot holds a message: the border SLDS gives .slds-has-error. */
.slds-form-element__control:has(~ [data-error-for]:not(:empty)) :is(.slds-input, .slds-textarea) {
  border-color: #ea001e;
  box-shadow: #ea001e 0 0 0 1px;
}
/* A lookup table with a problem: a red frame around its rows. */
.slds-table:has(~ [data-error-for]:not(:empty)) {
  outline: 2px solid #ea001e;
}
`;

/** FNV-1a of the content, so the URL changes whenever the rules do (the file is cached forever). */
function contentHash(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

export const CONSOLE_CSS_PATH = `/console/${contentHash(CONSOLE_CSS)}/console.css`;
export const CONSOLE_CSS_URL = `/assets${CONSOLE_CSS_PATH}`;
