// dossiers.test.mjs — applying online, following one's dossiers and the officer's desk in a real
// browser (Debian's chromium via playwright-core) at phone size: dan applies for a marital-status
// certificate (the form prefilled and locked from the registry, the API's field errors shown),
// canbo.xa accepts it and asks for a supplement, dan resubmits; checked against the API. The tests
// run in order and share the dossier. TRONDOI_SHOTS=DIR saves screenshots there.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { HEIGHT, launchChromium, noOverflow, phonePage, ready, signIn as signInAt, text, WIDTH } from './browser.mjs';
import { api, login, PASSWORD, startServer } from '../e2e/harness.mjs';

const SHOTS = process.env.TRONDOI_SHOTS;
const PROCEDURE = '1.004873';
const NOTE = 'Bổ sung bản sao quyết định ly hôn';

let srv;
let browser;
let fullName;
let code; // the dossier dan submits in the first test

before(async () => {
  srv = await startServer();
  browser = await launchChromium();
  const token = await login(srv.url, 'dan');
  const me = await api(srv.url, 'GET', '/api/v1/me', { token });
  assert.equal(me.status, 200);
  fullName = me.json.attributes.full_name.value;
  assert.equal(me.json.attributes.full_name.verified, true, 'the demo name is verified, so locked in forms');
  if (SHOTS) mkdirSync(SHOTS, { recursive: true });
});

after(async () => {
  if (browser) await browser.close();
  if (srv) await srv.stop();
});

const phone = (opts) => phonePage(browser, opts);

async function shot(page, name) {
  if (!SHOTS) return;
  const { width, height } = await page.evaluate(() => ({
    width: document.documentElement.clientWidth, height: document.documentElement.scrollHeight,
  }));
  for (let y = 0, i = 0; y < height; y += HEIGHT, i++) {
    const clip = { x: 0, y, width, height: Math.min(HEIGHT, height - y) };
    await page.screenshot({ path: join(SHOTS, `${name}-${i}.png`), fullPage: true, clip });
  }
}

const signIn = (page, username, landing) => signInAt(page, srv.url, username, PASSWORD, landing);

async function dossier(token) {
  const r = await api(srv.url, 'GET', `/api/v1/dossiers/${code}`, { token });
  assert.equal(r.status, 200, r.text);
  return r.json;
}

test('apply: dan finds the procedure, sees locked registry data, fixes the field error and submits', async () => {
  const { page, done } = await phone();
  await signIn(page, 'dan', /\/me\.html$/);
  await page.getByTestId('nav-apply').click();
  await page.waitForURL(/\/apply\.html$/);
  await ready(page);

  // the search ignores case and diacritics
  await page.getByTestId('search').fill('TINH TRANG HON NHAN');
  const item = page.locator(`[data-testid="procedure-item"][data-code="${PROCEDURE}"]`);
  await item.waitFor();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="procedure-item"]').length <= 3);
  assert.match(await text(item), /Cấp Giấy xác nhận tình trạng hôn nhân/);
  await item.getByTestId(`pick-${PROCEDURE}`).click();
  await page.waitForURL(/\/apply\.html\?p=1\.004873$/);

  const form = page.getByTestId('dossier-form');
  await form.waitFor();
  assert.equal(await text(page.getByTestId('proc-days')), '3 ngày làm việc');
  assert.match(await text(page.getByTestId('proc-fee')), /^15\.000 ₫/);

  // verified registry data: shown, marked and not editable
  const name = form.getByTestId('field-applicant_full_name');
  assert.equal(await name.getAttribute('data-locked'), 'true');
  assert.equal(await text(name.getByTestId('value-applicant_full_name')), fullName);
  assert.equal(await text(name.getByTestId('locked-applicant_full_name')), '🔒 Từ CSDL quốc gia, đã xác thực');
  assert.equal(await name.locator('input, select, textarea').count(), 0, 'a locked field has no input');
  // editable fields are inputs by type, required ones marked
  assert.equal(await form.getByTestId('input-purpose').evaluate((el) => el.tagName), 'SELECT');
  assert.equal(await form.getByTestId('input-intended_spouse_date_of_birth').getAttribute('type'), 'date');
  assert.match(await text(form.getByTestId('field-purpose')), /Mục đích sử dụng Giấy xác nhận \*/);

  // the required purpose left empty: the API's error next to the field
  const created = [];
  page.on('response', (r) => {
    if (r.url().endsWith('/api/v1/dossiers') && r.request().method() === 'POST') created.push(r.status());
  });
  await form.getByTestId('submit').click();
  const err = form.getByTestId('field-error-purpose');
  await err.filter({ hasText: 'Mục đích sử dụng Giấy xác nhận' }).waitFor();
  assert.match(await text(err), /^⚠?\s*Cần điền “Mục đích sử dụng Giấy xác nhận”/);
  assert.equal(await form.getByTestId('input-purpose').getAttribute('aria-invalid'), 'true');
  assert.match(await text(form.getByTestId('form-error')), /1 trường cần sửa/);
  assert.deepEqual(created, [422]);
  assert.equal(await page.evaluate(() => document.activeElement && document.activeElement.id), 'f-purpose', 'focus on the field to fix');
  await shot(page, 'apply-error');

  await form.getByTestId('input-purpose').selectOption('marriage');
  await form.getByTestId('submit').click();
  const codeEl = page.getByTestId('submitted-code');
  await codeEl.waitFor();
  code = await text(codeEl);
  assert.match(code, /^\d{5}-\d{6}-\d{4}$/);
  assert.deepEqual(created, [422, 201]);
  await shot(page, 'apply-done');

  const token = await login(srv.url, 'dan');
  const d = await dossier(token);
  assert.equal(d.procedure.code, PROCEDURE);
  assert.equal(d.fields.purpose, 'marriage');
  assert.equal(d.fields.applicant_full_name, fullName, 'the locked name filled in by the API');

  // the link follows it
  await page.getByTestId('follow-link').click();
  await page.waitForURL(/\/dossiers\.html\?code=/);
  await ready(page);
  assert.equal(await text(page.getByTestId('dossier-code')), code);
  assert.equal(await text(page.getByTestId('dossier-status')), 'Mới đăng ký');

  // and it is in "my applications"
  await page.getByTestId('nav-dossiers').click();
  await page.waitForURL(/\/dossiers\.html$/);
  await ready(page);
  const row = page.locator(`[data-testid="dossier-item"][data-code="${code}"]`);
  await row.waitFor();
  assert.equal(await text(row.getByTestId('dossier-status')), 'Mới đăng ký');
  assert.match(await text(row), /Cấp Giấy xác nhận tình trạng hôn nhân/);
  await shot(page, 'dossiers-list');
  await done();
});

