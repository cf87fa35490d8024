/**
 * Browser-test helpers: a real Postern (in-process, listening on 127.0.0.1:0) serving the
 * built console, and Debian's chromium driven by playwright-core.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startPostern, type TestPostern } from '../../server/test/helpers.js';

export const DIST_INDEX = fileURLToPath(new URL('../dist/index.html', import.meta.url));
/** The hosted end-user pages' bundle (packages/pages), served by the same Postern. */
export const PAGES_INDEX = fileURLToPath(new URL('../../pages/dist/index.html', import.meta.url));
export const SHOTS = '/tmp/console-shots';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface ConsoleEnv {
  postern: TestPostern;
  url: string;
  browser: Browser;
  close(): Promise<void>;
}

export async function startConsoleEnv(env: Record<string, string> = {}): Promise<ConsoleEnv> {
  if (!existsSync(DIST_INDEX)) {
    throw new Error(`The console is not built (${DIST_INDEX} is missing): run \`npm run build -w packages/console\` before these tests.`);
  }
  if (!existsSync(PAGES_INDEX)) {
    throw new Error(`The hosted pages are not built (${PAGES_INDEX} is missing): run \`npm run build -w packages/pages\` before these tests.`);
  }
  if (!existsSync(CHROMIUM)) throw new Error(`No chromium at ${CHROMIUM}: apt-get install -y chromium`);
  mkdirSync(SHOTS, { recursive: true });
  const postern = await startPostern('sqlite', env);
  let browser: Browser | undefined;
  try {
    const url = await postern.app.listen({ port: 0, host: '127.0.0.1' });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'],
    });
    const b = browser;
    return {
      postern,
      url,
      browser: b,
      async close() {
        await b.close();
        await postern.close();
      },
    };
  } catch (e) {
    await browser?.close();
    await postern.close();
    throw e;
  }
}

/** A fresh tenant, so that every test starts from a new tenant's defaults. */
export async function newTenant(env: ConsoleEnv, id: string, type: 'development' | 'production' = 'development'): Promise<string> {
  const res = await env.postern.api('POST', '/api/tenants', { id, name: `Tenant ${id}`, type });
  if (res.status !== 201) throw new Error(`creating tenant ${id}: ${res.status} ${JSON.stringify(res.body)}`);
  return id;
}

/**
 * Runs `fn` with a new page in its own browser context (own sessionStorage), then closes
 * it. Fails if the page broke the server's CSP or threw an uncaught error.
 */
export async function withPage(env: ConsoleEnv, fn: (page: Page) => Promise<void>, opts: { locale?: string; viewport?: { width: number; height: number }; colorScheme?: 'light' | 'dark' } = {}): Promise<void> {
  // `locale` sets navigator.languages and Accept-Language, as a browser in that language does.
  const context = await env.browser.newContext({ viewport: opts.viewport ?? { width: 1280, height: 900 }, colorScheme: opts.colorScheme ?? 'light', ...(opts.locale ? { locale: opts.locale } : {}) });
  // Shorter than the test's timeout, so that a missing element fails with its locator named.
  context.setDefaultTimeout(10_000);
  const problems: string[] = [];
  try {
    const page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    await fn(page);
    if (problems.length) throw new Error(`The page reported problems:\n${problems.join('\n')}`);
  } finally {
    await context.close();
  }
}

/**
 * Signs in on the console with the test's system key on `tenantId`: the console opens on
 * Getting started; this then goes to Connectors, where most tests begin.
 */
export async function signIn(env: ConsoleEnv, page: Page, tenantId: string, opts: { stay?: boolean } = {}): Promise<void> {
  await page.goto(`${env.url}/console/`);
  await page.getByLabel('Admin key').fill(env.postern.adminKey);
  await page.getByLabel('Tenant', { exact: true }).fill(tenantId);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Getting started' }).waitFor();
  if (opts.stay) return;
  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Connectors' }).click();
  await page.getByRole('heading', { name: 'Email connector' }).waitFor();
}

export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
}

export interface CapturedMail {
  id: string;
  to: string;
  subject: string;
  text: string;
  html: string;
}

/**
 * The captured messages to `to` on `tenantId`, oldest first, once there are at least `count`
 * (background sends land after the API answers, so this polls the mailbox, bounded).
 */
export async function mailTo(env: ConsoleEnv, tenantId: string, to: string, count = 1): Promise<CapturedMail[]> {
  const prefix = tenantId === 'default' ? '' : `/t/${tenantId}`;
  for (let i = 0; ; i++) {
    const box = await env.postern.api('GET', `${prefix}/api/mailbox?limit=200`);
    const mine = (box.body.items as { id: string; to: string }[]).filter((m) => m.to === to).reverse();
    if (mine.length >= count) {
      const out: CapturedMail[] = [];
      for (const m of mine) out.push((await env.postern.api('GET', `${prefix}/api/mailbox/${m.id}`)).body as CapturedMail);
      return out;
    }
    if (i >= 400) throw new Error(`expected ${count} message(s) to ${to} on ${tenantId}, found ${mine.length}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The code of the `n`-th (1-based) message to `to`: the line of the text part that holds only the code. */
export async function codeFor(env: ConsoleEnv, tenantId: string, to: string, n = 1): Promise<string> {
  const mail = (await mailTo(env, tenantId, to, n))[n - 1]!;
  const m = /^\s*([0-9A-Z]{4,10})\s*$/m.exec(mail.text);
  if (!m) throw new Error(`no code line in the message to ${to}: ${mail.subject}`);
  return m[1]!;
}

/** A code that is surely wrong: the real one with its last character changed. */
export function wrongCode(code: string): string {
  const last = code.slice(-1);
  return code.slice(0, -1) + (last === '1' ? '2' : '1');
}
