// exchange.test.mjs — the X-Road-style data exchange end to end: members registered on the
// command line, signed calls to the sample national databases, refusals (headers, signatures,
// grants, purposes, replays), the signed hash-chained message log and its verifier catching a
// one-byte edit and a forgery, and the citizen finding the exchanges that carried their ID.
import assert from 'node:assert/strict';
import { createHash, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createServer } from 'node:net';
import { api, cli, demoCitizens, freePort, login, PASSWORD, startServer, tempDir, VALGRIND } from './harness.mjs';
import Database, { PG } from './sqlite.mjs';

let srv, U, dan, admin;
const CLIENT = 'VN/GOV/UBND36/MOTCUA';
const OTHER = 'VN/COM/0109999999/HR'; // a registered company without grants
const PERSON = 'VN/GOV/BCA/CSDLQGDC/person/v1';
const PARCELS = 'VN/GOV/BNNMT/DATDAI/parcels/v1';
const BUSINESS = 'VN/GOV/BTC/DKKD/business/v1';
const CARD = 'VN/GOV/BHXH/BHYT/card/v1';
let calls = 0; // every POST /x/… this file makes: each must leave one message-log entry

function keyPair() {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return { privateKey, pub: publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('base64') };
}
const ours = keyPair(), theirs = keyPair(), intruder = keyPair();

const sha256hex = (s) => createHash('sha256').update(s).digest('hex');
let nextId = 1;

/** The string a client signs (docs/exchange.md). */
function signedString(path, h, body) {
  return ['trondoi-xroad-1', 'POST', path, h['x-road-client'], h['x-road-id'], h['x-road-userid'], h['x-road-issue'],
    h['x-road-date'], sha256hex(body)].join('\n');
}

/** A signed call: opts may change any header (null drops it), the key, the body, or the date. */
async function xcall(service, payload, { client = CLIENT, issue = 'RESIDENCE:000.00.36-251125-0001', key = ours.privateKey,
  headers = {}, id, date = new Date().toISOString(), rawBody, tamper } = {}) {
  const path = '/x/' + service.split('/').slice(1).join('/');
  const body = rawBody ?? JSON.stringify(payload);
  const h = { 'x-road-client': client, 'x-road-id': id ?? `msg-${process.pid}-${nextId++}`, 'x-road-userid': 'canbo.xa',
    'x-road-issue': issue, 'x-road-date': date, 'content-type': 'application/json' };
  h['x-road-signature'] = sign(null, Buffer.from(signedString(path, h, body)), key).toString('base64');
  for (const [k, v] of Object.entries(headers)) { if (v === null) delete h[k]; else h[k] = v; }
  calls++;
  const r = await api(U, 'POST', path, { headers: h, raw: tamper ? tamper(body) : body });
  return { ...r, sent: h, path, body };
}

const exchange = (...args) => cli(['exchange', ...args, '--db', srv.db], { env: srv.env });
// tests that copy, dump or lay out SQLite database files themselves run on SQLite only
const FILES = PG ? 'works on SQLite database files (copies, dumps, a second node\'s file)' : false;

before(async () => {
  srv = await startServer();
  U = srv.url;
  admin = await login(U, 'quantri');
  const t = await login(U, 'dan');
  dan = (await api(U, 'GET', '/api/v1/auth/session', { token: t })).json.citizen_id;
  for (const args of [
    ['member', '--id', 'VN/GOV/UBND36', '--name', 'UBND tỉnh 36 (một cửa)', '--public-key', ours.pub, '--subsystem', 'MOTCUA'],
    ['member', '--id', 'VN/COM/0109999999', '--name', 'Công ty mẫu', '--public-key', theirs.pub, '--subsystem', 'HR'],
    ['grant', '--client', CLIENT, '--service', PERSON, '--purposes', 'RESIDENCE,CIVIL_STATUS'],
    ['grant', '--client', CLIENT, '--service', PARCELS, '--purposes', 'LAND_REGISTRATION'],
    ['grant', '--client', CLIENT, '--service', BUSINESS, '--purposes', 'BUSINESS_REGISTRATION'],
    ['grant', '--client', CLIENT, '--service', CARD, '--purposes', 'CRIMINAL_INVESTIGATION', '--hide-days', '30'],
  ]) {
    const r = exchange(...args);
    assert.equal(r.status, 0, `exchange ${args.join(' ')}: ${r.stderr}`);
  }
});

after(async () => {
  const r = await srv.stop();
  assert.equal(r.code, 0, `server did not stop cleanly:\n${r.stderr.slice(-3000)}`);
});

describe('identities and registration', () => {
  test('init made the node key: a 0600 file beside the database, only the public half in the database', { skip: FILES }, () => {
    const file = srv.db + '.node-key';
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const secret = readFileSync(file, 'utf8').trim();
    const sk = Buffer.from(secret, 'base64');
    assert.equal(sk.length, 64);
    const db = new Database(srv.db);
    const node = db.get('SELECT node_id, public_key FROM exchange_node');
    assert.equal(node.node_id, 'VN/GOV/36'); // data/exchange-providers.json's default
    assert.equal(node.public_key, sk.subarray(32).toString('base64'));
    const dump = execFileSync('sqlite3', [srv.db, '.dump'], { encoding: 'utf8', maxBuffer: 1 << 28 });
    assert.ok(!dump.includes(secret) && !dump.includes(sk.subarray(0, 32).toString('base64').slice(0, 40)));
  });

  test('the admin lists members, subsystems, services, grants and purposes; others may not', async () => {
    const r = await api(U, 'GET', '/api/v1/exchange/services', { token: admin });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.node.id, 'VN/GOV/36');
    assert.equal(r.json.node.signing, true);
    assert.deepEqual(r.json.services.map((s) => s.id), [CARD, PERSON, PARCELS, BUSINESS].sort());
    assert.deepEqual(r.json.members.map((m) => m.id).sort(),
      ['VN/COM/0109999999', 'VN/GOV/BCA', 'VN/GOV/BHXH', 'VN/GOV/BNNMT', 'VN/GOV/BTC', 'VN/GOV/UBND36']);
    assert.equal(r.json.members.find((m) => m.id === 'VN/GOV/UBND36').public_key, ours.pub);
    const g = r.json.grants.find((x) => x.service === PERSON);
    assert.deepEqual(g.purposes, ['RESIDENCE', 'CIVIL_STATUS']);
    assert.equal(r.json.grants.find((x) => x.service === CARD).hide_days, 30);
    const land = r.json.purposes.find((p) => p.code === 'LAND_REGISTRATION');
    assert.match(land.legal_basis_vi, /Luật Đất đai 2024/);
    const citizen = await api(U, 'GET', '/api/v1/exchange/services', { token: await login(U, 'dan') });
    assert.equal(citizen.status, 403);
  });

  test('registration refuses unknown purposes, services and malformed ids', () => {
    let r = exchange('grant', '--client', CLIENT, '--service', PERSON, '--purposes', 'RESIDENCE,CURIOSITY');
    assert.equal(r.status, 1);
    assert.match(r.stderr, /purpose 'CURIOSITY' is not in data\/exchange-purposes.json/);
    r = exchange('grant', '--client', CLIENT, '--service', 'VN/GOV/BCA/CSDLQGDC/nothing/v1', '--purposes', 'RESIDENCE');
    assert.equal(r.status, 1);
    assert.match(r.stderr, /service VN\/GOV\/BCA\/CSDLQGDC\/nothing\/v1 is not registered/);
    r = exchange('member', '--id', 'VN/XYZ/1', '--name', 'x', '--public-key', ours.pub);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /VN\/GOV\/CODE/);
    r = exchange('member', '--id', 'VN/GOV/X1', '--name', 'x', '--public-key', 'c2hvcnQ=');
    assert.equal(r.status, 1);
    assert.match(r.stderr, /32 bytes/);
  });
});

