// The web pages in a real browser (Debian's chromium, driven by playwright-core, JavaScript
// off: the pages must work without it): a liaison logs in, sees only their providers, opens a
// submission with a rejected row and downloads its response (the very bytes stored); asking for
// another liaison's submission is a 404 that is recorded; the liaison follows a member's CIN from
// the submission to the member page (and finds it again with the header's search form), nothing
// blocked by the CSP; an ops user reprocesses the file from the page and sees the new attempt; an
// anonymous visitor is sent to the login form.
// Screenshots of the four main pages at 1280 px are taken every run; they replace the tracked
// ones in docs/screenshots/ (the README shows them) only under `npm run screenshots`.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebServer, type WebServer } from '../../src/web/server.js';
import { ROOT } from '../helpers/cli.js';
import { ACME_MEMBER, movableClock, PASSWORD, RIVAL_MEMBER, seedWebWorld, USERS, WEB_SETTINGS, type WebSeed } from '../helpers/web.js';
import { closePlanWorld, openPlanWorld, type PlanWorld } from '../helpers/world.js';

const CHROMIUM = '/usr/bin/chromium';
// (a page's pixels differ by a few bytes from run to run: a test run must not leave the checkout
// modified, nor race a test that snapshots the working tree)
const SCREENSHOTS = process.env.UPDATE_SCREENSHOTS === '1' ? path.join(ROOT, 'docs', 'screenshots') : fs.mkdtempSync(path.join(os.tmpdir(), 'calaim-screenshots-'));

let w: PlanWorld;
let seed: WebSeed;
let server: WebServer;
let browser: Browser;
const time = movableClock();

beforeAll(async () => {
  w = await openPlanWorld('web-browser', { csAuthorizations: true, settings: WEB_SETTINGS });
  seed = await seedWebWorld(w);
  server = await startWebServer({ pool: w.db.pool, config: w.config, now: time.clock, openSession: () => w.sftp.openSession() }, { host: '127.0.0.1', port: 0 });
  // --no-sandbox: CI runs as root, where Chromium's sandbox cannot start
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await closePlanWorld(w);
  if (process.env.UPDATE_SCREENSHOTS !== '1') fs.rmSync(SCREENSHOTS, { recursive: true, force: true });
});

async function newPage(): Promise<Page> {
  const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  return context.newPage();
}

