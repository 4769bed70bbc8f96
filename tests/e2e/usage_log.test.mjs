// usage_log.test.mjs — the data-usage log under load: every answered staff read has its entry,
// also when the server is stopped while reads are in flight.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import Database from './sqlite.mjs';
import { api, dropDatabase, login, startServer } from './harness.mjs';

test('many concurrent officer reads: each answered read has exactly one durable entry', async () => {
  const srv = await startServer();
  try {
    const U = srv.url;
    const dan = (await api(U, 'GET', '/api/v1/auth/session', { token: await login(U, 'dan') })).json.citizen_id;
    const officers = await Promise.all(['canbo.xa', 'canbo.tinh', 'congan.tinh'].map((u) => login(U, u)));
    const stamp = String(Date.now());
    const N = 300;
    const results = await Promise.all(Array.from({ length: N }, (_, i) =>
      api(U, 'GET', `/api/v1/citizens/${dan}?purpose=load-${stamp}-${i}`, { token: officers[i % 3] })));
    assert.ok(results.every((r) => r.status === 200), results.map((r) => r.status).join(','));
    const log = await api(U, 'GET', '/api/v1/me/data-usage?limit=500', { token: await login(U, 'dan') });
    const mine = log.json.entries.filter((e) => e.purpose.startsWith(`load-${stamp}-`));
    assert.equal(mine.length, N);
    assert.equal(new Set(mine.map((e) => e.purpose)).size, N);
  } finally {
    const r = await srv.stop();
    assert.equal(r.code, 0, r.stderr.slice(-2000));
  }
});

test('stopping the server while reads are in flight loses no acknowledged entry', async () => {
  const srv = await startServer();
  const U = srv.url;
  const dan = (await api(U, 'GET', '/api/v1/auth/session', { token: await login(U, 'dan') })).json.citizen_id;
  const t = await login(U, 'canbo.tinh');
  const answered = [];
  const reads = Array.from({ length: 200 }, (_, i) =>
    api(U, 'GET', `/api/v1/citizens/${dan}?purpose=stop-${i}`, { token: t })
      .then((r) => { if (r.status === 200) answered.push(`stop-${i}`); })
      .catch(() => {}));
  await new Promise((ok) => setTimeout(ok, 30));
  srv.proc.kill('SIGTERM');
  await Promise.all(reads);
  const r = await srv.stop({ keep: true });
  assert.equal(r.code, 0, r.stderr.slice(-2000));
  const db = new Database(srv.db);
  const logged = new Set(db.all("SELECT purpose FROM data_usage WHERE purpose LIKE 'stop-%'").map((x) => x.purpose));
  const lost = answered.filter((p) => !logged.has(p));
  assert.deepEqual(lost, []);
  dropDatabase(srv.dir);
  (await import('node:fs')).rmSync(srv.dir, { recursive: true, force: true });
});
