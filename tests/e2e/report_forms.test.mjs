// report_forms.test.mjs — report regimes (chế độ báo cáo): a commune's officer fills in the
// quarterly digital-transformation form, its figures are checked, it is submitted (late after
// the deadline), the commune's leader returns or approves it; the province sees each commune's
// state, the late and missing ones and the approved figures consolidated (sums, an average, the
// formulas), and the targets scorecard reads the e-payment accounts, households with fibre
// broadband and the digital economy's share of GRDP from them. Figures by hand.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { api, cli, login, startServer } from './harness.mjs';

let srv, U;
const t = {};
const A = '14038'; // canbo.xa's commune
const B = '13285'; // another commune of Ninh Bình, with accounts made here
const DAY = 86400e3;

// The Decree 09 quarter: Qk of year Y runs from the 15th of month 3k-3 to the 14th of month 3k
// (Vietnam time); the form is due by the end of the 5th day after.
const until = (y, k) => Date.UTC(y, 3 * k - 1, 15) - 7 * 3600e3;
const deadline = (y, k) => until(y, k) + 5 * DAY;
const vnNow = () => new Date(Date.now() + 7 * 3600e3);
function currentQuarter() {
  const y = vnNow().getUTCFullYear();
  for (const [yy, k] of [[y, 1], [y, 2], [y, 3], [y, 4], [y + 1, 1]]) if (Date.now() < until(yy, k)) return [yy, k];
}

before(async () => {
  srv = await startServer();
  U = srv.url;
  for (const [name, role] of [['canbo.b', 'officer'], ['lanhdao.b', 'leader']]) {
    const r = cli(['user', 'add', '--db', srv.db, '--username', name, '--role', role, '--unit', B, '--password-stdin'], { input: 'trondoi-demo\n' });
    assert.equal(r.status, 0, r.stderr);
  }
  for (const u of ['canbo.xa', 'lanhdao.xa', 'canbo.tinh', 'lanhdao', 'canbo.b', 'lanhdao.b', 'canbo.hanoi', 'dan']) t[u] = await login(U, u);
});
after(async () => { const r = await srv.stop(); assert.equal(r.code, 0, r.stderr.slice(-2000)); });

const form = (period, unit) => `/api/v1/report-forms/cds-quarterly/${period}/${unit}`;
const put = (token, period, unit, figures) => api(U, 'PUT', form(period, unit), { token, body: { figures } });
const move = (token, period, unit, to, note) => api(U, 'POST', form(period, unit) + '/transitions', { token, body: { to, note } });
const FIG_A = { households: 100, households_fibre: 80, adults: 300, adults_epay: 180, digital_economy_share: 12.5 };
const FIG_B = { households: 50, households_fibre: 10, adults: 200, adults_epay: 70, digital_economy_share: 7.5 };

