// cli.test.mjs — the trondoi command line: help, init, accounts, synthetic data, import, audit.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from './sqlite.mjs';
import { api, cli, dropDatabase, login, nodeEnv, startServer, tempDir, testDatabase } from './harness.mjs';

const idOk = (id, dob, sex) => {
  const c = Number(id[3]);
  const base = [1900, 1900, 2000, 2000, 2100, 2100, 2200, 2200, 1800, 1800][c];
  return /^\d{12}$/.test(id) && base + Number(id.slice(4, 6)) === Number(dob.slice(0, 4)) && (c % 2 ? 'female' : 'male') === sex;
};

describe('help', () => {
  test('trondoi --help lists the commands; each command has --help', () => {
    const r = cli(['--help']);
    assert.equal(r.status, 0);
    for (const c of ['init', 'serve', 'user add', 'gen citizens', 'import citizens', 'audit verify']) assert.match(r.stdout, new RegExp(c));
    for (const c of [['init'], ['serve'], ['user', 'add'], ['gen', 'citizens'], ['import', 'citizens'], ['audit', 'verify']]) {
      const h = cli([...c, '--help']);
      assert.equal(h.status, 0, c.join(' '));
      assert.match(h.stdout, /usage: trondoi/);
    }
    const bad = cli(['frobnicate']);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /unknown command/);
    assert.equal(cli(['init']).status, 2); // --db is required
  });

  test('a postgresql:// URL selects PostgreSQL: serve wants --files, an unreachable server is named', () => {
    const nowhere = 'postgresql://trondoi@127.0.0.1:1/trondoi'; // port 1: nothing listens
    const serve = cli(['serve', '--db', nowhere]);
    assert.equal(serve.status, 2);
    assert.match(serve.stderr, /--files DIR is required with PostgreSQL/);
    const init = cli(['init', '--db', nowhere]);
    assert.equal(init.status, 1);
    assert.match(init.stderr, /cannot connect to PostgreSQL: .*127\.0\.0\.1.*port 1/s);
  });
});

