// dossiers.test.mjs — submitting a dossier with a prefilled form, the legal statuses and the
// clock, the desk, the applicant's list, the public lookup and the data-usage log.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, test } from 'node:test';
import Database from './sqlite.mjs';
import { api, handOn, login, startServer, upload } from './harness.mjs';

let srv, U, dan, me;
const t = {};
before(async () => {
  srv = await startServer();
  U = srv.url;
  for (const u of ['dan', 'canbo.xa', 'lanhdao.xa', 'canbo.tinh', 'congan.tinh', 'canbo.hanoi']) t[u] = await login(U, u);
  me = (await api(U, 'GET', '/api/v1/me', { token: t.dan })).json;
  dan = me.id;
});
after(async () => { const r = await srv.stop(); assert.equal(r.code, 0, r.stderr.slice(-2000)); });

const submit = (token, body) => api(U, 'POST', '/api/v1/dossiers', { token, body });
const move = (token, code, body) => api(U, 'POST', `/api/v1/dossiers/${code}/transitions`, { token, body });
const withForm = (code) => upload(U, t.dan, code, 'marital_status_request_form');

describe('submitting', () => {
  test('a citizen applies online: the form is completed from the registry and the code follows the rule', async () => {
    const r = await submit(t.dan, { procedure: '1.004873', fields: { purpose: 'loan' } });
    assert.equal(r.status, 201, r.text);
    const unit = me.attributes.permanent_address.value.unit;
    const yymmdd = new Date(Date.now() + 7 * 3600e3).toISOString().slice(2, 10).replaceAll('-', '');
    assert.match(r.json.code, new RegExp(`^${unit}-${yymmdd}-\\d{4}$`));
    assert.equal(r.json.status, 1);
    assert.equal(r.json.channel, 'online');
    assert.equal(r.json.fields.applicant_full_name, me.attributes.full_name.value);
    assert.equal(r.json.fields.applicant_id, dan);
    const full = (await api(U, 'GET', `/api/v1/dossiers/${r.json.code}`, { token: t.dan })).json;
    assert.deepEqual(full.timeline.map((e) => e.to), [1]);
    // the receipt is made from the committed submission, not read back: it must say what was stored
    for (const k of ['code', 'procedure', 'unit', 'status', 'status_name', 'received_at', 'due_at', 'channel', 'applicant', 'fields'])
      assert.deepEqual(r.json[k], full[k], k);
    assert.equal(full.timeline[0].at, full.received_at);
    const next = await submit(t.dan, { procedure: '1.004873', fields: { purpose: 'other' } });
    assert.equal(Number(next.json.code.slice(-4)), Number(r.json.code.slice(-4)) + 1); // gap-free per unit and day
  });

  test('missing, invalid, unknown and locked fields are 422 naming each', async () => {
    const r = await submit(t.dan, { procedure: '1.004873', fields: { applicant_full_name: 'Tên Khác', purpose: 'space-travel', shoe_size: 42 } });
    assert.equal(r.status, 422);
    assert.equal(r.json.error.code, 'invalid_fields');
    const by = Object.fromEntries(r.json.error.fields.map((f) => [f.field, f.code]));
    assert.deepEqual(by, { applicant_full_name: 'locked_field', purpose: 'invalid_field', shoe_size: 'unknown_field' });
    const none = await submit(t.dan, { procedure: '1.004873', fields: {} });
    assert.deepEqual(none.json.error.fields.map((f) => [f.field, f.code]), [['purpose', 'missing_field']]);
    assert.equal((await submit(t.dan, { procedure: '9.999999', fields: {} })).json.error.code, 'unknown_procedure');
    assert.equal((await submit(t.dan, { procedure: '1.004873', channel: 'pigeon', fields: { purpose: 'loan' } })).status, 422);
    assert.equal((await submit(t.dan, { procedure: '1.004873', applicant: '036090000001', fields: { purpose: 'loan' } })).status, 403);
  });

  test('an officer at the desk files a walk-in dossier for a citizen, which shows in the citizen\'s data-usage log', async () => {
    const r = await submit(t['canbo.xa'], { procedure: '1.004873', applicant: dan, fields: { purpose: 'marriage' } });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.channel, 'direct');
    const log = await api(U, 'GET', '/api/v1/me/data-usage', { token: t.dan });
    assert.ok(log.json.entries.some((e) => e.action === 'submit' && e.actor === 'canbo.xa'));
  });
});

