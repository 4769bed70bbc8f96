// browser.mjs — what every browser test shares: Debian's chromium, headless, and a phone-sized
// page whose done() fails the test on any page error or Content-Security-Policy violation.
import assert from 'node:assert/strict';
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
