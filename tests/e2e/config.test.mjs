// config.test.mjs — `trondoi serve --config FILE`: settings as "name = value" lines (every serve
// option, and TRONDOI_* environment settings); the command line and the environment win; a
// wrong line is named.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { api, BIN, cli, dropDatabase, freePort, nodeEnv, PASSWORD, tempDir, testDatabase } from './harness.mjs';

const dir = tempDir();
const db = testDatabase(dir, { create: true });
execFileSync(BIN, ['init', '--db', db, '--demo'], { stdio: 'pipe', env: { ...process.env, ...nodeEnv(dir) } });
const running = [];
after(async () => {
  for (const p of running) {
    p.kill('SIGTERM');
    await new Promise((ok) => (p.exitCode === null ? p.on('exit', ok) : ok()));
  }
  dropDatabase(dir);
  rmSync(dir, { recursive: true, force: true });
});

async function serve(args) {
  const p = spawn(BIN, ['serve', ...args], { stdio: 'ignore', env: { ...process.env, ...nodeEnv(dir) } });
  running.push(p);
  return p;
}
async function up(port) {
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) return true;
    } catch { await new Promise((ok) => setTimeout(ok, 50)); }
  }
  return false;
}

test('the configuration file sets the options; a sign-in lasts the minutes it says', async () => {
  const port = await freePort();
  const conf = join(dir, 'trondoi.conf');
  writeFileSync(conf, `# trondoi for the test\ndb = ${db}\nport = ${port}   # a free one\ntoken-ttl = 2\nfiles = ${join(dir, 'files')}\nTRONDOI_SMTP_FROM = motcua@ninhbinh.gov.vn\n`);
  await serve(['--config', conf]);
  assert.ok(await up(port), 'listening on the configured port');
  const r = await api(`http://127.0.0.1:${port}`, 'POST', '/api/v1/auth/login', { body: { username: 'dan', password: PASSWORD } });
  assert.equal(r.status, 200);
  const minutes = (Date.parse(r.json.expires_at) - Date.now()) / 60000;
  assert.ok(minutes > 1.5 && minutes <= 2, String(minutes));
});

test('the command line wins over the file', async () => {
  const [inFile, onLine] = [await freePort(), await freePort()];
  const conf = join(dir, 'other.conf');
  writeFileSync(conf, `db = ${db}\nport = ${inFile}\nfiles = ${join(dir, 'files')}\n`);
  await serve(['--config', conf, '--port', String(onLine)]);
  assert.ok(await up(onLine));
});

test('a wrong line is named, and nothing starts', () => {
  const conf = join(dir, 'bad.conf');
  writeFileSync(conf, `db = ${db}\n\nprot = 8080\n`);
  const r = cli(['serve', '--config', conf]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /bad\.conf line 3: no such setting/);
  writeFileSync(conf, 'port 8080\n');
  assert.match(cli(['serve', '--config', conf]).stderr, /line 1: write it as name = value/);
  assert.match(cli(['serve', '--config', join(dir, 'missing.conf')]).stderr, /cannot read the configuration/);
});
