// report_up.test.mjs — reporting up: each published version of a period's figures reaches the
// Government reporting system (a fake one here, in node) as a JSON document signed with the
// node's Ed25519 key (the exchange's, VN/GOV/37). The server starts without its node key file:
// the first version waits, queued and unsigned, and nothing goes out until the file is back. Then
// the receiver is down (503): the version is shown as failed and sent again with the same bytes,
// signature and idempotency key; a later version (after a late rating) waits for the earlier one,
// then goes too, naming the version it corrects. The receiver checks every signature against the
// node's public key (as GET /exchange/services shows it) and accepts each key once.
import assert from 'node:assert/strict';
import { createPublicKey, verify } from 'node:crypto';
import { renameSync } from 'node:fs';
import { createServer } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { api, cli, finishedDossier, freePort, login, nodeEnv, receivedAt, startServer, tempDir, testDatabase } from './harness.mjs';

const PERIOD = '2026-09'; // calendar cut: September 2026, long ended
const TOKEN = 'gov-reporting-token';
const NODE = 'VN/GOV/37';

let srv, U, sink, commune, keyFile, node;
const t = {};

/* The Government reporting system: answers 503 while down; else checks the bearer token and the
 * signature (with the node's public key, which it knows from the node's registration: here, as
 * GET /api/v1/exchange/services shows it to an admin), accepts each idempotency key once with a
 * receipt, and answers a repeat with the same receipt. */
const gov = { down: true, calls: [], accepted: new Map(), repeats: 0 };

const keyObject = (b64) => createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(b64, 'base64').toString('base64url') }, format: 'jwk' });
const publicKey = () => keyObject(node.public_key);

async function receive(req, res) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  const call = {
    key: req.headers['idempotency-key'], keyId: req.headers['x-trondoi-key-id'], signature: req.headers['x-trondoi-signature'],
    auth: req.headers.authorization, type: req.headers['content-type'], bytes: Buffer.concat(chunks),
  };
  gov.calls.push(call);
  const answer = (status, body) => { call.status = status; res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body)); };
  if (gov.down) return answer(503, { error: 'maintenance' });
  if (call.auth !== `Bearer ${TOKEN}`) return answer(401, { error: 'token' });
  if (call.keyId !== `node:${node.id}`) return answer(400, { error: 'unknown key' });
  call.verified = verify(null, call.bytes, publicKey(), Buffer.from(call.signature, 'base64'));
  if (!call.verified) return answer(400, { error: 'signature' });
  const seen = gov.accepted.get(call.key);
  if (seen) { gov.repeats++; return answer(200, { receipt: seen.receipt }); }
  const receipt = `BC-${String(gov.accepted.size + 1).padStart(6, '0')}`;
  gov.accepted.set(call.key, { receipt, doc: JSON.parse(call.bytes), bytes: call.bytes, order: gov.accepted.size });
  return answer(201, { receipt });
}

before(async () => {
  const port = await freePort();
  sink = createServer((req, res) => { receive(req, res).catch((e) => res.writeHead(500).end(String(e))); });
  await new Promise((ok) => sink.listen(port, '127.0.0.1', ok));
  const dir = tempDir();
  const db = testDatabase(dir, { create: true });
  const init = cli(['init', '--db', db, '--demo', '--node', NODE], { env: nodeEnv(dir) });
  assert.equal(init.status, 0, init.stderr);
  keyFile = nodeEnv(dir).TRONDOI_NODE_KEY ?? `${db}.node-key`;
  renameSync(keyFile, `${keyFile}.away`); // the server starts without the node's key file
  srv = await startServer({ dir, init: false, env: { TRONDOI_REPORTING_URL: `http://127.0.0.1:${port}/reports`, TRONDOI_REPORTING_TOKEN: TOKEN } });
  U = srv.url;
  for (const u of ['dan', 'canbo.xa', 'lanhdao.xa', 'lanhdao', 'canbo.hanoi', 'quantri']) t[u] = await login(U, u);
  commune = (await api(U, 'GET', '/api/v1/me', { token: t.dan })).json.attributes.permanent_address.value.unit;
  node = (await api(U, 'GET', '/api/v1/exchange/services', { token: t.quantri })).json.node;
});
after(async () => {
  const r = await srv.stop();
  sink.close();
  assert.equal(r.code, 0, r.stderr.slice(-2000));
  assert.match(r.stderr, /the exchange node key file is back/);
});

