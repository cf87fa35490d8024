// Generated from logo.svg by _provider/sync-assets.mjs; edit logo.svg, then run it.
export const logo =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" role="img" aria-label="SendGrid"><rect width="64" height="64" rx="14" fill="#1a82e2"/><rect x="14" y="14" width="18" height="18" fill="#fff" opacity=".6"/><rect x="32" y="32" width="18" height="18" fill="#fff" opacity=".6"/><rect x="23" y="23" width="18" height="18" fill="#fff"/></svg>\n';
