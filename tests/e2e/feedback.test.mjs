// feedback.test.mjs — feedback and petitions: a citizen writes to the responsible unit (about a
// dossier or a unit), the unit's desk sees what is open and overdue, answers once, the sender says
// once whether the answer satisfies; the service index's satisfaction group counts them.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import Database from './sqlite.mjs';
import { api, demoCitizens, login, startServer } from './harness.mjs';

let srv, U, commune, code;
const t = {};
before(async () => {
  srv = await startServer();
  U = srv.url;
  for (const u of ['dan', 'canbo.xa', 'canbo.hanoi', 'lanhdao']) t[u] = await login(U, u);
  commune = (await api(U, 'GET', '/api/v1/me', { token: t.dan })).json.attributes.permanent_address.value.unit;
  code = (await api(U, 'POST', '/api/v1/dossiers', { token: t.dan, body: { procedure: '1.004873', fields: { purpose: 'loan' } } })).json.code;
});
after(async () => { const r = await srv.stop(); assert.equal(r.code, 0, r.stderr.slice(-2000)); });

const send = (body, token = t.dan) => api(U, 'POST', '/api/v1/feedback', { token, body });
const vnDay = (iso) => new Date(Date.parse(iso) + 7 * 3600e3).toISOString().slice(0, 10);

let aboutDossier, aboutUnit;

test('a citizen writes about a dossier or to a unit; the answer is due in 15 working days', async () => {
  const r = await send({ subject: 'Hồ sơ chậm', text: 'Hồ sơ của tôi chưa được tiếp nhận.', code });
  assert.equal(r.status, 201, r.text);
  aboutDossier = r.json;
  assert.equal(aboutDossier.unit, commune);
  assert.equal(aboutDossier.code, code);
  const due = (await api(U, 'GET', `/api/v1/calendar/due?received_at=${encodeURIComponent(aboutDossier.created_at)}&days=15`)).json.due;
  assert.equal(Date.parse(aboutDossier.due_at), Date.parse(due));
  assert.ok(vnDay(aboutDossier.due_at) > vnDay(aboutDossier.created_at));
  aboutUnit = (await send({ subject: 'Thái độ phục vụ', text: 'Cán bộ tiếp dân chưa hướng dẫn rõ.', unit: commune })).json;
  assert.equal(aboutUnit.unit, commune);
  assert.equal(aboutUnit.code, null);
});

test('bad feedback is refused, naming the problem', async () => {
  const dan = new Database(srv.db).get("SELECT citizen_id FROM users WHERE username = 'dan'").citizen_id;
  const neighbour = demoCitizens().find((c) => c.permanent_unit === commune && c.id !== dan).id;
  const walkIn = await api(U, 'POST', '/api/v1/dossiers', { token: t['canbo.xa'], body: { procedure: '1.004873', applicant: neighbour, fields: { purpose: 'loan' } } });
  assert.equal(walkIn.status, 201, walkIn.text);
  assert.equal((await send({ subject: 'x', text: 'y', code: walkIn.json.code })).status, 403); // someone else's dossier
  assert.equal((await send({ subject: 'x', text: '' , unit: commune })).json.error.code, 'missing_field');
  assert.equal((await send({ subject: 'x', text: 'y', unit: '99999' })).json.error.code, 'invalid_unit');
  assert.equal((await send({ subject: 'x', text: 'y' })).json.error.code, 'invalid_unit');
  assert.equal((await send({ subject: 'x', text: 'y'.repeat(5000), unit: commune })).status, 422);
  assert.equal((await send({ subject: 'x', text: 'y', code: 'NO-SUCH' })).json.error.code, 'dossier_not_found');
  assert.equal((await send({ subject: 'x', text: 'y', unit: commune }, t['canbo.xa'])).status, 403);
});

test('the unit\'s desk sees its open feedback, oldest due first, overdue flagged; other units see none', async () => {
  new Database(srv.db).run('UPDATE feedback SET due_at = ? WHERE id = ?', (Date.now() - 60e3) * 1000, aboutUnit.id);
  const desk = (await api(U, 'GET', '/api/v1/desk/feedback', { token: t['canbo.xa'] })).json.feedback;
  assert.deepEqual(desk.map((f) => f.id), [aboutUnit.id, aboutDossier.id]);
  assert.equal(desk[0].overdue, true);
  assert.equal(desk[1].overdue, false);
  assert.deepEqual((await api(U, 'GET', '/api/v1/desk/feedback', { token: t['canbo.hanoi'] })).json.feedback, []);
  assert.equal((await api(U, 'GET', `/api/v1/feedback/${aboutDossier.id}`, { token: t['canbo.hanoi'] })).status, 403);
});

