// store.test.mjs — forms as PDF with a QR code, the result issued electronically and signed by
// the unit, the citizen's document store, reuse by reference, and verification: public online
// and offline with the unit's published key. PDFs are read as a person would: their text
// (pdftotext) and their QR code scanned from the rendered page (pdftoppm + zbarimg).
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from './sqlite.mjs';
import { api, BIN, handOn, login, startServer, upload } from './harness.mjs';

let srv, U, me;
const t = {};
before(async () => {
  srv = await startServer();
  U = srv.url;
  for (const u of ['dan', 'canbo.xa', 'lanhdao.xa', 'canbo.hanoi']) t[u] = await login(U, u);
  me = (await api(U, 'GET', '/api/v1/me', { token: t.dan })).json;
});
after(async () => { const r = await srv.stop(); assert.equal(r.code, 0, r.stderr.slice(-2000)); });

const move = (token, code, body) => api(U, 'POST', `/api/v1/dossiers/${code}/transitions`, { token, body });
const submit = async () => (await api(U, 'POST', '/api/v1/dossiers', { token: t.dan, body: { procedure: '1.004873', fields: { purpose: 'loan' } } })).json.code;

async function pdf(token, code, form) {
  const r = await fetch(`${U}/api/v1/dossiers/${code}/forms/${form}.pdf`, { headers: { authorization: `Bearer ${token}` } });
  const body = Buffer.from(await r.arrayBuffer());
  return { status: r.status, type: r.headers.get('content-type'), body, json: r.status !== 200 ? JSON.parse(body) : null };
}

