// store.test.mjs — forms, the document store and verification in a real browser at phone size.
// Through the API dan submits a dossier and attaches its request form, canbo.xa accepts it and
// hands it on, lanhdao.xa approves and canbo.xa finishes it: the result is issued. In the browser
// dan downloads the receipt and the result from the dossier page, finds the result in "my
// documents" and lets the verification page show their name; anyone, signed out, opens the QR's
// link and sees it genuine with that name and no ID, a forged QR invalid and an unknown number not
// issued; the public lookup shows the dossier's status; a new dossier attaches the stored result
// and the stored form by reference. Last, too many lookups show the API's message.
// TRONDOI_SHOTS=DIR saves screenshots there.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { HEIGHT, launchChromium, noOverflow, phonePage, ready, shot, signIn, text, WIDTH } from './browser.mjs';
import { api, handOn, login, PASSWORD, startServer, upload } from '../e2e/harness.mjs';

const PROCEDURE = '1.004873';
const FORM = 'marital_status_request_form';
const PREVIOUS = 'previous_certificate';
const PROC_NAME = 'Cấp Giấy xác nhận tình trạng hôn nhân';

let srv;
let browser;
let code; // the finished dossier
let doc; // its result in dan's store
let me;
const tokens = {};

const call = (who, method, path, body) => api(srv.url, method, path, { token: tokens[who], body });

async function submit() {
  const r = await call('dan', 'POST', '/api/v1/dossiers', { procedure: PROCEDURE, fields: { purpose: 'loan' } });
  assert.equal(r.status, 201, r.text);
  return r.json.code;
}

async function moveTo(c, to) {
  const r = await call('canbo.xa', 'POST', `/api/v1/dossiers/${c}/transitions`, { to });
  assert.equal(r.status, 200, r.text);
}

const store = async () => (await call('dan', 'GET', '/api/v1/me/documents')).json;

before(async () => {
  srv = await startServer();
  browser = await launchChromium();
  for (const u of ['dan', 'canbo.xa', 'lanhdao.xa']) tokens[u] = await login(srv.url, u);
  me = (await call('dan', 'GET', '/api/v1/me')).json;
  code = await submit();
  assert.equal((await upload(srv.url, tokens.dan, code, FORM)).status, 201);
  await moveTo(code, 2);
  await handOn(srv.url, tokens['canbo.xa'], tokens['lanhdao.xa'], code);
  await moveTo(code, 9);
  doc = (await store()).results.find((r) => r.code === code);
  assert.ok(doc, 'the result is in dan\'s store');
});

after(async () => {
  if (browser) await browser.close();
  if (srv) await srv.stop();
});

const phone = (opts) => phonePage(browser, opts);
const signInDan = (page) => signIn(page, srv.url, 'dan', PASSWORD, /\/me\.html$/);

/** Clicks a download link; returns the file's suggested name and bytes. */
async function download(page, locator) {
  const [dl] = await Promise.all([page.waitForEvent('download'), locator.click()]);
  return { name: dl.suggestedFilename(), body: readFileSync(await dl.path()) };
}

/** The verification page's address on the test server (the QR names the public address). */
const verifyPath = (claim) => {
  const u = new URL(doc.verify_url);
  if (claim !== undefined) u.searchParams.set('c', claim);
  return srv.url + u.pathname + u.search;
};