describe('statuses and the clock', () => {
  let code;
  before(async () => { code = (await submit(t.dan, { procedure: '1.004873', fields: { purpose: 'loan' } })).json.code; });

  test('only the handling unit\'s officers move it; the applicant may withdraw or resubmit only', async () => {
    assert.equal((await move(t['canbo.hanoi'], code, { to: 2 })).status, 403);
    assert.equal((await move(t['congan.tinh'], code, { to: 2 })).status, 403); // another agency
    const self = await move(t.dan, code, { to: 2 });
    assert.equal(self.status, 409);
    assert.equal(self.json.error.code, 'not_yours');
  });

  test('accepting needs the required documents and fixes the due time at 17:00 Vietnam time', async () => {
    const lacking = await move(t['canbo.xa'], code, { to: 2 });
    assert.equal(lacking.status, 409);
    assert.equal(lacking.json.error.code, 'documents_missing');
    assert.match(lacking.json.error.message, /marital_status_request_form/);
    assert.equal((await withForm(code)).status, 201);
    const r = await move(t['canbo.xa'], code, { to: 2, note: 'đủ hồ sơ' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.status, 2);
    assert.match(r.json.due_at, /T10:00:00\.000000Z$/); // 17:00 UTC+7
    assert.ok(Date.parse(r.json.due_at) > Date.now());
    const bad = await move(t['canbo.xa'], code, { to: 10 });
    assert.equal(bad.status, 409);
    assert.equal(bad.json.error.code, 'invalid_transition');
    assert.match(bad.json.error.message, /cannot move to 10/);
    assert.equal((await move(t['canbo.xa'], code, { to: 11 })).status, 422);
  });

  test('a supplement needs a reason and pauses the clock; the resubmission resumes it', async () => {
    assert.equal((await move(t['canbo.xa'], code, { to: 5 })).status, 422);
    const paused = await move(t['canbo.xa'], code, { to: 5, note: 'thiếu giấy xác nhận cư trú' });
    assert.equal(paused.json.status, 5);
    assert.ok(paused.json.paused_at);
    assert.equal(paused.json.supplements, 1);
    const resumed = await move(t.dan, code, { to: 4, note: 'đã bổ sung' });
    assert.equal(resumed.status, 200, resumed.text);
    assert.equal(resumed.json.status, 4);
    assert.equal(resumed.json.paused_at, null);
    assert.ok(Date.parse(resumed.json.due_at) >= Date.parse(paused.json.due_at));
  });

  test('finishing and returning the result; the timeline says who did what', async () => {
    const early = await move(t['canbo.xa'], code, { to: 9 });
    assert.equal(early.status, 409); // the review and the leader's approval come first
    assert.equal(early.json.error.code, 'steps_unfinished');
    await handOn(U, t['canbo.xa'], t['lanhdao.xa'], code);
    assert.equal((await move(t['canbo.xa'], code, { to: 9 })).json.status, 9);
    const done = await move(t['canbo.xa'], code, { to: 10 });
    assert.equal(done.json.status, 10);
    assert.equal(done.json.late, false);
    assert.deepEqual(done.json.timeline.map((e) => [e.to, e.by]), [[1, 'dan'], [2, 'canbo.xa'], [5, 'canbo.xa'], [4, 'dan'], [9, 'canbo.xa'], [10, 'canbo.xa']]);
    assert.equal((await move(t.dan, code, { to: 7 })).status, 409); // nothing moves a returned dossier
  });
});

test('finishing past the due time needs an apology with a new appointment', async () => {
  const code = (await submit(t.dan, { procedure: '1.004873', fields: { purpose: 'loan' } })).json.code;
  await withForm(code);
  assert.equal((await move(t['canbo.xa'], code, { to: 2 })).status, 200);
  // let the due time pass: the clock says yesterday
  await handOn(U, t['canbo.xa'], t['lanhdao.xa'], code);
  new Database(srv.db).run('UPDATE dossiers SET due_at = ? WHERE code = ?', (Date.now() - 86400e3) * 1000, code);
  assert.equal((await api(U, 'GET', `/api/v1/dossiers/${code}`, { token: t.dan })).json.overdue, true);
  const refused = await move(t['canbo.xa'], code, { to: 9 });
  assert.equal(refused.status, 409);
  assert.equal(refused.json.error.code, 'apology_required');
  const ok = await move(t['canbo.xa'], code, { to: 9, apology: { reason: 'chờ xác minh liên tỉnh', new_appointment: '2026-12-31' } });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.json.late, true);
  assert.deepEqual(ok.json.apology, { reason: 'chờ xác minh liên tỉnh', new_appointment: '2026-12-31' });
  // it is addressed to the applicant: sealed at rest, read back whole
  assert.match(new Database(srv.db).get('SELECT apology FROM dossiers WHERE code = ?', code).apology, /^enc1:/);
  assert.deepEqual((await api(U, 'GET', `/api/v1/dossiers/${code}`, { token: t.dan })).json.apology, ok.json.apology);
});

