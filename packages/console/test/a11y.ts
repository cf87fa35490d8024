/**
 * The accessibility and layout check of the browser tests (issue 20): axe-core run inside the
 * page, the horizontal overflow at phone width, and a screenshot of every state checked into
 * test-results/screenshots/ (git-ignored), whose path is printed once so the CI log lists it.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';

/** Where the screenshots of the accessibility runs go (the repository's test-results/, git-ignored). */
export const SCREENSHOTS = fileURLToPath(new URL('../../../test-results/screenshots/', import.meta.url));

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** The two colour schemes and the two widths every page is checked at. */
export const VIEWS = [
  { scheme: 'light', width: 1280, height: 900 },
  { scheme: 'dark', width: 1280, height: 900 },
  { scheme: 'light', width: 360, height: 740 },
  { scheme: 'dark', width: 360, height: 740 },
] as const;
export type View = (typeof VIEWS)[number];

let announced = false;

function announce(): void {
  if (announced) return;
  announced = true;
  mkdirSync(SCREENSHOTS, { recursive: true });
  console.log(`Accessibility screenshots: ${SCREENSHOTS}`);
}

interface AxeNode {
  target: unknown[];
  failureSummary?: string;
}
interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: AxeNode[];
}

/**
 * Runs axe-core (WCAG 2.x A and AA rules and best practices) on the page as it stands and
 * returns its serious and critical violations, one line per element, empty when there are none.
 */
export async function axeViolations(page: Page): Promise<string[]> {
  const loaded = await page.evaluate(() => typeof (window as unknown as { axe?: unknown }).axe === 'object');
  // The pages' CSP refuses inline scripts (so page.addScriptTag is blocked), and it stays on
  // here: axe's source is evaluated through the DevTools protocol, which the policy does not govern.
  if (!loaded) await page.evaluate(`${AXE_SOURCE}\n;void 0`);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, opts: object): Promise<{ violations: AxeViolation[] }> } }).axe;
    const r = await axe.run(document, { resultTypes: ['violations'], runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] } });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })) }));
  });
  const out: string[] = [];
  for (const v of violations as AxeViolation[]) {
    if (v.impact !== 'serious' && v.impact !== 'critical') continue;
    for (const n of v.nodes) out.push(`${v.impact} ${v.id} (${v.help}) at ${n.target.join(' ')}: ${(n.failureSummary ?? '').replace(/\s+/g, ' ').trim()}`);
  }
  return out;
}

/**
 * How far the page is wider than its viewport, in CSS pixels (0 when nothing overflows), and
 * the outermost elements that reach past its right edge, to name in a failure.
 */
export async function horizontalOverflow(page: Page): Promise<{ by: number; culprits: string[] }> {
  return page.evaluate(() => {
    const by = Math.max(0, document.documentElement.scrollWidth - window.innerWidth);
    const culprits: string[] = [];
    if (by > 0) {
      const edge = window.innerWidth + 0.5;
      const name = (el: Element) => el.tagName.toLowerCase() + (el.id ? `#${el.id}` : '') + [...el.classList].map((c) => `.${c}`).join('');
      // Inside a scrolling box an element may reach past the edge harmlessly, unless it is positioned out of that box.
      const clipped = (el: Element) => {
        if (['absolute', 'fixed'].includes(getComputedStyle(el).position)) return false;
        for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) if (getComputedStyle(p).overflowX !== 'visible') return true;
        return false;
      };
      for (const el of document.body.querySelectorAll('*')) {
        const r = el.getBoundingClientRect();
        // The element itself, or its text (a long word in a box that does not wrap it), past the edge.
        const past = r.right > edge || (r.left + el.scrollWidth > edge && getComputedStyle(el).overflowX === 'visible' && el.children.length === 0);
        if (!past || clipped(el)) continue;
        culprits.push(`${el.parentElement ? name(el.parentElement) + ' > ' : ''}${name(el)}`);
      }
    }
    // The outermost few are enough to find the cause.
    return { by, culprits: culprits.slice(0, 6) };
  });
}

/** A file name from a page's label: `console users (dark, 360)` → `console-users-dark-360`. */
function fileName(label: string): string {
  return label.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

/**
 * Checks the page in its current state: no serious or critical axe violation, nothing wider
 * than a phone's screen at 360 px, and a full-page screenshot. Returns the problems found,
 * each prefixed with `label`, so that a test can list every page's problems at once.
 */
export async function auditPage(page: Page, label: string, view: View): Promise<string[]> {
  announce();
  const where = `${label} (${view.scheme}, ${view.width}px)`;
  // Let transitions and late renders settle before reading colours.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  const problems = (await axeViolations(page)).map((p) => `${where}: ${p}`);
  if (view.width <= 400) {
    const over = await horizontalOverflow(page);
    if (over.by > 0) problems.push(`${where}: the page is ${over.by}px wider than the screen, past its edge: ${over.culprits.join(', ')}`);
  }
  await page.screenshot({ path: `${SCREENSHOTS}${fileName(`${label}-${view.scheme}-${view.width}`)}.png`, fullPage: true });
  return problems;
}
