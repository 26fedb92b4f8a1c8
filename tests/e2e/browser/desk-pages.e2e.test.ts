// The desk's pages as a new user opens them: `npm start` on embedded defaults, then /graphiql and /docs in
// headless Chromium (Debian's package, driven by playwright-core; nothing downloads a browser) with every
// request leaving 127.0.0.1 refused and recorded. The pages must work offline and under their CSP.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/ledger-process.ts';
import { inCi } from '../../support/services.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const browserFound = existsSync(CHROMIUM);
const skipReason = browserFound ? '' : ` (skipped: no Chromium at ${CHROMIUM}; apt-get install chromium, or set CHROMIUM_PATH)`;
// Without the background-networking flags Chromium calls Google hosts on its own.
const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-default-apps', '--disable-domain-reliability',
];
const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost']);

const isLocal = (url: string): boolean => {
  const { protocol, hostname } = new URL(url);
  return protocol === 'data:' || protocol === 'blob:' || LOCAL_HOSTS.has(hostname);
};

async function startLedger(port: number, dataDir: string): Promise<{ child: ChildProcess; output: () => string }> {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: 'info' };
  const child = spawn(process.execPath, ['bin/nicegold.mjs', 'start'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`nicegold start exited early with ${child.exitCode}:\n${output}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) return { child, output: () => output };
    } catch { /* not listening yet */ }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  child.kill('SIGKILL');
  throw new Error('nicegold start did not answer /healthz in time');
}

const describeInBrowser = browserFound || inCi ? describe : describe.skip;

describeInBrowser(`the desk's pages in headless Chromium, offline${skipReason}`, () => {
  let ledger: { child: ChildProcess; output: () => string } | undefined;
  let dataDir: string;
  let base: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const foreignRequests: string[] = [];
  const policyViolations: string[] = [];

  beforeAll(async () => {
    if (!browserFound) throw new Error(`CI=true but no Chromium at ${CHROMIUM}: .ci/run installs Debian's chromium package`);
    dataDir = await mkdtemp(path.join(tmpdir(), 'nicegold-browser-'));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    ledger = await startLedger(port, dataDir);
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    context = await browser.newContext();
    context.on('request', (request) => { if (!isLocal(request.url())) foreignRequests.push(request.url()); });
    await context.route('**/*', (route) => (isLocal(route.request().url()) ? route.continue() : route.abort('internetdisconnected')));
    page = await context.newPage();
    page.on('console', (message) => { if (/Content.Security.Policy/i.test(message.text())) policyViolations.push(`${page.url()}: ${message.text()}`); });
    page.on('pageerror', (error) => { policyViolations.push(`page error: ${error.message}`); });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    if (ledger && ledger.child.exitCode === null) ledger.child.kill('SIGKILL');
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('runs the README first-five-minutes query in GraphiQL with a development token and shows the answer', async () => {
    const readme = await readFile('README.md', 'utf8');
    const query = /```graphql\n([\s\S]*?)```/.exec(readme)![1]!;
    const analystToken = () => /\n {2}analyst +(\S+)/.exec(ledger!.output())?.[1];
    await expect.poll(analystToken, { timeout: 30_000 }).toMatch(/^ey/);
    const token = analystToken()!;

    const response = await page.goto(`${base}/graphiql`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    await page.fill('#token', token);
    await page.click('#token-form button[type=submit]');
    await expect.poll(() => page.textContent('#token-status')).toContain('token set');

    const editor = page.locator('.graphiql-query-editor .CodeMirror');
    await editor.waitFor({ timeout: 20_000 });
    await editor.evaluate((element, text) => { (element as unknown as { CodeMirror: { setValue(v: string): void } }).CodeMirror.setValue(text); }, query);
    await page.click('.graphiql-execute-button');

    const answerOnPage = () => page.locator('.graphiql-response .CodeMirror').evaluate((element) => (element as unknown as { CodeMirror: { getValue(): string } }).CodeMirror.getValue());
    await expect.poll(answerOnPage, { timeout: 20_000 }).toContain('"balance"');
    const answer = JSON.parse(await answerOnPage()) as { data?: { latestQuote: unknown; account: { balance: string; positions: unknown[] } | null }; errors?: unknown[] };
    expect(answer.errors).toBeUndefined();
    expect(answer.data?.account?.balance).toMatch(/^\d+\.\d{2}$/);
    expect(answer.data).toHaveProperty('latestQuote');
  }, 60_000);

  it('lists the orders endpoint on /docs', async () => {
    // swagger-ui-bundle.js (1.4 MB) streams slowly while the demo desk keeps the event loop busy
    const response = await page.goto(`${base}/docs`, { waitUntil: 'domcontentloaded', timeout: 60_000 });
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    await page.locator('[data-path="/v1/accounts/{accountId}/orders"]').first().waitFor({ timeout: 60_000 });
    expect(await page.locator('.opblock-post [data-path="/v1/accounts/{accountId}/orders"]').count()).toBeGreaterThan(0);
  }, 150_000);

  it('made no request beyond 127.0.0.1 and broke no rule of the pages\' CSP', () => {
    expect(foreignRequests).toEqual([]);
    expect(policyViolations).toEqual([]);
  });
});
