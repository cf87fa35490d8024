/** A factory's SVG logo as an image (a data: URL), so its markup never joins the page's DOM. */
export function Logo({ svg, name, size = 40 }: { svg: string; name: string; size?: number }) {
  const src = `data:image/svg+xml;base64,${base64(svg)}`;
  return <img className="logo" src={src} alt={`${name} logo`} width={size} height={size} />;
}

function base64(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}
