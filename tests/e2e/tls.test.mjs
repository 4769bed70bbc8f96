// tls.test.mjs — HTTPS when a certificate is configured (libmicrohttpd with GnuTLS): the API and
// the pages answer over TLS only, with HSTS among the security headers; a half-configured server
// refuses to start. The certificate is made for the test with openssl.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { request as plainRequest } from 'node:http';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { BIN, cli, freePort, PASSWORD, tempDir } from './harness.mjs';

let dir, port, proc, ca;

function get(path, { method = 'GET', body, token } = {}) {
  return new Promise((ok, fail) => {
    const rq = request({ host: '127.0.0.1', port, path, method, ca, headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) } }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => ok({ status: res.statusCode, headers: res.headers, text }));
    });
    rq.on('error', fail);
    rq.end(body ? JSON.stringify(body) : undefined);
  });
}

before(async () => {
  dir = tempDir();
  const db = join(dir, 'trondoi.db');
  execFileSync(BIN, ['init', '--db', db, '--demo'], { stdio: 'pipe' });
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'pipe' });
  execFileSync('chmod', ['600', join(dir, 'key.pem')]);
  ca = readFileSync(join(dir, 'cert.pem'));
  port = await freePort();
  proc = spawn(BIN, ['serve', '--db', db, '--port', String(port), '--tls-cert', join(dir, 'cert.pem'), '--tls-key', join(dir, 'key.pem')], { stdio: 'ignore' });
  for (let i = 0; i < 200; i++) {
    try {
      if ((await get('/healthz')).status === 200) break;
    } catch {
      await new Promise((ok) => setTimeout(ok, 50));
    }
  }
});
after(async () => {
  proc.kill('SIGTERM');
  await new Promise((ok) => proc.on('exit', ok));
  rmSync(dir, { recursive: true, force: true });
});

test('the API answers over HTTPS, with HSTS and the other security headers', async () => {
  const health = await get('/healthz');
  assert.equal(health.status, 200);
  assert.match(health.headers['strict-transport-security'], /max-age=\d+/);
  assert.equal(health.headers['x-content-type-options'], 'nosniff');
  const login = await get('/api/v1/auth/login', { method: 'POST', body: { username: 'dan', password: PASSWORD } });
  assert.equal(login.status, 200, login.text);
  const me = await get('/api/v1/me', { token: JSON.parse(login.text).token });
  assert.equal(me.status, 200);
  const page = await get('/index.html');
  assert.equal(page.status, 200);
  assert.match(page.headers['strict-transport-security'], /max-age/);
});

test('plain HTTP to the TLS port gets no answer', async () => {
  const answered = await new Promise((ok) => {
    const rq = plainRequest({ host: '127.0.0.1', port, path: '/healthz', timeout: 3000 }, (res) => ok(res.statusCode));
    rq.on('error', () => ok(null));
    rq.on('timeout', () => { rq.destroy(); ok(null); });
    rq.end();
  });
  assert.notEqual(answered, 200);
});

test('a certificate without its key (or the reverse) is refused at start', () => {
  const r = cli(['serve', '--db', join(dir, 'trondoi.db'), '--port', '1', '--tls-cert', join(dir, 'cert.pem')]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--tls-cert and --tls-key/);
});
