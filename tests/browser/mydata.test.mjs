// mydata.test.mjs — the sign-in page and "my data" in a real browser (Debian's chromium via
// playwright-core) at phone size: what a citizen sees, edits, shares and revokes, checked against
// the API. One server and one browser for the file; a fresh browser context for each test.
// TRONDOI_SHOTS=DIR saves screenshots there (for looking at the layout; not kept in the repo).
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { HEIGHT, launchChromium, phonePage, WIDTH } from './browser.mjs';
import { api, login, PASSWORD, startServer } from '../e2e/harness.mjs';

const SHOTS = process.env.TRONDOI_SHOTS;

let srv;
let browser;
let danId;
let fullName;
let permanent;

before(async () => {
  srv = await startServer();
  browser = await launchChromium();
  const token = await login(srv.url, 'dan');
  const me = await api(srv.url, 'GET', '/api/v1/me', { token });
  assert.equal(me.status, 200);
  danId = me.json.id;
  fullName = me.json.attributes.full_name.value;
  permanent = me.json.attributes.permanent_address;
  if (SHOTS) mkdirSync(SHOTS, { recursive: true });
});

after(async () => {
  if (browser) await browser.close();
  if (srv) await srv.stop();
});

/**
 * A phone-sized page in its own context. The device's clock is in New York, so times shown in
 * Vietnam time prove the page converts them. Page errors and CSP violations are collected and
 * checked by done().
 */
const phone = (opts) => phonePage(browser, opts);

/** With TRONDOI_SHOTS: the whole page as phone-screen-sized pieces NAME-0.png, NAME-1.png, ... */
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

/** Waits until "my data" has loaded everything (attributes, consents, log). */
async function ready(page) {
  await page.locator('body[data-ready="true"]').waitFor({ state: 'attached' });
}

async function signIn(page, username, password = PASSWORD) {
  await page.goto(srv.url + '/');
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
}

async function signInDan(page) {
  await signIn(page, 'dan');
  await page.waitForURL(/\/me\.html$/);
  await ready(page);
}

/** Text of one element, whitespace squeezed. */
async function text(locator) {
  return (await locator.innerText()).replace(/\s+/g, ' ').trim();
}

const capitalised = (s) => s.charAt(0).toUpperCase() + s.slice(1);

/** "HH:MM" of an ISO instant in Vietnam (UTC+7, no daylight saving). */
function vnClock(iso) {
  const d = new Date(new Date(iso).getTime() + 7 * 3600 * 1000);
  return `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`;
}

function vnDatePlus(days) {
  return new Date(Date.now() + 7 * 3600 * 1000 + days * 86400000).toISOString().slice(0, 10);
}

test('sign-in: a wrong password shows the Vietnamese error, then dan sees their own data', async () => {
  // what the API says for a wrong pair (asked for an account that does not exist, so dan is not slowed down)
  const bad = await api(srv.url, 'POST', '/api/v1/auth/login', { body: { username: 'khong.co.ai', password: 'x' } });
  assert.equal(bad.status, 401);
  const { page, done } = await phone();

  await signIn(page, 'dan', 'mat-khau-sai');
  const error = page.getByTestId('login-error');
  await error.filter({ hasText: capitalised(bad.json.error.message_vi) }).waitFor();
  assert.equal(await text(error), capitalised(bad.json.error.message_vi));
  assert.equal(await page.getAttribute('html', 'lang'), 'vi');
  assert.match(page.url(), /\/$|index\.html$/);
  await shot(page, 'login-error-vi');

  await page.getByTestId('login-password').fill(PASSWORD);
  await page.getByTestId('login-submit').click();
  await page.waitForURL(/\/me\.html$/);
  await ready(page);
  assert.equal(await text(page.getByTestId('page-title')), 'Dữ liệu của tôi');
  assert.equal(await text(page.getByTestId('person-name')), fullName);
  assert.equal(await text(page.getByTestId('person-id')), danId);

  const name = page.getByTestId('attr-full_name');
  assert.equal(await text(name.getByTestId('attr-value-full_name')), fullName);
  assert.equal(await text(name.getByTestId('verified')), '✓ Đã xác thực');
  assert.equal(await text(name.getByTestId('attr-source-full_name')), 'Nguồn: CSDL quốc gia về dân cư');
  assert.equal(await text(name.getByTestId('classification')), 'Cá nhân cơ bản');
  assert.equal(await name.getByTestId('edit-btn-full_name').count(), 0, 'full_name is not editable');
  // phone is self-declared and not verified: editable; email is absent but may be added
  assert.equal(await text(page.getByTestId('attr-phone').getByTestId('unverified')), 'Chưa xác thực');
  assert.equal(await text(page.getByTestId('edit-btn-phone')), 'Sửa');
  assert.equal(await text(page.getByTestId('attr-value-email')), 'Chưa có thông tin');
  assert.equal(await text(page.getByTestId('edit-btn-email')), 'Thêm');
  // the address reads as street, commune and province, not as a code
  const { unit: code, street } = permanent.value;
  const unit = await api(srv.url, 'GET', `/api/v1/units/${code}`);
  const address = page.getByTestId('attr-value-permanent_address');
  await address.filter({ hasText: unit.json.name }).waitFor();
  assert.equal(await text(address), `${street}, ${unit.json.name}, ${unit.json.parent_unit.name}`);

  // the token lives in sessionStorage, not localStorage
  const stored = await page.evaluate(() => [sessionStorage.getItem('trondoi.token'), localStorage.getItem('trondoi.token')]);
  assert.match(stored[0], /^[0-9a-f]{64}$/);
  assert.equal(stored[1], null);
  await shot(page, 'mydata-vi');

  await page.getByTestId('signout').click();
  await page.waitForURL(/index\.html$/);
  await page.getByTestId('login-notice').filter({ hasText: 'Bạn đã đăng xuất' }).waitFor();
  assert.equal(await page.evaluate(() => sessionStorage.getItem('trondoi.token')), null);
  await done();
});