const publish = (body) => api(U, 'POST', '/api/v1/reports/766/versions', { token: t['lanhdao.xa'], body });
const indicator = (r, id) => r.groups.flatMap((g) => g.indicators).find((i) => i.id === id);
const sept = () => `unit=${commune}&period=${PERIOD}&cut=calendar`;
const sent = async (token = t['lanhdao.xa'], q = sept()) => api(U, 'GET', `/api/v1/reports/sent?${q}`, { token });
const keyOf = (version) => `${commune}/${PERIOD}/calendar/${version}`;
const callsFor = (version) => gov.calls.filter((c) => c.key === keyOf(version));

/* Polls the history until pick(sends) is true (about 30 s at most: the key watch looks every 2 s,
 * more slowly under valgrind). */
async function until(pick) {
  let sends;
  for (let i = 0; i < 600; i++) {
    sends = (await sent()).json.sends;
    if (pick(sends)) return sends;
    await new Promise((ok) => setTimeout(ok, 50));
  }
  assert.fail(`not reached: ${JSON.stringify(sends)}`);
}

const finished = (returned) => finishedDossier(U, t, srv.db, { returned });
const intoSeptember = (code) => receivedAt(srv.db, code, '2026-09-10T03:00:00Z'); // 10:00 on 10 September in Vietnam

/* The figures of a report's indicators, to compare a document with a published version. */
const figures = (r) => r.groups.flatMap((g) => g.indicators.map((i) => [i.id, i.numerator, i.denominator, i.rate, i.points]));

