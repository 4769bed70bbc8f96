// sealed.test.mjs — personal data at rest: a copy of the database file (and of the stored files)
// alone shows no citizen's name, phone or address; without the data key file nothing starts; a
// sealed value moved to another row does not open; `trondoi keys rotate` re-seals everything
// under a new key while the server keeps serving, and drops the old key.
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import Database, { PG } from './sqlite.mjs';
import { api, cli, dataKeyFile, demoCitizens, login, PDF, startServer, tempDir, upload } from './harness.mjs';

let srv, U, me, code, sha;
const t = {};
const MARKER = 'GIAY-TO-RIENG-TU-7d3f'; // inside the uploaded PDF
before(async () => {
  srv = await startServer();
  U = srv.url;
  for (const u of ['dan', 'canbo.xa', 'canbo.tinh']) t[u] = await login(U, u);
  me = (await api(U, 'GET', '/api/v1/me', { token: t.dan })).json;
  // personal data flows into dossiers, their notes and notifications, feedback and stored files
  const d = await api(U, 'POST', '/api/v1/dossiers', { token: t.dan, body: { procedure: '1.004873', fields: { purpose: 'loan' } } });
  assert.equal(d.status, 201, d.text);
  code = d.json.code;
  const pdf = Buffer.concat([PDF, Buffer.from(`% ${MARKER}\n`)]);
  const up = await upload(U, t.dan, code, 'marital_status_request_form', pdf);
  assert.equal(up.status, 201, up.text);
  sha = up.json.sha256;
  const phone = me.attributes.phone.value;
  const note = `Gọi ông/bà ${me.attributes.full_name.value} theo số ${phone}`;
  assert.equal((await api(U, 'POST', `/api/v1/dossiers/${code}/transitions`, { token: t['canbo.xa'], body: { to: 2, note } })).status, 200);
  const handed = await api(U, 'POST', `/api/v1/dossiers/${code}/steps`, { token: t['canbo.xa'], body: { action: 'forward', note: `Đã gọi ${phone}` } });
  assert.equal(handed.status, 200, handed.text);
  const fb = await api(U, 'POST', '/api/v1/feedback', { token: t.dan, body: { subject: 'Liên hệ', text: `Xin gọi ${phone}`, code } });
  assert.equal(fb.status, 201, fb.text);
});
after(async () => { const r = await srv.stop(); assert.equal(r.code, 0, r.stderr.slice(-2000)); });

/** Where the server keeps stored files (beside a SQLite file; named by --files on PostgreSQL). */
const filesDir = () => (PG ? join(srv.dir, 'files') : `${srv.db}.files`);
const keys = (verb) => cli(['keys', verb, '--db', srv.db, ...(PG ? ['--files', filesDir()] : [])]);

/** Every byte the database keeps on disk: the file and its write-ahead log. */
const dbBytes = (db) => Buffer.concat([db, `${db}-wal`].filter(existsSync).map((f) => readFileSync(f)));

test('the citizen sees their own data, and the officer the dossier with its notes', async () => {
  const d = (await api(U, 'GET', `/api/v1/dossiers/${code}`, { token: t.dan })).json;
  assert.equal(d.fields.applicant_full_name, me.attributes.full_name.value);
  assert.match(d.timeline.at(-1).note, new RegExp(me.attributes.phone.value));
  const officer = (await api(U, 'GET', `/api/v1/dossiers/${code}`, { token: t['canbo.xa'] })).json;
  assert.equal(officer.process.steps.find((s) => s.note).note, `Đã gọi ${me.attributes.phone.value}`);
  const mine = (await api(U, 'GET', '/api/v1/me/feedback', { token: t.dan })).json.feedback;
  assert.equal(mine[0].text, `Xin gọi ${me.attributes.phone.value}`);
});