describe('who sees what', () => {
  let code;
  before(async () => { code = (await submit(t.dan, { procedure: '1.004873', fields: { purpose: 'loan' } })).json.code; });

  test('the applicant and the handling desk see the dossier; others get 403; an officer\'s read is logged', async () => {
    assert.equal((await api(U, 'GET', `/api/v1/dossiers/${code}`, { token: t.dan })).status, 200);
    assert.equal((await api(U, 'GET', `/api/v1/dossiers/${code}`, { token: t['canbo.hanoi'] })).status, 403);
    const r = await api(U, 'GET', `/api/v1/dossiers/${code}`, { token: t['canbo.xa'] });
    assert.equal(r.status, 200);
    assert.equal(r.json.applicant, dan);
    const log = await api(U, 'GET', '/api/v1/me/data-usage', { token: t.dan });
    assert.ok(log.json.entries.some((e) => e.action === 'read_dossier' && e.purpose === code && e.actor === 'canbo.xa'));
    assert.equal((await api(U, 'GET', '/api/v1/dossiers/14038-000000-9999', { token: t.dan })).status, 404);
  });

  test('the citizen lists their dossiers; the desk lists the unit\'s open ones, nearest due first', async () => {
    const mine = await api(U, 'GET', '/api/v1/me/dossiers', { token: t.dan });
    assert.ok(mine.json.dossiers.some((x) => x.code === code));
    assert.equal(mine.json.count, mine.json.dossiers.length);
    const item = mine.json.dossiers.find((x) => x.code === code);
    assert.deepEqual(Object.keys(item), ['code', 'procedure', 'unit', 'status', 'status_name', 'received_at', 'due_at', 'overdue', 'due_soon', 'step']);
    assert.equal(typeof item.procedure.name.vi, 'string');
    assert.equal(typeof item.status_name.en, 'string');
    const desk = await api(U, 'GET', '/api/v1/desk', { token: t['canbo.xa'] });
    assert.equal(desk.status, 200);
    assert.ok(desk.json.dossiers.some((x) => x.code === code));
    assert.ok(desk.json.dossiers.every((x) => 'overdue' in x && 'due_soon' in x && ![3, 7, 8, 10].includes(x.status)));
    const news = await api(U, 'GET', '/api/v1/desk?status=1', { token: t['canbo.xa'] });
    assert.ok(news.json.dossiers.every((x) => x.status === 1));
    assert.deepEqual((await api(U, 'GET', '/api/v1/desk', { token: t['canbo.hanoi'] })).json, { count: 0, dossiers: [] });
    assert.equal((await api(U, 'GET', '/api/v1/desk?status=x', { token: t['canbo.xa'] })).status, 400);
    assert.equal((await api(U, 'GET', '/api/v1/desk', { token: t.dan })).status, 403);
  });

  test('the public lookup shows the status without personal data, and is rate-limited', async () => {
    const r = await api(U, 'GET', `/api/v1/lookup/${code}`);
    assert.equal(r.status, 200);
    assert.equal(r.json.code, code);
    assert.equal(r.json.status, 1);
    for (const k of ['applicant', 'fields', 'timeline']) assert.ok(!(k in r.json), k);
    assert.equal((await api(U, 'GET', '/api/v1/lookup/nope')).status, 404);
    let limited;
    for (let i = 0; i < 70 && !limited; i++) {
      const x = await api(U, 'GET', `/api/v1/lookup/${code}`);
      if (x.status === 429) limited = x;
    }
    assert.ok(limited, 'no 429 after 70 lookups in a minute');
    assert.ok(Number(limited.headers.get('retry-after')) >= 1);
  });
});

