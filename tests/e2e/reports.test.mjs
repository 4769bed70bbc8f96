// reports.test.mjs — the national service index (Decision 766) computed from the dossiers: the
// reporting periods (Decree 09/2019 cut and calendar), the indicators a unit's dossiers make,
// roll-up to the province, drill-down to the dossiers behind a figure, CSV, and who may see it.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Database from './sqlite.mjs';
import { api, handOn, login, startServer, upload } from './harness.mjs';

let srv, U, commune, period;
const t = {};

before(async () => {
  srv = await startServer();
  U = srv.url;
  for (const u of ['dan', 'canbo.xa', 'lanhdao.xa', 'lanhdao', 'canbo.hanoi']) t[u] = await login(U, u);
  commune = (await api(U, 'GET', '/api/v1/me', { token: t.dan })).json.attributes.permanent_address.value.unit;
  // the Decree 09 month that holds today (Vietnam time): from the 15th of the month before
  const vn = new Date(Date.now() + 7 * 3600e3);
  const m = vn.getUTCDate() >= 15 ? vn.getUTCMonth() + 1 : vn.getUTCMonth();
  const [y, mm] = m === 12 ? [vn.getUTCFullYear() + 1, 1] : [vn.getUTCFullYear(), m + 1];
  period = `${y}-${String(mm).padStart(2, '0')}`;
});
after(async () => { const r = await srv.stop(); assert.equal(r.code, 0, r.stderr.slice(-2000)); });

const move = (token, code, body) => api(U, 'POST', `/api/v1/dossiers/${code}/transitions`, { token, body });
const report = (q, token = t.lanhdao) => api(U, 'GET', `/api/v1/reports/766?${q}`, { token });
const indicator = (r, id) => r.groups.flatMap((g) => g.indicators).find((i) => i.id === id);

async function finished(token, body, { late = false } = {}) {
  const code = (await api(U, 'POST', '/api/v1/dossiers', { token, body })).json.code;
  await upload(U, t['canbo.xa'], code, 'marital_status_request_form'); // scanned at the desk
  await move(t['canbo.xa'], code, { to: 2 });
  await handOn(U, t['canbo.xa'], t['lanhdao.xa'], code);
  if (late) new Database(srv.db).run('UPDATE dossiers SET due_at = ? WHERE code = ?', (Date.now() - 86400e3) * 1000, code);
  const r = await move(t['canbo.xa'], code, late ? { to: 9, apology: { reason: 'chờ xác minh', new_appointment: '2026-12-31' } } : { to: 9 });
  assert.equal(r.status, 200, r.text);
  return code;
}