test('the unit answers once; the sender says once whether it satisfies', async () => {
  const answer = (id, token = t['canbo.xa']) => api(U, 'POST', `/api/v1/feedback/${id}/answer`, { token, body: { text: 'Hồ sơ đã được tiếp nhận ngày hôm nay.' } });
  const rate = (id, satisfied, token = t.dan) => api(U, 'POST', `/api/v1/feedback/${id}/rating`, { token, body: { satisfied } });
  assert.equal((await rate(aboutDossier.id, true)).json.error.code, 'not_answered');
  assert.equal((await answer(aboutDossier.id, t['canbo.hanoi'])).status, 403);
  const a = await answer(aboutDossier.id);
  assert.equal(a.status, 200, a.text);
  assert.equal(a.json.answer, 'Hồ sơ đã được tiếp nhận ngày hôm nay.');
  assert.equal(a.json.overdue, false);
  assert.equal((await answer(aboutDossier.id)).json.error.code, 'already_answered');
  assert.equal((await rate(aboutDossier.id, true, t['canbo.xa'])).status, 403);
  const r = await rate(aboutDossier.id, true);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.satisfied, true);
  assert.equal((await rate(aboutDossier.id, false)).json.error.code, 'already_rated');
  const mine = (await api(U, 'GET', '/api/v1/me/feedback', { token: t.dan })).json.feedback;
  assert.deepEqual(mine.map((f) => f.id).sort(), [aboutDossier.id, aboutUnit.id].sort());
  assert.deepEqual((await api(U, 'GET', '/api/v1/desk/feedback', { token: t['canbo.xa'] })).json.feedback.map((f) => f.id), [aboutUnit.id]);
});

test('the satisfaction group counts petitions answered on time and the senders\' verdicts', async () => {
  const vn = new Date(Date.now() + 7 * 3600e3);
  const r = (await api(U, 'GET', `/api/v1/reports/766?unit=${commune}&period=${vn.toISOString().slice(0, 4)}&cut=calendar`, { token: t.lanhdao })).json;
  const ind = (id) => r.groups.flatMap((g) => g.indicators).find((i) => i.id === id);
  assert.deepEqual([ind('S1').numerator, ind('S1').denominator, ind('S1').points], [1, 2, 3]); // one answered on time, one overdue
  assert.deepEqual([ind('S2').numerator, ind('S2').denominator, ind('S2').points], [1, 1, 6]);
  // and drill down to the feedback behind them: both due, the one about the dossier answered in time
  const drill = (indicator, part) => api(U, 'GET', `/api/v1/reports/766/drill?unit=${commune}&period=${vn.toISOString().slice(0, 4)}&cut=calendar&indicator=${indicator}&part=${part}`, { token: t.lanhdao });
  const due = (await drill('S1', 'denominator')).json;
  assert.deepEqual([due.count, due.feedback.map((f) => f.id).sort()], [2, [aboutDossier.id, aboutUnit.id].sort()]);
  const onTime = (await drill('S1', 'numerator')).json;
  assert.deepEqual(onTime.feedback.map((f) => [f.id, f.satisfied]), [[aboutDossier.id, true]]);
  assert.ok(onTime.feedback.every((f) => !('subject' in f) && !('text' in f))); // what was written stays with the unit
});

test('a citizen may send for a business: its tax code and name are kept sealed and shown to the unit', async () => {
  const business = { tax_code: '0601234567', name: 'Công ty TNHH Gốm Hoa Lư' };
  const r = await send({ subject: 'Thủ tục cấp phép chậm', text: 'Doanh nghiệp chúng tôi chờ đã lâu.', unit: commune, business });
  assert.equal(r.status, 201, r.text);
  assert.deepEqual([r.json.sender_kind, r.json.business], ['business', business]);
  const seen = (await api(U, 'GET', `/api/v1/feedback/${r.json.id}`, { token: t['canbo.xa'] })).json;
  assert.deepEqual([seen.sender_kind, seen.business], ['business', business]);
  assert.equal(aboutUnit.sender_kind, 'citizen');
  assert.equal(aboutUnit.business, null);
  const branch = await send({ subject: 'Chi nhánh', text: 'Hỏi về thủ tục.', unit: commune, business: { tax_code: '0601234567-001', name: 'Chi nhánh Tam Điệp' } });
  assert.equal(branch.status, 201, branch.text);
  // stored sealed, like the rest of what a sender writes
  const rows = new Database(srv.db).all('SELECT id, business FROM feedback WHERE business IS NOT NULL ORDER BY id');
  assert.deepEqual(rows.map((x) => x.id).sort(), [r.json.id, branch.json.id].sort());
  for (const x of rows) {
    assert.match(x.business, /^enc1:/);
    assert.ok(!x.business.includes('Gốm') && !x.business.includes('0601234567'));
  }
  for (const [bad, code] of [
    [{ tax_code: '06012345', name: 'X' }, 'invalid_field'],
    [{ tax_code: '0601234567-01', name: 'X' }, 'invalid_field'],
    [{ tax_code: '060123456a', name: 'X' }, 'invalid_field'],
    [{ tax_code: '0601234567', name: '' }, 'missing_field'],
    [{ tax_code: '0601234567' }, 'missing_field'],
    ['0601234567', 'invalid_field'],
  ]) {
    const x = await send({ subject: 'x', text: 'y', unit: commune, business: bad });
    assert.equal(x.status, 422, `${JSON.stringify(bad)}: ${x.text}`);
    assert.equal(x.json.error.code, code, JSON.stringify(bad));
  }
});
