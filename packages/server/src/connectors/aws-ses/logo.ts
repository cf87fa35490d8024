// Generated from logo.svg by _provider/sync-assets.mjs; edit logo.svg, then run it.
export const logo =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" role="img" aria-label="Amazon SES"><rect width="64" height="64" rx="14" fill="#232f3e"/><path d="M12 22l20 12 20-12v22H12z" fill="none" stroke="#ff9900" stroke-width="4" stroke-linejoin="round"/><path d="M18 50c8 4 20 4 28 0" fill="none" stroke="#ff9900" stroke-width="3" stroke-linecap="round"/></svg>\n';