describe('the 766 index of a commune', () => {
  let onTime, late, r;
  before(async () => {
    onTime = await finished(t.dan, { procedure: '1.004873', fields: { purpose: 'loan' } });
    late = await finished(t['canbo.xa'], { procedure: '1.004873', applicant: (await api(U, 'GET', '/api/v1/me', { token: t.dan })).json.id, fields: { purpose: 'loan' } }, { late: true });
    await api(U, 'POST', '/api/v1/dossiers', { token: t.dan, body: { procedure: '1.004873', fields: { purpose: 'other' } } });
    await move(t['canbo.xa'], onTime, { to: 10 });
    assert.equal((await api(U, 'POST', `/api/v1/dossiers/${onTime}/rating`, { token: t.dan, body: { score: 5 } })).status, 201);
    r = (await report(`unit=${commune}&period=${period}`)).json;
  });

  test('progress: one of the two finished dossiers was on time', () => {
    const p1 = indicator(r, 'P1');
    assert.deepEqual([p1.numerator, p1.denominator, p1.rate, p1.points], [1, 2, 50, 10]);
  });

  test('online service, digitisation and satisfaction from the same dossiers', () => {
    const o3 = indicator(r, 'O3');
    assert.deepEqual([o3.numerator, o3.denominator], [2, 3]); // two online, one walk-in
    assert.equal(o3.points, 4); // 66.67 % against a target of 50 %
    const d1 = indicator(r, 'D1');
    assert.deepEqual([d1.numerator, d1.denominator, d1.points], [2, 2, 6]); // results issued electronically
    const d2 = indicator(r, 'D2');
    assert.deepEqual([d2.numerator, d2.denominator, d2.points], [1, 1, 6]); // the walk-in's papers scanned
    const s3 = indicator(r, 'S3');
    assert.deepEqual([s3.numerator, s3.denominator], [1, 2]);
    assert.equal(s3.points, 3.33); // 50 % of a 90 % target, of 6 points
    const t1 = indicator(r, 'T1'); // no procedure announced in the period: nothing to score
    assert.deepEqual([t1.measured, t1.numerator, t1.denominator, t1.rate, t1.points], [true, 0, 0, null, 0]);
    const sum = r.groups.reduce((s, g) => s + g.points, 0);
    assert.ok(Math.abs(sum - r.total) < 0.02, `${sum} vs ${r.total}`);
    assert.deepEqual(r.groups.map((g) => g.max), [18, 20, 12, 10, 22, 18]);
  });

  test('the province rolls its communes up and ranks them', async () => {
    const p = (await report(`unit=37&period=${period}`)).json;
    assert.deepEqual([indicator(p, 'P1').numerator, indicator(p, 'P1').denominator], [1, 2]);
    const child = p.children.find((c) => c.unit === commune);
    assert.ok(child, JSON.stringify(p.children));
    assert.equal(child.total, r.total);
  });

  test('the ranking lists every commune on the period\'s map, one without dossiers with the points it earns', async () => {
    const p = (await report(`unit=37&period=${period}`)).json;
    const communes = (await api(U, 'GET', `/api/v1/units?parent=37&at=${p.until.slice(0, 10)}`)).json.units.map((u) => u.code);
    assert.ok(communes.length > 100, `${communes.length} communes`);
    assert.deepEqual(p.children.map((c) => c.unit), communes);
    const quiet = p.children.find((c) => c.unit !== commune);
    const own = (await report(`unit=${quiet.unit}&period=${period}`)).json;
    assert.equal(indicator(own, 'O3').denominator, 0); // no dossier received there
    assert.equal(quiet.total, own.total);
    assert.ok(quiet.total > 0); // the catalog's points: procedures offered online, described
    assert.equal(quiet.name, (await api(U, 'GET', `/api/v1/units/${quiet.unit}`)).json.name);
    const csv = await (await fetch(`${U}/api/v1/reports/766?unit=37&period=${period}&format=csv`, { headers: { authorization: `Bearer ${t.lanhdao}` } })).text();
    const ranked = csv.split('\r\n').filter((l) => l.startsWith(`37,${period},children,`));
    assert.equal(ranked.length, communes.length);
    assert.ok(ranked.includes(`37,${period},children,${quiet.unit},"${quiet.name}",,,,,${quiet.total.toFixed(2)},100`), ranked.join('\n'));
    const totals = ranked.map((l) => Number(l.split(',').at(-2)));
    assert.deepEqual(totals, [...totals].sort((a, b) => b - a)); // highest first
  });

  test('drill-down shows the dossiers behind a figure', async () => {
    const num = (await api(U, 'GET', `/api/v1/reports/766/drill?unit=${commune}&period=${period}&indicator=P1&part=numerator`, { token: t.lanhdao })).json;
    assert.deepEqual(num.dossiers.map((d) => d.code), [onTime]);
    const den = (await api(U, 'GET', `/api/v1/reports/766/drill?unit=${commune}&period=${period}&indicator=P1&part=denominator&limit=1`, { token: t.lanhdao })).json;
    assert.equal(den.count, 2);
    assert.equal(den.dossiers.length, 1);
    assert.equal(den.next_offset, 1);
    assert.ok([onTime, late].includes(den.dossiers[0].code));
    assert.equal((await api(U, 'GET', `/api/v1/reports/766/drill?unit=${commune}&period=${period}&indicator=T1&part=numerator`, { token: t.lanhdao })).json.error.code, 'not_drillable');
    assert.equal((await api(U, 'GET', `/api/v1/reports/766/drill?unit=${commune}&period=${period}&indicator=P1&part=all`, { token: t.lanhdao })).status, 400);
  });

  test('the targets scorecard: value, the target of the unit\'s level, met or not', async () => {
    const tg = (await api(U, 'GET', `/api/v1/reports/targets?unit=${commune}&period=${period}`, { token: t.lanhdao })).json;
    const get = (id) => tg.targets.find((x) => x.id === id);
    assert.equal(tg.level, 'commune');
    const online = get('processed_online'); // read from the work-items register, empty here (tests/e2e/registers.test.mjs)
    assert.deepEqual([online.measured, online.numerator, online.denominator, online.value, online.target, online.met], [false, 0, 0, null, 60, null]);
    const procs = (await api(U, 'GET', '/api/v1/procedures')).json.procedures.filter((p) => p.level === 'commune');
    // of the procedures the law lets be done fully online: marriage and parentage registration and
    // signature certification want the parties in person, and count in neither part
    const full = get('full_online');
    const eligible = procs.filter((p) => !p.full_online_ineligible);
    assert.deepEqual(procs.filter((p) => p.full_online_ineligible).map((p) => p.code).sort(), ['1.000894', '1.001022', '2.000884']);
    assert.match(procs.find((p) => p.code === '1.000894').full_online_ineligible.vi, /Luật Hộ tịch 2014, Điều 18/);
    assert.deepEqual([full.numerator, full.denominator], [eligible.filter((p) => p.full_online).length, eligible.length]);
    assert.equal(full.met, full.numerator === full.denominator);
    assert.deepEqual([get('epayment_accounts').measured, get('epayment_accounts').met], [false, null]);
    const province = (await api(U, 'GET', `/api/v1/reports/targets?unit=37&period=${period}`, { token: t.lanhdao })).json;
    assert.equal(province.targets.find((x) => x.id === 'processed_online').target, 90);
  });

  test('as CSV', async () => {
    const res = await fetch(`${U}/api/v1/reports/766?unit=${commune}&period=${period}&format=csv`, { headers: { authorization: `Bearer ${t.lanhdao}` } });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type'), /^text\/csv/);
    const text = await res.text();
    assert.match(text, new RegExp(`^${commune},${period},progress,P1,"Hồ sơ giải quyết đúng hạn",1,2,50.00,100,10.00,20\\r$`, 'm'));
    assert.match(text, new RegExp(`^${commune},${period},total,,,,,,,${r.total.toFixed(2)},100\\r$`, 'm'));
  });
});

