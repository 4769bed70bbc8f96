// calendar.test.mjs — the lunar calendar, holidays and the working-day clock over HTTP and CLI.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { api, cli, startServer } from './harness.mjs';

let srv, U;
before(async () => { srv = await startServer({ demo: false }); U = srv.url; });
after(async () => { const r = await srv.stop(); assert.equal(r.code, 0, r.stderr.slice(-2000)); });

test('solar dates convert to the Vietnamese lunar calendar (UTC+7)', async () => {
  const tet = await api(U, 'GET', '/api/v1/calendar/lunar?date=2026-02-17');
  assert.equal(tet.status, 200);
  assert.deepEqual(tet.json, { solar: '2026-02-17', lunar: { year: 2026, month: 1, day: 1, leap: false } });
  // 1985: Vietnam's Tết fell a month before China's (UTC+7 against UTC+8)
  assert.deepEqual((await api(U, 'GET', '/api/v1/calendar/lunar?date=1985-01-21')).json.lunar, { year: 1985, month: 1, day: 1, leap: false });
  assert.deepEqual((await api(U, 'GET', '/api/v1/calendar/lunar?date=2023-03-22')).json.lunar, { year: 2023, month: 2, day: 1, leap: true });
  for (const bad of ['2026-02-30', '1899-12-31', 'tomorrow', '']) {
    const r = await api(U, 'GET', `/api/v1/calendar/lunar?date=${bad}`);
    assert.equal(r.status, 400, bad);
    assert.equal(r.json.error.code, 'invalid_query');
  }
});

test('holidays: the official 2026 decision, and the Labour Code rules for a year without one', async () => {
  const r = await api(U, 'GET', '/api/v1/calendar/holidays?year=2026');
  assert.equal(r.status, 200);
  assert.equal(r.json.official, true);
  const byDate = Object.fromEntries(r.json.holidays.map((h) => [h.date, h]));
  assert.equal(byDate['2026-02-17'].kind, 'holiday');
  assert.match(byDate['2026-02-17'].name, /Tết/);
  assert.equal(byDate['2026-01-10'].kind, 'workday');      // make-up Saturday for 2 Jan
  assert.equal(byDate['2026-04-27'].kind, 'compensatory'); // Hùng Kings' day fell on a Sunday
  assert.ok(r.json.holidays.every((h) => ['holiday', 'compensatory', 'workday'].includes(h.kind)));
  const later = await api(U, 'GET', '/api/v1/calendar/holidays?year=2031');
  assert.equal(later.json.official, false);
  const dates = later.json.holidays.map((h) => h.date);
  for (const d of ['2031-01-01', '2031-01-23', '2031-04-30', '2031-05-01', '2031-09-02']) assert.ok(dates.includes(d), d);
  assert.equal((await api(U, 'GET', '/api/v1/calendar/holidays?year=2201')).status, 400);
});

test('the clock: cut-off, weekends, Tết and make-up days', async () => {
  const due = async (q) => (await api(U, 'GET', `/api/v1/calendar/due?${q}`)).json;
  // Monday 09:00, 1 working day: due Tuesday 17:00
  assert.deepEqual(await due('received_at=2026-03-02T09:00:00%2B07:00&days=1'),
    { start: '2026-03-02T09:00:00+07:00', due: '2026-03-03T17:00:00+07:00', days: 1, cutoff: '17:00' });
  // after 17:00 the clock starts the next working day
  assert.equal((await due('received_at=2026-03-02T17:30:00%2B07:00&days=1')).start, '2026-03-03T00:00:00+07:00');
  // a procedure with a 15:00 cut-off, received at 15:30
  assert.equal((await due('received_at=2026-03-02T15:30:00%2B07:00&days=0&cutoff=15:00')).due, '2026-03-03T17:00:00+07:00');
  // received before Tết 2026: the break (16-20 Feb) is skipped
  assert.equal((await due('received_at=2026-02-13T10:00:00%2B07:00&days=3')).due, '2026-02-25T17:00:00+07:00');
  // Saturday 10 Jan 2026 is a make-up working day
  assert.equal((await due('received_at=2026-01-09T10:00:00%2B07:00&days=1')).due, '2026-01-10T17:00:00+07:00');
  // times in UTC are read as such: 02:00Z is 09:00 in Vietnam
  assert.equal((await due('received_at=2026-03-02T02:00:00Z&days=1')).start, '2026-03-02T09:00:00+07:00');
  for (const q of ['days=1', 'received_at=yesterday&days=1', 'received_at=2026-03-02T09:00:00Z', 'received_at=2026-03-02T09:00:00Z&days=-1',
    'received_at=2026-03-02T09:00:00Z&days=1&cutoff=18:00', 'received_at=2026-03-02T09:00:00Z&days=1&cutoff=9am']) {
    const r = await api(U, 'GET', `/api/v1/calendar/due?${q}`);
    assert.equal(r.status, 400, q);
  }
});

test('trondoi calendar --year prints the year', () => {
  const r = cli(['calendar', '--year', '2025']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^2025-01-29 Wed  holiday .*Tết/m);
  assert.match(r.stdout, /^2025-04-26 Sat  workday/m);
  assert.equal(cli(['calendar', '--year', '1800']).status, 1);
});
