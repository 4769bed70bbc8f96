// browser.mjs — what every browser test shares: Debian's chromium, headless, and a phone-sized
// page whose done() fails the test on any page error or Content-Security-Policy violation; signing
// in, waiting for a page to be ready, its text, the no-sideways-scrolling check and screenshots
// (TRONDOI_SHOTS=DIR saves them there).
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const WIDTH = 390;
export const HEIGHT = 844;

export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** A phone-sized page in its own context (device clock in New York, to catch time-zone slips). */
export async function phonePage(browser, { width = WIDTH, height = HEIGHT } = {}) {
  const context = await browser.newContext({
    viewport: { width, height }, isMobile: true, hasTouch: true, deviceScaleFactor: 1,
    locale: 'vi-VN', timezoneId: 'America/New_York',
  });
  context.setDefaultTimeout(15000);
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content.Security.Policy|Refused to/i.test(m.text())) problems.push(`CSP: ${m.text()}`);
  });
  return {
    page,
    async done() {
      await context.close();
      assert.deepEqual(problems, [], 'no script errors or CSP violations');
    },
  };
}

/** Waits until the page has loaded what it shows first (its body's data-ready). */
export async function ready(page) {
  await page.locator('body[data-ready="true"]').waitFor({ state: 'attached' });
}

/** Signs in through the sign-in page at base and waits for the landing page (a URL pattern). */
export async function signIn(page, base, username, password, landing) {
  await page.goto(base + '/');
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  await page.waitForURL(landing);
  await ready(page);
}

/** What a reader sees in an element: its text with white space collapsed. */
export const text = async (locator) => (await locator.innerText()).replace(/\s+/g, ' ').trim();

/** Fails when the page scrolls sideways at width. */
export async function noOverflow(page, width, what) {
  const w = await page.evaluate(() => ({ doc: document.documentElement.scrollWidth, body: document.body.scrollWidth }));
  assert.ok(w.doc <= width && w.body <= width, `${what} at ${width}px: scrollWidth ${JSON.stringify(w)}`);
}

/** With TRONDOI_SHOTS=DIR, saves the whole page as DIR/name-N.png, one screen each. */
export async function shot(page, name) {
  const dir = process.env.TRONDOI_SHOTS;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  const { width, height } = await page.evaluate(() => ({ width: document.documentElement.clientWidth, height: document.documentElement.scrollHeight }));
  const screen = page.viewportSize().height;
  for (let y = 0, i = 0; y < height; y += screen, i++) {
    await page.screenshot({ path: join(dir, `${name}-${i}.png`), fullPage: true, clip: { x: 0, y, width, height: Math.min(screen, height - y) } });
  }
}
