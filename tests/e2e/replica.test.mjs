// replica.test.mjs — read scaling: `serve --db PRIMARY --db-replica REPLICA` (docs/postgresql.md,
// "Read replica"). A hot standby of the test cluster is made here (tests/pg.sh pg_replica_start:
// pg_basebackup -R on another free port) and removed afterwards. It shows that GET routes read
// from the replica (a change made on the primary behind the server's back is not seen while the
// replica's replay is paused), that a write through the API is read back at once and from the
// replica only once it has replayed it, and that a stopped replica leaves reads to the primary.
// PostgreSQL only (TRONDOI_TEST_PG, the PostgreSQL pass of make test); with SQLite the option is
// refused, which is checked on every pass.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { after, before, test } from 'node:test';
import Database, { PG } from './sqlite.mjs';
import { api, cli, login, ROOT, startServer, tempDir } from './harness.mjs';

const NEEDS = PG ? false : 'needs the PostgreSQL cluster of make test (TRONDOI_TEST_PG)';
const P = '1.004873';
const pgsh = (script, ...args) => execFileSync('bash', ['-c', `. tests/pg.sh && ${script}`, '_', ...args], { cwd: ROOT, encoding: 'utf8' });
let srv, U, primary, replica, replicaDir, officer;

before(async () => {
  if (!PG) return;
  const dir = tempDir();
  const [port, rdir] = pgsh('pg_replica_start "$1"', PG).trim().split(' ');
  replicaDir = rdir;
  const replicaUrl = `${PG.replace(/:\d+$/, `:${port}`)}/${basename(dir)}`;
  // set in the configuration file, as an operator would; others' writes may be 300 s stale, so
  // that a change made behind the server's back stays unseen for the length of the test
  const conf = join(dir, 'replica.conf');
  writeFileSync(conf, `# the read replica\ndb-replica = ${replicaUrl}\ndb-replica-lag = 300\n`);
  srv = await startServer({ dir, args: ['--config', conf] });
  U = srv.url;
  primary = new Database(srv.db);
  replica = new Database(replicaUrl);
  officer = await login(U, 'canbo.tinh');
});
after(async () => {
  if (srv) {
    const r = await srv.stop();
    assert.equal(r.code, 0, r.stderr.slice(-2000));
  }
  if (replicaDir) pgsh('pg_replica_stop "$1"', replicaDir);
});

/** The replica's figures of /metrics (a route that reads the primary only). */
async function figures() {
  const text = (await api(U, 'GET', '/metrics')).text;
  const n = (label) => Number(text.match(new RegExp(`^trondoi_db_(?:reads|replica_fallbacks)_total\\{${label}\\} (\\d+)$`, 'm'))?.[1]);
  return { replica: n('server="replica"'), behind: n('reason="behind"'), unavailable: n('reason="unavailable"'), failed: n('reason="failed"') };
}

/** The public list of the procedure's announcements, and how many of its reads each way went. */
async function read() {
  const was = await figures();
  const r = await api(U, 'GET', `/api/v1/procedures/${P}/announcements`);
  const now = await figures();
  assert.equal(r.status, 200, r.text);
  const d = Object.fromEntries(Object.keys(now).map((k) => [k, now[k] - was[k]]));
  return { decisions: r.json.announcements.map((a) => a.decision), ...d };
}

async function until(what, ms = 30000) {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((ok) => setTimeout(ok, 100))) {
    const v = await what();
    if (v) return v;
  }
  throw new Error(`not within ${ms} ms`);
}

const announce = (decision, signed) =>
  api(U, 'POST', `/api/v1/procedures/${P}/announcements`, { token: officer, body: { decision, signed_on: signed, effective_on: '2026-06-30' } });

let first;
test('GET routes read from the replica: a change made on the primary behind its back is not seen while replay is paused', { skip: NEEDS }, async () => {
  first = await announce('601/QĐ-UBND', '2026-06-01');
  assert.equal(first.status, 201, first.text);
  // once the replica has replayed the write, the list is read there and holds it
  const caught = await until(async () => { const r = await read(); return r.replica > 0 && r; });
  assert.deepEqual(caught.decisions, ['601/QĐ-UBND']);
  replica.run('SELECT pg_wal_replay_pause()');
  await until(() => replica.get('SELECT pg_get_wal_replay_pause_state() AS s').s === 'paused', 10000);
  primary.run('UPDATE procedure_announcements SET decision = ? WHERE id = ?', '601/QĐ-UBND (sửa)', first.json.id);
  assert.equal(primary.get('SELECT decision FROM procedure_announcements WHERE id = ?', first.json.id).decision, '601/QĐ-UBND (sửa)');
  const r = await read();
  assert.deepEqual(r.decisions, ['601/QĐ-UBND']); // only the paused replica still says so
  assert.ok(r.replica >= 1, JSON.stringify(r));
  assert.deepEqual([r.behind, r.unavailable, r.failed], [0, 0, 0]);
});

test('a write through the API is read back at once from the primary, then from the replica once it has replayed it', { skip: NEEDS }, async () => {
  const second = await announce('602/QĐ-UBND', '2026-06-02');
  assert.equal(second.status, 201, second.text);
  const now = await read(); // the replica has not replayed this server's write: the primary answers
  assert.deepEqual(now.decisions, ['602/QĐ-UBND', '601/QĐ-UBND (sửa)']);
  assert.equal(now.replica, 0);
  assert.ok(now.behind >= 1, JSON.stringify(now));
  replica.run('SELECT pg_wal_replay_resume()');
  const resumed = Date.now();
  const caught = await until(async () => { const r = await read(); return r.replica > 0 && r; }, 10000);
  // the first read the replica serves already holds the write (and the change made behind its back)
  assert.deepEqual(caught.decisions, ['602/QĐ-UBND', '601/QĐ-UBND (sửa)']);
  assert.ok(Date.now() - resumed < 10000);
});

test('with the replica stopped, reads go to the primary and answer the same', { skip: NEEDS }, async () => {
  pgsh('pg_replica_stop "$1"', replicaDir);
  replicaDir = null;
  for (let i = 0; i < 3; i++) {
    const r = await read();
    assert.deepEqual(r.decisions, ['602/QĐ-UBND', '601/QĐ-UBND (sửa)']);
    assert.equal(r.replica, 0);
    assert.ok(r.unavailable + r.failed >= 1, JSON.stringify(r));
  }
  assert.match(srv.stderr, /"event":"db_replica","msg":"(lost the replica|the replica is unavailable), reads go to the primary/);
});

test('--db-replica needs PostgreSQL: with SQLite it is refused, in English and Vietnamese', () => {
  const dir = tempDir();
  const db = join(dir, 'trondoi.db');
  const url = 'postgresql://trondoi@127.0.0.1:9/trondoi';
  const refused = (r) => {
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /--db-replica needs PostgreSQL: both --db and --db-replica must be postgresql:\/\/ URLs/);
    assert.match(r.stderr, /--db-replica cần PostgreSQL/);
  };
  refused(cli(['serve', '--db', db, '--db-replica', url]));
  const conf = join(dir, 'trondoi.conf');
  writeFileSync(conf, `db = ${db}\ndb-replica = ${url}\n`);
  refused(cli(['serve', '--config', conf]));
  const lag = cli(['serve', '--db', 'postgresql://trondoi@127.0.0.1:9/x', '--db-replica', url, '--db-replica-lag', '3601']);
  assert.equal(lag.status, 2);
  assert.match(lag.stderr, /--db-replica-lag 0-3600 seconds/);
  rmSync(dir, { recursive: true, force: true });
});