test('desk: canbo.xa lands on the desk, accepts the dossier and asks for a supplement', async () => {
  assert.ok(code, 'the first test submitted a dossier');
  const { page, done } = await phone();
  await signIn(page, 'canbo.xa', /\/desk\.html$/);
  const row = page.locator(`[data-testid="desk-item"][data-code="${code}"]`);
  await row.waitFor();
  assert.equal(await text(row.getByTestId('dossier-status')), 'Mới đăng ký');
  await shot(page, 'desk-list');

  await row.getByTestId('dossier-link').click();
  await page.waitForURL(/\/desk\.html\?code=/);
  await ready(page);
  assert.equal(await text(page.getByTestId('dossier-code')), code);
  assert.match(await text(page.getByTestId('dossier-fields')), new RegExp(fullName));

  // accepting needs every required document: the API's 409 is shown, nothing moves
  await page.getByTestId('move-2').click();
  await page.getByTestId('action-error').filter({ hasText: 'thiếu giấy tờ bắt buộc' }).waitFor();
  assert.equal(await text(page.getByTestId('dossier-status')), 'Mới đăng ký');
  // dan attaches the request form through the API (the page's upload is in dossier_extras.test.mjs)
  const pdf = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
  const up = await fetch(`${srv.url}/api/v1/dossiers/${code}/documents`, {
    method: 'POST', body: pdf,
    headers: { authorization: `Bearer ${await login(srv.url, 'dan')}`, 'content-type': 'application/pdf',
      'x-document-id': 'marital_status_request_form', 'x-file-name': 'to-khai.pdf' },
  });
  assert.equal(up.status, 201, await up.text());
  await page.getByTestId('move-2').click();
  await page.getByTestId('dossier-status').filter({ hasText: 'Được tiếp nhận' }).waitFor();
  assert.ok(await page.getByTestId('action-error').isHidden());
  assert.match(await text(page.getByTestId('dossier-due')), /^\d{2}\/\d{2}\/\d{4} 17:00$/, 'due at 17:00 Vietnam time');
  await page.getByTestId('action-status').filter({ hasText: 'Được tiếp nhận' }).waitFor();

  // a supplement request needs a reason
  await page.getByTestId('move-5').click();
  await page.getByTestId('move-note').waitFor();
  await page.getByTestId('move-confirm').click();
  await page.getByTestId('action-error').filter({ hasText: 'Vui lòng nhập lý do.' }).waitFor();
  await page.getByTestId('move-note').fill(NOTE);
  await page.getByTestId('move-confirm').click();
  await page.getByTestId('dossier-status').filter({ hasText: 'Yêu cầu bổ sung giấy tờ' }).waitFor();
  assert.ok(await page.getByTestId('action-error').isHidden());
  assert.match(await text(page.getByTestId('timeline-note').first()), new RegExp(NOTE));
  await shot(page, 'desk-detail');

  const d = await dossier(await login(srv.url, 'canbo.xa'));
  assert.equal(d.status, 5);
  assert.deepEqual(d.timeline.map((e) => e.to), [1, 2, 5]);
  assert.equal(d.timeline[2].note, NOTE);

  // back on the queue (open dossiers), the filter on status 5 still shows it
  await page.getByTestId('back').click();
  await page.waitForURL(/\/desk\.html$/);
  await ready(page);
  await page.getByTestId('status-filter').selectOption('5');
  await page.locator(`[data-testid="desk-item"][data-code="${code}"]`).getByTestId('dossier-status')
    .filter({ hasText: 'Yêu cầu bổ sung giấy tờ' }).waitFor();
  await page.getByTestId('status-filter').selectOption('10');
  await page.getByTestId('desk-empty').waitFor();
  await done();
});