test('dossier page: a finished dossier offers its receipt and result as PDFs', async () => {
  const { page, done } = await phone();
  await signInDan(page);
  await page.goto(`${srv.url}/dossiers.html?code=${code}`);
  await ready(page);
  const forms = page.getByTestId('forms');
  await forms.getByTestId('form-result').waitFor();
  assert.equal(await text(forms.locator('h2')), 'Biểu mẫu');
  assert.equal(await text(forms.getByTestId('form-receipt')), 'Giấy tiếp nhận hồ sơ và hẹn trả kết quả (PDF)');
  assert.equal(await text(forms.getByTestId('form-result')), 'Kết quả giải quyết (văn bản điện tử) (PDF)');
  for (const kind of ['supplement', 'refusal', 'apology', 'stop']) assert.equal(await forms.getByTestId(`form-${kind}`).count(), 0, kind);

  const result = await download(page, forms.getByTestId('form-result'));
  assert.equal(result.name, `${code}-result.pdf`);
  assert.equal(result.body.subarray(0, 5).toString(), '%PDF-');
  const stored = await fetch(`${srv.url}/api/v1/dossiers/${code}/forms/result.pdf`, { headers: { authorization: `Bearer ${tokens.dan}` } });
  assert.deepEqual(result.body, Buffer.from(await stored.arrayBuffer()), 'the issued PDF itself');
  const receipt = await download(page, forms.getByTestId('form-receipt'));
  assert.equal(receipt.name, `${code}-receipt.pdf`);
  assert.equal(receipt.body.subarray(0, 5).toString(), '%PDF-');
  assert.ok(await page.getByTestId('form-error').isHidden());
  await shot(page, 'store-dossier-forms');

  await page.getByTestId('lang-en').click();
  await forms.getByTestId('form-result').filter({ hasText: 'Result (electronic document)' }).waitFor();
  await noOverflow(page, WIDTH, 'dossier forms (en)');
  await page.setViewportSize({ width: 360, height: HEIGHT });
  await noOverflow(page, 360, 'dossier forms (en)');
  await done();
});

test('my documents: the result and the files; dan lets the verification page show their name', async () => {
  const { page, done } = await phone({ width: 360 });
  await signInDan(page);
  await page.getByTestId('nav-documents').click();
  await page.waitForURL(/\/documents\.html$/);
  await ready(page);
  assert.equal(await text(page.getByTestId('page-title')), 'Kho dữ liệu của tôi');
  const card = page.locator(`[data-testid="result"][data-id="${doc.id}"]`);
  await card.waitFor();
  assert.equal(await text(card.getByTestId('result-name')), PROC_NAME);
  assert.equal(await text(card.getByTestId('result-id')), doc.id);
  assert.equal(await text(card.getByTestId('result-code')), code);
  assert.equal(await text(card.getByTestId('share-summary')), 'Không hiển thị thông tin cá nhân nào');
  assert.equal(await card.getByTestId('verify-link').getAttribute('href'), new URL(doc.verify_url).pathname + new URL(doc.verify_url).search);
  const file = page.getByTestId('file').filter({ hasText: code });
  assert.equal(await text(file.getByTestId('file-name')), 'giay-to.pdf');

  const pdf = await download(page, card.getByTestId('form-result'));
  assert.equal(pdf.name, `${code}-result.pdf`);
  assert.equal(pdf.body.subarray(0, 5).toString(), '%PDF-');

  await card.getByTestId('share-edit').click();
  const form = card.getByTestId('share-form');
  await form.getByTestId('share-holder_name').waitFor();
  assert.match(await text(form), new RegExp(`Họ tên người được cấp: ${me.attributes.full_name.value}`));
  assert.match(await text(form), /Mục đích sử dụng Giấy xác nhận: Vay vốn ngân hàng/);
  assert.equal(await form.getByTestId('share-applicant_id').isChecked(), false);
  await noOverflow(page, 360, 'share form');
  await shot(page, 'store-share-form');
  await form.getByTestId('share-holder_name').check();
  await form.getByTestId('share-save').click();
  await card.getByTestId('share-status').waitFor();
  assert.equal(await text(card.getByTestId('share-status')), 'Đã lưu thông tin trang xác thực được hiển thị.');
  assert.equal(await text(card.getByTestId('share-summary')), 'Họ tên người được cấp');
  assert.equal(await card.getByTestId('share-form').count(), 0);
  assert.deepEqual((await store()).results.find((r) => r.id === doc.id).shared, ['holder_name']);

  await page.getByTestId('lang-en').click();
  await card.getByTestId('share-summary').filter({ hasText: 'Holder’s name' }).waitFor();
  await noOverflow(page, 360, 'my documents (en)');
  await shot(page, 'store-documents-en');
  await done();
});

