// steps.test.mjs — the internal process on the desk in a real browser at phone size: a dossier
// accepted through the API is made overdue in the database (the dossier and its review step);
// canbo.xa sees the late step in the queue and hands the review on to lanhdao.xa (a wrong
// assignee shows the API's message), the leader cannot send it back without a reason (the API's
// message, in Vietnamese and English) and hands the approval on, dan follows the process read-only,
// canbo.xa finishes through the apology form (the API's 409 first) and returns the result, and the
// lateness panel shows the late steps. The tests run in order and share the dossier.
// TRONDOI_SHOTS=DIR saves screenshots there.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { HEIGHT, launchChromium, noOverflow, phonePage, ready, signIn as signInAt, text } from './browser.mjs';
import { api, login, PASSWORD, startServer, upload } from '../e2e/harness.mjs';
import Database from '../e2e/sqlite.mjs';

const SHOTS = process.env.TRONDOI_SHOTS;
const NARROW = 360;
const REVIEW = 'Thẩm định, xử lý hồ sơ';
const APPROVAL = 'Lãnh đạo phê duyệt, ký kết quả';
const RETURN = 'Trả kết quả';
const NOTE = 'Đủ điều kiện cấp giấy';
const REASON = 'Chờ xác minh nơi cư trú trước đây';

let srv;
let browser;
let code;

before(async () => {
  srv = await startServer();
  browser = await launchChromium();
  if (SHOTS) mkdirSync(SHOTS, { recursive: true });
  const dan = await login(srv.url, 'dan');
  const r = await api(srv.url, 'POST', '/api/v1/dossiers', { token: dan, body: { procedure: '1.004873', fields: { purpose: 'marriage' } } });
  assert.equal(r.status, 201, r.text);
  code = r.json.code;
  assert.equal((await upload(srv.url, dan, code, 'marital_status_request_form')).status, 201);
  const accepted = await api(srv.url, 'POST', `/api/v1/dossiers/${code}/transitions`, { token: await login(srv.url, 'canbo.xa'), body: { to: 2 } });
  assert.equal(accepted.status, 200, accepted.text);
  // the due times passed yesterday: the dossier's and its open review step's
  const yesterday = (Date.now() - 86400e3) * 1000;
  const db = new Database(srv.db);
  db.run('UPDATE dossiers SET due_at = ? WHERE code = ?', yesterday, code);
  db.run("UPDATE dossier_steps SET due_at = ? WHERE code = ? AND step = 'review'", yesterday, code);
});

after(async () => {
  if (browser) await browser.close();
  if (srv) await srv.stop();
});

const phone = (opts) => phonePage(browser, opts);

const signIn = (page, username, landing) => signInAt(page, srv.url, username, PASSWORD, landing);

