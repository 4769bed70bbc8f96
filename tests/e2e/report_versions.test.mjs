// report_versions.test.mjs — published figures never change silently: closing an ended period
// freezes version 1 with the dossiers behind it; a later change to one of those dossiers (here a
// late one-star rating) shows as pending on the published report, and publishing it makes
// version 2 with a diff naming the indicator and the dossier. Also: the counters follow the
// dossiers as they change (open periods), and who may close a period.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Database from './sqlite.mjs';
import { api, finishedDossier, login, receivedAt, startServer, upload } from './harness.mjs';

let srv, U, commune;
const t = {};
const PERIOD = '2026-09'; // calendar cut: September 2026, long ended

before(async () => {
  srv = await startServer();
  U = srv.url;
  for (const u of ['dan', 'canbo.xa', 'lanhdao.xa', 'lanhdao']) t[u] = await login(U, u);
  commune = (await api(U, 'GET', '/api/v1/me', { token: t.dan })).json.attributes.permanent_address.value.unit;
});
after(async () => { const r = await srv.stop(); assert.equal(r.code, 0, r.stderr.slice(-2000)); });

const move = (code, to) => api(U, 'POST', `/api/v1/dossiers/${code}/transitions`, { token: t['canbo.xa'], body: { to } });
const report = (q, token = t['lanhdao.xa']) => api(U, 'GET', `/api/v1/reports/766?${q}`, { token });
const publish = (body, token = t['lanhdao.xa']) => api(U, 'POST', '/api/v1/reports/766/versions', { token, body });
const indicator = (r, id) => r.groups.flatMap((g) => g.indicators).find((i) => i.id === id);
const sept = () => `unit=${commune}&period=${PERIOD}&cut=calendar`;

async function submitted() {
  const r = await api(U, 'POST', '/api/v1/dossiers', { token: t.dan, body: { procedure: '1.004873', fields: { purpose: 'loan' } } });
  assert.equal(r.status, 201, r.text);
  return r.json.code;
}

const finished = (returned) => finishedDossier(U, t, srv.db, { returned });
const intoSeptember = (code) => receivedAt(srv.db, code, '2026-09-10T03:00:00Z'); // 10:00 on 10 September in Vietnam

describe('the counters follow the dossiers of an open period', () => {
  test('a new dossier and its acceptance show at once in the figures of the running period', async () => {
    const vn = new Date(Date.now() + 7 * 3600e3);
    const month = `${vn.getUTCFullYear()}-${String(vn.getUTCMonth() + 1).padStart(2, '0')}`;
    const q = `unit=${commune}&period=${month}&cut=calendar`;
    const before = (await report(q)).json;
    assert.equal(before.state, 'open');
    const code = await submitted();
    const mid = (await report(q)).json;
    assert.equal(indicator(mid, 'O3').denominator, indicator(before, 'O3').denominator + 1); // received
    assert.equal(indicator(mid, 'O3').numerator, indicator(before, 'O3').numerator + 1); // online
    await upload(U, t['canbo.xa'], code, 'marital_status_request_form');
    const after = (await report(q)).json;
    assert.equal(indicator(after, 'D3').denominator, indicator(mid, 'D3').denominator + 1); // with documents
  });
});