describe('calls to the sample national databases', () => {
  test('population: the person by ID, with X-Road-Request-Hash the SHA-256 of the signed request', async () => {
    const r = await xcall(PERSON, { id: dan });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.person.id, dan);
    assert.ok(r.json.person.attributes.full_name.value.length > 0);
    const expect = createHash('sha256').update(signedString(r.path, r.sent, r.body)).digest('base64');
    assert.equal(r.headers.get('x-road-request-hash'), expect);
    // the answer is signed by the node: request hash, status, SHA-256 of the answer's bytes
    const raw = Buffer.from(new Database(srv.db).get('SELECT public_key FROM exchange_node').public_key, 'base64');
    const nodeKey = createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), raw]), format: 'der', type: 'spki' });
    const signed = `trondoi-xroad-1-response\n${expect}\n200\n${createHash('sha256').update(r.text).digest('base64')}`;
    const sig = Buffer.from(r.headers.get('x-road-response-signature'), 'base64');
    assert.ok(verify(null, Buffer.from(signed), nodeKey, sig));
    assert.ok(!verify(null, Buffer.from(signed.replace('\n200\n', '\n404\n')), nodeKey, sig));
  });

  test('land: parcels by owner (both of Trần Văn Mẫu) and by parcel number', async () => {
    let r = await xcall(PARCELS, { owner_id: '036085000101' }, { issue: 'LAND_REGISTRATION' });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.parcels.map((p) => p.parcel), ['36-001-0042', '36-001-0107']);
    r = await xcall(PARCELS, { parcel: '37-004-0013' }, { issue: 'LAND_REGISTRATION' });
    assert.equal(r.status, 200);
    assert.deepEqual(r.json.parcels[0].owners, [{ id: '037078000303', name: 'Phạm Văn Ví Dụ', share: '1' }]);
    r = await xcall(PARCELS, { parcel: '99-999-9999' }, { issue: 'LAND_REGISTRATION' });
    assert.equal(r.status, 404);
    r = await xcall(PARCELS, {}, { issue: 'LAND_REGISTRATION' });
    assert.equal(r.status, 400);
    assert.equal(r.json.error.code, 'invalid_query');
  });

  test('business registration: by tax code and by owner', async () => {
    let r = await xcall(BUSINESS, { tax_code: '8012345678' }, { issue: 'BUSINESS_REGISTRATION' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.businesses[0].kind, 'household');
    r = await xcall(BUSINESS, { owner_id: '036190000202' }, { issue: 'BUSINESS_REGISTRATION' });
    assert.deepEqual(r.json.businesses.map((b) => b.tax_code), ['0600123456']);
  });

  test('population in bulk: one call about three IDs, answered per person and logged once carrying each', async () => {
    const db = new Database(srv.db);
    const other = demoCitizens().map((c) => c.id).filter((id) => id !== dan).sort()[0];
    const r = await xcall(PERSON, { ids: [dan, other, '036085000101'] }, { issue: 'CIVIL_STATUS' });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.persons.map((p) => p.id), [dan, other]);
    assert.deepEqual(r.json.not_found, ['036085000101']); // a sample ID of the other databases, not in this registry
    const seq = db.get('SELECT MAX(seq) AS seq FROM exchange_log').seq;
    const subjects = db.all('SELECT citizen_id FROM exchange_subjects WHERE seq = ? ORDER BY citizen_id', seq).map((x) => x.citizen_id);
    assert.deepEqual(subjects, [dan, other, '036085000101'].sort());
    // the other person named in the bulk call sees it in their own usage log, as dan does
    const acct = cli(['user', 'add', '--db', srv.db, '--username', 'bulk.other', '--role', 'citizen', '--citizen', other, '--password-stdin'],
      { input: `${PASSWORD}\n` });
    assert.equal(acct.status, 0, acct.stderr);
    for (const who of ['dan', 'bulk.other']) {
      const usage = (await api(U, 'GET', '/api/v1/me/data-usage', { token: await login(U, who) })).json.exchanges;
      const seen = usage.find((e) => e.id === seq);
      assert.ok(seen, `${who} sees the bulk call`);
      assert.equal(seen.service, PERSON);
      assert.equal(seen.purpose, 'CIVIL_STATUS');
    }
    const tooMany = await xcall(PERSON, { ids: Array(101).fill(dan) }, { issue: 'CIVIL_STATUS' });
    assert.equal(tooMany.status, 400);
  });

  test('social insurance: the health insurance card by ID (an investigation grant)', async () => {
    const r = await xcall(CARD, { id: '036190000202' }, { issue: 'CRIMINAL_INVESTIGATION:VKS-2026-117' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.card.card, 'DN4363620000202');
  });
});