async function shot(page, name) {
  if (SHOTS) await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

/** Each planned step of the page's process as "name: state". */
async function plan(page) {
  return page.getByTestId('plan-step').evaluateAll((items) => items.map((li) => li.innerText.replace(/\s+/g, ' ').trim()));
}

async function openDossier(page) {
  await page.goto(`${srv.url}/desk.html?code=${code}`);
  await ready(page);
  await page.getByTestId('process').waitFor();
}

test('canbo.xa sees the late review step and hands it on to lanhdao.xa', async () => {
  const { page, done } = await phone({ width: NARROW });
  await signIn(page, 'canbo.xa', /\/desk\.html$/);
  const row = page.locator(`[data-testid="desk-item"][data-code="${code}"]`);
  await row.waitFor();
  assert.equal(await text(row.getByTestId('desk-step')), `Bước: ${REVIEW} Trễ hạn`);
  assert.match(await text(row), /Quá hạn/);

  await row.getByTestId('dossier-link').click();
  await page.waitForURL(/\/desk\.html\?code=/);
  await ready(page);
  // the desk downloads the dossier's receipt like the applicant does
  const receipt = page.waitForEvent('download');
  await page.getByTestId('forms').getByTestId('form-receipt').click();
  assert.equal((await receipt).suggestedFilename(), `${code}-receipt.pdf`);
  const now = page.getByTestId('process-current');
  assert.match(await text(now), new RegExp(`^Đang ở bước: ${REVIEW} Trễ hạn`));
  assert.match(await text(now), /Vai trò thực hiện Cán bộ/);
  assert.deepEqual(await plan(page), [
    'Tiếp nhận hồ sơ Đã xong · Cán bộ', `${REVIEW} Đang thực hiện · Cán bộ`, `${APPROVAL} Chưa đến · Lãnh đạo`, `${RETURN} Chưa đến · Cán bộ`]);
  assert.match(await text(page.getByTestId('step-entry').first()), /Tiếp nhận hồ sơ Đã chuyển bước tiếp theo Người xử lý: canbo.xa/);
  // finishing waits for the last step
  assert.equal(await page.getByTestId('move-9').count(), 0);
  assert.equal(await text(page.getByTestId('finish-waits')), `Hoàn thành xử lý được khi quy trình đến bước “${RETURN}”.`);

  // hand on: a note, and an assignee who is not a leader of this desk is refused by the API
  await page.getByTestId('step-forward').click();
  assert.equal(await text(page.getByTestId('step-target')), `Bước tiếp theo: ${APPROVAL} (Lãnh đạo)`);
  await page.getByTestId('step-note').fill(NOTE);
  await page.getByTestId('step-assignee').fill('canbo.hanoi');
  await noOverflow(page, NARROW, 'hand-on form');
  await shot(page, 'steps-hand-on');
  await page.getByTestId('step-confirm').click();
  await page.getByTestId('step-error').filter({ hasText: 'canbo.hanoi không phải lãnh đạo' }).waitFor();
  assert.equal(await page.getByTestId('step-assignee').getAttribute('aria-invalid'), 'true');
  assert.match(await text(now), new RegExp(`^Đang ở bước: ${REVIEW}`), 'nothing moved');

  await page.getByTestId('step-assignee').fill('lanhdao.xa');
  await page.getByTestId('step-confirm').click();
  await page.getByTestId('step-status').filter({ hasText: `Hồ sơ đã chuyển đến bước “${APPROVAL}”.` }).waitFor();
  assert.match(await text(now), new RegExp(`^Đang ở bước: ${APPROVAL}.*Giao cho lanhdao\\.xa`));
  assert.equal(await text(page.getByTestId('step-why')), 'Bước này do Lãnh đạo thực hiện.');
  assert.equal(await page.getByTestId('step-forward').count(), 0, 'the approval is not the officer\'s');
  const review = page.locator('[data-testid="step-entry"][data-step="review"]');
  assert.match(await text(review), new RegExp(`^${REVIEW} Đã chuyển bước tiếp theo Trễ hạn Người xử lý: canbo\\.xa`));
  assert.equal(await text(review.getByTestId('step-note-text')), NOTE);
  await noOverflow(page, NARROW, 'desk dossier with its process');
  await done();
});

test('lanhdao.xa sees the approval step, cannot send it back without a reason, and hands it on', async () => {
  const { page, done } = await phone();
  await signIn(page, 'lanhdao.xa', /\/desk\.html$/);
  const row = page.locator(`[data-testid="desk-item"][data-code="${code}"]`);
  await row.waitFor();
  assert.match(await text(row.getByTestId('desk-step')), new RegExp(`^Bước: ${APPROVAL} · lanhdao\\.xa`));
  await openDossier(page);
  assert.match(await text(page.getByTestId('process-current')), new RegExp(`^Đang ở bước: ${APPROVAL}`));

  // sending back needs a reason: the API's message, in the user's language
  await page.getByTestId('step-back').click();
  assert.equal(await text(page.getByTestId('step-target')), `Trả về bước: ${REVIEW}`);
  await page.getByTestId('step-confirm').click();
  await page.getByTestId('step-error').filter({ hasText: 'Trả lại bước trước cần ghi lý do' }).waitFor();
  assert.equal(await page.getByTestId('step-note').getAttribute('aria-invalid'), 'true');
  await page.getByTestId('lang-en').click();
  await page.getByTestId('step-error').filter({ hasText: 'Sending a dossier back needs a note saying why' }).waitFor();
  assert.equal(await text(page.getByTestId('step-back')), 'Send back');
  await noOverflow(page, 390, 'send-back form (en)');
  await page.getByTestId('lang-vi').click();
  await page.getByTestId('step-cancel').click();

  await page.getByTestId('step-forward').click();
  assert.equal(await text(page.getByTestId('step-target')), `Bước tiếp theo: ${RETURN} (Cán bộ)`);
  await page.getByTestId('step-confirm').click();
  await page.getByTestId('step-status').filter({ hasText: `Hồ sơ đã chuyển đến bước “${RETURN}”.` }).waitFor();
  assert.equal(await text(page.getByTestId('step-why')), 'Bước này do Cán bộ thực hiện.');
  assert.match(await text(page.locator('[data-testid="step-entry"][data-step="approval"]')), /Người xử lý: lanhdao\.xa/);
  await done();
});

test('dan follows the process on his dossier page, read-only', async () => {
  const { page, done } = await phone({ width: NARROW });
  await signIn(page, 'dan', /\/me\.html$/);
  await page.goto(`${srv.url}/dossiers.html?code=${code}`);
  await ready(page);
  await page.getByTestId('process').waitFor();
  assert.equal(await text(page.getByTestId('process-current')), `Đang ở bước: ${RETURN}`);
  assert.deepEqual(await plan(page), [
    'Tiếp nhận hồ sơ Đã xong', `${REVIEW} Đã xong`, `${APPROVAL} Đã xong`, `${RETURN} Đang thực hiện`]);
  assert.equal(await page.getByTestId('step-history').count(), 0, 'the steps as they happened are the desk\'s');
  assert.equal(await page.getByTestId('step-forward').count(), 0);
  await noOverflow(page, NARROW, 'citizen dossier with its process');
  await page.getByTestId('lang-en').click();
  await page.getByTestId('process-current').filter({ hasText: 'Now at: Result return' }).waitFor();
  await noOverflow(page, NARROW, 'citizen dossier with its process (en)');
  await page.getByTestId('lang-vi').click();
  await done();
});

test('canbo.xa finishes the overdue dossier through the apology form and returns the result', async () => {
  const { page, done } = await phone({ width: NARROW });
  await signIn(page, 'canbo.xa', /\/desk\.html$/);
  await openDossier(page);
  assert.match(await text(page.getByTestId('step-actions')), /Đây là bước cuối/);
  await page.getByTestId('move-9').click();
  const form = page.getByTestId('apology-form');
  await form.waitFor();
  assert.match(await text(form), /Phiếu xin lỗi và hẹn lại ngày trả kết quả/);
  await noOverflow(page, NARROW, 'apology form');
  await shot(page, 'steps-apology');

  // nothing filled in: the API's 409 apology_required
  await page.getByTestId('move-confirm').click();
  await page.getByTestId('action-error').filter({ hasText: `Hồ sơ ${code} đã quá hạn: cần phiếu xin lỗi` }).waitFor();
  assert.equal(await page.getByTestId('apology-reason').getAttribute('aria-invalid'), 'true');
  assert.equal(await text(page.getByTestId('dossier-status')), 'Được tiếp nhận', 'nothing moved');

  await page.getByTestId('apology-reason').fill(REASON);
  await page.getByTestId('apology-date').fill('2027-01-15');
  await page.getByTestId('move-confirm').click();
  await page.getByTestId('dossier-status').filter({ hasText: 'Đã xử lý xong' }).waitFor();
  assert.ok(await page.getByTestId('action-error').isHidden());
  assert.equal(await text(page.getByTestId('apology-reason')), REASON);
  assert.equal(await text(page.getByTestId('new-appointment')), '15/01/2027');
  assert.match(await text(page.locator('.dossier-head .badges')), /Trễ hạn/);

  await page.getByTestId('move-10').click();
  await page.getByTestId('dossier-status').filter({ hasText: 'Đã trả kết quả' }).waitFor();
  assert.equal(await text(page.getByTestId('process-current')), 'Đã hoàn thành mọi bước.');
  assert.ok((await plan(page)).every((s) => / Đã xong · /.test(s)), 'every step done');
  await done();

  const d = (await api(srv.url, 'GET', `/api/v1/dossiers/${code}`, { token: await login(srv.url, 'dan') })).json;
  assert.equal(d.status, 10);
  assert.deepEqual(d.apology, { reason: REASON, new_appointment: '2027-01-15' });
});

test('the lateness panel shows the late steps by step and by officer', async () => {
  const { page, done } = await phone({ width: NARROW });
  await signIn(page, 'lanhdao.xa', /\/desk\.html$/);
  const steps = page.getByTestId('lateness-steps');
  await steps.waitFor();
  const row = (table, key) => page.getByTestId(table).locator(`tr[data-key="${key}"]`);
  // columns: handled, late, open and past due
  assert.equal(await text(row('lateness-steps', 'review')), `${REVIEW} 1 1 0`);
  assert.equal(await text(row('lateness-steps', 'reception')), 'Tiếp nhận hồ sơ 1 0 0');
  // the steps opened after the dossier's due inherit it: the approval and the return are late too
  assert.equal(await text(row('lateness-steps', 'approval')), `${APPROVAL} 1 1 0`);
  assert.equal(await text(row('lateness-officers', 'lanhdao.xa')), 'lanhdao.xa 1 1 0');
  assert.equal(await text(row('lateness-officers', 'canbo.xa')), 'canbo.xa 3 2 0');
  assert.match(await text(steps.locator('thead')), /Bước Đã xử lý Trễ hạn Đang quá hạn/);
  assert.match(await text(page.getByTestId('lateness-period')), /^Từ 01\/\d{2}\/\d{4} đến \d{2}\/\d{2}\/\d{4}$/);
  await noOverflow(page, NARROW, 'desk with the lateness panel');
  await shot(page, 'steps-lateness');

  // dates the API refuses: its message
  const from = await page.getByTestId('lateness-from').inputValue();
  const to = await page.getByTestId('lateness-to').inputValue();
  await page.getByTestId('lateness-from').fill(to);
  await page.getByTestId('lateness-to').fill(from === to ? '2000-01-01' : from);
  await page.getByTestId('lateness-show').click();
  await page.getByTestId('lateness-error').filter({ hasText: 'from <= to' }).waitFor();

  await page.getByTestId('lang-en').click();
  await page.getByTestId('lateness-from').fill(from);
  await page.getByTestId('lateness-to').fill(to);
  await page.getByTestId('lateness-show').click();
  await row('lateness-steps', 'review').filter({ hasText: 'Specialist review' }).waitFor();
  assert.match(await text(steps.locator('thead')), /Step Handled Late Open, past due/);
  await noOverflow(page, NARROW, 'desk with the lateness panel (en)');
  await done();
});
