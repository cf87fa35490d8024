/**
 * Parses a DKIM/DMARC tag-list (`tag=value; tag=value`, RFC 6376 §3.2) into lower-cased
 * tag names and trimmed values. Returns a plain-words error for a malformed list.
 */
export function parseTagList(
  text: string,
): { ok: true; tags: Map<string, string>; order: string[] } | { ok: false; error: string } {
  const tags = new Map<string, string>();
  const order: string[] = [];
  for (const part of text.split(';')) {
    const item = part.trim();
    if (item === '') continue;
    const eq = item.indexOf('=');
    if (eq <= 0) return { ok: false, error: `"${item}" is not a tag=value pair` };
    const name = item.slice(0, eq).trim().toLowerCase();
    if (!/^[a-z][a-z0-9_]*$/.test(name))
      return { ok: false, error: `"${item.slice(0, eq).trim()}" is not a valid tag name` };
    if (tags.has(name)) return { ok: false, error: `the tag ${name}= appears twice` };
    tags.set(name, item.slice(eq + 1).trim());
    order.push(name);
  }
  return { ok: true, tags, order };
}
