// dossier_extras.test.mjs — documents, fee and rating on the dossier pages in a real browser at
// phone size: dan submits a dossier through the API, attaches the required form through the page
// (a text file is refused with the API's 415 message), sees the fee with its VietQR code; the
// officer attaches on the desk and accepts, hands the review on to the leader, who hands the
// approval on, and the officer finishes and returns the result; dan rates it 4 stars.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { HEIGHT, launchChromium, noOverflow, phonePage, ready, signIn as signInAt, text, WIDTH } from './browser.mjs';
import { api, login, PASSWORD, startServer } from '../e2e/harness.mjs';

const PROCEDURE = '1.004873';
const FORM = 'marital_status_request_form';
const EVIDENCE = 'marital_status_evidence';
const PDF = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');

let srv;
let browser;
let code;

before(async () => {
  srv = await startServer();
  browser = await launchChromium();
  const token = await login(srv.url, 'dan');
  const r = await api(srv.url, 'POST', '/api/v1/dossiers', { token, body: { procedure: PROCEDURE, fields: { purpose: 'marriage' } } });
  assert.equal(r.status, 201, r.text);
  code = r.json.code;
});

after(async () => {
  if (browser) await browser.close();
  if (srv) await srv.stop();
});

const phone = (opts) => phonePage(browser, opts);

const signIn = (page, username, landing) => signInAt(page, srv.url, username, PASSWORD, landing);

async function dossier() {
  const r = await api(srv.url, 'GET', `/api/v1/dossiers/${code}`, { token: await login(srv.url, 'dan') });
  assert.equal(r.status, 200, r.text);
  return r.json;
}

test('documents and fee: dan attaches the request form, a text file is refused, the fee shows its QR', async () => {
  const { page, done } = await phone();
  await signIn(page, 'dan', /\/me\.html$/);
  await page.goto(`${srv.url}/dossiers.html?code=${code}`);
  await ready(page);

  const form = page.getByTestId(`doc-${FORM}`);
  await form.waitFor();
  assert.equal(await form.getAttribute('data-attached'), 'false');
  assert.equal(await text(form.getByTestId(`doc-state-${FORM}`)), 'Chưa đính kèm');
  assert.match(await text(form), /Tờ khai cấp Giấy xác nhận tình trạng hôn nhân \(bắt buộc\)/);
  assert.equal(await page.getByTestId(`doc-${EVIDENCE}`).getAttribute('data-attached'), 'false');
  assert.doesNotMatch(await text(page.getByTestId('detail')), /\bnull\b/, 'no section left out shows as "null"');

  // not a PDF/JPEG/PNG by its content: the API's 415 message, nothing attached
  await page.getByTestId(`doc-input-${EVIDENCE}`).setInputFiles({ name: 'ghi-chu.pdf', mimeType: 'application/pdf', buffer: Buffer.from('chỉ là văn bản\n') });
  await page.getByTestId('doc-error').filter({ hasText: 'chỉ nhận tệp PDF, JPEG và PNG' }).waitFor();
  assert.equal(await page.getByTestId(`doc-${EVIDENCE}`).getAttribute('data-attached'), 'false');

  // the request form, with a Vietnamese file name
  await page.getByTestId(`doc-input-${FORM}`).setInputFiles({ name: 'tờ-khai.pdf', mimeType: 'application/pdf', buffer: PDF });
  await page.locator(`[data-testid="doc-${FORM}"][data-attached="true"]`).waitFor();
  assert.equal(await text(page.getByTestId(`doc-state-${FORM}`)), '✓ Đã đính kèm');
  assert.match(await text(page.getByTestId(`doc-${FORM}`).getByTestId('doc-file')), /^to-khai\.pdf · \d+ B/);
  assert.ok(await page.getByTestId('doc-error').isHidden());
  await page.getByTestId('doc-status').waitFor();
  const d = await dossier();
  assert.deepEqual(d.documents.map((x) => [x.document, x.type, x.name]), [[FORM, 'application/pdf', 'to-khai.pdf']]);

  // the fee: amount, unpaid, the VietQR code as an image
  await page.getByTestId('fee-amount').waitFor();
  assert.equal(await text(page.getByTestId('fee-amount')), '15.000 ₫');
  assert.equal(await page.getByTestId('fee-paid').getAttribute('data-paid'), 'false');
  const qr = page.getByTestId('fee-qr');
  assert.match(await qr.getAttribute('src'), /^data:image\/svg\+xml;base64,/);
  await page.waitForFunction(() => {
    const img = document.querySelector('[data-testid="fee-qr"]');
    return img && img.complete && img.naturalWidth > 0;
  });

  // English, and no horizontal scrolling at 390 and 360 px
  await page.getByTestId('lang-en').click();
  await page.getByTestId(`doc-state-${FORM}`).filter({ hasText: 'Attached' }).waitFor();
  assert.equal(await text(page.getByTestId('fee-paid')), 'Not paid');
  await noOverflow(page, WIDTH, 'dossier with documents (en)');
  await page.setViewportSize({ width: 360, height: HEIGHT });
  await noOverflow(page, 360, 'dossier with documents (en)');
  await page.getByTestId('lang-vi').click();
  await noOverflow(page, 360, 'dossier with documents (vi)');
  await done();
});