test('periods: the Decree 09 cut by default, the calendar on request', async () => {
  const q = (await report('unit=37&period=2026-Q1')).json;
  assert.equal(q.from, '2025-12-14T17:00:00.000000Z'); // 15 Dec 2025, 00:00 in Vietnam
  assert.equal(q.until, '2026-03-14T17:00:00.000000Z');
  const y = (await report('unit=37&period=2026&cut=calendar')).json;
  assert.equal(y.from, '2025-12-31T17:00:00.000000Z');
  assert.equal(y.until, '2026-12-31T17:00:00.000000Z');
  const m = (await report('unit=37&period=2026-01')).json;
  assert.equal(m.from, '2025-12-14T17:00:00.000000Z');
  for (const bad of ['period=2026-13', 'period=2026-Q5', 'period=26', 'period=2026-03&cut=lunar', 'period=2026&format=pdf']) {
    const r = await report(`unit=37&${bad}`);
    assert.equal(r.status, 400, bad);
    assert.equal(r.json.error.code, 'invalid_query');
  }
});

test('a unit\'s reports are for its staff and those above it', async () => {
  assert.equal((await report(`unit=37&period=2026`, t['canbo.xa'])).status, 403); // a commune officer, the province's report
  assert.equal((await report(`unit=${commune}&period=2026`, t['canbo.hanoi'])).status, 403);
  assert.equal((await report(`unit=${commune}&period=2026`, t['canbo.xa'])).status, 200);
  assert.equal((await report(`unit=37&period=2026`, t.dan)).status, 403);
  assert.equal((await report(`unit=99999&period=2026`)).status, 404);
});
