// Generated from logo.svg by _provider/sync-assets.mjs; edit logo.svg, then run it.
export const logo =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" role="img" aria-label="Postmark"><rect width="64" height="64" rx="14" fill="#2b2b2b"/><path d="M14 20h36v24H14z" fill="none" stroke="#ffde00" stroke-width="4" stroke-linejoin="round"/><path d="M14 20l18 14 18-14" fill="none" stroke="#ffde00" stroke-width="4" stroke-linejoin="round"/></svg>\n';