test('sign-in: after too many failures the 429 message shows and the button waits', async () => {
  const { page, done } = await phone();
  await page.goto(srv.url + '/');
  await page.getByTestId('login-username').fill('canbo.tinh');
  await page.getByTestId('login-password').fill('sai-nua-roi');
  // fail through the API until the account waits 4 s (5 free failures, then 1, 2, 4 s)
  let failures = 0;
  while (failures < 7) {
    const r = await api(srv.url, 'POST', '/api/v1/auth/login', { body: { username: 'canbo.tinh', password: 'sai' } });
    if (r.status === 401) failures++;
    else if (r.status === 429) await new Promise((ok) => setTimeout(ok, Number(r.headers.get('retry-after')) * 1000));
    else assert.fail(`unexpected ${r.status}`);
  }
  await page.getByTestId('login-submit').click();
  const error = page.getByTestId('login-error');
  await error.filter({ hasText: 'Đăng nhập sai quá nhiều lần' }).waitFor();
  const button = page.getByTestId('login-submit');
  assert.ok(await button.isDisabled(), 'the button waits for Retry-After');
  assert.match(await text(button), /^Thử lại sau \d+ giây$/);
  // English: the API's English message
  await page.getByTestId('lang-en').click();
  await error.filter({ hasText: 'Too many failed sign-ins' }).waitFor();
  await shot(page, 'login-429-en');
  await done();
});

test('sign-in: an officer lands on the desk, signing out comes back here', async () => {
  const { page, done } = await phone();
  await signIn(page, 'canbo.xa');
  await page.waitForURL(/\/desk\.html$/);
  await page.getByTestId('desk-who').filter({ hasText: /canbo\.xa — Cán bộ/ }).waitFor();
  await page.getByTestId('signout').click();
  await page.waitForURL(/index\.html$/);
  await page.getByTestId('login-notice').filter({ hasText: 'Bạn đã đăng xuất' }).waitFor();
  assert.ok(await page.getByTestId('login-form').isVisible());
  await done();
});

test('my data: an ended session goes back to sign-in', async () => {
  const { page, done } = await phone();
  const token = await login(srv.url, 'dan');
  assert.equal((await api(srv.url, 'POST', '/api/v1/auth/logout', { token })).status, 204);
  await page.goto(srv.url + '/');
  await page.evaluate((tk) => sessionStorage.setItem('trondoi.token', tk), token);
  await page.goto(srv.url + '/me.html');
  await page.waitForURL(/index\.html$/);
  await page.getByTestId('login-notice').filter({ hasText: 'Phiên đăng nhập đã hết hạn' }).waitFor();
  // and with no token at all
  await page.goto(srv.url + '/me.html');
  await page.waitForURL(/index\.html$/);
  await done();
});