test('desk: canbo.xa attaches a scanned paper and accepts the dossier', async () => {
  const { page, done } = await phone({ width: 360 });
  await signIn(page, 'canbo.xa', /\/desk\.html$/);
  await page.goto(`${srv.url}/desk.html?code=${code}`);
  await ready(page);
  await page.locator(`[data-testid="doc-${FORM}"][data-attached="true"]`).waitFor();
  await page.getByTestId(`doc-input-${EVIDENCE}`).setInputFiles({ name: 'quyet-dinh.pdf', mimeType: 'application/pdf', buffer: PDF });
  await page.locator(`[data-testid="doc-${EVIDENCE}"][data-attached="true"]`).waitFor();
  assert.match(await text(page.getByTestId(`doc-${EVIDENCE}`)), /Số hóa tại bộ phận một cửa/);
  assert.equal(await page.getByTestId('fee').count(), 0, 'no fee section on the desk');
  assert.doesNotMatch(await text(page.getByTestId('detail')), /\bnull\b/, 'no section left out shows as "null"');
  await noOverflow(page, 360, 'desk dossier with documents');
  await page.getByTestId('move-2').click();
  await page.getByTestId('dossier-status').filter({ hasText: 'Được tiếp nhận' }).waitFor();
  await done();
  const d = await dossier();
  assert.equal(d.documents.find((x) => x.document === EVIDENCE).digitised, true);
});

/** Hands the open step on through the desk page, with no note or assignee. */
async function handOn(page, next) {
  await page.getByTestId('step-forward').click();
  await page.getByTestId('step-confirm').click();
  await page.getByTestId('step-status').filter({ hasText: `Hồ sơ đã chuyển đến bước “${next}”` }).waitFor();
}

test('desk: the review and the approval are handed on, then canbo.xa finishes and returns the result', async () => {
  const officer = await phone();
  await signIn(officer.page, 'canbo.xa', /\/desk\.html$/);
  await officer.page.goto(`${srv.url}/desk.html?code=${code}`);
  await ready(officer.page);
  await officer.page.getByTestId('move-4').click();
  await officer.page.getByTestId('dossier-status').filter({ hasText: 'Đang xử lý' }).waitFor();
  // finishing waits for the process's last step
  assert.equal(await officer.page.getByTestId('move-9').count(), 0);
  assert.match(await text(officer.page.getByTestId('finish-waits')), /khi quy trình đến bước “Trả kết quả”/);
  await handOn(officer.page, 'Lãnh đạo phê duyệt, ký kết quả');
  assert.equal(await text(officer.page.getByTestId('step-why')), 'Bước này do Lãnh đạo thực hiện.');

  const leader = await phone();
  await signIn(leader.page, 'lanhdao.xa', /\/desk\.html$/);
  await leader.page.goto(`${srv.url}/desk.html?code=${code}`);
  await ready(leader.page);
  assert.equal(await text(leader.page.getByTestId('process-step')), 'Lãnh đạo phê duyệt, ký kết quả');
  await handOn(leader.page, 'Trả kết quả');
  await leader.done();

  await officer.page.reload();
  await ready(officer.page);
  await officer.page.getByTestId('move-9').click();
  await officer.page.getByTestId('dossier-status').filter({ hasText: 'Đã xử lý xong' }).waitFor();
  await officer.page.getByTestId('move-10').click();
  await officer.page.getByTestId('dossier-status').filter({ hasText: 'Đã trả kết quả' }).waitFor();
  assert.equal(await text(officer.page.getByTestId('process-current')), 'Đã hoàn thành mọi bước.');
  await officer.done();
  assert.equal((await dossier()).status, 10);
});

test('rating: after the result is returned dan rates 4 stars and sees the rating', async () => {
  const { page, done } = await phone();
  await signIn(page, 'dan', /\/me\.html$/);
  await page.goto(`${srv.url}/dossiers.html?code=${code}`);
  await ready(page);
  await page.getByTestId('rating-form').waitFor();
  // no upload once the dossier is past status 1/5
  await page.locator(`[data-testid="doc-${FORM}"]`).waitFor();
  assert.equal(await page.getByTestId(`doc-input-${FORM}`).count(), 0);

  // stars first
  await page.getByTestId('rating-submit').click();
  await page.getByTestId('rating-error').filter({ hasText: 'Vui lòng chọn số sao.' }).waitFor();
  await page.getByTestId('star-4').click();
  assert.equal(await page.getByTestId('star-4').getAttribute('aria-pressed'), 'true');
  await page.getByTestId('rating-comment-input').fill('Nhanh, đúng hẹn');
  await noOverflow(page, WIDTH, 'rating form');
  await page.getByTestId('rating-submit').click();
  await page.getByTestId('rating').waitFor();
  assert.equal(await text(page.getByTestId('rating-score')), '4/5 sao');
  assert.equal(await text(page.getByTestId('rating-comment')), 'Nhanh, đúng hẹn');
  await page.getByTestId('rating-status').waitFor();
  assert.equal(await page.getByTestId('rating-form').count(), 0);
  const d = await dossier();
  assert.equal(d.rating.score, 4);
  assert.equal(d.rating.comment, 'Nhanh, đúng hẹn');

  // after a reload it is still shown, with no form
  await page.reload();
  await ready(page);
  await page.getByTestId('rating').waitFor();
  assert.equal(await page.getByTestId('rating-form').count(), 0);
  await done();
});