test('verification: anyone, signed out, sees the result genuine with only what dan shares', async () => {
  const { page, done } = await phone();
  await page.goto(verifyPath());
  await ready(page);
  const verdict = page.getByTestId('verdict');
  assert.equal(await verdict.getAttribute('data-verdict'), 'genuine');
  assert.equal(await text(page.getByTestId('verdict-title')), '✓ Văn bản xác thực');
  assert.equal(await text(page.getByTestId('verify-document')), PROC_NAME);
  assert.equal(await text(page.getByTestId('verify-id')), doc.id);
  assert.equal(await text(page.getByTestId('shared-holder_name')), me.attributes.full_name.value);
  assert.equal(await page.getByTestId('claim-state').getAttribute('data-valid'), 'true');
  assert.equal(await text(page.getByTestId('claim-state')), '✓ Hợp lệ, khớp với văn bản này');
  const keys = (await api(srv.url, 'GET', '/api/v1/keys')).json.keys;
  assert.equal(await text(page.getByTestId('issuer-key')), keys.find((k) => k.unit === doc.issuer).public_key);
  const unit = (await api(srv.url, 'GET', `/api/v1/units/${doc.issuer}`)).json;
  await page.getByTestId('verify-issuer').filter({ hasText: unit.name }).waitFor();
  const body = await text(page.locator('body'));
  assert.ok(!body.includes(me.id), 'no personal ID on the page');
  assert.equal(await page.getByTestId('signout').count(), 0, 'nothing to sign out of');
  await noOverflow(page, WIDTH, 'verification');
  await shot(page, 'store-verify');
  await page.setViewportSize({ width: 360, height: HEIGHT });
  await noOverflow(page, 360, 'verification');
  await page.getByTestId('lang-en').click();
  await page.getByTestId('verdict-title').filter({ hasText: '✓ Genuine document' }).waitFor();
  await page.getByTestId('lang-vi').click();

  // a QR whose claim was changed: the signature does not verify
  const [claim, sig] = new URL(doc.verify_url).searchParams.get('c').split('.');
  const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(claim, 'base64url')), d: '2020-01-01' })).toString('base64url');
  await page.goto(verifyPath(`${forged}.${sig}`));
  await ready(page);
  assert.equal(await page.getByTestId('verdict').getAttribute('data-verdict'), 'forged');
  assert.equal(await text(page.getByTestId('verdict-title')), '✗ Văn bản KHÔNG xác thực');
  assert.equal(await page.getByTestId('claim-state').getAttribute('data-valid'), 'false');
  assert.match(await text(page.getByTestId('claim-state')), /^✗ Không hợp lệ/);
  await noOverflow(page, 360, 'forged verification');
  await shot(page, 'store-verify-forged');

  // a number the system never issued
  await page.goto(`${srv.url}/verify/KQ0000000000000000`);
  await ready(page);
  assert.equal(await page.getByTestId('verdict').getAttribute('data-verdict'), 'unknown');
  assert.equal(await text(page.getByTestId('verdict-title')), '✗ Văn bản KHÔNG xác thực');
  assert.equal(await text(page.getByTestId('verdict-text')), 'Không có văn bản KQ0000000000000000 do hệ thống cấp: văn bản không xác thực');
  await done();
});

test('public lookup: the dossier\'s status by its code, and the API\'s message for an unknown code', async () => {
  const { page, done } = await phone({ width: 360 });
  await page.goto(`${srv.url}/lookup.html?code=${code}`);
  await ready(page);
  assert.equal(await page.getByTestId('lookup-code').inputValue(), code);
  const card = page.getByTestId('lookup-card');
  await card.waitFor();
  assert.equal(await text(card.getByTestId('dossier-code')), code);
  assert.equal(await text(card.getByTestId('lookup-procedure')), PROC_NAME);
  assert.equal(await text(card.getByTestId('dossier-status')), 'Đã xử lý xong');
  assert.match(await text(card.getByTestId('lookup-received')), /^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}$/);
  assert.match(await text(card.getByTestId('dossier-due')), /^\d{2}\/\d{2}\/\d{4} 17:00$/);
  assert.equal(await card.getByTestId('overdue').count(), 0);
  assert.ok(!(await text(page.locator('body'))).includes(me.attributes.full_name.value), 'no personal data');
  await noOverflow(page, 360, 'lookup');
  await shot(page, 'store-lookup');

  await page.getByTestId('lookup-code').fill('');
  await page.getByTestId('lookup-submit').click();
  await page.getByTestId('lookup-error').filter({ hasText: 'Vui lòng nhập mã hồ sơ.' }).waitFor();
  await page.getByTestId('lookup-code').fill('00000-260101-9999');
  await page.getByTestId('lookup-submit').click();
  await page.getByTestId('lookup-error').filter({ hasText: 'Không có hồ sơ 00000-260101-9999' }).waitFor();
  assert.ok(await page.getByTestId('lookup-result').isHidden());
  assert.match(page.url(), /\?code=00000-260101-9999$/);
  await page.getByTestId('lang-en').click();
  await page.getByTestId('lookup-error').filter({ hasText: 'No dossier 00000-260101-9999' }).waitFor();
  await done();
});