test('my data: change the phone in the page, its history shows two versions', async () => {
  const token = await login(srv.url, 'dan');
  const before = (await api(srv.url, 'GET', '/api/v1/me', { token })).json.attributes.phone;
  assert.equal(before.verified, false, 'an imported phone is self-declared, so not verified');
  const { page, done } = await phone();
  await signInDan(page);
  const item = page.getByTestId('attr-phone');
  assert.equal(await text(item.getByTestId('attr-value-phone')), before.value);

  await item.getByTestId('edit-btn-phone').click();
  const input = item.getByTestId('edit-input-phone');
  assert.equal(await input.inputValue(), before.value);
  await input.fill('12345');
  await item.getByTestId('edit-save-phone').click();
  await item.getByTestId('edit-error-phone').filter({ hasText: 'phải là số điện thoại Việt Nam' }).waitFor();
  assert.equal(await input.getAttribute('aria-invalid'), 'true');

  const fresh = before.value === '0987654321' ? '0987654322' : '0987654321';
  await input.fill(fresh);
  await item.getByTestId('edit-save-phone').click();
  await item.getByTestId('attr-value-phone').filter({ hasText: fresh }).waitFor();
  assert.equal(await item.getByTestId('edit-form-phone').count(), 0, 'the form closes after saving');
  assert.equal(await text(item.getByTestId('attr-source-phone')), 'Nguồn: Tự khai báo');
  await page.getByTestId('data-status').filter({ hasText: 'Đã lưu: Số điện thoại' }).waitFor();

  await item.getByTestId('history-btn-phone').click();
  const versions = item.getByTestId('history-version');
  await versions.first().waitFor();
  assert.equal(await versions.count(), 2);
  assert.match(await text(versions.nth(0)), new RegExp(`Phiên bản 2 Hiện tại .*${fresh}.*Nguồn: Tự khai báo · Người thay đổi: dan`));
  assert.match(await text(versions.nth(1)), new RegExp(`Phiên bản 1 .*${before.value}.*Nguồn: CSDL quốc gia về dân cư`));
  assert.equal(await item.getByTestId('history-btn-phone').getAttribute('aria-expanded'), 'true');
  const hist = await api(srv.url, 'GET', `/api/v1/citizens/${danId}/attributes/phone/history`, { token });
  assert.deepEqual(hist.json.versions.map((v) => v.value), [fresh, before.value]);
  await shot(page, 'phone-history-vi');
  await done();
});

test('my data: add an email and change it, its history shows two versions', async () => {
  const { page, done } = await phone();
  await signInDan(page);
  const item = page.getByTestId('attr-email');
  for (const email of ['dan@example.vn', 'dan.moi@example.vn']) {
    await item.getByTestId('edit-btn-email').click();
    await item.getByTestId('edit-input-email').fill(email);
    await item.getByTestId('edit-save-email').click();
    await item.getByTestId('attr-value-email').filter({ hasText: email }).waitFor();
  }
  await item.getByTestId('history-btn-email').click();
  const versions = item.getByTestId('history-version');
  await versions.first().waitFor();
  assert.equal(await versions.count(), 2);
  assert.match(await text(versions.nth(0)), /Phiên bản 2.*dan\.moi@example\.vn/);
  assert.match(await text(versions.nth(1)), /Phiên bản 1.*dan@example\.vn/);
  await done();
});

test('language: the English switch translates the page and is remembered', async () => {
  const { page, done } = await phone();
  await signInDan(page);
  await page.getByTestId('lang-en').click();
  await page.getByTestId('page-title').filter({ hasText: 'My data' }).waitFor();
  const headings = async () => ({
    h1: await text(page.getByTestId('page-title')),
    data: await text(page.getByTestId('heading-data')),
    consents: await text(page.getByTestId('heading-consents')),
    usage: await text(page.getByTestId('heading-usage')),
  });
  const english = { h1: 'My data', data: 'Personal information', consents: 'Data-sharing consents', usage: 'Who used my data' };
  assert.deepEqual(await headings(), english);
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.equal(await page.getByTestId('lang-en').getAttribute('aria-pressed'), 'true');
  const name = page.getByTestId('attr-full_name');
  assert.match(await text(name), /^Full name/);
  assert.equal(await text(name.getByTestId('verified')), '✓ Verified');
  assert.equal(await text(page.getByTestId('signout')), 'Sign out');
  await shot(page, 'mydata-en');

  await page.reload();
  await ready(page);
  assert.deepEqual(await headings(), english, 'remembered after a reload');

  await page.getByTestId('lang-vi').click();
  await page.getByTestId('heading-usage').filter({ hasText: 'Ai đã sử dụng dữ liệu của tôi' }).waitFor();
  assert.equal(await text(page.getByTestId('page-title')), 'Dữ liệu của tôi');
  await done();
});

