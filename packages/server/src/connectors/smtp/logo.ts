/** The SMTP connector's logo: an envelope over a server rack. */
export const logo = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" width="64" height="64" role="img" aria-label="SMTP">
  <rect x="2" y="2" width="60" height="60" rx="14" fill="#2d4a3e"/>
  <rect x="12" y="12" width="40" height="26" rx="3" fill="none" stroke="#ffffff" stroke-width="3"/>
  <path d="M12 15 L32 29 L52 15" fill="none" stroke="#ffffff" stroke-width="3" stroke-linejoin="round"/>
  <rect x="12" y="44" width="40" height="8" rx="2" fill="#9be3b8"/>
  <circle cx="18" cy="48" r="1.6" fill="#2d4a3e"/>
  <circle cx="23" cy="48" r="1.6" fill="#2d4a3e"/>
</svg>
`;
