/**
 * Browser-test helpers: a real Postern (in-process, listening on 127.0.0.1:0) serving the
 * built console, and Debian's chromium driven by playwright-core.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startPostern, type TestPostern } from '../../server/test/helpers.js';

export const DIST_INDEX = fileURLToPath(new URL('../dist/index.html', import.meta.url));
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
export async function withPage(env: ConsoleEnv, fn: (page: Page) => Promise<void>): Promise<void> {
  const context = await env.browser.newContext({ viewport: { width: 1280, height: 900 } });
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

/** Signs in on the console with the test's system key on `tenantId`. */
export async function signIn(env: ConsoleEnv, page: Page, tenantId: string): Promise<void> {
  await page.goto(`${env.url}/console/`);
  await page.getByLabel('Admin key').fill(env.postern.adminKey);
  await page.getByLabel('Tenant', { exact: true }).fill(tenantId);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Email connector' }).waitFor();
}

export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
}