describe('refusals', () => {
  test('each missing header is a 400 naming it; malformed ones too', async () => {
    for (const name of ['X-Road-Client', 'X-Road-Id', 'X-Road-UserId', 'X-Road-Issue', 'X-Road-Date', 'X-Road-Signature']) {
      const r = await xcall(PERSON, { id: dan }, { headers: { [name.toLowerCase()]: null } });
      assert.equal(r.status, 400, name);
      assert.equal(r.json.error.code, 'missing_header');
      assert.match(r.json.error.message, new RegExp(`header ${name} is missing`));
      assert.match(r.json.error.message_vi, /thiếu tiêu đề/);
    }
    const bad = {
      'x-road-client': 'VN/XYZ/UBND36/MOTCUA', 'x-road-id': 'has space', 'x-road-issue': 'residence',
      'x-road-date': 'yesterday', 'x-road-signature': 'bm90IDY0IGJ5dGVz',
    };
    for (const [k, v] of Object.entries(bad)) {
      const r = await xcall(PERSON, { id: dan }, { headers: { [k]: v } });
      assert.equal(r.status, 400, k);
      assert.equal(r.json.error.code, 'invalid_header', k);
    }
    const notJson = await xcall(PERSON, null, { rawBody: '{"id":' });
    assert.equal(notJson.status, 400);
    const unknown = await xcall('VN/GOV/BCA/CSDLQGDC/nothing/v1', { id: dan });
    assert.equal(unknown.status, 404);
    assert.equal(unknown.json.error.code, 'unknown_service');
  });

  test('a forged or altered signature, an unknown client and a stale date are 401', async () => {
    let r = await xcall(PERSON, { id: dan }, { key: intruder.privateKey });
    assert.equal(r.status, 401);
    assert.equal(r.json.error.code, 'bad_signature');
    r = await xcall(PERSON, { id: dan }, { tamper: (b) => b.replace(dan, '036085000101') });
    assert.equal(r.status, 401, 'the body changed after signing');
    r = await xcall(PERSON, { id: dan }, { headers: { 'x-road-userid': 'someone.else' } });
    assert.equal(r.status, 401, 'a header changed after signing');
    r = await xcall(PERSON, { id: dan }, { client: 'VN/GOV/NOBODY/X' });
    assert.equal(r.status, 401);
    assert.equal(r.json.error.code, 'unknown_client');
    r = await xcall(PERSON, { id: dan }, { date: new Date(Date.now() - 10 * 60e3).toISOString() });
    assert.equal(r.status, 401);
    assert.equal(r.json.error.code, 'stale_request');
  });

  test('no grant, a purpose the grant does not allow, a revoked grant: 403', async () => {
    let r = await xcall(PERSON, { id: dan }, { client: OTHER, key: theirs.privateKey });
    assert.equal(r.status, 403);
    assert.equal(r.json.error.code, 'no_grant');
    r = await xcall(PERSON, { id: dan }, { issue: 'CRIMINAL_INVESTIGATION:VKS-2026-118' });
    assert.equal(r.status, 403);
    assert.equal(r.json.error.code, 'purpose_not_allowed');
    assert.match(r.json.error.message, /allowed: RESIDENCE,CIVIL_STATUS/);
    assert.equal(exchange('grant', '--client', OTHER, '--service', PERSON, '--purposes', 'CIVIL_STATUS').status, 0);
    r = await xcall(PERSON, { id: dan }, { client: OTHER, key: theirs.privateKey, issue: 'CIVIL_STATUS' });
    assert.equal(r.status, 200, r.text);
    assert.equal(exchange('revoke', '--client', OTHER, '--service', PERSON).status, 0);
    r = await xcall(PERSON, { id: dan }, { client: OTHER, key: theirs.privateKey, issue: 'CIVIL_STATUS' });
    assert.equal(r.status, 403);
    assert.match(r.json.error.message, /holds no live grant/);
    // the threat rules flag each client calling outside its grants, once an hour
    const alerts = (await api(U, 'GET', '/api/v1/security/alerts', { token: admin })).json.alerts.filter((a) => a.rule === 'exchange_outside_grant');
    assert.deepEqual(alerts.map((a) => a.subject).sort(), [CLIENT, OTHER].sort());
    assert.match(alerts.find((a) => a.subject === OTHER).detail, /outside a grant .* \(no_grant\)$/);
  });

  test('a repeated X-Road-Id is 409, even signed anew', async () => {
    const first = await xcall(PERSON, { id: dan }, { id: 'once-only-1' });
    assert.equal(first.status, 200);
    const again = await xcall(PERSON, { id: dan }, { id: 'once-only-1' });
    assert.equal(again.status, 409);
    assert.equal(again.json.error.code, 'replayed');
    const otherClient = await xcall(PERSON, { id: dan }, { id: 'once-only-1', client: OTHER, key: theirs.privateKey });
    assert.equal(otherClient.status, 403, 'ids are per client: this one fails only for want of a grant');
  });

  test('copies of one X-Road-Id sent at once: one is answered, and every copy is in the log', async () => {
    const copies = await Promise.all([1, 2, 3, 4, 5, 6].map(() => xcall(PERSON, { id: dan }, { id: 'twins-1' })));
    const statuses = copies.map((r) => r.status).sort();
    assert.equal(statuses.filter((s) => s === 200).length, 1, statuses.join(' '));
    assert.ok(statuses.every((s) => [200, 409, 503].includes(s)), statuses.join(' '));
    const logged = new Database(srv.db).all("SELECT status, outcome FROM exchange_log WHERE message_id = 'twins-1'");
    assert.equal(logged.length, 6);
    for (const e of logged.filter((e) => e.status === 503)) assert.equal(e.outcome, 'replayed_concurrently');
  });
});

describe('the message log', () => {
  test('every call left one entry, refused ones included, and the chain verifies', () => {
    const db = new Database(srv.db);
    const rows = db.all('SELECT seq, status, outcome, client, purpose FROM exchange_log ORDER BY seq');
    assert.equal(rows.length, calls);
    assert.ok(rows.some((r) => r.status === 401 && r.outcome === 'bad_signature'));
    assert.ok(rows.some((r) => r.status === 403 && r.outcome === 'purpose_not_allowed' && r.purpose === 'CRIMINAL_INVESTIGATION'));
    assert.ok(rows.some((r) => r.status === 409 && r.outcome === 'replayed'));
    const r = exchange('verify-log');
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.equal(r.stdout.trim(), `ok ${calls} messages`);
  });

  test('verify-log names a one-byte edit and a re-hashed forgery', { skip: FILES }, () => {
    const copy = join(srv.dir, 'copy.db');
    new Database(srv.db).run(`VACUUM INTO '${copy}'`);
    const db = new Database(copy);
    db.run("UPDATE exchange_log SET user_id = 'canbo.xb' WHERE seq = 2");
    let r = cli(['exchange', 'verify-log', '--db', copy]);
    assert.equal(r.status, 1);
    assert.equal(r.stdout.trim(), 'broken at message 2: detail_hash does not match the message\'s details');

    // a forger rewrites message 3's client and recomputes every hash after it: only the
    // signatures give it away
    db.run("UPDATE exchange_log SET user_id = 'canbo.xa' WHERE seq = 2");
    const rows = db.all('SELECT * FROM exchange_log ORDER BY seq');
    let prev = rows[1].hash;
    const f = (s) => `|${Buffer.byteLength(s)}:${s}`;
    for (const x of rows.slice(2)) {
      if (x.seq === 3) x.client = 'VN/GOV/SOMEONE/ELSE';
      const hash = sha256hex(`${prev}|${x.seq}|${x.at}${f(x.client)}${f(x.service)}${f(x.purpose)}|${x.status}|${x.detail_hash}`);
      db.run('UPDATE exchange_log SET client = ?, prev_hash = ?, hash = ? WHERE seq = ?', x.client, prev, hash, x.seq);
      prev = hash;
    }
    db.run('UPDATE exchange_head SET hash = ? WHERE id = 1', prev);
    r = cli(['exchange', 'verify-log', '--db', copy]);
    assert.equal(r.status, 1);
    assert.equal(r.stdout.trim(), 'broken at message 3: the node\'s signature does not match (forged or altered)');
  });

  test('a truncated log is caught by the head', { skip: FILES }, () => {
    const copy = join(srv.dir, 'cut.db');
    new Database(srv.db).run(`VACUUM INTO '${copy}'`);
    new Database(copy).run(`DELETE FROM exchange_log WHERE seq = ${calls}`);
    const r = cli(['exchange', 'verify-log', '--db', copy]);
    assert.equal(r.status, 1);
    assert.equal(r.stdout.trim(), `broken at message ${calls}: messages after ${calls - 1} are missing (the head records more)`);
  });
});

