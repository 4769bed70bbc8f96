// migrate.test.mjs — `trondoi migrate --from sqlite:PATH --to postgresql://…` moves a province
// from the embedded default to PostgreSQL: every table, the counts checked, the chains verified;
// the moved database serves the same people. Runs in the PostgreSQL pass of `make test`.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { PG } from './sqlite.mjs';
import { api, BIN, cli, login, startServer, tempDir, testDatabase } from './harness.mjs';

const NEEDS = PG ? false : 'needs the PostgreSQL cluster of make test (TRONDOI_TEST_PG)';
let source, target, targetDir, srv;
before(() => {
  if (!PG) return;
  const dir = tempDir();
  source = join(dir, 'trondoi.db'); // a SQLite province, whatever engine the other tests use
  execFileSync(BIN, ['init', '--db', `sqlite:${source}`, '--demo'], { stdio: 'pipe' });
  targetDir = tempDir();
  target = testDatabase(targetDir, { create: true });
});
after(async () => { if (srv) await srv.stop(); });

test('a SQLite province moves to PostgreSQL whole, and serves the same people', { skip: NEEDS }, async () => {
  const r = cli(['migrate', '--from', `sqlite:${source}`, '--to', target]);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^moved \d+ tables, \d+ rows; the counts agree and the chains verify/);
  srv = await startServer({ dir: targetDir, init: false, env: { TRONDOI_NODE_KEY: `${source}.node-key`, TRONDOI_DATA_KEY: `${source}.data-key` } });
  const dan = await login(srv.url, 'dan');
  const me = await api(srv.url, 'GET', '/api/v1/me', { token: dan });
  assert.equal(me.status, 200);
  const id = execFileSync('sqlite3', [source, "SELECT citizen_id FROM users WHERE username = 'dan'"], { encoding: 'utf8' }).trim();
  assert.equal(me.json.id, id); // the same citizen, with the record the SQLite province held
  const verified = cli(['audit', 'verify', '--db', target]);
  assert.equal(verified.status, 0, verified.stdout);
});

test('a target that holds accounts already is refused; the engines must be SQLite to PostgreSQL', { skip: NEEDS }, () => {
  const again = cli(['migrate', '--from', `sqlite:${source}`, '--to', target]);
  assert.equal(again.status, 1);
  assert.match(again.stderr, /already holds accounts/);
  assert.equal(cli(['migrate', '--from', target, '--to', target]).status, 2);
});
