// security_alerts.test.mjs — threat detection: rules as data flag an officer reading many
// citizens outside any dossier, reads at odd hours and bursts of failed sign-ins (per account and
// per address), once per window, into the admins' alert list. The test's rules file (through
// TRONDOI_SECURITY_RULES) lowers the thresholds and puts the present hour among the odd ones.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import Database from './sqlite.mjs';
import { api, demoCitizens, login, startServer, tempDir } from './harness.mjs';

let srv, U, rulesDir, citizens;
const t = {};
const hour = new Date(Date.now() + 7 * 3600e3).getUTCHours(); // now, in Vietnam

before(async () => {
  rulesDir = tempDir();
  const rules = join(rulesDir, 'rules.json');
  writeFileSync(rules, JSON.stringify({ rules: [
    { id: 'bulk_reads', kind: 'reads_outside_cases', window_minutes: 60, threshold: 5, severity: 'high' },
    { id: 'odd_hours', kind: 'reads_at_hours', from_hour: hour, to_hour: (hour + 1) % 24, severity: 'medium' },
    { id: 'failed_logins_account', kind: 'failed_logins', per: 'account', window_minutes: 15, threshold: 3, severity: 'medium' },
    { id: 'failed_logins_address', kind: 'failed_logins', per: 'address', window_minutes: 5, threshold: 6, severity: 'high' },
  ] }));
  srv = await startServer({ env: { TRONDOI_SECURITY_RULES: rules } });
  U = srv.url;
  for (const u of ['canbo.tinh', 'canbo.xa', 'quantri', 'dan']) t[u] = await login(U, u);
  citizens = demoCitizens().map((c) => c.id).sort().slice(0, 6);
});
after(async () => { const r = await srv.stop(); assert.equal(r.code, 0, r.stderr.slice(-2000)); });

const alerts = async () => (await api(U, 'GET', '/api/v1/security/alerts', { token: t.quantri })).json.alerts;
const of = (list, rule, subject) => list.filter((a) => a.rule === rule && a.subject === subject);

test('an officer reading many citizens outside any dossier is flagged once; reading one citizen again is not many', async () => {
  for (const id of citizens.slice(0, 4)) assert.equal((await api(U, 'GET', `/api/v1/citizens/${id}`, { token: t['canbo.tinh'] })).status, 200);
  assert.deepEqual(of(await alerts(), 'bulk_reads', 'canbo.tinh'), []); // four: below the threshold of five
  for (const id of citizens.slice(4, 6)) assert.equal((await api(U, 'GET', `/api/v1/citizens/${id}`, { token: t['canbo.tinh'] })).status, 200);
  const bulk = of(await alerts(), 'bulk_reads', 'canbo.tinh');
  assert.equal(bulk.length, 1); // the fifth raised it, the sixth did not raise it again
  assert.equal(bulk[0].severity, 'high');
  assert.match(bulk[0].detail, /^5 citizens read outside any dossier within 60 minutes$/);
  const me = (await api(U, 'GET', '/api/v1/me', { token: t.dan })).json.id;
  for (let i = 0; i < 8; i++) assert.equal((await api(U, 'GET', `/api/v1/citizens/${me}`, { token: t['canbo.xa'] })).status, 200);
  assert.deepEqual(of(await alerts(), 'bulk_reads', 'canbo.xa'), []);
});

test('reads at the odd hours are flagged, once an hour per officer; a citizen reading their own record is not', async () => {
  await api(U, 'GET', '/api/v1/me', { token: t.dan });
  const list = await alerts();
  assert.equal(of(list, 'odd_hours', 'canbo.tinh').length, 1);
  assert.equal(of(list, 'odd_hours', 'canbo.xa').length, 1);
  assert.deepEqual(of(list, 'odd_hours', 'dan'), []);
  assert.match(of(list, 'odd_hours', 'canbo.xa')[0].detail, new RegExp(`at ${String(hour).padStart(2, '0')}:00 Vietnam time`));
});

test('bursts of failed sign-ins, to one account and from one address', async () => {
  const fail = (username) => api(U, 'POST', '/api/v1/auth/login', { body: { username, password: 'sai-mat-khau-roi' } });
  for (let i = 0; i < 3; i++) await fail('lanhdao');
  let list = await alerts();
  assert.equal(of(list, 'failed_logins_account', 'lanhdao').length, 1);
  assert.deepEqual(list.filter((a) => a.rule === 'failed_logins_address'), []); // three so far
  for (const u of ['a.b', 'c.d', 'e.f']) await fail(u);
  list = await alerts();
  const address = list.filter((a) => a.rule === 'failed_logins_address');
  assert.equal(address.length, 1);
  assert.match(address[0].subject, /127\.0\.0\.1/);
  assert.deepEqual(of(list, 'failed_logins_account', 'a.b'), []);
});

test('the alert list is the admins\'', async () => {
  assert.equal((await api(U, 'GET', '/api/v1/security/alerts', { token: t['canbo.tinh'] })).status, 403);
  assert.equal((await api(U, 'GET', '/api/v1/security/alerts')).status, 401);
  const r = (await api(U, 'GET', '/api/v1/security/alerts?limit=1', { token: t.quantri })).json;
  assert.equal(r.alerts.length, 1);
  assert.deepEqual(r.rules.map((x) => x.id), ['bulk_reads', 'odd_hours', 'failed_logins_account', 'failed_logins_address']);
});
