/**
 * The hosted pages' icon, served at /ui/assets/favicon.svg and /favicon.ico (browsers ask for the
 * latter on their own): a tile mark in the stylesheet's accent colour. Without it every page load
 * logged a 404 (issue 16 part 9).
 */
export const FAVICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#0b5cad"/><rect x="7" y="7" width="8" height="8" rx="1.5" fill="#fff"/><rect x="17" y="7" width="8" height="8" rx="1.5" fill="#fff" opacity=".7"/><rect x="7" y="17" width="8" height="8" rx="1.5" fill="#fff" opacity=".7"/><rect x="17" y="17" width="8" height="8" rx="1.5" fill="#fff"/></svg>
`