test('consents: grant to canbo.hanoi, the read shows in the log, revoking blocks it', async () => {
  const hanoi = await login(srv.url, 'canbo.hanoi');
  const read = () => api(srv.url, 'GET', `/api/v1/citizens/${danId}`, { token: hanoi });
  assert.equal((await read()).status, 403, 'Hà Nội cannot read dan without consent');

  const { page, done } = await phone();
  await signInDan(page);
  const form = page.getByTestId('consent-form');
  await form.getByTestId('consent-recipient').fill('canbo.hanoi');
  await form.getByTestId('consent-purpose').fill('Hồ sơ tuyển dụng');
  await form.getByTestId('consent-attr-full_name').check();
  await form.getByTestId('consent-expires').fill(vnDatePlus(30));
  await form.getByTestId('consent-submit').click();
  const item = page.getByTestId('consent-item').filter({ hasText: 'canbo.hanoi' });
  await item.waitFor();
  assert.equal(await text(item.getByTestId('consent-state')), 'Đang hiệu lực');
  assert.match(await text(item), /Hồ sơ tuyển dụng/);
  assert.match(await text(item), /Họ, chữ đệm và tên/);
  await page.getByTestId('consents-status').filter({ hasText: 'canbo.hanoi' }).waitFor();

  const r = await read();
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(Object.keys(r.json.attributes), ['full_name']);
  assert.equal(r.json.attributes.full_name.value, fullName);

  await page.reload();
  await ready(page);
  const entry = page.getByTestId('usage-entry').filter({ hasText: 'canbo.hanoi' }).first();
  await entry.waitFor();
  assert.match(await text(entry), /Xem dữ liệu/);
  assert.match(await text(entry), /Họ, chữ đệm và tên/);
  assert.match(await text(entry), /Hồ sơ tuyển dụng/);
  await entry.getByTestId('usage-unit').filter({ hasText: 'Hà Nội' }).waitFor();
  const log = await api(srv.url, 'GET', '/api/v1/me/data-usage', { token: await login(srv.url, 'dan') });
  const at = log.json.entries.find((e) => e.actor === 'canbo.hanoi').at;
  assert.match(await text(entry.getByTestId('usage-time')), new RegExp(`${vnClock(at)}$`), 'Vietnam time, not the device\'s');
  await shot(page, 'consent-usage-vi');

  await item.getByTestId('consent-revoke').click();
  await item.getByTestId('consent-revoke-confirm').click();
  await item.getByTestId('consent-state').filter({ hasText: 'Đã thu hồi' }).waitFor();
  assert.equal(await item.getByTestId('consent-revoke').count(), 0, 'no revoke button on a revoked consent');
  assert.equal((await read()).status, 403, 'revoked: Hà Nội is refused again');
  await done();
});

test('consents: the API\'s refusal is shown in the form', async () => {
  const { page, done } = await phone();
  await signInDan(page);
  const form = page.getByTestId('consent-form');
  await form.getByTestId('consent-recipient').fill('khong.ton.tai');
  await form.getByTestId('consent-purpose').fill('Thử');
  await form.getByTestId('consent-submit').click();
  await form.getByTestId('consent-error').filter({ hasText: 'Vui lòng chọn ít nhất một loại dữ liệu' }).waitFor();
  await form.getByTestId('consent-attr-phone').check();
  await form.getByTestId('consent-submit').click();
  await form.getByTestId('consent-error').filter({ hasText: 'không phải tài khoản cán bộ, công dân hay mã đơn vị' }).waitFor();
  await done();
});

test('layout: no horizontal scrolling at 390 and 360 px, with panels open, in both languages', async () => {
  for (const width of [390, 360]) {
    const { page, done } = await phone({ width });
    await page.goto(srv.url + '/');
    await page.getByTestId('login-form').waitFor();
    assert.ok(await page.evaluate((wd) => document.documentElement.scrollWidth <= wd, width), `sign-in page at ${width}px`);
    await signIn(page, 'dan');
    await page.waitForURL(/\/me\.html$/);
    await ready(page);
    await page.getByTestId('history-btn-current_address').click();
    await page.getByTestId('history-current_address').getByTestId('history-version').first().waitFor();
    await page.getByTestId('edit-btn-email').click();
    await page.getByTestId('edit-input-email').waitFor();
    for (const lang of ['vi', 'en']) {
      await page.getByTestId(`lang-${lang}`).click();
      const w = await page.evaluate(() => ({ doc: document.documentElement.scrollWidth, body: document.body.scrollWidth }));
      assert.ok(w.doc <= width && w.body <= width, `${lang} at ${width}px: scrollWidth ${JSON.stringify(w)}`);
      if (width === 390) await shot(page, `layout-${lang}`);
    }
    await done();
  }
});