describe('a past quarter: 2026-Q1, due 19 March 2026', () => {
  test('an empty form shows its indicators and deadline', async () => {
    const r = await api(U, 'GET', form('2026-Q1', A), { token: t['canbo.xa'] });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.state, 'not_started');
    assert.equal(r.json.deadline, '2026-03-19T17:00:00.000000Z'); // the end of 19 March, Vietnam time
    assert.deepEqual(r.json.indicators.map((i) => [i.id, i.type, i.aggregate]), [
      ['households', 'integer', 'sum'], ['households_fibre', 'integer', 'sum'], ['adults', 'integer', 'sum'],
      ['adults_epay', 'integer', 'sum'], ['digital_economy_share', 'percent', 'avg'], ['fibre_share', 'percent', 'formula'],
      ['epay_share', 'percent', 'formula']]);
  });

  test('each wrong figure is named; nothing is saved', async () => {
    const r = await put(t['canbo.xa'], '2026-Q1', A, { households: 100, households_fibre: 120, adults: 2.5, digital_economy_share: 101, epay_share: 5, cars: 1 });
    assert.equal(r.status, 422, r.text);
    assert.equal(r.json.error.code, 'invalid_figures');
    assert.deepEqual(r.json.error.fields.map((f) => [f.field, f.code]).sort(), [
      ['figures.adults', 'invalid_field'], ['figures.cars', 'unknown_indicator'], ['figures.digital_economy_share', 'out_of_range'],
      ['figures.epay_share', 'unknown_indicator'], ['figures.households_fibre', 'above_limit']]);
    assert.match(r.json.error.fields.find((f) => f.code === 'above_limit').message_vi, /không được lớn hơn households/);
    assert.equal((await api(U, 'GET', form('2026-Q1', A), { token: t['canbo.xa'] })).json.state, 'not_started');
  });

  test('a draft with figures missing cannot be submitted', async () => {
    const r = await put(t['canbo.xa'], '2026-Q1', A, { households: 100, households_fibre: 80 });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.state, 'draft');
    assert.equal(r.json.figures.fibre_share, 80); // 80 of 100 households, computed
    assert.equal(r.json.figures.epay_share, null);
    const s = await move(t['canbo.xa'], '2026-Q1', A, 'submitted');
    assert.deepEqual([s.status, s.json.error.code], [422, 'invalid_figures']);
    assert.deepEqual(s.json.error.fields.map((f) => [f.field, f.code]), [['figures.adults', 'missing_field'], ['figures.adults_epay', 'missing_field']]);
  });

  test('submitted after the deadline it is late; the leader returns it with a note; it is fixed and approved', async () => {
    assert.equal((await put(t['canbo.xa'], '2026-Q1', A, { ...FIG_A, adults_epay: 190 })).status, 200);
    let r = await move(t['canbo.xa'], '2026-Q1', A, 'submitted');
    assert.equal(r.status, 200, r.text);
    assert.deepEqual([r.json.state, r.json.late, r.json.submitted_by], ['submitted', true, 'canbo.xa']);
    assert.equal((await put(t['canbo.xa'], '2026-Q1', A, FIG_A)).json.error.code, 'form_locked');
    assert.equal((await move(t['canbo.xa'], '2026-Q1', A, 'approved')).status, 403); // an officer does not approve
    assert.equal((await move(t.lanhdao, '2026-Q1', A, 'approved')).status, 403); // nor the province's leader
    assert.equal((await move(t['lanhdao.xa'], '2026-Q1', A, 'returned')).json.error.code, 'missing_field'); // a note is needed
    r = await move(t['lanhdao.xa'], '2026-Q1', A, 'returned', 'Số người có tài khoản chưa khớp');
    assert.deepEqual([r.json.state, r.json.note], ['returned', 'Số người có tài khoản chưa khớp']);
    assert.equal((await put(t['canbo.xa'], '2026-Q1', A, FIG_A)).json.state, 'draft');
    r = await move(t['lanhdao.xa'], '2026-Q1', A, 'submitted'); // a leader of the unit may submit too
    assert.deepEqual([r.json.state, r.json.late, r.json.note], ['submitted', true, null]);
    r = await move(t['lanhdao.xa'], '2026-Q1', A, 'approved');
    assert.deepEqual([r.json.state, r.json.decided_by], ['approved', 'lanhdao.xa']);
    assert.equal((await move(t['lanhdao.xa'], '2026-Q1', A, 'returned', 'x')).json.error.code, 'invalid_transition');
  });

  test('the province sees each commune, the missing and the late, and one approved form consolidated', async () => {
    const r = await api(U, 'GET', '/api/v1/report-forms/cds-quarterly/2026-Q1?unit=37', { token: t.lanhdao });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.expected, 129); // Ninh Bình's communes since the 2025 reform
    assert.equal(r.json.units.length, 129);
    assert.deepEqual([r.json.submitted, r.json.approved, r.json.late, r.json.past_deadline], [1, 1, [A], true]);
    assert.equal(r.json.missing.length, 128);
    assert.ok(r.json.missing.includes(B) && !r.json.missing.includes(A));
    assert.deepEqual(r.json.units.find((u) => u.unit === A).state, 'approved');
    assert.deepEqual(r.json.consolidated, { ...FIG_A, fibre_share: 80, epay_share: 60 });
  });
});