test('a copy of the database file shows no citizen\'s name, phone or street', { skip: PG ? 'reads the SQLite file' : false }, () => {
  const bare = tempDir(); // the same reference data without the people: names it holds anyway prove nothing
  try {
    assert.equal(cli(['init', '--db', join(bare, 'ref.db')]).status, 0);
    const reference = dbBytes(join(bare, 'ref.db'));
    const data = dbBytes(srv.db);
    const people = demoCitizens();
    const secrets = people.flatMap((c) => [c.full_name, c.phone, `${c.permanent_street}`]).filter((s) => s && s.length >= 8);
    const telling = [...new Set(secrets)].filter((s) => !reference.includes(Buffer.from(s)));
    assert.ok(telling.filter((s) => /^\d{10}$/.test(s)).length > 250, 'the demo citizens have phones to look for');
    assert.ok(telling.length > 500);
    const found = telling.filter((s) => data.includes(Buffer.from(s)));
    assert.deepEqual(found, []);
    assert.ok(!data.includes(Buffer.from(me.attributes.full_name.value)));
  } finally {
    rmSync(bare, { recursive: true, force: true });
  }
});

test('a stored file is sealed too: its content is not in the file store', () => {
  const stored = readFileSync(join(filesDir(), sha.slice(0, 2), sha));
  assert.equal(stored.subarray(0, 8).toString(), 'TDSEAL1\n');
  assert.ok(!stored.includes(Buffer.from(MARKER)) && !stored.includes(Buffer.from('%PDF')));
});

