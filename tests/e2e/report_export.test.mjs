// report_export.test.mjs — the reports as files: the 766 index and the targets as XLSX (read
// back with LibreOffice, headless, as a person opening them would) and CSV, over HTTP and from
// `trondoi report` on the command line, which must write the same figures.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from './sqlite.mjs';
import { api, cli, handOn, login, startServer, tempDir, upload } from './harness.mjs';

let srv, U, commune, period, work, tmp;
const t = {};
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** trondoi with its temporary files under tmp (to see that none is left behind). */
const trondoi = (args) => cli(args, { env: { TMPDIR: tmp } });
const leftovers = () => readdirSync(tmp).filter((f) => f.startsWith('trondoi-report-'));

before(async () => {
  work = tempDir();
  tmp = join(work, 'tmp');
  mkdirSync(tmp);
  srv = await startServer({ env: { TMPDIR: tmp } });
  U = srv.url;
  for (const u of ['dan', 'canbo.xa', 'lanhdao.xa', 'lanhdao']) t[u] = await login(U, u);
  commune = (await api(U, 'GET', '/api/v1/me', { token: t.dan })).json.attributes.permanent_address.value.unit;
  // the Decree 09 month that holds today (Vietnam time): from the 15th of the month before
  const vn = new Date(Date.now() + 7 * 3600e3);
  const m = vn.getUTCDate() >= 15 ? vn.getUTCMonth() + 1 : vn.getUTCMonth();
  const [y, mm] = m === 12 ? [vn.getUTCFullYear() + 1, 1] : [vn.getUTCFullYear(), m + 1];
  period = `${y}-${String(mm).padStart(2, '0')}`;

  // The dataset: two dossiers finished in the period (one online and on time, one taken at the
  // desk and finished late) and one received online still being processed.
  const move = (token, code, body) => api(U, 'POST', `/api/v1/dossiers/${code}/transitions`, { token, body });
  const finished = async (token, body, late) => {
    const code = (await api(U, 'POST', '/api/v1/dossiers', { token, body })).json.code;
    await upload(U, t['canbo.xa'], code, 'marital_status_request_form');
    await move(t['canbo.xa'], code, { to: 2 });
    await handOn(U, t['canbo.xa'], t['lanhdao.xa'], code);
    if (late) new Database(srv.db).run('UPDATE dossiers SET due_at = ? WHERE code = ?', (Date.now() - 86400e3) * 1000, code);
    const r = await move(t['canbo.xa'], code, late ? { to: 9, apology: { reason: 'chờ xác minh', new_appointment: '2026-12-31' } } : { to: 9 });
    assert.equal(r.status, 200, r.text);
  };
  const dan = (await api(U, 'GET', '/api/v1/me', { token: t.dan })).json.id;
  await finished(t.dan, { procedure: '1.004873', fields: { purpose: 'loan' } }, false);
  await finished(t['canbo.xa'], { procedure: '1.004873', applicant: dan, fields: { purpose: 'loan' } }, true);
  assert.equal((await api(U, 'POST', '/api/v1/dossiers', { token: t.dan, body: { procedure: '1.004873', fields: { purpose: 'other' } } })).status, 201);
});
after(async () => {
  const r = await srv.stop();
  rmSync(work, { recursive: true, force: true });
  assert.equal(r.code, 0, r.stderr.slice(-2000));
});

const get = (path, token = t.lanhdao) => fetch(`${U}${path}`, { headers: { authorization: `Bearer ${token}` } });

/** One line of LibreOffice's CSV: quoted cells are text, bare ones numbers or booleans, empty null. */
function cells(line) {
  const out = [];
  for (let i = 0; i <= line.length;) {
    if (line[i] === '"') {
      let s = '';
      for (i++; i < line.length; i++) {
        if (line[i] === '"' && line[i + 1] === '"') { s += '"'; i++; } else if (line[i] === '"') break; else s += line[i];
      }
      out.push(s);
      i += 2; // the closing quote and the comma
    } else {
      const end = line.indexOf(',', i) < 0 ? line.length : line.indexOf(',', i);
      const v = line.slice(i, end);
      out.push(v === '' ? null : v === 'TRUE' ? true : v === 'FALSE' ? false : Number.isNaN(Number(v)) ? `?${v}` : Number(v));
      i = end + 1;
    }
  }
  return out;
}