describe('closing a period and publishing a recomputation', () => {
  let rated, other;
  before(async () => {
    rated = await finished(true);
    other = await finished(false);
    intoSeptember(rated);
    intoSeptember(other);
  });

  test('an ended period not yet closed is provisional; its figures come from its dossiers', async () => {
    const r = (await report(sept())).json;
    assert.equal(r.state, 'provisional');
    assert.deepEqual([indicator(r, 'P1').numerator, indicator(r, 'P1').denominator], [2, 2]);
    assert.deepEqual([indicator(r, 'S3').numerator, indicator(r, 'S3').denominator, indicator(r, 'S3').points], [2, 2, 6]);
  });

  test('only a leader closes a period, and only once it has ended', async () => {
    const officer = await publish({ unit: commune, period: PERIOD, cut: 'calendar' }, t['canbo.xa']);
    assert.equal(officer.status, 403);
    const open = await publish({ unit: commune, period: '2099-01', cut: 'calendar' });
    assert.equal(open.status, 409);
    assert.equal(open.json.error.code, 'period_open');
    const bad = await publish({ unit: commune, period: '2026-13' });
    assert.equal(bad.status, 400);
  });

  test('closing freezes version 1; a late rating shows as pending, not in the published figures', async () => {
    const closed = await publish({ unit: commune, period: PERIOD, cut: 'calendar' });
    assert.equal(closed.status, 201, closed.text);
    assert.equal(closed.json.version, 1);
    assert.equal(closed.json.diff, null);
    const db = new Database(srv.db);
    const set = db.all('SELECT code FROM report_version_dossiers WHERE unit = ? AND period = ? AND version = 1 ORDER BY code', commune, PERIOD);
    assert.deepEqual(set.map((x) => x.code), [rated, other].sort());

    let r = (await report(sept())).json;
    assert.equal(r.state, 'published');
    assert.equal(r.published.version, 1);
    assert.equal(r.changes_pending, false);

    assert.equal((await api(U, 'POST', `/api/v1/dossiers/${rated}/rating`, { token: t.dan, body: { score: 1 } })).status, 201);
    r = (await report(sept())).json;
    assert.equal(r.published.version, 1);
    assert.deepEqual([indicator(r, 'S3').numerator, indicator(r, 'S3').points], [2, 6]); // as published
    assert.equal(r.changes_pending, true);
    // S3 falls from 6 points to 6 × 50 % ÷ 90 % = 3.33: one of the two finished dossiers rated 1 star
    assert.equal(r.live_total, Math.round((r.total - 6 + 3.33) * 100) / 100);
  });

  test('a recomputation says why, and version 2 carries the diff', async () => {
    const why = await publish({ unit: commune, period: PERIOD, cut: 'calendar' });
    assert.equal(why.status, 422);
    assert.equal(why.json.error.code, 'reason_required');
    const v2 = await publish({ unit: commune, period: PERIOD, cut: 'calendar', reason: 'đánh giá muộn của người dân' });
    assert.equal(v2.status, 201, v2.text);
    assert.equal(v2.json.version, 2);
    const s3 = v2.json.diff.indicators.find((x) => x.indicator === 'S3');
    assert.deepEqual([s3.before.numerator, s3.after.numerator, s3.before.points], [2, 1, 6]);
    assert.deepEqual(v2.json.diff.indicators.map((x) => x.indicator), ['S3']);
    assert.deepEqual(v2.json.diff.dossiers.changed, { count: 1, codes: [rated] });
    assert.equal(v2.json.diff.dossiers.added.count, 0);
    assert.equal(v2.json.diff.dossiers.removed.count, 0);

    const again = await publish({ unit: commune, period: PERIOD, cut: 'calendar', reason: 'kiểm tra lại' });
    assert.equal(again.status, 200);
    assert.equal(again.json.created, false);
    assert.equal(again.json.version, 2);

    const r = (await report(sept())).json;
    assert.deepEqual([r.published.version, r.changes_pending, indicator(r, 'S3').numerator], [2, false, 1]);
  });

  test('the versions are listed newest first, each readable with its diff', async () => {
    const list = (await api(U, 'GET', `/api/v1/reports/766/versions?${sept()}`, { token: t['canbo.xa'] })).json.versions;
    assert.deepEqual(list.map((v) => [v.version, v.published_by, v.reason]),
      [[2, 'lanhdao.xa', 'đánh giá muộn của người dân'], [1, 'lanhdao.xa', 'closing the period']]);
    assert.equal(list[0].total_before, list[1].total);
    const v2 = (await api(U, 'GET', `/api/v1/reports/766/versions/2?${sept()}`, { token: t.lanhdao })).json;
    assert.equal(v2.diff.against, 1);
    assert.equal(indicator(v2.report, 'S3').numerator, 1);
    assert.equal((await api(U, 'GET', `/api/v1/reports/766/versions/3?${sept()}`, { token: t.lanhdao })).status, 404);
    assert.equal((await api(U, 'GET', `/api/v1/reports/766/versions/x?${sept()}`, { token: t.lanhdao })).status, 400);
    // the province's own figures for the month are not closed by the commune's
    const prov = (await report(`unit=37&period=${PERIOD}&cut=calendar`, t.lanhdao)).json;
    assert.equal(prov.state, 'provisional');
  });
});
