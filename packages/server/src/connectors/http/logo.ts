/** The HTTP connector's logo: an envelope leaving along a hook. */
export const logo = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" width="64" height="64" role="img" aria-label="HTTP webhook">
  <rect x="2" y="2" width="60" height="60" rx="14" fill="#1f3a5f"/>
  <rect x="12" y="20" width="28" height="20" rx="3" fill="none" stroke="#ffffff" stroke-width="3"/>
  <path d="M12 22 L26 32 L40 22" fill="none" stroke="#ffffff" stroke-width="3" stroke-linejoin="round"/>
  <path d="M44 30 H54 M49 25 L54 30 L49 35" fill="none" stroke="#7fd1ff" stroke-width="3" stroke-linecap="round" stroke-linejoin="round"/>
  <circle cx="26" cy="48" r="3" fill="#7fd1ff"/>
</svg>
`;