/** Converts each file's every sheet to CSV with LibreOffice (one run, its own profile) and
 * returns {file: {sheet: rows}} with the sheets in workbook order. */
function openInCalc(files) {
  const out = join(work, 'calc');
  rmSync(out, { recursive: true, force: true });
  // separator, quote, UTF-8, line 1, -, -, quote all text cells, -, values not as shown, -, -, every sheet
  const filter = 'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,true,true,false,false,false,-1';
  const r = spawnSync('soffice', [`-env:UserInstallation=file://${join(work, 'lo-profile')}`, '--headless', '--convert-to', filter, '--outdir', out, ...files],
    { encoding: 'utf8', timeout: 180000 });
  assert.equal(r.status, 0, r.stderr);
  const books = {};
  for (const m of r.stdout.matchAll(/Writing sheet (.+) -> (.+\.csv)/g)) {
    const base = m[2].slice(out.length + 1).replace(/-[^-]*$/, '');
    (books[base] ??= {})[m[1]] = readFileSync(m[2], 'utf8').split(/\r?\n/).filter((l) => l).map(cells);
  }
  return books;
}

const row = (sheet, first) => sheet.find((r) => r[0] === first);

/** The rows of one sheet of a workbook LibreOffice saved as HTML: each cell's text and whether it
 * is bold. */
function htmlSheet(file, name) {
  const out = join(work, 'html');
  const r = spawnSync('soffice', [`-env:UserInstallation=file://${join(work, 'lo-profile')}`, '--headless', '--convert-to', 'html', '--outdir', out, file],
    { encoding: 'utf8', timeout: 180000 });
  assert.equal(r.status, 0, r.stderr);
  const html = readFileSync(join(out, file.split('/').pop().replace(/\.xlsx$/, '.html')), 'utf8');
  const section = html.split(/<h1>Sheet \d+: /).find((s) => s.startsWith(`<em>${name}</em>`));
  assert.ok(section, `no sheet ${name}`);
  return section.split('<tr>').slice(1).map((tr) => [...tr.matchAll(/<td[^>]*>(.*?)<\/td>/gs)]
    .map((m) => ({ text: m[1].replace(/<[^>]+>/g, '').trim(), bold: m[1].includes('<b>') })));
}

