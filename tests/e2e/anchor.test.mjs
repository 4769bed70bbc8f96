// anchor.test.mjs — `trondoi audit anchor` signs the heads of the audit trail and the exchange's
// message log with the node key; `audit verify-anchor` proves later that nothing up to them was
// rewritten (and that what came after chains from them), and catches a forged anchor or an
// edited entry.
import assert from 'node:assert/strict';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import Database from './sqlite.mjs';
import { api, cli, login, startServer } from './harness.mjs';

let srv, anchorFile;
before(async () => {
  srv = await startServer();
  const dan = await login(srv.url, 'dan');
  assert.equal((await api(srv.url, 'POST', '/api/v1/dossiers', { token: dan, body: { procedure: '1.004873', fields: { purpose: 'loan' } } })).status, 201);
  anchorFile = join(srv.dir, 'anchor.json');
});
after(async () => { await srv.stop(); });

const verify = (file = anchorFile) => cli(['audit', 'verify-anchor', '--db', srv.db, file], { env: srv.env });

test('an anchor names both heads, signed; it holds now and after more entries', async () => {
  const made = cli(['audit', 'anchor', '--db', srv.db, '-o', anchorFile], { env: srv.env });
  assert.equal(made.status, 0, made.stderr);
  const a = JSON.parse(readFileSync(anchorFile, 'utf8'));
  const head = new Database(srv.db).get('SELECT seq, hash FROM audit_head WHERE id = 1');
  assert.deepEqual([a.audit.seq, a.audit.hash], [head.seq, head.hash]);
  assert.ok(a.audit.seq > 0);
  assert.match(a.signature, /^[A-Za-z0-9+/]+=*$/);
  assert.equal(verify().stdout.trim(), 'anchor holds');
  const dan = await login(srv.url, 'dan'); // more entries after the anchor
  assert.equal((await api(srv.url, 'POST', '/api/v1/dossiers', { token: dan, body: { procedure: '1.004873', fields: { purpose: 'other' } } })).status, 201);
  const again = verify();
  assert.equal(again.status, 0, again.stdout + again.stderr);
});

test('a forged anchor is refused', () => {
  const a = JSON.parse(readFileSync(anchorFile, 'utf8'));
  a.audit.seq -= 1;
  const forged = join(srv.dir, 'forged.json');
  writeFileSync(forged, JSON.stringify(a));
  const r = verify(forged);
  assert.equal(r.status, 1);
  assert.match(r.stdout, /signature is not the node's/);
});

test('an entry rewritten before the anchor is caught', () => {
  new Database(srv.db).run("UPDATE audit_log SET detail = '{\"from\":0,\"to\":9}' WHERE seq = 1");
  const r = verify();
  assert.equal(r.status, 1);
  assert.match(r.stdout, /^anchor broken: the audit trail is broken at entry 1/);
});

test('without the node key nothing can be anchored', () => {
  const key = srv.env.TRONDOI_NODE_KEY ?? `${srv.db}.node-key`;
  renameSync(key, `${key}.away`);
  const r = cli(['audit', 'anchor', '--db', srv.db], { env: srv.env });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /key file is missing/);
  renameSync(`${key}.away`, key);
});