describe("the citizen's view", () => {
  test('dan sees each exchange that carried his ID (refused ones too), with client, service, purpose and a proof', async () => {
    const token = await login(U, 'dan');
    const r = await api(U, 'GET', '/api/v1/me/data-usage', { token });
    assert.equal(r.status, 200, r.text);
    const db = new Database(srv.db);
    // every call above with dan's ID in its request: the ones not hidden by an investigation grant
    const expected = db.all(`SELECT l.seq FROM exchange_subjects s JOIN exchange_log l ON l.seq = s.seq
                             WHERE s.citizen_id = ? ORDER BY l.seq DESC`, dan).map((x) => x.seq);
    assert.ok(expected.length >= 20);
    assert.deepEqual(r.json.exchanges.map((e) => e.proof.seq), expected);
    const ok = r.json.exchanges.find((e) => e.status === 200 && e.client === CLIENT);
    assert.equal(ok.client_member, 'VN/GOV/UBND36');
    assert.equal(ok.service, PERSON);
    assert.equal(ok.purpose, 'RESIDENCE');
    assert.match(ok.legal_basis.vi, /Luật Cư trú 2020/);
    assert.equal(ok.user_id, undefined, 'the officer is not shown, only the agency and purpose');
    assert.ok(!r.text.includes('000.00.36-251125-0001') && !r.text.includes('canbo.xa'),
      'nor the case or dossier the call was for (it may be someone else\'s), nor who asked');
    assert.ok(r.json.exchanges.some((e) => e.status === 403 && e.purpose === 'CRIMINAL_INVESTIGATION'));
    const later = await api(U, 'GET', '/api/v1/me/data-usage?before=2030-01-01', { token });
    assert.equal(later.status, 200);
    assert.equal(later.json.exchanges, undefined, 'the exchanges come with the first page only');

    const file = join(srv.dir, 'entry.json');
    writeFileSync(file, JSON.stringify(ok));
    let v = cli(['exchange', 'verify-entry', file]);
    assert.equal(v.status, 0, v.stdout + v.stderr);
    assert.match(v.stdout, /^ok message \d+ is signed by the node/);
    v = cli(['exchange', 'verify-entry', '--db', srv.db, file]);
    assert.equal(v.status, 0, v.stdout + v.stderr);
    writeFileSync(file, JSON.stringify({ ...ok, purpose: 'CIVIL_STATUS' }));
    v = cli(['exchange', 'verify-entry', file]);
    assert.equal(v.status, 1);
    assert.match(v.stdout, /the hash does not match/);
    writeFileSync(file, JSON.stringify(ok));
    v = cli(['exchange', 'verify-entry', '--key', intruder.pub, file]);
    assert.equal(v.status, 1);
    assert.match(v.stdout, /signature does not match/);
  });

  test('older exchanges are reachable page by page (exchange_before): every one, newest first, none twice', async () => {
    const token = await login(U, 'dan');
    const expected = new Database(srv.db).all(`SELECT l.seq FROM exchange_subjects s JOIN exchange_log l ON l.seq = s.seq
                                               WHERE s.citizen_id = ? ORDER BY l.seq DESC`, dan).map((x) => x.seq);
    assert.ok(expected.length > 3 * 6, 'more exchanges than several pages hold');
    const seen = [];
    let cursor = null, pages = 0;
    do {
      const r = await api(U, 'GET', `/api/v1/me/data-usage?limit=3${cursor ? `&exchange_before=${cursor}` : ''}`, { token });
      assert.equal(r.status, 200, r.text);
      assert.ok(r.json.exchanges.length >= 1 && r.json.exchanges.length <= 3);
      assert.equal(Array.isArray(r.json.entries), !cursor, 'a cursor pages its own list only');
      seen.push(...r.json.exchanges.map((e) => e.id));
      cursor = r.json.next_exchange_before ?? null;
      if (cursor) assert.equal(cursor, seen.at(-1), 'the cursor is the last id shown');
      pages++;
    } while (cursor && pages < 100);
    assert.deepEqual(seen, expected);
    assert.equal(new Set(seen).size, seen.length);
    assert.equal(pages, Math.ceil(expected.length / 3));
    // both cursors at once: a page of each list; a bad cursor is refused
    const both = await api(U, 'GET', `/api/v1/me/data-usage?limit=3&before=2030-01-01&exchange_before=${expected[2]}`, { token });
    assert.ok(Array.isArray(both.json.entries));
    assert.deepEqual(both.json.exchanges.map((e) => e.id), expected.slice(3, 6));
    for (const bad of ['0', 'abc', '-5', '']) {
      const r = await api(U, 'GET', `/api/v1/me/data-usage?exchange_before=${bad}`, { token });
      assert.equal(r.status, 400, bad);
      assert.equal(r.json.error.code, 'invalid_query');
    }
  });

  test('dan objects to an exchange: a case for the data-protection officer, due in 15 working days', async () => {
    const token = await login(U, 'dan');
    const mine = (await api(U, 'GET', '/api/v1/me/data-usage', { token })).json.exchanges;
    const entry = mine.find((e) => e.status === 200 && e.service === PERSON);
    const r = await api(U, 'POST', `/api/v1/me/data-usage/${entry.id}/objection`, { token, body: { reason: 'Tôi không nộp hồ sơ cư trú nào.' } });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.status, 'open');
    assert.equal(r.json.entry, entry.id);
    assert.equal(r.json.handled_by, 'data-protection officer');
    // 17:00 in Vietnam of the 15th working day after today (the calendar API counts the same way)
    const due = await api(U, 'GET', `/api/v1/calendar/due?received_at=${encodeURIComponent(r.json.created_at)}&days=15`);
    assert.equal(due.status, 200, due.text);
    assert.equal(Date.parse(r.json.due_at), Date.parse(due.json.due));
    const again = await api(U, 'POST', `/api/v1/me/data-usage/${entry.id}/objection`, { token, body: { reason: 'lần nữa' } });
    assert.equal(again.status, 409);
    assert.equal((await api(U, 'POST', `/api/v1/me/data-usage/${entry.id}/objection`, { token, body: {} })).status, 422);
    // an entry that did not carry dan's ID is not his to object to (and not revealed)
    const db = new Database(srv.db);
    const foreign = db.get(`SELECT seq FROM exchange_log WHERE seq NOT IN (SELECT seq FROM exchange_subjects WHERE citizen_id = ?)
                            ORDER BY seq LIMIT 1`, dan).seq;
    const not = await api(U, 'POST', `/api/v1/me/data-usage/${foreign}/objection`, { token, body: { reason: 'x' } });
    assert.equal(not.status, 404);
    const listed = (await api(U, 'GET', '/api/v1/me/data-usage', { token })).json.exchanges.find((e) => e.id === entry.id);
    assert.deepEqual(listed.objection, { id: r.json.id, status: 'open', due_at: r.json.due_at });
    const dpo = await login(U, 'baove.dulieu');
    const cases = await api(U, 'GET', '/api/v1/exchange/objections', { token: dpo });
    assert.equal(cases.status, 200);
    assert.equal(cases.json.objections.length, 1);
    assert.equal(cases.json.objections[0].citizen_id, dan);
    assert.equal(cases.json.objections[0].client, entry.client);
    assert.equal(cases.json.objections[0].overdue, false);
    assert.equal((await api(U, 'GET', '/api/v1/exchange/objections', { token })).status, 403);
    // the admin reads no personal data: the cases are the data-protection officer's
    assert.equal((await api(U, 'GET', '/api/v1/exchange/objections', { token: admin })).status, 403);

    // the data-protection officer answers and closes the case
    const answerIt = (body, t = dpo, id = r.json.id) => api(U, 'POST', `/api/v1/exchange/objections/${id}/answer`, { token: t, body });
    const text = 'Cuộc gọi có căn cứ: hồ sơ cư trú 000.00.36-251125-0001 do Công an xã tiếp nhận. Phản đối được ghi nhận.';
    assert.equal((await answerIt({ answer: text, upheld: true }, token)).status, 403);
    assert.equal((await answerIt({ answer: text, upheld: true }, admin)).status, 403);
    let a = await answerIt({ answer: text });
    assert.equal(a.status, 422);
    assert.equal(a.json.error.code, 'invalid_answer');
    assert.match(a.json.error.message_vi, /upheld/);
    a = await answerIt({ answer: text, upheld: true }, dpo, 'khong-co');
    assert.equal(a.status, 404);
    a = await answerIt({ answer: text, upheld: true });
    assert.equal(a.status, 200, a.text);
    assert.deepEqual({ status: a.json.status, upheld: a.json.upheld, by: a.json.answered_by }, { status: 'upheld', upheld: true, by: 'baove.dulieu' });
    a = await answerIt({ answer: 'lần nữa', upheld: false });
    assert.equal(a.status, 409);
    assert.equal(a.json.error.code, 'already_answered');
    // dan reads the answer beside the entry in his usage log
    const answered = (await api(U, 'GET', '/api/v1/me/data-usage', { token })).json.exchanges.find((e) => e.id === entry.id);
    assert.equal(answered.objection.status, 'upheld');
    assert.equal(answered.objection.answer, text);
    assert.equal(answered.objection.upheld, true);
    assert.ok(Date.parse(answered.objection.answered_at) > 0);
    const closed = (await api(U, 'GET', '/api/v1/exchange/objections', { token: dpo })).json.objections[0];
    assert.deepEqual({ status: closed.status, answer: closed.answer, by: closed.answered_by, overdue: closed.overdue },
      { status: 'upheld', answer: text, by: 'baove.dulieu', overdue: false });
    const audited = db.get("SELECT actor, object, detail FROM audit_log WHERE action = 'exchange.objection.answer'");
    assert.deepEqual(audited, { actor: 'baove.dulieu', object: r.json.id, detail: '{"upheld":true}' });
    // the reason and the answer are personal: sealed at rest
    const row = db.get('SELECT reason, answer FROM exchange_objections WHERE id = ?', r.json.id);
    assert.match(row.reason, /^enc1:/);
    assert.match(row.answer, /^enc1:/);
  });

  test('a co-owner named only in the answer sees the land read; an investigation stays hidden until its period ends', async () => {
    const db = new Database(srv.db);
    // 036190000202 co-owns parcel 36-001-0042, returned when the land registry was asked about 036085000101
    const lands = db.all(`SELECT l.seq FROM exchange_subjects s JOIN exchange_log l ON l.seq = s.seq
                          WHERE s.citizen_id = '036190000202' AND l.service = ?`, PARCELS);
    assert.equal(lands.length, 1);
    // dan's card read under the investigation grant: logged, but hidden from him for 30 days
    const probe = await xcall(CARD, { id: dan }, { issue: 'CRIMINAL_INVESTIGATION:VKS-2026-119' });
    assert.equal(probe.status, 404);
    const token = await login(U, 'dan');
    let r = await api(U, 'GET', '/api/v1/me/data-usage', { token });
    assert.ok(!r.json.exchanges.some((e) => e.service === CARD));
    const row = db.get('SELECT seq, at, hide_until FROM exchange_log WHERE service = ? ORDER BY seq DESC LIMIT 1', CARD);
    assert.equal(row.hide_until - row.at, 30 * 86400 * 1e6);
    // while hidden it cannot be objected to either: to dan it does not exist yet
    const early = await api(U, 'POST', `/api/v1/me/data-usage/${row.seq}/objection`, { token, body: { reason: 'x' } });
    assert.equal(early.status, 404);
    db.run('UPDATE exchange_log SET hide_until = ? WHERE seq = ?', row.at, row.seq); // the period has ended
    r = await api(U, 'GET', '/api/v1/me/data-usage', { token });
    const seen = r.json.exchanges.find((e) => e.service === CARD);
    assert.equal(seen.purpose, 'CRIMINAL_INVESTIGATION');
    assert.equal(seen.status, 404);
  });
});