test('without its data key file, a copy of the database does not start; with another one, neither', { skip: PG ? 'copies the SQLite file' : false }, () => {
  const dir = tempDir();
  try {
    const copy = join(dir, 'copy.db');
    new Database(srv.db).run(`VACUUM INTO '${copy}'`);
    let r = cli(['serve', '--db', copy, '--port', '1']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /data key file .*copy\.db\.data-key is missing/);
    assert.match(r.stderr, /thiếu tệp khóa dữ liệu/);
    assert.equal(cli(['init', '--db', join(dir, 'other.db')]).status, 0);
    copyFileSync(join(dir, 'other.db.data-key'), `${copy}.data-key`);
    r = cli(['keys', 'status', '--db', copy]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /does not hold the keys this database was sealed with/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a record moved onto another citizen\'s row does not open: no one reads another\'s data', async () => {
  const others = demoCitizens().map((c) => c.id).filter((id) => id !== me.id);
  const officer = t['canbo.tinh'];
  const read = (id) => api(U, 'GET', `/api/v1/citizens/${id}?purpose=kiem-tra`, { token: officer });
  const before = await read(others[0]);
  assert.equal(before.status, 200, before.text);
  const db = new Database(srv.db);
  const rows = db.all('SELECT id, doc FROM citizens ORDER BY id LIMIT 2');
  const swap = 'UPDATE citizens SET doc = ?, updated_at = updated_at + 1 WHERE id = ?';
  db.run(swap, rows[1].doc, rows[0].id);
  db.run(swap, rows[0].doc, rows[1].id);
  const seen = [];
  for (const id of demoCitizens().map((c) => c.id)) seen.push(await read(id));
  assert.ok(seen.every((r) => r.status === 200 || r.status === 500), seen.map((r) => r.status).join());
  const broken = seen.filter((r) => r.status !== 200);
  assert.equal(broken.length, 2); // the two swapped rows, and only them
  for (const r of broken) {
    assert.equal(r.status, 500);
    assert.equal(r.json.error.code, 'corrupt_record');
  }
  db.run(swap, rows[0].doc, rows[0].id);
  db.run(swap, rows[1].doc, rows[1].id);
  db.close();
  assert.deepEqual((await read(others[0])).json.attributes, before.json.attributes);
});

test('keys rotate re-seals everything under a new key while the server serves, then drops the old key', async () => {
  const status = () => keys('status');
  const start = status();
  assert.equal(start.status, 0, start.stderr);
  const sealed = Number(start.stdout.match(/^key 1 \(seals\): (\d+) values, (\d+) files$/m)[1]);
  assert.ok(sealed > 300, start.stdout); // 300 records, drafts, the dossier, its notes, the feedback …
  assert.match(start.stdout, /^key 1 \(seals\): \d+ values, 1 files$/m);
  // a value written in clear (as by a trondoi from before sealing) is sealed by the rotation too
  const db = new Database(srv.db);
  const fid = (await api(U, 'GET', '/api/v1/me/feedback', { token: t.dan })).json.feedback[0].id;
  db.run("UPDATE feedback SET body = 'Viết trước khi có niêm phong' WHERE id = ?", fid);
  assert.match(status().stdout, /^in clear: 1 values, 0 files/m);

  const busy = [];
  const stop = Date.now() + 4000;
  const keepServing = async () => { // reads and writes go on during the rotation
    while (Date.now() < stop) {
      busy.push((await api(U, 'GET', '/api/v1/me', { token: t.dan })).status);
      busy.push((await api(U, 'POST', '/api/v1/dossiers', { token: t.dan, body: { procedure: '1.004873', fields: { purpose: 'other' } } })).status);
    }
  };
  const serving = keepServing();
  const r = keys('rotate');
  await serving;
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^rotated: key 2 seals everything; 1 old key\(s\) removed from the key file$/m);
  assert.ok(busy.length > 4 && busy.every((s) => s === 200 || s === 201), busy.join());

  const key = readFileSync(dataKeyFile(srv), 'utf8');
  assert.match(key, /^key 2 /m);
  assert.doesNotMatch(key, /^key 1 /m);
  assert.equal(statSync(dataKeyFile(srv)).mode & 0o777, 0o600);
  const after = status().stdout;
  assert.match(after, /^key 2 \(seals\): \d+ values, 1 files$/m);
  assert.doesNotMatch(after, /^key 1|in clear/m);
  assert.equal(db.get("SELECT COUNT(*) AS n FROM citizens WHERE doc NOT LIKE 'enc1:2:%'").n, 0);
  db.close();
  const stored = readFileSync(join(filesDir(), sha.slice(0, 2), sha));
  assert.equal(stored.readUInt32BE(8), 2);

  // everything still reads, the old value in clear included, and new writes seal under key 2
  assert.equal((await api(U, 'GET', '/api/v1/me', { token: t.dan })).json.attributes.full_name.value, me.attributes.full_name.value);
  const fb = (await api(U, 'GET', `/api/v1/feedback/${fid}`, { token: t.dan })).json;
  assert.equal(fb.text, 'Viết trước khi có niêm phong');
  const d = (await api(U, 'GET', `/api/v1/dossiers/${code}`, { token: t.dan })).json;
  assert.equal(d.fields.applicant_full_name, me.attributes.full_name.value);
  const next = await api(U, 'POST', '/api/v1/dossiers', { token: t.dan, body: { procedure: '1.004873', fields: { purpose: 'loan' } } });
  assert.equal(next.status, 201);
  const reuse = await api(U, 'POST', `/api/v1/dossiers/${next.json.code}/documents/stored`, { token: t.dan,
    body: { document: 'marital_status_request_form', stored: sha } });
  assert.equal(reuse.status, 201, reuse.text); // the re-sealed file opens
  assert.equal(reuse.json.type, 'application/pdf');
});

test('the key file is made once, mode 0600, and init never overwrites it', { skip: PG ? 'the key file beside a SQLite file' : false }, () => {
  const before = readFileSync(dataKeyFile(srv), 'utf8');
  assert.equal(cli(['init', '--db', srv.db]).status, 0);
  assert.equal(readFileSync(dataKeyFile(srv), 'utf8'), before);
  const dir = tempDir();
  try {
    writeFileSync(join(dir, 'x.db.data-key'), 'not a key\n');
    const r = cli(['init', '--db', join(dir, 'x.db')]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /cannot read the data key file .*not a trondoi data key file/);
    assert.deepEqual(readdirSync(dir).sort(), ['x.db', 'x.db-shm', 'x.db-wal', 'x.db.data-key'].filter((f) => existsSync(join(dir, f))).sort());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
