// announcements.test.mjs — transparency (T1–T3 of the 766 index): the province records its
// decisions announcing procedures and when each appeared in the national procedure database;
// T1 counts those signed at least 5 working days before the legal document takes effect, T2
// those published within 5 working days of signing, T3 the catalog entries fully described.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { api, login, startServer } from './harness.mjs';

let srv, U, commune, catalog;
const t = {};
const P = '1.004873'; // a commune-level procedure

before(async () => {
  srv = await startServer();
  U = srv.url;
  for (const u of ['dan', 'canbo.xa', 'canbo.tinh', 'lanhdao', 'lanhdao.xa']) t[u] = await login(U, u);
  commune = (await api(U, 'GET', '/api/v1/me', { token: t.dan })).json.attributes.permanent_address.value.unit;
  catalog = (await api(U, 'GET', '/api/v1/procedures?limit=500')).json;
});
after(async () => { const r = await srv.stop(); assert.equal(r.code, 0, r.stderr.slice(-2000)); });

const announce = (body, token = t['canbo.tinh'], code = P) => api(U, 'POST', `/api/v1/procedures/${code}/announcements`, { token, body });
const indicator = (r, id) => r.groups.flatMap((g) => g.indicators).find((i) => i.id === id);

describe('announcements of procedures', () => {
  let timely, late;
  before(async () => {
    // Monday 2 March 2026 + 5 working days = Monday 9 March: exactly in time
    timely = await announce({ decision: '501/QĐ-UBND', signed_on: '2026-03-02', effective_on: '2026-03-09', published_on: '2026-03-06' });
    // Thursday 5 March: only 2 working days before 9 March
    late = await announce({ decision: '502/QĐ-UBND', signed_on: '2026-03-05', effective_on: '2026-03-09' });
  });

  test('the province records them, judged on time or not', () => {
    assert.equal(timely.status, 201, timely.text);
    assert.deepEqual([timely.json.unit, timely.json.announced_on_time, timely.json.published_on_time], ['37', true, true]);
    assert.equal(late.status, 201, late.text);
    assert.deepEqual([late.json.announced_on_time, late.json.published_on], [false, null]);
  });

  test('a late publication is recorded once, and judged late', async () => {
    const put = (body) => api(U, 'PUT', `/api/v1/procedures/${P}/announcements/${late.json.id}/published`, { token: t.lanhdao, body });
    const before = await put({ published_on: '2026-03-04' });
    assert.equal(before.status, 422); // before the signing
    const r = await put({ published_on: '2026-03-20' });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual([r.json.published_on, r.json.published_on_time], ['2026-03-20', false]);
    const again = await put({ published_on: '2026-03-21' });
    assert.equal(again.status, 409);
    assert.equal(again.json.error.code, 'already_published');
  });

  test('anyone reads them; only a province records them; bad input is refused', async () => {
    const list = await api(U, 'GET', `/api/v1/procedures/${P}/announcements`);
    assert.equal(list.status, 200);
    assert.deepEqual(list.json.announcements.map((a) => a.decision), ['502/QĐ-UBND', '501/QĐ-UBND']);
    assert.equal(list.json.rules.before_effective_working_days, 5);
    assert.equal((await announce({ decision: 'x', signed_on: '2026-03-02', effective_on: '2026-03-09' }, t['canbo.xa'])).status, 403);
    assert.equal((await announce({ decision: 'x', signed_on: '2026-03-02', effective_on: '2026-03-09' }, t.dan)).status, 403);
    const bad = await announce({ decision: 'x', signed_on: '2026-02-30', effective_on: '2026-03-09' });
    assert.equal(bad.status, 422);
    assert.equal(bad.json.error.code, 'invalid_field');
    assert.equal((await announce({ decision: 'x', signed_on: '2099-01-01', effective_on: '2099-03-09' })).status, 422);
    assert.equal((await announce({ signed_on: '2026-03-02', effective_on: '2026-03-09' })).status, 422);
    assert.equal((await announce({ decision: 'x', signed_on: '2026-03-02', effective_on: '2026-03-09' }, t['canbo.tinh'], 'NO.SUCH')).status, 404);
    assert.equal((await api(U, 'GET', '/api/v1/procedures/NO.SUCH/announcements')).status, 404);
  });

  test('T1 and T2 count the month\'s announcements, T3 the catalog, for the province and the commune', async () => {
    for (const [unit, token] of [['37', t.lanhdao], [commune, t['lanhdao.xa']]]) {
      const r = (await api(U, 'GET', `/api/v1/reports/766?unit=${unit}&period=2026-03&cut=calendar`, { token })).json;
      const [t1, t2, t3] = ['T1', 'T2', 'T3'].map((id) => indicator(r, id));
      assert.deepEqual([t1.numerator, t1.denominator, t1.rate, t1.points], [1, 2, 50, 2], unit);
      assert.deepEqual([t2.numerator, t2.denominator, t2.points], [1, 2, 2], unit);
      const mine = catalog.procedures.filter((p) => unit === '37' || p.level === 'commune');
      assert.deepEqual([t3.numerator, t3.denominator, t3.points], [mine.length, mine.length, 4], unit);
    }
    // outside the month: none signed, no points
    const feb = (await api(U, 'GET', '/api/v1/reports/766?unit=37&period=2026-02&cut=calendar', { token: t.lanhdao })).json;
    assert.deepEqual([indicator(feb, 'T1').denominator, indicator(feb, 'T1').points], [0, 0]);
  });

  test('T3 drills down to the procedures behind it', async () => {
    const r = (await api(U, 'GET', `/api/v1/reports/766/drill?unit=${commune}&period=2026-03&cut=calendar&indicator=T3&part=numerator`,
      { token: t['lanhdao.xa'] })).json;
    const communeLevel = catalog.procedures.filter((p) => p.level === 'commune').map((p) => p.code).sort();
    assert.deepEqual(r.procedures.map((p) => p.code).sort(), communeLevel);
    assert.equal(r.count, communeLevel.length);
  });
});