describe('forms prefilled through the exchange', () => {
  test("a land owner's transfer and building-permit forms come filled from the land database, and a household business's from the business registry, naming them", async () => {
    // Trần Văn Mẫu of the sample land database gets a record and an account on this node
    const commune = (await api(U, 'GET', '/api/v1/auth/session', { token: await login(U, 'canbo.xa') })).json.unit;
    const created = await api(U, 'POST', '/api/v1/citizens', {
      token: await login(U, 'canbo.xa'),
      body: { id: '036085000101', attributes: {
        full_name: { value: 'Trần Văn Mẫu', source: 'civil-status', verified: true },
        date_of_birth: { value: '1985-02-14', source: 'civil-status', verified: true },
        sex: { value: 'male', source: 'civil-status', verified: true },
        permanent_address: { value: { unit: commune, street: 'Thôn Mẫu' }, source: 'population-db', verified: true } } },
    });
    assert.equal(created.status, 201, created.text);
    const add = cli(['user', 'add', '--db', srv.db, '--username', 'mau', '--role', 'citizen', '--citizen', '036085000101', '--password-stdin'],
      { input: 'trondoi-demo\n' });
    assert.equal(add.status, 0, add.stderr);
    const token = await login(U, 'mau');
    const before = new Database(srv.db).get('SELECT MAX(seq) AS seq FROM exchange_log').seq;

    let r = await api(U, 'GET', '/api/v1/procedures/TD.0001/prefill', { token });
    assert.equal(r.status, 200, r.text);
    const field = (name) => r.json.fields.find((f) => f.name === name);
    // his first parcel in data/exchange-providers.json: 36-001-0042, sheet 12, parcel 42, certificate DA 123456
    assert.deepEqual(['certificate_serial', 'map_sheet_number', 'parcel_number'].map((n) => field(n).value), ['DA 123456', '12', '42']);
    assert.equal(field('parcel_number').source, 'VN/GOV/BNNMT');
    assert.equal(field('parcel_number').source_service, PARCELS);
    assert.equal(field('parcel_number').source_name, 'Bộ Nông nghiệp và Môi trường — Cơ sở dữ liệu đất đai (mẫu)');
    assert.equal(field('applicant_full_name').value, 'Trần Văn Mẫu'); // the registry's fields as before
    assert.equal(field('applicant_full_name').source, 'civil-status');
    r = await api(U, 'GET', '/api/v1/procedures/1.013225/prefill', { token });
    assert.equal(field('land_area_m2').value, 186.5);

    // dan owns no parcel: the form stays empty where the land database has nothing
    r = await api(U, 'GET', '/api/v1/procedures/TD.0001/prefill', { token: await login(U, 'dan') });
    assert.equal(field('parcel_number').value, null);

    // each ask is in the message log, from the node's portal, for the procedure
    let rows; // logged without waiting, as a citizen's own prefill is: give the writer a moment
    for (let i = 0; i < 50 && (rows?.length ?? 0) < 3; i++) {
      if (i) await new Promise((ok) => setTimeout(ok, 100));
      rows = new Database(srv.db).all('SELECT client, service, purpose, issue, status, user_id FROM exchange_log WHERE seq > ? ORDER BY seq', before);
    }
    assert.deepEqual(rows, [
      { client: 'VN/GOV/36/PORTAL', service: PARCELS, purpose: 'LAND_REGISTRATION', issue: 'LAND_REGISTRATION:TD.0001', status: 200, user_id: 'mau' },
      { client: 'VN/GOV/36/PORTAL', service: PARCELS, purpose: 'LAND_REGISTRATION', issue: 'LAND_REGISTRATION:1.013225', status: 200, user_id: 'mau' },
      { client: 'VN/GOV/36/PORTAL', service: PARCELS, purpose: 'LAND_REGISTRATION', issue: 'LAND_REGISTRATION:TD.0001', status: 404, user_id: 'dan' },
    ]);
    const mine = (await api(U, 'GET', '/api/v1/me/data-usage', { token })).json.exchanges;
    assert.ok(mine.some((e) => e.client === 'VN/GOV/36/PORTAL' && e.purpose === 'LAND_REGISTRATION'));

    // his household business registration (1.001612) comes filled from the business registry's
    // household business he heads (not from an enterprise), naming the registry
    const since = new Database(srv.db).get('SELECT MAX(seq) AS seq FROM exchange_log').seq;
    r = await api(U, 'GET', '/api/v1/procedures/1.001612/prefill', { token });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(['business_name', 'business_phone', 'business_lines', 'capital_vnd', 'employees'].map((n) => field(n).value),
      ['Hộ kinh doanh Tạp hóa Ví Dụ', '0228381234', 'Bán lẻ lương thực, thực phẩm, đồ uống trong cửa hàng tạp hóa (4711)', 50000000, 2]);
    assert.deepEqual({ source: field('business_name').source, service: field('business_name').source_service, name: field('business_name').source_name },
      { source: 'VN/GOV/BTC', service: BUSINESS, name: 'Bộ Tài chính — Hệ thống thông tin quốc gia về đăng ký doanh nghiệp (mẫu)' });
    assert.equal(field('business_address').value, null); // the registry keeps it as text; the form wants a unit and street
    assert.equal(field('applicant_full_name').source, 'civil-status');
    r = await api(U, 'GET', '/api/v1/procedures/1.001612/prefill', { token: await login(U, 'dan') });
    assert.equal(field('business_name').value, null); // dan runs no business
    let later = [];
    for (let i = 0; i < 50 && later.length < 2; i++) {
      if (i) await new Promise((ok) => setTimeout(ok, 100));
      later = new Database(srv.db).all('SELECT service, purpose, issue, status, user_id FROM exchange_log WHERE seq > ? ORDER BY seq', since);
    }
    assert.deepEqual(later, [
      { service: BUSINESS, purpose: 'BUSINESS_REGISTRATION', issue: 'BUSINESS_REGISTRATION:1.001612', status: 200, user_id: 'mau' },
      { service: BUSINESS, purpose: 'BUSINESS_REGISTRATION', issue: 'BUSINESS_REGISTRATION:1.001612', status: 404, user_id: 'dan' },
    ]);
  });
});

