// report_trend.test.mjs — a unit's index month by month in one call (the dashboard's trend): each
// month's figures are those GET /reports/766 answers for that month — live for an ended month not
// yet closed, the published version of a closed one even when a recomputation would differ — and
// hand-made dossiers moved into August and September 2026 show in those months only. Also the
// limits (at most 24 months, from not after to) and who may ask.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { api, finishedDossier, login, receivedAt as movedTo, startServer } from './harness.mjs';

let srv, U, commune;
const t = {};

before(async () => {
  srv = await startServer();
  U = srv.url;
  for (const u of ['dan', 'canbo.xa', 'lanhdao.xa', 'lanhdao', 'canbo.hanoi']) t[u] = await login(U, u);
  commune = (await api(U, 'GET', '/api/v1/me', { token: t.dan })).json.attributes.permanent_address.value.unit;
});
after(async () => { const r = await srv.stop(); assert.equal(r.code, 0, r.stderr.slice(-2000)); });

const trend = (q, token = t['lanhdao.xa']) => api(U, 'GET', `/api/v1/reports/766/trend?${q}`, { token });
const report = (q, token = t['lanhdao.xa']) => api(U, 'GET', `/api/v1/reports/766?${q}`, { token });
const points = (m, id) => m.groups.find((g) => g.id === id).points;

const finished = (options) => finishedDossier(U, t, srv.db, options);
const receivedAt = (code, at) => movedTo(srv.db, code, at);

/** What the trend holds of a month, taken from GET /reports/766 of that month. */
const asMonth = (r) => ({
  period: r.period, state: r.state, total: r.total, max: r.max, groups: r.groups.map((g) => ({ id: g.id, points: g.points, max: g.max })),
});

/** Every month of the trend is the month's report. */
async function sameAsReports(months, unit, cut, token) {
  for (const m of months) {
    const r = await report(`unit=${unit}&period=${m.period}&cut=${cut}`, token);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(m, asMonth(r.json), m.period);
  }
}

describe('a commune\'s year month by month', () => {
  let rated;
  before(async () => {
    rated = await finished({ returned: true });
    const other = await finished();
    const late = await finished({ late: true });
    receivedAt(rated, '2026-09-10T03:00:00Z'); // 10:00 on 10 September in Vietnam
    receivedAt(other, '2026-09-11T03:00:00Z');
    receivedAt(late, '2026-08-05T03:00:00Z');
  });

  test('twelve months, oldest first, each the month\'s own report', async () => {
    const r = await trend(`unit=${commune}&from=2025-12&to=2026-11&cut=calendar`);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual([r.json.unit, r.json.cut, r.json.from, r.json.to], [commune, 'calendar', '2025-12', '2026-11']);
    const months = r.json.months;
    assert.deepEqual(months.map((m) => m.period),
      ['2025-12', '2026-01', '2026-02', '2026-03', '2026-04', '2026-05', '2026-06', '2026-07', '2026-08', '2026-09', '2026-10', '2026-11']);
    await sameAsReports(months, commune, 'calendar', t['lanhdao.xa']);
    const month = (p) => months.find((m) => m.period === p);
    // September: both dossiers finished on time (P1 2/2: 20 points), with electronic results kept
    // in the holder's store (D1 6 + D4 5), neither rated badly (S3 2/2: 6); nothing to scan
    // (online), no reuse
    assert.deepEqual(['progress', 'digitisation', 'satisfaction'].map((g) => points(month('2026-09'), g)), [20, 11, 6]);
    // August: the late one (P1 0/1, S3 0/1) with its electronic result
    assert.deepEqual(['progress', 'digitisation', 'satisfaction'].map((g) => points(month('2026-08'), g)), [0, 11, 0]);
    // a month without dossiers scores only what the catalog gives (procedures fully described: T3's
    // 4 points of transparency; procedures online, payable online)
    const empty = month('2026-05');
    assert.deepEqual(['transparency', 'progress', 'digitisation', 'satisfaction'].map((g) => points(empty, g)), [4, 0, 0, 0]);
    assert.equal(empty.total, Math.round((4 + points(empty, 'online') + points(empty, 'payment')) * 100) / 100);
    assert.ok(month('2026-09').total > empty.total + 30, JSON.stringify(month('2026-09')));
    assert.equal(month('2026-09').state, 'provisional');
    assert.deepEqual(month('2026-09').groups.map((g) => [g.id, g.max]),
      [['transparency', 18], ['progress', 20], ['online', 12], ['payment', 10], ['digitisation', 22], ['satisfaction', 18]]);
  });

  test('a closed month shows its published figures, not a later recomputation', async () => {
    const closed = await api(U, 'POST', '/api/v1/reports/766/versions', { token: t['lanhdao.xa'], body: { unit: commune, period: '2026-09', cut: 'calendar' } });
    assert.equal(closed.status, 201, closed.text);
    assert.equal((await api(U, 'POST', `/api/v1/dossiers/${rated}/rating`, { token: t.dan, body: { score: 1 } })).status, 201);
    const months = (await trend(`unit=${commune}&from=2026-08&to=2026-10&cut=calendar`)).json.months;
    assert.deepEqual(months.map((m) => [m.period, m.state]), [['2026-08', 'provisional'], ['2026-09', 'published'], ['2026-10', 'provisional']]);
    assert.equal(points(months[1], 'satisfaction'), 6); // as published; live it would be 6 × 50 % ÷ 90 % = 3.33
    const r = (await report(`unit=${commune}&period=2026-09&cut=calendar`)).json;
    assert.equal(r.changes_pending, true);
    assert.equal(r.live_total, Math.round((months[1].total - 6 + 3.33) * 100) / 100);
    await sameAsReports(months, commune, 'calendar', t['lanhdao.xa']);
  });

  test('the province sees its communes\' dossiers in its months; the Decree 09 cut by default', async () => {
    const r = await trend('unit=37&from=2026-08&to=2026-10', t.lanhdao);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.cut, 'nd09');
    // Decree 09 months: 10 and 11 September fall in "2026-09" (15 August to 14 September), 5 August in "2026-08"
    const [aug, sep, oct] = r.json.months;
    assert.deepEqual([points(aug, 'progress'), points(sep, 'progress'), points(oct, 'progress')], [0, 20, 0]);
    await sameAsReports(r.json.months, '37', 'nd09', t.lanhdao);
  });
});

