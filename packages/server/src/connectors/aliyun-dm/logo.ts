// Generated from logo.svg by _provider/sync-assets.mjs; edit logo.svg, then run it.
export const logo =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" role="img" aria-label="Aliyun DirectMail"><rect width="64" height="64" rx="14" fill="#ff6a00"/><path d="M22 18h-6v28h6M42 18h6v28h-6" fill="none" stroke="#fff" stroke-width="4" stroke-linejoin="round"/><path d="M26 26l6 6 6-6M26 38h12" fill="none" stroke="#fff" stroke-width="4" stroke-linecap="round" stroke-linejoin="round"/></svg>\n';
