// anchors.test.mjs — anchors stamped by an outside time source (docs/exchange.md, "Time source"):
// serve posts the hash of the message log's and the audit trail's heads to a time source (a fake
// one here, in node, signing with Ed25519) every second while they move, and stores each anchor.
// While the time source is down, calls go on and the anchor waits (the queue metric shows the
// entries waiting); once it is back, an anchor covering them appears, which the citizen's proof
// names. A forged time-source signature is refused and logged; `trondoi exchange verify-anchors`
// checks every stored anchor and catches a tampered one. Without the node key the anchor waits as
// well, and is made once the key file is back.
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { renameSync } from 'node:fs';
import { createServer } from 'node:http';
import { after, before, test } from 'node:test';
import { api, cli, freePort, login, startServer, VALGRIND } from './harness.mjs';
import Database from './sqlite.mjs';

const CLIENT = 'VN/GOV/UBND36/MOTCUA';
const PERSON = 'VN/GOV/BCA/CSDLQGDC/person/v1';
const DEADLINE_MS = VALGRIND ? 240000 : 60000; // a loaded machine, or memcheck, is slow

function keyPair() {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return { privateKey, pub: publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('base64') };
}
const tsa = keyPair(), forger = keyPair(), client = keyPair();
const sha256hex = (s) => createHash('sha256').update(s).digest('hex');

/* The time source: answers {time, signature} over "trondoi-timestamp-v1\nHASH\nTIME\n"; forge
 * signs with a key that is not the configured one. */
const ts = { server: null, port: 0, forge: false, asked: [], stamped: [] };
async function stamp(req, res) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  const body = JSON.parse(Buffer.concat(chunks));
  ts.asked.push(body);
  const time = new Date().toISOString();
  const text = `trondoi-timestamp-v1\n${body.hash}\n${time}\n`;
  const signature = sign(null, Buffer.from(text), ts.forge ? forger.privateKey : tsa.privateKey).toString('base64');
  ts.stamped.push({ hash: body.hash, time, forged: ts.forge });
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ time, signature }));
}
async function tsStart() {
  ts.server = createServer((req, res) => { stamp(req, res).catch((e) => res.writeHead(500).end(String(e))); });
  await new Promise((ok) => ts.server.listen(ts.port, '127.0.0.1', ok));
}
async function tsStop() {
  ts.server.closeAllConnections();
  await new Promise((ok) => ts.server.close(ok));
}

let srv, U, dan, nextId = 1;

/** A signed call to the person service about dan (docs/exchange.md, "The signed string"). */
async function xcall() {
  const path = '/x/' + PERSON.split('/').slice(1).join('/');
  const body = JSON.stringify({ id: dan });
  const h = { 'x-road-client': CLIENT, 'x-road-id': `anchor-${process.pid}-${nextId++}`, 'x-road-userid': 'canbo.xa',
    'x-road-issue': 'RESIDENCE:000.00.36-251125-0001', 'x-road-date': new Date().toISOString(), 'content-type': 'application/json' };
  const signed = ['trondoi-xroad-1', 'POST', path, h['x-road-client'], h['x-road-id'], h['x-road-userid'], h['x-road-issue'],
    h['x-road-date'], sha256hex(body)].join('\n');
  h['x-road-signature'] = sign(null, Buffer.from(signed), client.privateKey).toString('base64');
  return api(U, 'POST', path, { headers: h, raw: body });
}

const anchors = () => new Database(srv.db).all('SELECT id, exchange_seq, audit_seq, stamped_hash, ts_time FROM exchange_anchors ORDER BY id');
const head = () => new Database(srv.db).get('SELECT seq FROM exchange_head WHERE id = 1').seq;
const verifyAnchors = (...args) => cli(['exchange', 'verify-anchors', '--db', srv.db, ...args], { env: srv.env });
async function waiting() {
  const text = await (await fetch(`${U}/metrics`)).text();
  return Number(/trondoi_queue_length\{queue="exchange_anchor"\} (\d+)/.exec(text)?.[1]);
}

/* Polls until pick() gives something truthy, up to the deadline. */
async function until(what, pick) {
  const end = Date.now() + DEADLINE_MS;
  for (;;) {
    const v = await pick();
    if (v) return v;
    if (Date.now() > end) assert.fail(`waited ${DEADLINE_MS / 1000} s for ${what}`);
    await new Promise((ok) => setTimeout(ok, 100));
  }
}

before(async () => {
  ts.port = await freePort();
  await tsStart();
  srv = await startServer({
    env: { TRONDOI_TIME_SOURCE: `http://127.0.0.1:${ts.port}/stamp`, TRONDOI_TIME_SOURCE_KEY: tsa.pub },
    args: ['--anchor-every', '1'],
  });
  U = srv.url;
  const t = await login(U, 'dan');
  dan = (await api(U, 'GET', '/api/v1/auth/session', { token: t })).json.citizen_id;
  for (const args of [
    ['member', '--id', 'VN/GOV/UBND36', '--name', 'UBND tỉnh 36 (một cửa)', '--public-key', client.pub, '--subsystem', 'MOTCUA'],
    ['grant', '--client', CLIENT, '--service', PERSON, '--purposes', 'RESIDENCE'],
  ]) {
    const r = cli(['exchange', ...args, '--db', srv.db], { env: srv.env });
    assert.equal(r.status, 0, r.stderr);
  }
});
after(async () => {
  const r = await srv.stop();
  if (ts.server.listening) await tsStop();
  assert.equal(r.code, 0, r.stderr.slice(-3000));
});