describe('federation: two provinces', () => {
  test('an officer of 37 fetches a citizen of 36 for a dossier; the citizen sees the read on 36; down nodes are 502/504', { skip: FILES }, async () => {
    const dir = tempDir();
    const db37 = join(dir, 'trondoi.db');
    assert.equal(cli(['init', '--db', db37, '--demo', '--node', 'VN/GOV/37']).status, 0);
    // the time limit on calls to other nodes; under valgrind a sign-in alone takes seconds, so longer
    const limit = VALGRIND ? 15000 : 3000;
    const s37 = await startServer({ dir, init: false, env: { TRONDOI_EXCHANGE_TIMEOUT_MS: String(limit) } });
    const hole = createServer(() => {}); // accepts connections and never answers
    try {
      const pk36 = (await api(U, 'GET', '/api/v1/exchange/services', { token: admin })).json.node.public_key;
      const node37 = (await api(s37.url, 'GET', '/api/v1/exchange/services', { token: await login(s37.url, 'quantri') })).json.node;
      assert.equal(node37.id, 'VN/GOV/37');
      assert.notEqual(node37.public_key, pk36);
      const on37 = (...args) => cli(['exchange', ...args, '--db', db37]);
      const printed = on37('node').stdout.split('\n');
      assert.equal(printed[0], `VN/GOV/37 ${node37.public_key}`);
      assert.match(printed[1], /key file .*trondoi\.db\.node-key: present, matches/);
      assert.equal(exchange('peer', '--node', 'VN/GOV/37', '--url', s37.url, '--public-key', node37.public_key).status, 0);
      assert.equal(exchange('grant', '--client', 'VN/GOV/37/TRONDOI', '--service', PERSON, '--purposes', 'RESIDENCE').status, 0);
      assert.equal(on37('peer', '--node', 'VN/GOV/36', '--url', U, '--public-key', pk36).status, 0);

      // the citizen moves to 37 and files a permanent-residence registration (1.004222) there
      const [, other] = demoCitizens();
      const newHome = { unit: demoCitizens()[0].permanent_unit, street: 'Số 5 phố Mới' };
      const sub = await api(s37.url, 'POST', '/api/v1/dossiers', { token: await login(s37.url, 'dan'),
        body: { procedure: '1.004222', fields: { new_permanent_address: newHome, housing_basis: 'owned' } } });
      assert.equal(sub.status, 201, sub.text);
      const code = sub.json.code;
      // the desk of the dossier (its commune's leader) fetches the person from 36 for it
      const officer = await login(s37.url, 'lanhdao.xa');
      const fetch37 = (body, token = officer) => api(s37.url, 'POST', '/api/v1/exchange/fetch', { token, body });
      const ask = { node: 'VN/GOV/36', service: PERSON, purpose: 'RESIDENCE', dossier: code, query: { id: dan } };
      // an officer of another desk may not, nor may anyone ask about someone else for this dossier
      let r = await fetch37(ask, await login(s37.url, 'canbo.tinh'));
      assert.equal(r.status, 403, r.text);
      assert.equal(r.json.error.code, 'not_your_dossier');
      assert.match(r.json.error.message, new RegExp(`dossier ${code} is handled by another desk`));
      assert.match(r.json.error.message_vi, /chỉ cán bộ xử lý hồ sơ/);
      r = await fetch37({ ...ask, query: { id: other.id } });
      assert.equal(r.status, 422, r.text);
      assert.equal(r.json.error.code, 'not_the_applicant');
      r = await fetch37({ ...ask, query: { ids: [dan, other.id] } });
      assert.equal(r.json.error.code, 'not_the_applicant');
      const { dossier: _, ...noDossier } = ask;
      r = await fetch37(noDossier);
      assert.equal(r.status, 422);
      assert.equal(r.json.error.code, 'missing_dossier');
      r = await fetch37(ask);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.answer.person.id, dan);
      assert.equal(r.json.dossier, code);
      assert.equal(r.json.issue, `RESIDENCE:${code}`);
      const at36 = new Database(srv.db).get('SELECT client, issue, user_id, status FROM exchange_log WHERE message_id = ?', r.json.message_id);
      assert.deepEqual(at36, { client: 'VN/GOV/37/TRONDOI', issue: `RESIDENCE:${code}`, user_id: 'lanhdao.xa', status: 200 });
      // what was fetched is kept with the dossier, naming the node that provided it
      const dossier = (await api(s37.url, 'GET', `/api/v1/dossiers/${code}`, { token: officer })).json;
      assert.equal(dossier.fetched.length, 1);
      const kept = dossier.fetched[0];
      assert.deepEqual({ by: kept.by, source: kept.source, service: kept.service, message_id: kept.message_id, request_hash: kept.request_hash },
        { by: 'lanhdao.xa', source: 'VN/GOV/36', service: PERSON, message_id: r.json.message_id, request_hash: r.json.request_hash });
      assert.equal(kept.data.person.id, dan);
      const audited = new Database(db37).get("SELECT actor, object FROM audit_log WHERE action = 'dossier.fetch'");
      assert.deepEqual(audited, { actor: 'lanhdao.xa', object: code });
      const at37 = new Database(db37).get('SELECT client, service, status, request_hash FROM exchange_log WHERE message_id = ?', r.json.message_id);
      assert.deepEqual(at37, { client: 'VN/GOV/37/TRONDOI', service: PERSON, status: 200, request_hash: r.json.request_hash });

      const mine = (await api(U, 'GET', '/api/v1/me/data-usage', { token: await login(U, 'dan') })).json.exchanges;
      const seen = mine.find((e) => e.client === 'VN/GOV/37/TRONDOI');
      assert.equal(seen.client_member, 'VN/GOV/37');
      assert.equal(seen.purpose, 'RESIDENCE');

      r = await fetch37({ ...ask, purpose: 'CIVIL_STATUS' });
      assert.equal(r.status, 403);
      assert.equal(r.json.error.code, 'peer_refused');
      assert.match(r.json.error.message, /node VN\/GOV\/36 answered 403 purpose_not_allowed/);
      r = await fetch37({ ...ask, dossier: '000.00.37-000000-0000' });
      assert.equal(r.status, 404);
      assert.equal(r.json.error.code, 'unknown_dossier');

      // a node that answers with a key other than the one it was registered with is not believed
      assert.equal(on37('peer', '--node', 'VN/GOV/33', '--url', U, '--public-key', intruder.pub).status, 0);
      r = await fetch37({ ...ask, node: 'VN/GOV/33' });
      assert.equal(r.status, 502);
      assert.equal(r.json.error.code, 'peer_bad_answer');
      assert.match(r.json.error.message, /not signed with the key it was registered with/);

      const closed = await freePort();
      assert.equal(on37('peer', '--node', 'VN/GOV/35', '--url', `http://127.0.0.1:${closed}`, '--public-key', pk36).status, 0);
      r = await fetch37({ ...ask, node: 'VN/GOV/35' });
      assert.equal(r.status, 502);
      assert.equal(r.json.error.code, 'peer_unreachable');
      await new Promise((ok) => hole.listen(0, '127.0.0.1', ok));
      assert.equal(on37('peer', '--node', 'VN/GOV/34', '--url', `http://127.0.0.1:${hole.address().port}`, '--public-key', pk36).status, 0);
      // six calls go to the silent node, more than the four outbound threads: two wait for it, the
      // other four are refused at once (a silent node holds two threads at most), so a call to
      // another node meanwhile finds a thread, and a sign-in is not held up either; the two that
      // wait are answered 504 within about the limit
      const t0 = Date.now();
      let settled = false;
      const silent = () => fetch37({ ...ask, node: 'VN/GOV/34' }).then((t) => ({ ...t, took: Date.now() - t0 }));
      const waiting = Promise.all([1, 2, 3, 4, 5, 6].map(silent)).then((all) => { settled = true; return all; });
      await new Promise((ok) => setTimeout(ok, 200));
      const t1 = Date.now();
      await login(s37.url, 'canbo.tinh');
      const loginTook = Date.now() - t1;
      const t2 = Date.now();
      r = await fetch37(ask);
      const otherTook = Date.now() - t2;
      assert.equal(settled, false, 'the sign-in and the call to 36 were answered while the calls to 34 still waited');
      assert.ok(loginTook < limit - 500, `the sign-in waited ${loginTook} ms behind the calls`);
      assert.equal(r.status, 200, r.text);
      assert.ok(otherTook < limit - 500, `the call to 36 waited ${otherTook} ms behind the calls to 34`);
      const answered = await waiting;
      const timedOut = answered.filter((t) => t.status === 504), busy = answered.filter((t) => t.status === 503);
      assert.equal(timedOut.length, 2, JSON.stringify(answered.map((t) => t.status)));
      assert.equal(busy.length, 4);
      for (const t of timedOut) assert.equal(t.json.error.code, 'peer_timeout');
      for (const t of busy) {
        assert.equal(t.json.error.code, 'peer_busy');
        assert.match(t.json.error.message, /2 calls are already waiting for node VN\/GOV\/34 to answer; this one was not sent/);
        assert.match(t.json.error.message_vi, /đã có 2 cuộc gọi đang chờ nút VN\/GOV\/34 trả lời/);
        assert.ok(t.took < limit - 500, `a refused call was answered after ${t.took} ms`);
      }
      const took = Math.max(...timedOut.map((t) => t.took));
      assert.ok(Math.min(...timedOut.map((t) => t.took)) >= limit - 100, `the first answer came after ${took} ms`);
      assert.ok(took < 1.6 * limit, `the last of the six answered after ${took} ms (limit ${limit} ms)`);
      // the failed calls are in 37's log as such (200, 403, 502 forged, 502 unreachable, then the
      // six to 34 — two sent and not answered, four refused before sending — and the one to 36),
      // and its chain is whole
      const failed = new Database(db37).all("SELECT status, outcome FROM exchange_log WHERE status >= 500 ORDER BY seq");
      const counts = (rows) => rows.reduce((m, e) => ({ ...m, [e.outcome]: (m[e.outcome] ?? 0) + 1 }), {});
      assert.deepEqual(failed.slice(0, 2), [{ status: 502, outcome: 'peer_bad_answer' }, { status: 502, outcome: 'peer_unreachable' }]);
      assert.deepEqual(counts(failed.slice(2)), { peer_timeout: 2, peer_busy: 4 });
      assert.ok(failed.slice(2).every((e) => e.status === (e.outcome === 'peer_busy' ? 503 : 504)));
      // the refusals before anything was sent are in 37's log too, with the people the query named
      const refused = new Database(db37).all(`SELECT status, outcome, user_id, request_hash, subjects FROM exchange_log
                                              WHERE request_hash = '' AND status < 500 ORDER BY seq`);
      assert.deepEqual(refused.map((e) => [e.status, e.outcome, e.user_id]), [[403, 'not_your_dossier', 'canbo.tinh'],
        [422, 'not_the_applicant', 'lanhdao.xa'], [422, 'not_the_applicant', 'lanhdao.xa'], [422, 'missing_dossier', 'lanhdao.xa'],
        [404, 'unknown_dossier', 'lanhdao.xa']]);
      assert.deepEqual(JSON.parse(refused[1].subjects), [other.id]);
      assert.equal(on37('verify-log').stdout.trim(), 'ok 16 messages');
    } finally {
      hole.close();
      const stopped = await s37.stop();
      assert.equal(stopped.code, 0, stopped.stderr.slice(-2000));
    }
  });
});

