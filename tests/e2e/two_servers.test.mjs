// two_servers.test.mjs — two `trondoi serve` processes on one database behave as one system, as
// behind a load balancer: submissions through either get codes unique and gap-free per unit and
// day, each sees the other's, and the bank's payment notice sent to both at once is applied once.
// Runs on both engines: two processes on one SQLite file, or on one PostgreSQL database
// (TRONDOI_TEST_PG), where db_begin's advisory lock is what keeps the writers in turn.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, test } from 'node:test';
import { api, login, startServer, upload } from './harness.mjs';

const SECRET = 'bank-secret-of-two-servers';
let a, b;
const t = {};
before(async () => {
  a = await startServer({ env: { TRONDOI_PAYMENT_SECRET: SECRET } });
  b = await startServer({ dir: a.dir, init: false, env: { TRONDOI_PAYMENT_SECRET: SECRET } });
  for (const u of ['dan', 'canbo.xa']) t[u] = await login(a.url, u); // a sign-in on one holds on the other
});
after(async () => {
  const rb = await b.stop({ keep: true });
  const ra = await a.stop();
  assert.equal(rb.code, 0, rb.stderr.slice(-2000));
  assert.equal(ra.code, 0, ra.stderr.slice(-2000));
});

const submit = (srv) => api(srv.url, 'POST', '/api/v1/dossiers', { token: t.dan, body: { procedure: '1.004873', fields: { purpose: 'loan' } } });

test('submissions through both servers at once: every code once, the day\'s numbers 1..N', async () => {
  const PER_WORKER = 5;
  const workers = Array.from({ length: 8 }, async (_, w) => {
    const codes = [];
    for (let i = 0; i < PER_WORKER; i++) {
      const r = await submit((w + i) % 2 ? b : a);
      assert.equal(r.status, 201, r.text);
      codes.push(r.json.code);
    }
    return codes;
  });
  const codes = (await Promise.all(workers)).flat();
  assert.equal(new Set(codes).size, 40);
  const numbers = codes.map((c) => Number(c.slice(-4))).sort((x, y) => x - y);
  assert.deepEqual(numbers, Array.from({ length: 40 }, (_, i) => i + 1));
  for (const srv of [a, b]) {
    const mine = (await api(srv.url, 'GET', '/api/v1/me/dossiers', { token: t.dan })).json.dossiers.map((d) => d.code);
    assert.deepEqual(mine.sort(), [...codes].sort());
  }
});

test('the same payment notice posted to both servers at once is recorded once', async () => {
  const code = (await submit(a)).json.code;
  assert.equal((await upload(b.url, t.dan, code, 'marital_status_request_form')).status, 201);
  const move = (srv, to) => api(srv.url, 'POST', `/api/v1/dossiers/${code}/transitions`, { token: t['canbo.xa'], body: { to } });
  assert.equal((await move(a, 2)).status, 200);
  assert.equal((await move(b, 6)).status, 200); // fees due
  const fee = (await api(a.url, 'GET', `/api/v1/dossiers/${code}/payment`, { token: t.dan })).json.amount;
  const raw = JSON.stringify({ transaction_id: `FT2S${Date.now()}`, reference: code, amount: fee, paid_at: new Date().toISOString() });
  const headers = { 'content-type': 'application/json', 'x-signature': createHmac('sha256', SECRET).update(raw).digest('hex') };
  const answers = await Promise.all([a, b].map((srv) => api(srv.url, 'POST', '/api/v1/payments/notify', { raw, headers })));
  assert.deepEqual(answers.map((r) => r.status), [200, 200]);
  assert.deepEqual(answers.map((r) => r.json.status).sort(), ['duplicate', 'recorded']);
  for (const srv of [a, b]) {
    const d = (await api(srv.url, 'GET', `/api/v1/dossiers/${code}`, { token: t.dan })).json;
    assert.equal(d.status, 4); // the dossier waiting for its fee went on, once
    assert.equal(d.timeline.filter((e) => e.by === 'payment').length, 1);
  }
});