/** The PDF's text and the QR code on its page, as a reader and a phone camera see them. */
function read(buf) {
  const dir = mkdtempSync(join(tmpdir(), 'trondoi-pdf-'));
  writeFileSync(join(dir, 'f.pdf'), buf);
  const text = execFileSync('pdftotext', ['-layout', join(dir, 'f.pdf'), '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
  execFileSync('pdftoppm', ['-r', '150', '-png', '-singlefile', join(dir, 'f.pdf'), join(dir, 'page')]);
  const qr = execFileSync('zbarimg', ['-q', '--raw', join(dir, 'page.png')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  return { text, qr };
}

async function accepted() {
  const code = await submit();
  await upload(U, t.dan, code, 'marital_status_request_form');
  assert.equal((await move(t['canbo.xa'], code, { to: 2 })).status, 200);
  return code;
}

async function finished() {
  const code = await accepted();
  await handOn(U, t['canbo.xa'], t['lanhdao.xa'], code);
  const r = await move(t['canbo.xa'], code, { to: 9 });
  assert.equal(r.status, 200, r.text);
  return code;
}

describe('forms as PDF', () => {
  test('the receipt exists once the dossier is accepted, with its code, the applicant and a QR to the lookup', async () => {
    const code = await submit();
    const early = await pdf(t.dan, code, 'receipt');
    assert.equal(early.status, 409);
    assert.equal(early.json.error.code, 'form_not_available');
    await upload(U, t.dan, code, 'marital_status_request_form');
    await move(t['canbo.xa'], code, { to: 2 });
    const r = await pdf(t.dan, code, 'receipt');
    assert.equal(r.status, 200);
    assert.equal(r.type, 'application/pdf');
    assert.equal(r.body.subarray(0, 5).toString(), '%PDF-');
    const { text, qr } = read(r.body);
    assert.match(text, /GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ/);
    assert.match(text, /CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM/);
    assert.ok(text.includes(code), text);
    assert.ok(text.includes(me.attributes.full_name.value), 'the applicant\'s name, shaped correctly');
    assert.match(text, /Cấp Giấy xác nhận tình trạng hôn nhân/);
    assert.equal(qr, `http://127.0.0.1:8080/lookup.html?code=${code}`);
  });

  test('each form exists in its state: supplement, refusal, stop, apology', async () => {
    const a = await accepted();
    await move(t['canbo.xa'], a, { to: 5, note: 'Bổ sung bản sao giấy khai sinh' });
    const s = read((await pdf(t.dan, a, 'supplement')).body).text;
    assert.match(s, /PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ/);
    assert.match(s, /Bổ sung bản sao giấy khai sinh/);
    assert.equal((await pdf(t.dan, a, 'refusal')).status, 409);

    const b = await submit();
    await move(t['canbo.xa'], b, { to: 3, note: 'Thủ tục không thuộc thẩm quyền của xã' });
    assert.match(read((await pdf(t.dan, b, 'refusal')).body).text, /PHIẾU TỪ CHỐI.*Thủ tục không thuộc thẩm quyền của xã/);

    const c = await accepted();
    await move(t['canbo.xa'], c, { to: 8, note: 'Người nộp đề nghị dừng' });
    assert.match(read((await pdf(t.dan, c, 'stop')).body).text, /THÔNG BÁO DỪNG XỬ LÝ HỒ SƠ.*Người nộp đề nghị dừng/);

    const d = await accepted();
    await handOn(U, t['canbo.xa'], t['lanhdao.xa'], d);
    new Database(srv.db).run('UPDATE dossiers SET due_at = ? WHERE code = ?', (Date.now() - 86400e3) * 1000, d);
    await move(t['canbo.xa'], d, { to: 9, apology: { reason: 'Chờ xác minh liên tỉnh', new_appointment: '2026-12-31' } });
    assert.match(read((await pdf(t.dan, d, 'apology')).body).text, /PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ.*Chờ xác minh liên tỉnh.*31\/12\/2026/);
  });

  test('unknown forms are 404; other people get 403; an officer\'s read of a form is logged', async () => {
    const code = await accepted();
    assert.equal((await pdf(t.dan, code, 'invoice')).status, 404);
    assert.equal((await api(U, 'GET', `/api/v1/dossiers/${code}/forms/receipt.txt`, { token: t.dan })).status, 404);
    assert.equal((await pdf(t['canbo.hanoi'], code, 'receipt')).status, 403);
    assert.equal((await pdf(t['canbo.xa'], code, 'receipt')).status, 200);
    const usage = (await api(U, 'GET', '/api/v1/me/data-usage', { token: t.dan })).json.entries;
    assert.ok(usage.some((u) => u.action === 'read_form' && u.purpose === code && u.actor === 'canbo.xa'), JSON.stringify(usage.slice(0, 3)));
  });
});

describe('the result, issued and signed', () => {
  let code, doc, qr;
  before(async () => { code = await finished(); });

  test('finishing issues the result into the applicant\'s store; its PDF carries the signed claim', async () => {
    const store = (await api(U, 'GET', '/api/v1/me/documents', { token: t.dan })).json;
    doc = store.results.find((d) => d.code === code);
    assert.ok(doc, JSON.stringify(store));
    assert.equal(doc.procedure.code, '1.004873');
    assert.equal(doc.issuer, me.attributes.permanent_address.value.unit);
    const r = await pdf(t.dan, code, 'result');
    assert.equal(r.status, 200);
    const seen = read(r.body);
    qr = seen.qr;
    assert.match(seen.text, /KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH/);
    assert.ok(seen.text.includes(doc.id));
    assert.equal(qr, doc.verify_url);
    assert.ok(qr.startsWith(`http://127.0.0.1:8080/verify/${doc.id}?c=`));
    // the same stored file every time
    assert.deepEqual((await pdf(t.dan, code, 'result')).body, r.body);
  });

  test('anyone verifies it online without signing in, and sees no personal data', async () => {
    const claim = new URL(qr).searchParams.get('c');
    const v = await api(U, 'GET', `/api/v1/verify/${doc.id}?claim=${claim}`);
    assert.equal(v.status, 200, v.text);
    assert.equal(v.json.genuine, true);
    assert.equal(v.json.presented_claim.valid, true);
    assert.equal(v.json.presented_claim.matches, true);
    assert.equal(v.json.document.name.vi, 'Cấp Giấy xác nhận tình trạng hôn nhân');
    assert.deepEqual(v.json.shared, {});
    assert.ok(!v.text.includes(me.id) && !v.text.includes(me.attributes.full_name.value), 'no personal data');
    assert.equal((await api(U, 'GET', '/api/v1/verify/KQ0000000000000000')).status, 404);
  });

  test('offline: the claim checks with the unit\'s published key alone; a forged one does not', async () => {
    const claim = new URL(qr).searchParams.get('c');
    const key = (await api(U, 'GET', '/api/v1/keys')).json.keys.find((k) => k.unit === doc.issuer);
    assert.equal(key.algorithm, 'Ed25519');
    const ok = spawnSync(BIN, ['verify', claim, '--key', key.public_key], { encoding: 'utf8' });
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, new RegExp(`genuine: document ${doc.id} issued by unit ${doc.issuer}`));
    const [body, sig] = claim.split('.');
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(body, 'base64url')), t: '1.000656' })).toString('base64url');
    const bad = spawnSync(BIN, ['verify', `${forged}.${sig}`, '--key', key.public_key], { encoding: 'utf8' });
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /signature does not match/);
    const online = await api(U, 'GET', `/api/v1/verify/${doc.id}?claim=${forged}.${sig}`);
    assert.equal(online.json.presented_claim.valid, false);
  });

  test('the holder chooses what the verification page shows', async () => {
    assert.equal((await api(U, 'PUT', `/api/v1/me/documents/${doc.id}/share`, { token: t.dan, body: { fields: ['password'] } })).status, 422);
    const r = await api(U, 'PUT', `/api/v1/me/documents/${doc.id}/share`, { token: t.dan, body: { fields: ['holder_name', 'purpose'] } });
    assert.equal(r.status, 200, r.text);
    const v = (await api(U, 'GET', `/api/v1/verify/${doc.id}`)).json;
    assert.deepEqual(v.shared, { holder_name: me.attributes.full_name.value, purpose: 'loan' });
    assert.ok(!JSON.stringify(v).includes(me.id));
    assert.equal((await api(U, 'PUT', `/api/v1/me/documents/${doc.id}/share`, { token: t['canbo.xa'], body: { fields: [] } })).status, 403);
  });

  test('a content changed behind the system\'s back is no longer genuine', async () => {
    const other = await finished();
    const id = (await api(U, 'GET', '/api/v1/me/documents', { token: t.dan })).json.results.find((d) => d.code === other).id;
    // the content is sealed for its row: another result's sealed content put in its place does not open
    new Database(srv.db).run('UPDATE issued SET content = (SELECT content FROM issued WHERE id = ?) WHERE id = ?', doc.id, id);
    assert.equal((await api(U, 'GET', `/api/v1/verify/${id}`)).json.genuine, false);
  });

  test('a later dossier attaches the stored result and a stored file by reference', async () => {
    const first = (await api(U, 'GET', `/api/v1/dossiers/${code}`, { token: t.dan })).json.documents[0];
    const next = await submit();
    const reuse = (body, token = t.dan) => api(U, 'POST', `/api/v1/dossiers/${next}/documents/stored`, { token, body });
    const r = await reuse({ document: 'previous_certificate', stored: doc.id });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.reused_from, doc.id);
    assert.equal(r.json.type, 'application/pdf');
    const f = await reuse({ document: 'marital_status_request_form', stored: first.sha256 });
    assert.equal(f.status, 201, f.text);
    assert.equal((await reuse({ document: 'no_such_doc', stored: doc.id })).status, 422);
    assert.equal((await reuse({ document: 'previous_certificate', stored: 'KQ0000000000000000' })).json.error.code, 'stored_not_found');
    assert.equal((await reuse({ document: 'previous_certificate', stored: doc.id }, t['canbo.hanoi'])).status, 403);
    const d = (await api(U, 'GET', `/api/v1/dossiers/${next}`, { token: t.dan })).json;
    assert.deepEqual(d.documents.map((x) => x.reused_from).sort(), [doc.id, first.sha256].sort());
    // the reused form counts: the dossier can be accepted without a new upload
    assert.equal((await move(t['canbo.xa'], next, { to: 2 })).status, 200);
  });
});
