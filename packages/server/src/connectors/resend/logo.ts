// Generated from logo.svg by _provider/sync-assets.mjs; edit logo.svg, then run it.
export const logo =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" role="img" aria-label="Resend"><rect width="64" height="64" rx="14" fill="#000"/><path d="M20 46V18h14a8 8 0 0 1 0 16H20m14 0l10 12" fill="none" stroke="#fff" stroke-width="5" stroke-linecap="round" stroke-linejoin="round"/></svg>\n';
