/**
 * A duration in words for the recipient's language: "10 minutes", "24 hours", "7 days"
 * (Intl's unit formatting, so every shipped language gets its own words and plurals). Whole
 * hours from 2 hours and whole days from 2 days are said in those units; anything else in
 * minutes. An unknown locale falls back to English.
 */
export function formatDuration(minutes: number, locale: string): string {
  const m = Math.max(0, Math.round(minutes));
  const [value, unit] = m >= 2880 && m % 1440 === 0 ? [m / 1440, 'day'] : m >= 120 && m % 60 === 0 ? [m / 60, 'hour'] : [m, 'minute'];
  return formatter(locale, unit).format(value);
}

const formatters = new Map<string, Intl.NumberFormat>();

function formatter(locale: string, unit: string): Intl.NumberFormat {
  const key = `${locale}|${unit}`;
  let f = formatters.get(key);
  if (!f) {
    try {
      f = new Intl.NumberFormat(locale, { style: 'unit', unit, unitDisplay: 'long' });
    } catch {
      f = new Intl.NumberFormat('en', { style: 'unit', unit, unitDisplay: 'long' });
    }
    // Locales come from tenants' templates and requests: bounded, but keep the cache so.
    if (formatters.size >= 200) formatters.clear();
    formatters.set(key, f);
  }
  return f;
}
