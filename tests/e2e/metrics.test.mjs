// metrics.test.mjs — GET /metrics in Prometheus's text format: requests by route and status, the
// latency histogram, dossiers by status and the queues, as a scraper on the same machine sees them.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { api, login, startServer } from './harness.mjs';

let srv, U;
before(async () => {
  srv = await startServer();
  U = srv.url;
});
after(async () => { const r = await srv.stop(); assert.equal(r.code, 0, r.stderr.slice(-2000)); });

const scrape = async () => {
  const r = await fetch(`${U}/metrics`);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
  return r.text();
};
const value = (text, series) => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

test('requests are counted by route and status, with their durations', async () => {
  const dan = await login(U, 'dan');
  for (let i = 0; i < 3; i++) assert.equal((await api(U, 'GET', '/api/v1/me', { token: dan })).status, 200);
  assert.equal((await api(U, 'GET', '/api/v1/me')).status, 401);
  assert.equal((await api(U, 'GET', '/api/v1/no-such-thing')).status, 404);
  const text = await scrape();
  assert.equal(value(text, 'trondoi_requests_total{method="GET",route="/api/v1/me",status="200"}'), 3);
  assert.equal(value(text, 'trondoi_requests_total{method="GET",route="/api/v1/me",status="401"}'), 1);
  assert.equal(value(text, 'trondoi_requests_total{method="POST",route="/api/v1/auth/login",status="200"}'), 1);
  assert.ok(value(text, 'trondoi_requests_total{method="",route="other",status="404"}') >= 1);
  const count = value(text, 'trondoi_request_duration_seconds_count');
  assert.ok(count >= 6, text);
  assert.equal(value(text, 'trondoi_request_duration_seconds_bucket{le="+Inf"}'), count);
  assert.match(text, /^# TYPE trondoi_request_duration_seconds histogram$/m);
});

test('dossiers by status and the queues', async () => {
  const dan = await login(U, 'dan');
  const before = await scrape();
  assert.equal((await api(U, 'POST', '/api/v1/dossiers', { token: dan, body: { procedure: '1.004873', fields: { purpose: 'loan' } } })).status, 201);
  const after = await scrape();
  assert.equal(value(after, 'trondoi_dossiers{status="1"}'), (value(before, 'trondoi_dossiers{status="1"}') ?? 0) + 1);
  for (const q of ['portal_outbox', 'report_counters', 'report_sends', 'staff_messages', 'group_commit'])
    assert.ok(value(after, `trondoi_queue_length{queue="${q}"}`) >= 0, q);
  assert.ok(value(after, 'trondoi_db_connections') >= 1);
  assert.equal(value(after, 'trondoi_threads'), 4);
});

test('the group-commit writer counts its batches and the jobs in them', async () => {
  const dan = await login(U, 'dan');
  const series = ['trondoi_group_commit_batches_total', 'trondoi_group_commit_jobs_total'];
  const before = await scrape();
  const sent = await Promise.all(Array.from({ length: 12 }, () =>
    api(U, 'POST', '/api/v1/dossiers', { token: dan, body: { procedure: '1.004873', fields: { purpose: 'loan' } } })));
  assert.deepEqual(sent.map((r) => r.status), Array(12).fill(201));
  const after = await scrape();
  const [batches, jobs] = series.map((s) => value(after, s) - value(before, s));
  assert.equal(jobs, 12); /* each submission is one job, and nothing else wrote meanwhile */
  assert.ok(batches >= 1 && batches <= 12, `${batches} batches`);
});
