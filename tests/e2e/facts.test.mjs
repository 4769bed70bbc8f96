// facts.test.mjs — a new dossier is counted in the index at once, in the transaction that files
// it (a group commit's new dossiers added up in one write), without being read back: what it
// counts must be what reading it back would count.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import Database from './sqlite.mjs';
import { api, login, startServer } from './harness.mjs';

let srv, U, commune;
const t = {};
before(async () => {
  srv = await startServer();
  U = srv.url;
  for (const u of ['dan', 'canbo.xa', 'lanhdao.xa']) t[u] = await login(U, u);
  commune = (await api(U, 'GET', '/api/v1/me', { token: t.dan })).json.attributes.permanent_address.value.unit;
});
after(async () => { const r = await srv.stop(); assert.equal(r.code, 0, r.stderr.slice(-2000)); });

const FACT = { online: 1, direct: 2, synced: 4, content: 512, fee: 1024 };
const snapshot = (db, codes) => ({
  facts: codes.map((c) => db.get('SELECT code, procedure_code, unit, status, received_at, finished_at, due_at, flags FROM report_facts WHERE code = ?', c)),
  counts: db.all('SELECT * FROM report_counts ORDER BY half, unit, procedure_code'),
});

test('a new dossier is counted as filed, and reading it back again changes nothing', async () => {
  const online = await api(U, 'POST', '/api/v1/dossiers', { token: t.dan, body: { procedure: '1.004873', fields: { purpose: 'loan' } } });
  const desk = await api(U, 'POST', '/api/v1/dossiers', { token: t['canbo.xa'], body: { procedure: '1.004873', applicant: online.json.applicant, fields: { purpose: 'other' } } });
  assert.equal(online.status, 201, online.text);
  assert.equal(desk.status, 201, desk.text);
  const codes = [online.json.code, desk.json.code];
  const db = new Database(srv.db);
  const before = snapshot(db, codes);
  // counted in the filing transaction: online / at the desk, the procedure's fee, not yet synced
  assert.deepEqual(before.facts.map((f) => [f.status, f.flags]), [
    [1, FACT.online | FACT.content | FACT.fee],
    [1, FACT.direct | FACT.content | FACT.fee],
  ]);
  const received = before.counts.filter((c) => c.unit === commune && c.procedure_code === '1.004873').reduce((n, c) => n + c.received, 0);
  assert.equal(received, 2);
  // read both back as a change would have them read; the index's sync must find nothing to move
  for (const c of codes) db.run('INSERT INTO report_dirty (code) VALUES (?) ON CONFLICT DO NOTHING', c);
  const month = new Date(Date.now() + 7 * 3600e3).toISOString().slice(0, 7);
  const r = await api(U, 'GET', `/api/v1/reports/766?unit=${commune}&period=${month}&cut=calendar`, { token: t['lanhdao.xa'] });
  assert.equal(r.status, 200, r.text);
  assert.equal(db.get('SELECT COUNT(*) AS n FROM report_dirty').n, 0);
  assert.deepEqual(snapshot(db, codes), before);
});

test('many dossiers filed at once are each counted once, in the batches that commit them', async () => {
  const db = new Database(srv.db);
  const received = () => db.get("SELECT COALESCE(SUM(received), 0) AS n, COALESCE(SUM(received_online), 0) AS online FROM report_counts WHERE procedure_code = '1.004873'");
  const was = received();
  const N = 40;
  const answers = await Promise.all(Array.from({ length: N }, (_, i) =>
    api(U, 'POST', '/api/v1/dossiers', { token: t.dan, body: { procedure: '1.004873', fields: { purpose: i % 2 ? 'loan' : 'other' } } })));
  assert.deepEqual(answers.map((a) => a.status), Array(N).fill(201));
  assert.equal(new Set(answers.map((a) => a.json.code)).size, N);
  const now = received();
  assert.equal(now.n - was.n, N);
  assert.equal(now.online - was.online, N);
  const codes = answers.map((a) => a.json.code);
  const before = snapshot(db, codes);
  for (const c of codes) db.run('INSERT INTO report_dirty (code) VALUES (?) ON CONFLICT DO NOTHING', c);
  const month = new Date(Date.now() + 7 * 3600e3).toISOString().slice(0, 7);
  assert.equal((await api(U, 'GET', `/api/v1/reports/766?unit=${commune}&period=${month}&cut=calendar`, { token: t['lanhdao.xa'] })).status, 200);
  assert.deepEqual(snapshot(db, codes), before);
});
