// portal.test.mjs — status changes reach the National Public Service Portal through the outbox:
// in order, retried until acknowledged, with one idempotency key per change.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { test } from 'node:test';
import { api, freePort, login, startServer, upload } from './harness.mjs';

test('every status change is published once, retried after a failure, with the delay recorded', async () => {
  const seen = []; // [key, body, answered status]
  let failNext = true;
  const port = await freePort();
  const sink = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const status = failNext ? 503 : 200; // the portal is down for the first call
      failNext = false;
      seen.push([req.headers['idempotency-key'], JSON.parse(body), status]);
      res.writeHead(status).end();
    });
  });
  await new Promise((ok) => sink.listen(port, '127.0.0.1', ok));
  const srv = await startServer({ env: { TRONDOI_PORTAL_URL: `http://127.0.0.1:${port}/sync` } });
  try {
    const U = srv.url;
    const dan = await login(U, 'dan'), officer = await login(U, 'canbo.xa');
    const code = (await api(U, 'POST', '/api/v1/dossiers', { token: dan, body: { procedure: '1.004873', fields: { purpose: 'loan' } } })).json.code;
    await upload(U, dan, code, 'marital_status_request_form');
    assert.equal((await api(U, 'POST', `/api/v1/dossiers/${code}/transitions`, { token: officer, body: { to: 2 } })).status, 200);
    let portal;
    for (let i = 0; i < 100; i++) { // the first failure backs off a second or two
      portal = (await api(U, 'GET', `/api/v1/dossiers/${code}`, { token: dan })).json.portal;
      if (portal.length === 2 && portal.every((p) => p.acked_at)) break;
      await new Promise((ok) => setTimeout(ok, 100));
    }
    assert.deepEqual(portal.map((p) => p.to), [1, 2]);
    assert.ok(portal.every((p) => p.acked_at && p.delay_ms >= 0), JSON.stringify(portal));
    assert.equal(portal[0].attempts, 2);
    const mine = seen.filter(([, b]) => b.code === code);
    const acked = mine.filter(([, , s]) => s === 200);
    assert.deepEqual(acked.map(([, b]) => b.to), [1, 2]); // in order
    assert.equal(new Set(acked.map(([k]) => k)).size, 2); // each change once
    assert.equal(mine[0][0], mine[1][0]); // the retry carried the same key
    assert.deepEqual(acked.map(([k]) => k), portal.map((p) => p.id));
  } finally {
    const r = await srv.stop();
    sink.close();
    assert.equal(r.code, 0, r.stderr.slice(-2000));
  }
});

test('changes made while no portal was set are sent once it is, each once, and not again after a restart', async () => {
  const seen = [];
  const port = await freePort();
  const sink = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      seen.push([req.headers['idempotency-key'], JSON.parse(body)]);
      res.writeHead(200).end();
    });
  });
  await new Promise((ok) => sink.listen(port, '127.0.0.1', ok));
  const portal = { TRONDOI_PORTAL_URL: `http://127.0.0.1:${port}/sync` };
  let srv = await startServer(); // no portal yet
  const dir = srv.dir;
  try {
    const U = srv.url;
    const dan = await login(U, 'dan');
    const code = (await api(U, 'POST', '/api/v1/dossiers', { token: dan, body: { procedure: '1.004873', fields: { purpose: 'loan' } } })).json.code;
    let mine = (await api(U, 'GET', `/api/v1/dossiers/${code}`, { token: dan })).json.portal;
    assert.deepEqual(mine.map((p) => [p.id, p.to, p.acked_at, p.attempts]), [[`${code}.1`, 1, null, 0]]); // waiting, named by code and place
    assert.equal((await srv.stop({ keep: true })).code, 0);

    srv = await startServer({ dir, init: false, env: portal });
    for (let i = 0; i < 100 && !seen.some(([, b]) => b.code === code); i++) await new Promise((ok) => setTimeout(ok, 100));
    const token = await login(srv.url, 'dan'); // and a change made now follows it
    const next = (await api(srv.url, 'POST', '/api/v1/dossiers', { token, body: { procedure: '1.004873', fields: { purpose: 'loan' } } })).json.code;
    for (let i = 0; i < 100 && !seen.some(([, b]) => b.code === next); i++) await new Promise((ok) => setTimeout(ok, 100));
    assert.equal((await srv.stop({ keep: true })).code, 0);

    srv = await startServer({ dir, init: false, env: portal });
    await new Promise((ok) => setTimeout(ok, 1500)); // a round or three of the sender
    mine = (await api(srv.url, 'GET', `/api/v1/dossiers/${code}`, { token: await login(srv.url, 'dan') })).json.portal;
    assert.ok(mine.every((p) => p.acked_at && p.attempts === 1), JSON.stringify(mine));
    const sent = seen.filter(([, b]) => b.code === code);
    assert.deepEqual(sent.map(([k]) => k), mine.map((p) => p.id)); // each change once
    assert.deepEqual(sent.map(([k, b]) => k === b.id), sent.map(() => true));
    assert.deepEqual(seen.map(([k]) => k), [`${code}.1`, `${next}.1`]); // in order, none again after the restart
  } finally {
    const r = await srv.stop();
    sink.close();
    assert.equal(r.code, 0, r.stderr.slice(-2000));
  }
});