test('at most 24 months, from not after to, months as YYYY-MM', async () => {
  assert.equal((await trend(`unit=${commune}&from=2025-01&to=2026-12`)).json.months.length, 24);
  assert.equal((await trend(`unit=${commune}&from=2026-11&to=2026-11`)).json.months.length, 1);
  for (const bad of ['from=2024-12&to=2026-12', 'from=2026-11&to=2026-10', 'from=2026-1&to=2026-11', 'from=2026-Q1&to=2026-11',
    'from=2026&to=2026-11', 'to=2026-11', 'from=2026-11', 'from=2026-00&to=2026-11', 'from=2026-10&to=2026-13', 'from=2026-10&to=2026-11x',
    'from=2026-10&to=2026-11&cut=lunar']) {
    const r = await trend(`unit=${commune}&${bad}`);
    assert.equal(r.status, 400, bad);
    assert.equal(r.json.error.code, 'invalid_query', bad);
    assert.ok(r.json.error.message_vi, bad);
  }
  assert.equal((await trend('from=2026-10&to=2026-11')).status, 400); // no unit
  const vn = new Date(Date.now() + 7 * 3600e3); // the running calendar month is open
  const now = `${vn.getUTCFullYear()}-${String(vn.getUTCMonth() + 1).padStart(2, '0')}`;
  assert.deepEqual((await trend(`unit=${commune}&from=${now}&to=${now}&cut=calendar`)).json.months.map((m) => m.state), ['open']);
});

test('the trend is for the unit\'s staff and those above it', async () => {
  const q = 'from=2026-10&to=2026-11&cut=calendar';
  assert.equal((await trend(`unit=37&${q}`, t['canbo.xa'])).status, 403);
  assert.equal((await trend(`unit=${commune}&${q}`, t['canbo.hanoi'])).status, 403);
  assert.equal((await trend(`unit=${commune}&${q}`, t.dan)).status, 403);
  assert.equal((await api(U, 'GET', `/api/v1/reports/766/trend?unit=${commune}&${q}`)).status, 401);
  assert.equal((await trend(`unit=${commune}&${q}`, t['canbo.xa'])).status, 200);
  assert.equal((await trend(`unit=99999&${q}`, t.lanhdao)).status, 404);
});