describe('published figures go up to the Government reporting system', () => {
  let rated, v1, v2;
  before(async () => {
    rated = await finished(true);
    intoSeptember(rated);
    intoSeptember(await finished(false));
  });

  test('closing the period while the node key is away queues version 1 unsigned, and nothing goes out', async () => {
    assert.deepEqual([node.id, node.signing], [NODE, false]);
    const closed = await publish({ unit: commune, period: PERIOD, cut: 'calendar' });
    assert.equal(closed.status, 201, closed.text);
    v1 = (await api(U, 'GET', `/api/v1/reports/766/versions/1?${sept()}`, { token: t['lanhdao.xa'] })).json;
    await new Promise((ok) => setTimeout(ok, 1500)); // a few sender rounds
    const [s] = (await sent()).json.sends;
    assert.deepEqual([s.version, s.state, s.signed, s.attempts, s.last_error, s.key_id], [1, 'queued', false, 0, null, `node:${NODE}`]);
    assert.equal(gov.calls.length, 0); // never sent unsigned
    const metrics = await (await fetch(`${U}/metrics`)).text();
    assert.match(metrics, /^trondoi_queue_length\{queue="report_sends"\} 1$/m); // still waiting to go up
  });

  test('once the key file is back, version 1 is signed and tried; the receiver is down, so it shows as failed', async () => {
    renameSync(`${keyFile}.away`, keyFile); // the server is not restarted: its key watch finds it
    const [s] = await until((l) => l.length === 1 && l[0].state === 'failed');
    assert.equal(s.version, 1);
    assert.equal(s.previous_version, null);
    assert.equal(s.last_error, 'HTTP 503');
    assert.ok(s.attempts >= 1 && s.last_attempt_at && !s.sent_at && !s.receipt, JSON.stringify(s));
    assert.equal(s.idempotency_key, keyOf(1));
    assert.deepEqual([s.key_id, s.signed], [`node:${NODE}`, true]);
    assert.equal((await api(U, 'GET', '/api/v1/exchange/services', { token: t.quantri })).json.node.signing, true);
  });

  test('a correction waits behind the unsent version 1, then both go in order once the receiver is up', async () => {
    assert.equal((await api(U, 'POST', `/api/v1/dossiers/${rated}/rating`, { token: t.dan, body: { score: 1 } })).status, 201);
    const made = await publish({ unit: commune, period: PERIOD, cut: 'calendar', reason: 'đánh giá muộn của người dân' });
    assert.equal(made.status, 201, made.text);
    assert.equal(made.json.version, 2);
    v2 = made.json.report;
    let l = (await sent()).json.sends;
    assert.deepEqual(l.map((s) => [s.version, s.state]), [[2, 'queued'], [1, 'failed']]);
    assert.equal(l[0].attempts, 0);
    await new Promise((ok) => setTimeout(ok, 1200)); // a round or two while version 1 still fails
    assert.equal(callsFor(2).length, 0); // never ahead of version 1
    gov.down = false;
    l = await until((x) => x.every((s) => s.state === 'sent'));
    assert.deepEqual(l.map((s) => [s.version, s.state, s.receipt]), [[2, 'sent', 'BC-000002'], [1, 'sent', 'BC-000001']]);
    assert.equal(l[1].attempts, callsFor(1).length); // each attempt reached the receiver
    assert.ok(l[1].attempts >= 2);
    assert.equal(l[1].last_error, 'HTTP 503'); // the failure stays on record
    assert.equal(l[0].attempts, 1);
    assert.equal(l[0].previous_version, 1);
    assert.ok(Date.parse(l[1].sent_at) <= Date.parse(l[0].sent_at));
  });

  test('every attempt carried the same signed bytes and key; the receiver accepted each version once', async () => {
    await new Promise((ok) => setTimeout(ok, 1500)); // acknowledged versions are not sent again
    const first = callsFor(1);
    assert.deepEqual(first.map((c) => c.status), [...first.slice(0, -1).map(() => 503), 201]);
    for (const c of first) {
      assert.ok(c.bytes.equals(first[0].bytes));
      assert.equal(c.signature, first[0].signature);
      assert.equal(c.keyId, `node:${NODE}`);
      assert.equal(c.auth, `Bearer ${TOKEN}`);
      assert.equal(c.type, 'application/json');
    }
    assert.deepEqual(callsFor(2).map((c) => [c.status, c.verified]), [[201, true]]);
    assert.equal(gov.calls.length, first.length + 1);
    assert.equal(gov.repeats, 0);
    assert.deepEqual([...gov.accepted.keys()], [keyOf(1), keyOf(2)]);
    // the signature is over exactly those bytes: one byte changed and it no longer verifies
    const forged = Buffer.from(first[0].bytes);
    forged[forged.indexOf('"total":') + 8] ^= 1;
    assert.equal(verify(null, forged, publicKey(), Buffer.from(first[0].signature, 'base64')), false);
    assert.equal(verify(null, first[0].bytes, publicKey(), Buffer.from(first[0].signature, 'base64')), true);
  });

  test('the documents hold the figures of the published versions, the second naming the first', async () => {
    const d1 = gov.accepted.get(keyOf(1)).doc, d2 = gov.accepted.get(keyOf(2)).doc;
    assert.deepEqual([d1.unit, d1.period, d1.cut, d1.version, d1.previous_version], [commune, PERIOD, 'calendar', 1, null]);
    assert.deepEqual([d1.published_by, d1.reason, d1.published_at], ['lanhdao.xa', 'closing the period', v1.published_at]);
    assert.deepEqual([d1.sender.province, d1.sender.node, d1.sender.public_key, d1.sender.key_id, d1.idempotency_key],
      ['37', NODE, node.public_key, `node:${NODE}`, keyOf(1)]);
    assert.deepEqual(figures(d1), figures(v1.report));
    assert.deepEqual([d1.total, d1.max, d1.children], [v1.report.total, 100, v1.report.children]);
    // by hand: two dossiers finished on time in September, neither rated low
    assert.deepEqual([indicator(d1, 'P1').numerator, indicator(d1, 'P1').denominator], [2, 2]);
    assert.deepEqual([indicator(d1, 'S3').numerator, indicator(d1, 'S3').denominator, indicator(d1, 'S3').points], [2, 2, 6]);

    assert.deepEqual([d2.version, d2.previous_version, d2.reason], [2, 1, 'đánh giá muộn của người dân']);
    assert.deepEqual(figures(d2), figures(v2));
    // one of the two now rated 1 star: S3 = 6 × 50 % ÷ 90 % = 3.33 points
    assert.deepEqual([indicator(d2, 'S3').numerator, indicator(d2, 'S3').denominator, indicator(d2, 'S3').points], [1, 2, 3.33]);
    assert.equal(d2.total, Math.round((d1.total - 6 + 3.33) * 100) / 100);
  });

  test('the history is for staff of the unit and above it', async () => {
    const province = await sent(t.lanhdao);
    assert.equal(province.status, 200);
    assert.deepEqual(province.json.sends.map((s) => s.version), [2, 1]);
    const all = await sent(t['canbo.xa'], `unit=${commune}`); // every period of the unit
    assert.deepEqual([all.json.period, all.json.sends.length], [null, 2]);
    const other = await sent(t['canbo.hanoi']);
    assert.equal(other.status, 403);
    assert.equal(other.json.error.code, 'forbidden');
    assert.equal((await sent(t.dan)).status, 403);
    assert.equal((await sent(t['lanhdao.xa'], `period=${PERIOD}`)).status, 400);
    assert.equal((await sent(t['lanhdao.xa'], `unit=${commune}&period=2026-13`)).status, 400);
    assert.deepEqual((await sent(t['lanhdao.xa'], `unit=${commune}&period=2026-08&cut=calendar`)).json.sends, []);
  });
});