test('dossiers: dan sees the supplement request and resubmits, the dossier is in process', async () => {
  assert.ok(code, 'the first test submitted a dossier');
  const { page, done } = await phone();
  await signIn(page, 'dan', /\/me\.html$/);
  await page.getByTestId('nav-dossiers').click();
  await ready(page);
  const row = page.locator(`[data-testid="dossier-item"][data-code="${code}"]`);
  await row.getByTestId('dossier-status').filter({ hasText: 'Yêu cầu bổ sung giấy tờ' }).waitFor();
  await row.getByTestId('dossier-link').click();
  await page.waitForURL(/\/dossiers\.html\?code=/);
  await ready(page);
  assert.equal(await text(page.getByTestId('dossier-status')), 'Yêu cầu bổ sung giấy tờ');
  assert.match(await text(page.getByTestId('timeline-note').first()), new RegExp(NOTE));
  await page.getByTestId('supplement-notice').waitFor();
  await shot(page, 'dossier-supplement');

  await page.getByTestId('resubmit').click();
  await page.getByTestId('dossier-status').filter({ hasText: 'Đang xử lý' }).waitFor();
  assert.equal(await page.getByTestId('resubmit').count(), 0, 'no resubmit once in process');
  assert.equal(await page.getByTestId('withdraw').count(), 1, 'still withdrawable');
  const d = await dossier(await login(srv.url, 'dan'));
  assert.equal(d.status, 4);
  assert.deepEqual(d.timeline.map((e) => e.to), [1, 2, 5, 4]);

  // English
  await page.getByTestId('lang-en').click();
  await page.getByTestId('dossier-status').filter({ hasText: 'In process' }).waitFor();
  assert.equal(await text(page.getByTestId('nav-dossiers')), 'My applications');
  await page.getByTestId('lang-vi').click();
  await page.getByTestId('dossier-status').filter({ hasText: 'Đang xử lý' }).waitFor();
  await done();
});

test('layout: no horizontal scrolling at 390 and 360 px on apply, dossiers and desk', async () => {
  assert.ok(code, 'the first test submitted a dossier');
  for (const width of [390, 360]) {
    const dan = await phone({ width });
    await signIn(dan.page, 'dan', /\/me\.html$/);
    for (const lang of ['vi', 'en']) {
      await dan.page.getByTestId(`lang-${lang}`).click();
      await dan.page.goto(`${srv.url}/apply.html`);
      await ready(dan.page);
      await dan.page.getByTestId('procedure-item').first().waitFor();
      await noOverflow(dan.page, width, `apply list (${lang})`);
      await dan.page.goto(`${srv.url}/apply.html?p=${PROCEDURE}`);
      await ready(dan.page);
      await dan.page.getByTestId('submit').click();
      await dan.page.getByTestId('field-error-purpose').waitFor();
      await noOverflow(dan.page, width, `apply form with errors (${lang})`);
      await dan.page.goto(`${srv.url}/dossiers.html`);
      await ready(dan.page);
      await noOverflow(dan.page, width, `dossiers (${lang})`);
      await dan.page.goto(`${srv.url}/dossiers.html?code=${code}`);
      await ready(dan.page);
      await dan.page.getByTestId('withdraw').click();
      await dan.page.getByTestId('withdraw-confirm').waitFor();
      await noOverflow(dan.page, width, `dossier (${lang})`);
      if (width === 390 && lang === 'en') await shot(dan.page, 'dossier-en');
    }
    await dan.done();

    const xa = await phone({ width });
    await signIn(xa.page, 'canbo.xa', /\/desk\.html$/);
    await noOverflow(xa.page, width, 'desk');
    await xa.page.goto(`${srv.url}/desk.html?code=${code}`);
    await ready(xa.page);
    await xa.page.getByTestId('move-8').click();
    await xa.page.getByTestId('move-note').waitFor();
    await noOverflow(xa.page, width, 'desk dossier');
    await xa.done();
  }
  // nothing was moved by looking
  assert.equal((await dossier(await login(srv.url, 'dan'))).status, 4);
});