test('reuse: a new dossier attaches the stored result and the stored form by reference', async () => {
  const next = await submit();
  const file = (await store()).files.find((f) => f.code === code && f.document === FORM);
  assert.ok(file, 'the form dan attached is in the store');
  const { page, done } = await phone({ width: 360 });
  await signInDan(page);
  await page.goto(`${srv.url}/dossiers.html?code=${next}`);
  await ready(page);
  await page.getByTestId('forms-none').waitFor();

  const previous = page.getByTestId(`doc-${PREVIOUS}`);
  const pick = previous.getByTestId(`doc-stored-${PREVIOUS}`);
  await pick.waitFor();
  assert.equal(await previous.getAttribute('data-attached'), 'false');
  // nothing chosen: a message, nothing attached
  await previous.getByTestId(`doc-stored-attach-${PREVIOUS}`).click();
  await page.getByTestId('doc-error').filter({ hasText: 'Vui lòng chọn một giấy tờ trong kho dữ liệu.' }).waitFor();
  assert.equal(await pick.locator('option').filter({ hasText: doc.id }).count(), 1);
  await pick.selectOption(doc.id);
  await previous.getByTestId(`doc-stored-attach-${PREVIOUS}`).click();
  await page.locator(`[data-testid="doc-${PREVIOUS}"][data-attached="true"]`).waitFor();
  assert.match(await text(previous.getByTestId('doc-file')), new RegExp(`^${doc.id}\\.pdf · .*Từ kho dữ liệu$`));
  await page.getByTestId('doc-status').filter({ hasText: 'Đã đính kèm giấy tờ.' }).waitFor();
  assert.ok(await page.getByTestId('doc-error').isHidden());

  await page.getByTestId(`doc-stored-${FORM}`).selectOption(file.id);
  await page.getByTestId(`doc-stored-attach-${FORM}`).click();
  await page.locator(`[data-testid="doc-${FORM}"][data-attached="true"]`).waitFor();
  assert.equal(await text(page.getByTestId(`doc-${FORM}`).getByTestId('doc-reused')), 'Từ kho dữ liệu');
  await noOverflow(page, 360, 'documents from the store');
  await shot(page, 'store-reuse');

  const d = (await call('dan', 'GET', `/api/v1/dossiers/${next}`)).json;
  assert.deepEqual(d.documents.map((x) => [x.document, x.reused_from]).sort(), [[FORM, file.id], [PREVIOUS, doc.id]]);
  await done();
});

test('public lookup: too many lookups from one address show the API\'s message', async () => {
  let r;
  for (let i = 0; i < 100; i++) {
    r = await api(srv.url, 'GET', `/api/v1/lookup/${code}`);
    if (r.status === 429) break;
  }
  assert.equal(r.status, 429);
  const { page, done } = await phone({ width: 360 });
  await page.goto(`${srv.url}/lookup.html?code=${code}`);
  await ready(page);
  assert.match(await text(page.getByTestId('lookup-error')), /^Tra cứu quá nhiều lần từ địa chỉ của bạn; hãy thử lại sau \d+ giây$/);
  assert.ok(await page.getByTestId('lookup-result').isHidden());
  await done();
});