describe('XLSX', () => {
  let books, http, json, province;
  before(async () => {
    const res = await get(`/api/v1/reports/766?unit=${commune}&period=${period}&format=xlsx`);
    http = { status: res.status, type: res.headers.get('content-type'), disposition: res.headers.get('content-disposition'), body: Buffer.from(await res.arrayBuffer()) };
    writeFileSync(join(work, 'http.xlsx'), http.body);
    // two work dossiers of the commune closed today: one processed online, one on paper
    const today = new Date(Date.now() + 7 * 3600e3).toISOString().slice(0, 10);
    for (const [ref, online] of [['CV-1', true], ['CV-2', false]]) {
      const w = await api(U, 'POST', '/api/v1/work-items', { token: t['canbo.xa'], body: { ref, title: `Công việc ${ref}`, opened_on: today, closed_on: today, online } });
      assert.equal(w.status, 201, w.text);
    }
    const tg = await get(`/api/v1/reports/targets?unit=${commune}&period=${period}&format=xlsx`);
    assert.equal(tg.status, 200);
    writeFileSync(join(work, 'targets.xlsx'), Buffer.from(await tg.arrayBuffer()));
    const c = trondoi(['report', '766', '--db', srv.db, '--unit', '37', '--period', period, '--format', 'xlsx', '-o', join(work, 'cli.xlsx')]);
    assert.equal(c.status, 0, c.stderr);
    json = (await api(U, 'GET', `/api/v1/reports/766?unit=${commune}&period=${period}`, { token: t.lanhdao })).json;
    province = (await api(U, 'GET', `/api/v1/reports/766?unit=37&period=${period}`, { token: t.lanhdao })).json;
    books = openInCalc(['http.xlsx', 'targets.xlsx', 'cli.xlsx'].map((f) => join(work, f)));
  });

  test('over HTTP: a spreadsheet named after the unit and period, no temporary file left', () => {
    assert.equal(http.status, 200);
    assert.equal(http.type, XLSX);
    assert.match(http.disposition, new RegExp(`filename="766-${commune}-${period}\\.xlsx"`));
    assert.equal(http.body.subarray(0, 2).toString(), 'PK'); // a zip, as XLSX files are
    assert.deepEqual(leftovers(), []);
  });

  test('a summary sheet, then one sheet per group', () => {
    assert.deepEqual(Object.keys(books.http), ['summary', 'transparency', 'progress', 'online', 'payment', 'digitisation', 'satisfaction']);
    assert.deepEqual(Object.keys(books.cli), Object.keys(books.http));
  });

  test('the figures are numbers: progress 1 of 2 on time, online 2 of 3 submissions', () => {
    const p = books.http.progress;
    assert.deepEqual(p[0].slice(0, 2), ['Mã / ID', 'Chỉ tiêu']);
    // on time 1, finished 2: 50 % of a 100 % target, of 20 points
    assert.deepEqual(row(p, 'P1'), ['P1', 'Hồ sơ giải quyết đúng hạn', 'Dossiers finished on time', true, 1, 2, 50, 100, 10, 20]);
    assert.deepEqual(p.at(-1), [null, 'Tiến độ, kết quả giải quyết', 'Processing progress and results', null, null, null, null, null, 10, 20]);
    // online 2 of 3 received: 66.67 % against a target of 50 %, the full 4 points
    assert.deepEqual(row(books.http.online, 'O3').slice(3), [true, 2, 3, 66.67, 50, 4, 4]);
    // no procedure announced in the period: 0 of 0, no rate (an empty cell), 0 points
    assert.deepEqual(row(books.http.transparency, 'T1').slice(3), [true, 0, 0, null, 100, 0, 4]);
  });

  test('the header row is bold, the figures are not', () => {
    const rows = htmlSheet(join(work, 'http.xlsx'), 'progress');
    assert.deepEqual(rows[0].map((c) => c.text).slice(0, 3), ['Mã / ID', 'Chỉ tiêu', 'Indicator']);
    assert.ok(rows[0].every((c) => c.bold), JSON.stringify(rows[0]));
    assert.equal(rows[1][0].text, 'P1');
    assert.ok(rows[1].every((c) => !c.bold), JSON.stringify(rows[1]));
  });

  test('the summary holds the unit, the groups\' points and the total', () => {
    const s = books.http.summary;
    assert.deepEqual(row(s, 'Đơn vị / Unit').slice(0, 3), ['Đơn vị / Unit', commune, json.name]);
    assert.deepEqual(row(s, 'Kỳ / Period').slice(0, 3), ['Kỳ / Period', period, 'nd09']);
    assert.deepEqual(row(s, 'progress'), ['progress', 'Tiến độ, kết quả giải quyết', 'Processing progress and results', 10, 20]);
    assert.deepEqual(row(s, 'total'), ['total', 'Tổng điểm', 'Total', json.total, 100]);
    const sum = json.groups.reduce((a, g) => a + g.points, 0);
    assert.ok(Math.abs(row(s, 'total')[3] - sum) < 0.02);
  });

  test('from the command line: the province, its communes ranked by total', () => {
    const s = books.cli.summary;
    assert.deepEqual(row(s, 'Đơn vị / Unit').slice(0, 3), ['Đơn vị / Unit', '37', 'Tỉnh Ninh Bình']);
    assert.deepEqual(row(s, 'total').slice(3), [province.total, 100]);
    assert.deepEqual(row(books.cli.progress, 'P1').slice(3), [true, 1, 2, 50, 100, 10, 20]); // rolled up from the commune
    const head = s.findIndex((r) => r[0] === 'Xếp hạng / Rank');
    assert.ok(head > 0, JSON.stringify(s));
    const ranked = s.slice(head + 1);
    assert.equal(ranked.length, province.children.length);
    assert.deepEqual(ranked.find((r) => r[1] === commune).slice(0, 4), [1, commune, json.name, json.total]); // the only commune with dossiers
    assert.deepEqual(leftovers(), []);
  });

  test('the targets on one sheet', () => {
    const s = books.targets.targets;
    assert.deepEqual(Object.keys(books.targets), ['targets']);
    // work dossiers processed online 1 of 2 closed: 50 % against the commune's 60 %
    assert.deepEqual(row(s, 'processed_online').slice(3), [true, 1, 2, 50, 60, false]);
    // no approved report form yet: not measured, 0 of 0, no value
    assert.deepEqual(row(s, 'epayment_accounts').slice(3), [false, 0, 0, null, 50, null]);
  });
});

