// Generated from logo.svg by _provider/sync-assets.mjs; edit logo.svg, then run it.
export const logo =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" role="img" aria-label="Mailgun"><rect width="64" height="64" rx="14" fill="#c02126"/><circle cx="32" cy="32" r="17" fill="none" stroke="#fff" stroke-width="5"/><circle cx="32" cy="32" r="6" fill="#fff"/></svg>\n';