describe('two communes in the current quarter', () => {
  let period;
  before(async () => {
    const [y, k] = currentQuarter();
    period = `${y}-Q${k}`;
    for (const [o, l, unit, fig] of [['canbo.xa', 'lanhdao.xa', A, FIG_A], ['canbo.b', 'lanhdao.b', B, FIG_B]]) {
      assert.equal((await put(t[o], period, unit, fig)).status, 200);
      const s = await move(t[o], period, unit, 'submitted');
      assert.deepEqual([s.json.state, s.json.late], ['submitted', false]); // before its deadline
      if (unit === A) assert.equal((await move(t[l], period, unit, 'approved')).status, 200);
    }
  });

  test('only approved forms are consolidated', async () => {
    const r = (await api(U, 'GET', `/api/v1/report-forms/cds-quarterly/${period}?unit=37`, { token: t['canbo.tinh'] })).json;
    assert.deepEqual([r.submitted, r.approved, r.late], [2, 1, []]);
    assert.equal(r.consolidated.households, 100);
    const s = (await api(U, 'GET', `/api/v1/reports/targets?unit=37&period=${period}`, { token: t.lanhdao })).json;
    const e = s.targets.find((x) => x.id === 'epayment_accounts');
    assert.deepEqual([e.measured, e.numerator, e.denominator, e.value, e.target, e.met], [true, 180, 300, 60, 50, true]);
    // households with fibre broadband, a rate of the forms' counts: 80 of 100, target 80 % reached
    const f = s.targets.find((x) => x.id === 'fibre_households');
    assert.deepEqual([f.measured, f.numerator, f.denominator, f.value, f.target, f.met], [true, 80, 100, 80, 80, true]);
    // the digital economy's share of GRDP, a figure of the forms read as it is: 12.5 % against 20 %
    const g = s.targets.find((x) => x.id === 'digital_economy_share');
    assert.deepEqual([g.measured, g.numerator, g.denominator, g.value, g.target, g.met], [true, null, null, 12.5, 20, false]);
  });

  test('both approved: sums, the average and the formulas over the sums; 50 % is not above 50 %', async () => {
    assert.equal((await move(t['lanhdao.b'], period, B, 'approved')).status, 200);
    const r = (await api(U, 'GET', `/api/v1/report-forms/cds-quarterly/${period}?unit=37`, { token: t.lanhdao })).json;
    assert.deepEqual(r.consolidated, {
      households: 150, households_fibre: 90, adults: 500, adults_epay: 250,
      digital_economy_share: 10, // (12.5 + 7.5) / 2
      fibre_share: 60, // 90 / 150
      epay_share: 50, // 250 / 500
    });
    const e = (await api(U, 'GET', `/api/v1/reports/targets?unit=37&period=${period}`, { token: t.lanhdao })).json.targets.find((x) => x.id === 'epayment_accounts');
    assert.deepEqual([e.numerator, e.denominator, e.value, e.met], [250, 500, 50, false]);
    const a = (await api(U, 'GET', `/api/v1/reports/targets?unit=${A}&period=${period}`, { token: t['lanhdao.xa'] })).json.targets.find((x) => x.id === 'epayment_accounts');
    assert.deepEqual([a.numerator, a.denominator, a.value, a.met], [180, 300, 60, true]); // the commune's own
    const province = (await api(U, 'GET', `/api/v1/reports/targets?unit=37&period=${period}`, { token: t.lanhdao })).json.targets;
    const own = (await api(U, 'GET', `/api/v1/reports/targets?unit=${A}&period=${period}`, { token: t['lanhdao.xa'] })).json.targets;
    const pick = (list, id) => { const x = list.find((y) => y.id === id); return [x.numerator, x.denominator, x.value, x.met]; };
    assert.deepEqual(pick(province, 'fibre_households'), [90, 150, 60, false]); // 90 / 150
    assert.deepEqual(pick(province, 'digital_economy_share'), [null, null, 10, false]); // (12.5 + 7.5) / 2, the regime's average
    assert.deepEqual(pick(own, 'fibre_households'), [80, 100, 80, true]);
    assert.deepEqual(pick(own, 'digital_economy_share'), [null, null, 12.5, false]);
    const csv = await (await fetch(`${U}/api/v1/reports/targets?unit=37&period=${period}&format=csv`, { headers: { authorization: `Bearer ${t.lanhdao}` } })).text();
    assert.match(csv, new RegExp(`^37,${period},digital_economy_share,"Tỷ trọng kinh tế số trong GRDP",true,,,10(\\.00)?,20(\\.00)?,false\r$`, 'm'));
  });
});