describe('init, accounts and audit', () => {
  let dir, db;
  before(() => { dir = tempDir(); db = testDatabase(dir, { create: true }); });
  after(() => { dropDatabase(dir); rmSync(dir, { recursive: true, force: true }); });

  test('init creates the database and is safe to run twice', () => {
    const a = cli(['init', '--db', db], { env: nodeEnv(dir) });
    assert.equal(a.status, 0, a.stderr);
    assert.match(a.stdout, /[1-9]\d* migration\(s\) applied/);
    assert.match(a.stdout, /24 procedures|\d+ procedures/);
    const b = cli(['init', '--db', db], { env: nodeEnv(dir) });
    assert.equal(b.status, 0, b.stderr);
    assert.match(b.stdout, /0 migration\(s\) applied/);
  });

  test('user add hashes with argon2id and checks role, unit, agency and citizen', () => {
    const ok = cli(['user', 'add', '--db', db, '--username', 'can.bo', '--role', 'officer', '--unit', '37', '--agency', 'congan', '--password-stdin'], { input: 'mat-khau-dai\n' });
    assert.equal(ok.status, 0, ok.stderr);
    const conn = new Database(db);
    const row = conn.get("SELECT password_hash, unit, agency FROM users WHERE username = 'can.bo'");
    conn.close();
    assert.match(row.password_hash, /^\$argon2id\$/);
    assert.deepEqual([row.unit, row.agency], ['37', 'congan']);
    const dup = cli(['user', 'add', '--db', db, '--username', 'can.bo', '--role', 'officer', '--unit', '37', '--password-stdin'], { input: 'mat-khau-dai\n' });
    assert.equal(dup.status, 1);
    assert.match(dup.stderr, /already taken/);
    const cases = [
      [['--role', 'officer', '--unit', '36'], /today's map/],        // Nam Định is no longer a unit
      [['--role', 'officer', '--unit', '37', '--agency', 'nasa'], /agency/],
      [['--role', 'citizen', '--citizen', '036090000001'], /no citizen/],
      [['--role', 'emperor'], /role/],
    ];
    for (const [args, msg] of cases) {
      const r = cli(['user', 'add', '--db', db, '--username', 'x.y', ...args, '--password-stdin'], { input: 'mat-khau-dai\n' });
      assert.notEqual(r.status, 0);
      assert.match(r.stderr, msg);
    }
    const weak = cli(['user', 'add', '--db', db, '--username', 'weak', '--role', 'admin', '--password-stdin'], { input: 'short\n' });
    assert.match(weak.stderr, /8 to 256/);
  });

  test('audit verify: ok on an intact chain, exit 1 naming the first broken entry', () => {
    const ok = cli(['audit', 'verify', '--db', db]);
    assert.equal(ok.status, 0);
    const n = Number(/^ok (\d+) entries$/m.exec(ok.stdout)[1]);
    assert.ok(n >= 3);
    const conn = new Database(db);
    conn.run("UPDATE audit_log SET actor = 'mallory' WHERE seq = 2");
    conn.close();
    const bad = cli(['audit', 'verify', '--db', db]);
    assert.equal(bad.status, 1);
    assert.match(bad.stdout, /broken at entry 2/);
  });
});

describe('synthetic citizens and import', () => {
  let dir, db, csv;
  before(() => {
    dir = tempDir();
    db = testDatabase(dir, { create: true });
    csv = join(dir, 'people.csv');
    assert.equal(cli(['init', '--db', db], { env: nodeEnv(dir) }).status, 0);
  });
  after(() => { dropDatabase(dir); rmSync(dir, { recursive: true, force: true }); });

  test('gen writes realistic citizens: valid IDs, Vietnamese names, real communes; same seed, same file', () => {
    const a = cli(['gen', 'citizens', '--count', '500', '--province', '36', '--seed', '7']);
    assert.equal(a.status, 0, a.stderr);
    const b = cli(['gen', 'citizens', '--count', '500', '--seed', '7']);
    assert.equal(a.stdout, b.stdout);
    writeFileSync(csv, a.stdout);
    const [head, ...rows] = a.stdout.trim().split('\n');
    const cols = head.split(',');
    assert.equal(rows.length, 500);
    const ids = new Set();
    const conn = new Database(db);
    const communes = new Set(conn.all("SELECT code FROM units WHERE level = 'commune' AND parent = '37' AND valid_to IS NULL").map((r) => r.code));
    conn.close();
    for (const line of rows) {
      const r = Object.fromEntries(line.split(',').map((v, i) => [cols[i], v]));
      assert.ok(idOk(r.id, r.date_of_birth, r.sex), line);
      assert.equal(r.id.slice(0, 3), '036');
      assert.match(r.full_name, /^\p{Lu}\p{Ll}* .+ \p{Lu}/u);
      assert.ok(communes.has(r.permanent_unit), r.permanent_unit);
      ids.add(r.id);
    }
    assert.equal(ids.size, 500);
  });

  test('import: summary, idempotent, a changed value becomes a new version, bad rows go to the rejects file', async () => {
    const first = cli(['import', 'citizens', '--db', db, csv]);
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stdout, /^imported 500, updated 0, rejected 0$/m);
    const again = cli(['import', 'citizens', '--db', db, csv]);
    assert.match(again.stdout, /^imported 0, updated 0, rejected 0$/m);
    const lines = readFileSync(csv, 'utf8').trim().split('\n');
    const cols = lines[0].split(',');
    const phone = cols.indexOf('phone');
    const row = lines[1].split(',');
    row[phone] = '0900000001';
    const changed = [lines[0], row.join(','),
      '036190000001,Nguyễn Văn A,1990-01-01,male,,,,,,,,,,,,',        // ID says female
      '12345,Nguyễn Văn B,1990-01-01,male,,,,,,,,,,,,',               // not 12 digits
      '036090000002,Nguyễn Văn C,1990-01-01,male,,,,,,99999,Xóm 1,,,,,', // no such commune
      '036090000003,Nguyễn Văn D,1990-01-01,male',                     // too few columns
      '036090000005,Nguyễn Văn F,,male,,,,,,,,,,,,',                   // no date of birth
      '036090000004,Nguyễn Văn E,1990-01-01,male,,,,,,,,,,,0901234567,',
    ].join('\n') + '\n';
    const csv2 = join(dir, 'changes.csv');
    writeFileSync(csv2, changed);
    const r = cli(['import', 'citizens', '--db', db, csv2]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^imported 1, updated 1, rejected 5$/m);
    const rejects = readFileSync(join(dir, 'changes.rejects.csv'), 'utf8');
    assert.match(rejects, /^line,reason,row$/m);
    assert.match(rejects, /^3,.*female/m);
    assert.match(rejects, /^4,.*12 digits/m);
    assert.match(rejects, /^5,.*99999/m);
    assert.match(rejects, /^6,wrong number of columns/m);
    assert.match(rejects, /^7,date_of_birth and sex are required/m);
    // what the registry now says of that person: the new phone as version 2, the old one kept
    assert.equal(cli(['user', 'add', '--db', db, '--username', 'canbo.nhap', '--role', 'officer', '--unit', '37', '--password-stdin'],
      { input: 'Cay-lua-xanh-2026\n', env: nodeEnv(dir) }).status, 0);
    const srv = await startServer({ dir, init: false });
    try {
      const token = await login(srv.url, 'canbo.nhap', 'Cay-lua-xanh-2026');
      const seen = (await api(srv.url, 'GET', `/api/v1/citizens/${row[0]}?purpose=kiem-tra`, { token })).json;
      assert.equal(seen.attributes.phone.value, '0900000001');
      assert.equal(seen.attributes.phone.version, 2);
      assert.equal(seen.attributes.full_name.version, 1);
      const h = (await api(srv.url, 'GET', `/api/v1/citizens/${row[0]}/attributes/phone/history?purpose=kiem-tra`, { token })).json;
      assert.deepEqual(h.versions.map((v) => [v.version, v.value]), [[2, '0900000001'], [1, lines[1].split(',')[phone]]]);
    } finally {
      await srv.stop({ keep: true });
    }
    // stored sealed (src/security/seal.h): the ID as its keyed hash, the record and history sealed
    const conn = new Database(db);
    assert.equal(conn.get("SELECT COUNT(*) AS n FROM citizens WHERE id NOT LIKE 'ix1:%' OR doc NOT LIKE 'enc1:%'").n, 0);
    assert.equal(conn.get("SELECT COUNT(*) AS n FROM attribute_history WHERE name = 'phone' AND value LIKE 'enc1:%'").n, 1);
    conn.close();
    const clean = cli(['import', 'citizens', '--db', db, csv]); // the old phone again: one more version
    assert.match(clean.stdout, /^imported 0, updated 1, rejected 0$/m);
    assert.equal(existsSync(join(dir, 'people.rejects.csv')), false);
    const audit = cli(['audit', 'verify', '--db', db]);
    assert.equal(audit.status, 0, audit.stdout);
  });

  test('import refuses a file whose header it does not know', () => {
    const f = join(dir, 'odd.csv');
    writeFileSync(f, 'id,shoe_size\n036090000001,42\n');
    const r = cli(['import', 'citizens', '--db', db, f]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /unknown column 'shoe_size'/);
  });
});