describe('documents', () => {
  let code;
  before(async () => { code = (await submit(t.dan, { procedure: '1.004873', fields: { purpose: 'loan' } })).json.code; });

  test('the type is read from the content; files are stored once by their SHA-256', async () => {
    const png = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(64, 1)]);
    const a = await upload(U, t.dan, code, 'marital_status_evidence', png, 'anh.pdf');
    assert.equal(a.status, 201, a.text);
    assert.equal(a.json.type, 'image/png'); // the name says .pdf; the content says PNG
    assert.match(a.json.sha256, /^[0-9a-f]{64}$/);
    const exe = await upload(U, t.dan, code, 'marital_status_evidence', Buffer.from('MZ\x90\x00 not a document'), 'giay-to.pdf');
    assert.equal(exe.status, 415);
    assert.equal(exe.json.error.code, 'unsupported_type');
    assert.equal((await upload(U, t.dan, code, 'passport_photo')).status, 422);
    assert.equal((await upload(U, t['canbo.hanoi'], code, 'marital_status_evidence')).status, 403);
    // a body over 10 MiB is refused from its Content-Length, before it is read
    const status = await new Promise((ok, fail) => {
      const body = Buffer.concat([Buffer.from('%PDF-'), Buffer.alloc(11 * 1024 * 1024)]);
      const req = request(`${U}/api/v1/dossiers/${code}/documents`, { method: 'POST', headers: {
        authorization: `Bearer ${t.dan}`, 'x-document-id': 'marital_status_evidence', 'content-length': body.length,
        expect: '100-continue' } });
      req.on('continue', () => req.end(body)); // only if the server wants it
      req.on('response', (res) => { res.resume(); ok(res.statusCode); });
      req.on('error', fail);
      req.flushHeaders();
    });
    assert.equal(status, 413);
    const again = await upload(U, t.dan, code, 'marital_status_evidence', png, 'anh.png');
    assert.equal(again.json.sha256, a.json.sha256);
    const d = (await api(U, 'GET', `/api/v1/dossiers/${code}`, { token: t.dan })).json;
    assert.equal(d.documents.filter((x) => x.sha256 === a.json.sha256).length, 1);
    assert.equal(d.documents[0].digitised, false);
  });

  test('papers scanned by the desk are marked digitised; the applicant adds nothing once it is accepted', async () => {
    const s = await upload(U, t['canbo.xa'], code, 'marital_status_request_form');
    assert.equal(s.status, 201, s.text);
    assert.equal(s.json.digitised, true);
    assert.equal((await move(t['canbo.xa'], code, { to: 2 })).status, 200);
    assert.equal((await upload(U, t.dan, code, 'previous_certificate')).status, 403);
  });
});
