// fees.test.mjs — fees by VietQR, the bank's signed notice (applied once) and ratings.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, test } from 'node:test';
import { api, handOn, login, startServer, upload } from './harness.mjs';

const SECRET = 'test-secret-of-the-bank';
let srv, U;
const t = {};
before(async () => {
  srv = await startServer({ env: { TRONDOI_PAYMENT_SECRET: SECRET } });
  U = srv.url;
  for (const u of ['dan', 'canbo.xa', 'lanhdao.xa', 'canbo.hanoi']) t[u] = await login(U, u);
});
after(async () => { const r = await srv.stop(); assert.equal(r.code, 0, r.stderr.slice(-2000)); });

const submit = async () => (await api(U, 'POST', '/api/v1/dossiers', { token: t.dan, body: { procedure: '1.004873', fields: { purpose: 'loan' } } })).json.code;
const withForm = (code) => upload(U, t.dan, code, 'marital_status_request_form');
const move = (who, code, to, note) => api(U, 'POST', `/api/v1/dossiers/${code}/transitions`, { token: t[who], body: { to, note } });
const notify = (body, secret = SECRET) => {
  const raw = JSON.stringify(body);
  return api(U, 'POST', '/api/v1/payments/notify', { raw, headers: { 'content-type': 'application/json', 'x-signature': createHmac('sha256', secret).update(raw).digest('hex') } });
};

test('the fee as a VietQR payload with a valid CRC, and its QR code', async () => {
  const code = await submit();
  const r = await api(U, 'GET', `/api/v1/dossiers/${code}/payment`, { token: t.dan });
  assert.equal(r.status, 200, r.text);
  const fee = (await api(U, 'GET', '/api/v1/procedures/1.004873')).json.fee;
  assert.equal(r.json.amount, fee);
  assert.equal(r.json.currency, 'VND');
  assert.equal(r.json.paid, false);
  const q = r.json.vietqr;
  assert.ok(q.startsWith('000201010212'));
  assert.ok(q.includes(`54${String(String(fee).length).padStart(2, '0')}${fee}`));
  assert.ok(q.includes(`08${String(code.length).padStart(2, '0')}${code}`));
  // CRC-16/CCITT-FALSE over everything before the last four characters
  let crc = 0xffff;
  for (const ch of Buffer.from(q.slice(0, -4))) {
    crc ^= ch << 8;
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  assert.equal(q.slice(-4), crc.toString(16).toUpperCase().padStart(4, '0'));
  assert.match(r.json.qr_svg, /^<svg /);
  assert.equal((await api(U, 'GET', `/api/v1/dossiers/${code}/payment`, { token: t['canbo.hanoi'] })).status, 403);
});

test('a signed notice marks the fee paid once; a replay changes nothing; bad signatures are 401', async () => {
  const code = await submit();
  await withForm(code);
  assert.equal((await move('canbo.xa', code, 2)).status, 200);
  await move('canbo.xa', code, 6); // fees due
  const fee = (await api(U, 'GET', `/api/v1/dossiers/${code}/payment`, { token: t.dan })).json.amount;
  const notice = { transaction_id: `FT${Date.now()}`, reference: code, amount: fee, paid_at: new Date().toISOString() };
  assert.equal((await notify(notice, 'wrong-secret')).status, 401);
  const raw = JSON.stringify(notice);
  assert.equal((await api(U, 'POST', '/api/v1/payments/notify', { raw, headers: { 'content-type': 'application/json' } })).status, 401);
  assert.equal((await notify({ ...notice, amount: fee + 1 })).status, 422);
  const first = await notify(notice);
  assert.equal(first.status, 200, first.text);
  assert.equal(first.json.status, 'recorded');
  const d = (await api(U, 'GET', `/api/v1/dossiers/${code}`, { token: t.dan })).json;
  assert.equal(d.status, 4); // the dossier waiting for its fee goes on
  assert.ok(d.paid_at);
  assert.equal(d.timeline.at(-1).by, 'payment');
  const again = await notify(notice);
  assert.equal(again.json.status, 'duplicate');
  const after = (await api(U, 'GET', `/api/v1/dossiers/${code}`, { token: t.dan })).json;
  assert.equal(after.timeline.length, d.timeline.length);
  assert.equal(after.paid_at, d.paid_at);
  assert.equal((await api(U, 'GET', `/api/v1/dossiers/${code}/payment`, { token: t.dan })).json.paid, true);
});

test('the applicant rates the service once, after the result is returned', async () => {
  const code = await submit();
  const rate = (who, body) => api(U, 'POST', `/api/v1/dossiers/${code}/rating`, { token: t[who], body });
  assert.equal((await rate('dan', { score: 5 })).json.error.code, 'not_returned');
  await withForm(code);
  for (const to of [2, 4]) assert.equal((await move('canbo.xa', code, to)).status, 200);
  await handOn(U, t['canbo.xa'], t['lanhdao.xa'], code);
  for (const to of [9, 10]) assert.equal((await move('canbo.xa', code, to)).status, 200);
  assert.equal((await rate('dan', { score: 9 })).status, 422);
  const ok = await rate('dan', { score: 4, comment: 'Nhanh, cán bộ nhiệt tình' });
  assert.equal(ok.status, 201, ok.text);
  assert.equal((await rate('dan', { score: 5 })).json.error.code, 'already_rated');
  assert.deepEqual((await api(U, 'GET', `/api/v1/dossiers/${code}`, { token: t.dan })).json.rating.score, 4);
});