test('calls flow and anchors appear, stamped by the time source, covering the head', async () => {
  for (let i = 0; i < 2; i++) assert.equal((await xcall()).status, 200);
  const seq = head();
  const list = await until('an anchor covering the calls', () => { const a = anchors(); return a.at(-1)?.exchange_seq >= seq && a; });
  const last = list.at(-1);
  const asked = ts.asked.find((b) => b.hash === last.stamped_hash);
  assert.ok(asked, 'the stored hash is the one the node asked to stamp');
  assert.equal(asked.exchange_log.seq, last.exchange_seq);
  assert.equal(asked.audit.seq, last.audit_seq);
  assert.equal(ts.stamped.find((s) => s.hash === last.stamped_hash).time, last.ts_time);
  const r = verifyAnchors('--time-source-key', tsa.pub);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^ok \d+ anchors/);
});

test('with the time source down, calls still succeed and wait; once it is back an anchor covers them', async () => {
  await until('every entry anchored', async () => (await waiting()) === 0);
  const failures = () => srv.stderr.match(/anchor.*calls go on, \d+ messages wait for an anchor/g)?.length ?? 0;
  const failedBefore = failures();
  await tsStop();
  for (let i = 0; i < 3; i++) assert.equal((await xcall()).status, 200, 'calls go on without the time source');
  const seq = head();
  await until('the failure logged', () => failures() > failedBefore);
  await until('the queue showing the waiting entries', async () => (await waiting()) >= 3);
  assert.equal(anchors().find((a) => a.exchange_seq >= seq), undefined, 'no anchor while the time source is down');
  const token = await login(U, 'dan');
  const unanchored = (await api(U, 'GET', '/api/v1/me/data-usage', { token })).json.exchanges.find((e) => e.proof.seq === seq);
  assert.equal(unanchored.proof.anchor, null);

  await tsStart();
  const covering = await until('an anchor covering the entries made meanwhile', () => anchors().find((a) => a.exchange_seq >= seq));
  await until('the queue drained', async () => (await waiting()) === 0);
  const entry = (await api(U, 'GET', '/api/v1/me/data-usage', { token })).json.exchanges.find((e) => e.proof.seq === seq);
  assert.equal(entry.proof.anchor.id, anchors().find((a) => a.exchange_seq >= seq).id, 'the first anchor covering it');
  assert.equal(entry.proof.anchor.time, covering.ts_time);
  const r = verifyAnchors();
  assert.equal(r.status, 0, r.stdout + r.stderr);
});

test('a forged time-source signature is refused: no anchor stored, the refusal logged', async () => {
  ts.forge = true;
  assert.equal((await xcall()).status, 200);
  const seq = head();
  await until('the refusal logged', () => /time source's signature over \(hash, time\) does not match/.test(srv.stderr));
  await until('a forged stamp answered after the call', () => ts.stamped.some((s) => s.forged && ts.asked.some((b) => b.hash === s.hash && b.exchange_log.seq >= seq)));
  ts.forge = false;
  await until('an anchor once the time source signs rightly', () => anchors().find((a) => a.exchange_seq >= seq));
  const forged = new Set(ts.stamped.filter((s) => s.forged).map((s) => `${s.hash} ${s.time}`));
  assert.ok(forged.size > 0);
  assert.deepEqual(anchors().filter((a) => forged.has(`${a.stamped_hash} ${a.ts_time}`)), [], 'nothing stored from a forged stamp');
});

test('verify-anchors catches a tampered anchor and another time source key', () => {
  const r = verifyAnchors('--time-source-key', forger.pub);
  assert.equal(r.status, 1);
  assert.match(r.stdout, /^broken at anchor 1: stamped by another time source key/);
  const db = new Database(srv.db);
  const one = db.get('SELECT ts_time FROM exchange_anchors WHERE id = 1');
  db.run("UPDATE exchange_anchors SET ts_time = '2020-01-01T00:00:00.000Z' WHERE id = 1");
  const t = verifyAnchors();
  assert.equal(t.status, 1);
  assert.match(t.stdout, /^broken at anchor 1: the time source's signature does not match/);
  db.run('UPDATE exchange_anchors SET ts_time = ? WHERE id = 1', one.ts_time);
  assert.equal(verifyAnchors().status, 0);
});

test('without the node key the anchor waits too; once the key is back the entries are signed and anchored', async () => {
  const stopped = await srv.stop({ keep: true });
  assert.equal(stopped.code, 0, stopped.stderr.slice(-3000));
  const key = srv.env.TRONDOI_NODE_KEY ?? `${srv.db}.node-key`;
  renameSync(key, `${key}.away`);
  const { dir, env } = srv;
  srv = await startServer({ dir, init: false, env, args: ['--anchor-every', '1'] });
  U = srv.url;
  for (let i = 0; i < 2; i++) assert.equal((await xcall()).status, 200, 'calls go on without the key');
  const seq = head();
  await until('the queue showing them waiting', async () => (await waiting()) >= 2);
  assert.equal(anchors().find((a) => a.exchange_seq >= seq), undefined, 'no anchor without the key to sign it');
  renameSync(`${key}.away`, key); // the server is not restarted
  await until('an anchor covering them', () => anchors().find((a) => a.exchange_seq >= seq));
  await until('every entry signed and every anchor holding', () => verifyAnchors('--time-source-key', tsa.pub).status === 0);
});