describe('without the node key', () => {
  /** A node of its own (VN/GOV/37) whose land registry our client may read; x runs `trondoi exchange`. */
  const landNode = () => {
    const dir = tempDir();
    const dbPath = join(dir, 'trondoi.db');
    assert.equal(cli(['init', '--db', dbPath, '--node', 'VN/GOV/37']).status, 0);
    const x = (...args) => cli(['exchange', ...args, '--db', dbPath]);
    assert.equal(x('member', '--id', 'VN/GOV/UBND36', '--name', 'UBND', '--public-key', ours.pub, '--subsystem', 'MOTCUA').status, 0);
    assert.equal(x('grant', '--client', CLIENT, '--service', PARCELS, '--purposes', 'LAND_REGISTRATION').status, 0);
    return { dir, dbPath, x, key: dbPath + '.node-key' };
  };

  test('messages keep flowing unsigned while the key file is away, and are signed once it is back', { skip: FILES }, async () => {
    const { dir, dbPath, x, key } = landNode();
    const away = () => renameSync(key, key + '.away');
    const back = () => renameSync(key + '.away', key);
    const round = async (n) => { // a server started without the key answers n calls
      away();
      const s = await startServer({ dir, init: false });
      const saved = U;
      U = s.url;
      for (let i = 0; i < n; i++) {
        const r = await xcall(PARCELS, { parcel: '36-001-0042' }, { issue: 'LAND_REGISTRATION' });
        assert.equal(r.status, 200, r.text);
      }
      U = saved;
      const stopped = await s.stop({ keep: true });
      assert.equal(stopped.code, 0);
      assert.match(stopped.stderr, /messages are logged unsigned/);
      back();
    };
    await round(2);
    let r = x('verify-log');
    assert.equal(r.status, 1);
    assert.equal(r.stdout.trim(), 'broken at message 1: not signed by the node');
    r = x('sign-pending');
    assert.equal(r.stdout.trim(), 'signed 2 messages');
    assert.equal(x('verify-log').stdout.trim(), 'ok 2 messages');
    await round(1);
    assert.equal(x('verify-log').status, 1);
    const s = await startServer({ dir, init: false }); // with the key back, serve signs on start
    const stopped = await s.stop({ keep: true });
    assert.match(stopped.stderr, /signed 1 exchange messages logged while the node key was unavailable/);
    r = x('verify-log');
    assert.equal(r.stdout.trim(), 'ok 3 messages', r.stdout + r.stderr);
    assert.equal(new Database(dbPath).get('SELECT node_id FROM exchange_node').node_id, 'VN/GOV/37');
    rmSync(dir, { recursive: true, force: true });
  });

  test('a key file that comes back while the server runs: the pending messages are signed, and new ones at once', { skip: FILES }, async () => {
    const { dir, dbPath, x, key } = landNode();
    renameSync(key, key + '.away');
    const s = await startServer({ dir, init: false });
    const saved = U;
    U = s.url;
    try {
      for (let i = 0; i < 2; i++) assert.equal((await xcall(PARCELS, { parcel: '36-001-0042' }, { issue: 'LAND_REGISTRATION' })).status, 200);
      assert.equal(x('verify-log').stdout.trim(), 'broken at message 1: not signed by the node');
      renameSync(key + '.away', key); // the key is back; the server is not restarted
      let out = '';
      for (let waited = 0; waited < 30000 && out !== 'ok 2 messages'; waited += 250) { // 2 s checks; slower under valgrind
        await new Promise((ok) => setTimeout(ok, 250));
        out = x('verify-log').stdout.trim();
      }
      assert.equal(out, 'ok 2 messages');
      assert.equal(new Database(dbPath).get("SELECT COUNT(*) AS n FROM exchange_log WHERE signature = ''").n, 0);
      // a call now is signed as it is logged, and its answer carries the node's signature
      const r = await xcall(PARCELS, { parcel: '36-001-0042' }, { issue: 'LAND_REGISTRATION' });
      assert.equal(r.status, 200);
      assert.ok(r.headers.get('x-road-response-signature'), 'the answer is signed again');
      assert.equal(x('verify-log').stdout.trim(), 'ok 3 messages');
    } finally {
      U = saved;
    }
    const stopped = await s.stop();
    assert.equal(stopped.code, 0);
    assert.match(stopped.stderr, /messages are logged unsigned/);
    assert.match(stopped.stderr, /the exchange node key file is back: messages are signed again/);
    assert.match(stopped.stderr, /signed 2 exchange messages logged while the node key was unavailable/);
  });
});