describe('CSV and JSON from the command line', () => {
  test('the same CSV as the API', async () => {
    const c = trondoi(['report', '766', '--db', srv.db, '--unit', commune, '--period', period, '--format', 'csv']);
    assert.equal(c.status, 0, c.stderr);
    assert.match(c.stdout, new RegExp(`^${commune},${period},progress,P1,"Hồ sơ giải quyết đúng hạn",1,2,50.00,100,10.00,20\\r$`, 'm'));
    assert.match(c.stdout, new RegExp(`^${commune},${period},online,O3,"Hồ sơ nộp trực tuyến",2,3,66.67,50,4.00,4\\r$`, 'm'));
    const res = await get(`/api/v1/reports/766?unit=${commune}&period=${period}&format=csv`);
    assert.equal(await res.text(), c.stdout);
  });

  test('the targets as CSV, to a file', () => {
    const f = join(work, 'targets.csv');
    const c = trondoi(['report', 'targets', '--db', srv.db, '--unit', commune, '--period', period, '--format', 'csv', '--output', f]);
    assert.equal(c.status, 0, c.stderr);
    const text = readFileSync(f, 'utf8');
    assert.match(text, /^unit,period,id,name,measured,numerator,denominator,value,target,met\r$/m);
    assert.match(text, new RegExp(`^${commune},${period},processed_online,"Hồ sơ công việc được xử lý trên môi trường mạng",true,1,2,50.00,60.00,false\\r$`, 'm'));
  });

  test('JSON: the same figures as the API', async () => {
    const c = trondoi(['report', '766', '--db', srv.db, '--unit', '37', '--period', period, '--cut', 'calendar']);
    assert.equal(c.status, 0, c.stderr);
    const a = (await api(U, 'GET', `/api/v1/reports/766?unit=37&period=${period}&cut=calendar`, { token: t.lanhdao })).json;
    assert.deepEqual(JSON.parse(c.stdout), a);
  });
});

describe('refusals', () => {
  test('an unknown format is a 400 invalid_query', async () => {
    for (const kind of ['766', 'targets']) {
      const r = await api(U, 'GET', `/api/v1/reports/${kind}?unit=${commune}&period=${period}&format=ods`, { token: t.lanhdao });
      assert.equal(r.status, 400, kind);
      assert.equal(r.json.error.code, 'invalid_query');
      assert.match(r.json.error.message, /json, csv or xlsx/);
    }
  });

  test('the spreadsheet keeps the unit check: a commune officer gets no province report', async () => {
    const r = await get(`/api/v1/reports/766?unit=37&period=${period}&format=xlsx`, t['canbo.xa']);
    assert.equal(r.status, 403);
  });

  test('the command says what is wrong in English and Vietnamese, and exits non-zero', () => {
    const base = ['report', '766', '--db', srv.db];
    const cases = [
      [['--unit', '99999', '--period', period], /no unit 99999 on the period's map\n {2}\(không có đơn vị 99999/],
      [['--unit', '37', '--period', '2026-13'], /period must be YYYY.*\n {2}\(period phải có dạng/],
      [['--unit', '37', '--period', period, '--format', 'ods'], /format must be json, csv or xlsx\n {2}\(format phải là/],
    ];
    for (const [args, message] of cases) {
      const out = join(work, 'never.xlsx');
      const r = trondoi([...base, ...args, '-o', out]);
      assert.equal(r.status, 1, args.join(' '));
      assert.match(r.stderr, message);
      assert.equal(r.stdout, '');
      assert.equal(existsSync(out), false);
    }
    assert.equal(trondoi(['report', 'annual', '--db', srv.db]).status, 2);
    assert.equal(trondoi(['report', '766', '--db', srv.db, '--period', period]).status, 2); // --unit is required
    const help = trondoi(['report', '766', '--help']);
    assert.equal(help.status, 0);
    assert.match(help.stdout, /-o, --output FILE/);
  });
});