async function logIn(page: Page, email: string): Promise<void> {
  await page.goto(`${server.url}/`);
  expect(new URL(page.url()).pathname).toBe('/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL(`${server.url}/`);
}

// Written whole, then renamed into place: the tracked screenshots are never seen half written.
const shot = async (page: Page, name: string): Promise<void> => {
  const target = path.join(SCREENSHOTS, `${name}.png`);
  fs.writeFileSync(`${target}.tmp`, await page.screenshot({ fullPage: true }));
  fs.renameSync(`${target}.tmp`, target);
};

describe('the web pages in Chromium, with JavaScript off', () => {
  it('an anonymous visitor to any page is sent to the login form', async () => {
    const page = await newPage();
    for (const p of ['/', '/providers/ACME', `/submissions/${seed.acmeSubmission}`, `/submissions/${seed.acmeSubmission}/response`, '/runs']) {
      await page.goto(`${server.url}${p}`);
      expect(new URL(page.url()).pathname, p).toBe('/login');
      await expect(page.getByRole('heading', { name: 'Log in' }).isVisible()).resolves.toBe(true);
    }
    await page.context().close();
  });

  it('a liaison sees only their providers, opens a submission with a rejected row and downloads its response', async () => {
    const page = await newPage();
    await logIn(page, USERS.liaison);
    const board = page.locator('table.board');
    await expect(board.getByRole('link', { name: 'ACME' }).count()).resolves.toBeGreaterThan(0);
    await expect(board.getByRole('link', { name: 'HOMEWAY' }).count()).resolves.toBeGreaterThan(0);
    await expect(page.getByText('RIVAL').count()).resolves.toBe(0);
    await shot(page, 'board');

    await board.getByRole('link', { name: 'ACME' }).first().click();
    await page.waitForURL(`${server.url}/providers/ACME`);
    await expect(page.locator('svg.chart').count()).resolves.toBe(1);
    await shot(page, 'provider');

    await page.getByRole('link', { name: String(seed.acmeSubmission), exact: true }).click();
    await page.waitForURL(`${server.url}/submissions/${seed.acmeSubmission}`);
    const text = await page.locator('main').innerText();
    expect(text).toContain('PARTIALLY_ACCEPTED');
    expect(text).toContain('LOB_NOT_CONTRACTED');
    expect(text).toContain(ACME_MEMBER.cin);
    expect(text).toContain(`${ACME_MEMBER.last}, ${ACME_MEMBER.first}`);
    await shot(page, 'submission');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download the response workbook' }).click()]);
    const stored = (await w.db.pool.query<{ bytes: Buffer; response_name: string }>(
      `select b.bytes, s.response_name from submissions s join file_blobs b on b.sha256 = s.response_sha256 where s.id = $1`,
      [seed.acmeSubmission],
    )).rows[0]!;
    expect(download.suggestedFilename()).toBe(stored.response_name);
    expect(fs.readFileSync((await download.path())!).equals(stored.bytes)).toBe(true);

    const logged = (await w.db.pool.query(`select page, provider_code, submission_id, denied from access_log where email = $1 order by id`, [USERS.liaison])).rows;
    expect(logged).toEqual([
      { page: 'submission', provider_code: 'ACME', submission_id: seed.acmeSubmission, denied: false },
      { page: 'response', provider_code: 'ACME', submission_id: seed.acmeSubmission, denied: false },
    ]);

    // another liaison's submission: 404, nothing of it shown, the attempt recorded
    const res = await page.goto(`${server.url}/submissions/${seed.rivalSubmission}`);
    expect(res!.status()).toBe(404);
    const body = await page.content();
    expect(body).not.toContain(RIVAL_MEMBER.cin);
    expect(body).not.toContain(RIVAL_MEMBER.last);
    await expect(page.getByText('There is no such page.').isVisible()).resolves.toBe(true);
    const denied = (await w.db.pool.query(`select provider_code, submission_id from access_log where email = $1 and denied`, [USERS.liaison])).rows;
    expect(denied).toEqual([{ provider_code: 'RIVAL', submission_id: seed.rivalSubmission }]);
    await page.context().close();
  });

  it("a liaison follows a member's CIN from the submission to the member page, and finds it again from the header; nothing refused by the CSP", async () => {
    const page = await newPage();
    // (a stylesheet or inline style the CSP refused, a resource that failed: each is a console message)
    const problems: string[] = [];
    page.on('console', (m) => void (['error', 'warning'].includes(m.type()) && problems.push(m.text())));
    await logIn(page, USERS.liaison);
    await page.goto(`${server.url}/submissions/${seed.acmeSubmission}`);
    await page.getByRole('link', { name: ACME_MEMBER.cin, exact: true }).click();
    await page.waitForURL(`${server.url}/members/${ACME_MEMBER.cin}`);
    await expect(page.getByRole('heading', { name: 'ECM assignments' }).isVisible()).resolves.toBe(true);
    const text = await page.locator('main').innerText();
    expect(text).toContain(`${ACME_MEMBER.last}, ${ACME_MEMBER.first}`);
    expect(text).toContain('Parts about other providers are not shown');
    // her CalViva assignment with ACME, linked to its provider page
    await expect(page.locator('main dl.facts').getByRole('link', { name: 'ACME', exact: true }).count()).resolves.toBeGreaterThan(0);
    expect(text).not.toContain('RIVAL');
    await shot(page, 'member');

    await page.getByLabel('Member CIN').fill(` ${ACME_MEMBER.cin.toLowerCase()} `);
    await page.getByRole('button', { name: 'Find' }).click();
    await page.waitForURL(`${server.url}/members/${ACME_MEMBER.cin}`);
    await expect(page.getByRole('heading', { name: 'CS authorizations' }).isVisible()).resolves.toBe(true);
    expect(problems).toEqual([]);
    const logged = (await w.db.pool.query(`select page, member_cin, denied from access_log where email = $1 and page = 'member' order by id`, [USERS.liaison])).rows;
    expect(logged).toEqual([{ page: 'member', member_cin: ACME_MEMBER.cin, denied: false }, { page: 'member', member_cin: ACME_MEMBER.cin, denied: false }]);
    await page.context().close();
  });

  it('an ops user reprocesses the file from its page and sees the new attempt', async () => {
    const page = await newPage();
    await logIn(page, USERS.ops);
    await page.goto(`${server.url}/submissions/${seed.acmeSubmission}`);
    await page.getByLabel('Reason (kept in the run history)').fill('ACME CalViva contract loaded late');
    await page.getByRole('button', { name: 'Reprocess' }).click();
    await page.waitForURL(/\/submissions\/\d+$/);
    const newId = Number(new URL(page.url()).pathname.split('/').pop());
    expect(newId).toBeGreaterThan(seed.rivalSubmission);
    const text = await page.locator('main').innerText();
    expect(text).toContain(`Reprocesses #${seed.acmeSubmission}: ACME CalViva contract loaded late`);
    expect(text).toMatch(/Outcome\s+ACCEPTED/);

    await page.getByRole('link', { name: 'Runs' }).click();
    await page.waitForURL(`${server.url}/runs`);
    const row = page.locator('table.runs tbody tr', { hasText: 'ACME CalViva contract loaded late' });
    await expect(row.count()).resolves.toBe(1);
    expect(await row.innerText()).toMatch(/reprocess\s.*manual\s+SUCCEEDED/s);
    await page.context().close();
  });
});