test('reminders: the officer\'s unit\'s forms due within 3 days of the deadline or overdue, not yet submitted; the leader\'s to approve', async () => {
  // by hand: each quarter of this year and last whose reminder time has come (3 days before the
  // deadline) and whose deadline passed less than 90 days ago, less those submitted above
  const y = vnNow().getUTCFullYear(), now = Date.now(), done = new Set(['2026-Q1', `${currentQuarter()[0]}-Q${currentQuarter()[1]}`]);
  const expected = [];
  for (const yy of [y - 1, y]) for (let k = 1; k <= 4; k++) {
    const d = deadline(yy, k);
    if (now >= d - 3 * DAY && now < d + 90 * DAY && !done.has(`${yy}-Q${k}`)) expected.push([`${yy}-Q${k}`, now >= d]);
  }
  const r = await api(U, 'GET', '/api/v1/report-forms/reminders', { token: t['canbo.xa'] });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.reminders.map((x) => [x.period, x.overdue]), expected);
  assert.ok(r.json.reminders.every((x) => x.action === 'submit' && x.unit === A && x.state === 'not_started'));
  // the other commune's officer submits one of them; its leader is then reminded to approve it
  if (expected.length) {
    const [p] = expected[0];
    assert.equal((await put(t['canbo.b'], p, B, FIG_B)).status, 200);
    assert.equal((await move(t['canbo.b'], p, B, 'submitted')).status, 200);
    const mine = (await api(U, 'GET', '/api/v1/report-forms/reminders', { token: t['canbo.b'] })).json.reminders.map((x) => x.period);
    assert.ok(!mine.includes(p));
  }
  const lead = (await api(U, 'GET', '/api/v1/report-forms/reminders', { token: t['lanhdao.b'] })).json.reminders.filter((x) => x.action === 'approve');
  assert.deepEqual(lead.map((x) => x.period), expected.length ? [expected[0][0]] : []);
});

test('who may do what, and bad paths', async () => {
  assert.equal((await api(U, 'GET', form('2026-Q1', A), { token: t['canbo.hanoi'] })).status, 403);
  assert.equal((await api(U, 'GET', form('2026-Q1', A), { token: t['canbo.b'] })).status, 403); // a neighbour
  assert.equal((await api(U, 'GET', form('2026-Q1', A), { token: t.dan })).status, 403);
  assert.equal((await api(U, 'GET', form('2026-Q1', A), { token: t['canbo.tinh'] })).status, 200); // the province reads it
  assert.equal((await put(t['canbo.tinh'], '2026-Q1', A, FIG_A)).status, 403); // but does not fill it in
  assert.equal((await api(U, 'GET', form('2026-Q1', '37'), { token: t.lanhdao })).json.error.code, 'not_a_submitter');
  assert.equal((await api(U, 'GET', form('2026-03', A), { token: t['canbo.xa'] })).json.error.code, 'invalid_period'); // a month, not a quarter
  assert.equal((await api(U, 'GET', '/api/v1/report-forms/nope/2026-Q1/' + A, { token: t['canbo.xa'] })).json.error.code, 'regime_not_found');
  assert.equal((await put(t['canbo.xa'], '2099-Q1', A, FIG_A)).json.error.code, 'period_not_started');
  assert.equal((await api(U, 'GET', '/api/v1/report-forms/cds-quarterly/2026-Q1?unit=37', { token: t['canbo.xa'] })).status, 403);
});
