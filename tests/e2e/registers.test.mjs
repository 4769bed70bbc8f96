// registers.test.mjs — the registers the targets scorecard reads: work dossiers and inspections,
// recorded one by one, imported as CSV (all or nothing, every bad line named) or from the command
// line, listed per unit; and the scorecard's figures from them, computed here by hand: a commune
// (60 %), the province (90 %) and a district for a period before the 2025 reform (80 %).
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from './sqlite.mjs';
import { api, cli, login, startServer } from './harness.mjs';

let srv, U;
const t = {};
const COMMUNE = '14038'; // canbo.xa's commune (Xã Ninh Giang)

before(async () => {
  srv = await startServer();
  U = srv.url;
  for (const u of ['dan', 'canbo.xa', 'lanhdao.xa', 'canbo.tinh', 'lanhdao', 'canbo.hanoi']) t[u] = await login(U, u);
});
after(async () => { const r = await srv.stop(); assert.equal(r.code, 0, r.stderr.slice(-2000)); });

const post = (token, path, body) => api(U, 'POST', path, { token, body });
const csv = (token, path, text, type = 'text/csv') => api(U, 'POST', path, { token, raw: text, headers: { 'content-type': type } });
const targets = async (unit, period, token = t.lanhdao) => {
  const r = await api(U, 'GET', `/api/v1/reports/targets?unit=${unit}&period=${period}`, { token });
  assert.equal(r.status, 200, r.text);
  return { level: r.json.level, get: (id) => r.json.targets.find((x) => x.id === id) };
};
const figures = (x) => [x.numerator, x.denominator, x.value, x.target, x.met];

// 2026-Q2 under Decree 09 runs from 15 March 2026 to 14 June 2026.
describe('a commune and its province in 2026-Q2', () => {
  before(async () => {
    const items = [
      ['CV-01', '2026-03-20', '2026-04-02', true],
      ['CV-02', '2026-04-01', '2026-04-20', true],
      ['CV-03', '2026-05-01', '2026-05-05', true],
      ['CV-04', '2026-05-02', '2026-05-30', false],
      ['CV-05', '2026-02-10', '2026-03-15', false], // opened before the period, closed on its first day
      ['CV-06', '2026-06-01', '2026-06-15', true], // closed the day after the period
      ['CV-07', '2026-06-01', null, true], // still open
    ];
    for (const [ref, opened, closed, online] of items) {
      const r = await post(t['canbo.xa'], '/api/v1/work-items', { ref, title: `Công việc ${ref}`, opened_on: opened, closed_on: closed, online });
      assert.equal(r.status, 201, r.text);
      assert.deepEqual([r.json.unit, r.json.level, r.json.online, r.json.created_by], [COMMUNE, 'commune', online, 'canbo.xa']);
    }
    for (const [ref, held, digital] of [['TT-1', '2026-04-10', true], ['TT-2', '2026-05-10', false]]) {
      const r = await post(t['lanhdao.xa'], '/api/v1/inspections', { ref, subject: `Kiểm tra ${ref}`, held_on: held, digital });
      assert.equal(r.status, 201, r.text);
    }
    // the province's own work dossiers, imported: ten closed in the period, nine of them online
    const lines = ['ref,title,opened_on,closed_on,online'];
    for (let i = 1; i <= 10; i++) lines.push(`T-${i},"Văn bản số ${i}, năm 2026",2026-04-0${i % 9 + 1},2026-05-1${i % 10},${i === 10 ? 'false' : 'true'}`);
    const r = await csv(t['canbo.tinh'], '/api/v1/work-items/import', lines.join('\r\n') + '\r\n');
    assert.equal(r.status, 201, r.text);
    assert.deepEqual(r.json, { register: 'work-items', imported: 10 });
    // and one inspection of its own, on paper, from the command line
    const file = join(srv.dir, 'tt.csv');
    writeFileSync(file, 'unit,ref,subject,held_on,digital\n37,TT-T1,Thanh tra ngân sách,2026-05-20,0\n');
    const c = cli(['import', 'inspections', '--db', srv.db, file]);
    assert.equal(c.status, 0, c.stderr);
    assert.equal(c.stdout.trim(), 'imported 1');
  });

  test('the commune: 3 of the 5 work dossiers closed in the period were online, 60 % is met', async () => {
    const s = await targets(COMMUNE, '2026-Q2', t['lanhdao.xa']);
    assert.equal(s.level, 'commune');
    assert.deepEqual(figures(s.get('processed_online')), [3, 5, 60, 60, true]);
    assert.deepEqual(figures(s.get('digital_inspections')), [1, 2, 50, 50, true]);
    assert.equal(s.get('processed_online').measured, true);
  });

  test('the province counts its own and its communes\': 12 of 15 is 80 %, short of 90 %', async () => {
    const s = await targets('37', '2026-Q2');
    assert.equal(s.level, 'province');
    assert.deepEqual(figures(s.get('processed_online')), [12, 15, 80, 90, false]);
    const d = s.get('digital_inspections'); // 1 of 3
    assert.deepEqual([d.numerator, d.denominator, d.value, d.met], [1, 3, 33.33, false]);
  });

  test('a period with no work dossiers is not measured', async () => {
    const p = (await targets(COMMUNE, '2026-Q1', t['lanhdao.xa'])).get('processed_online');
    assert.deepEqual([p.measured, p.value, p.met, p.denominator], [false, null, null, 0]);
  });

  test('a unit\'s register is listed, paged, for its staff and those above it', async () => {
    const page = await api(U, 'GET', `/api/v1/work-items?unit=${COMMUNE}&limit=3`, { token: t['canbo.tinh'] });
    assert.equal(page.status, 200, page.text);
    assert.equal(page.json.count, 7);
    // newest opened first; of two opened the same day, the one recorded last
    assert.deepEqual(page.json.items.map((x) => [x.ref, x.opened_on]), [['CV-07', '2026-06-01'], ['CV-06', '2026-06-01'], ['CV-04', '2026-05-02']]);
    assert.equal(page.json.next_offset, 3);
    const last = await api(U, 'GET', `/api/v1/work-items?unit=${COMMUNE}&limit=3&offset=6`, { token: t['lanhdao.xa'] });
    assert.deepEqual([last.json.items.map((x) => x.ref), last.json.next_offset], [['CV-05'], null]);
    const mine = await api(U, 'GET', '/api/v1/inspections', { token: t['canbo.xa'] }); // the officer's own unit by default
    assert.deepEqual(mine.json.items.map((x) => [x.ref, x.digital]), [['TT-2', false], ['TT-1', true]]);
    assert.equal((await api(U, 'GET', '/api/v1/work-items?unit=37', { token: t['canbo.xa'] })).status, 403); // above the officer
    assert.equal((await api(U, 'GET', `/api/v1/work-items?unit=${COMMUNE}`, { token: t['canbo.hanoi'] })).status, 403); // another province
    assert.equal((await api(U, 'GET', `/api/v1/work-items?unit=${COMMUNE}`, { token: t.dan })).status, 403); // a citizen
    assert.equal((await api(U, 'GET', '/api/v1/work-items?unit=xx', { token: t.lanhdao })).status, 400);
  });
});

describe('a district before the 2025 reform', () => {
  // 2025-Q1 under Decree 09: 15 December 2024 to 14 March 2025, on the map with districts.
  // Huyện Nho Quan (372) with its commune Xã Xích Thổ (14386); Thành phố Tam Điệp (370) beside it.
  before(async () => {
    const text = [
      'unit,ref,title,opened_on,closed_on,online',
      '372,NQ-1,Báo cáo quý,2025-01-02,2025-01-10,true',
      '372,NQ-2,Kế hoạch,2025-01-05,2025-02-10,true',
      '372,NQ-3,Tờ trình,2025-02-01,2025-03-01,false',
      '372,NQ-4,Quyết định,2025-02-03,2025-03-14,true',
      '14386,XT-1,Công văn,2025-01-06,2025-01-20,true',
      '370,TD-1,Công văn,2025-01-06,2025-01-20,false',
      '',
    ].join('\n');
    const r = await csv(t['canbo.tinh'], '/api/v1/work-items/import', text, 'text/csv; charset=utf-8');
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.imported, 6);
  });

  test('the district is scored against 80 %: 4 of 5 is met', async () => {
    const s = await targets('372', '2025-Q1');
    assert.equal(s.level, 'district');
    assert.deepEqual(figures(s.get('processed_online')), [4, 5, 80, 80, true]);
  });

  test('the rows keep the level of their unit on their own date\'s map', async () => {
    const l = await api(U, 'GET', '/api/v1/work-items?unit=372', { token: t.lanhdao });
    assert.equal(l.status, 200, l.text);
    assert.deepEqual(l.json.items.map((x) => x.level), ['district', 'district', 'district', 'district']);
    assert.equal((await api(U, 'GET', '/api/v1/work-items?unit=14386', { token: t.lanhdao })).json.items[0].level, 'commune');
  });

  test('the old province on that map holds both districts: 4 of 6', async () => {
    const s = await targets('37', '2025-Q1');
    assert.deepEqual(figures(s.get('processed_online')), [4, 6, 66.67, 90, false]);
  });
});

describe('bad input is refused and nothing is written', () => {
  const count = async () => (await api(U, 'GET', `/api/v1/work-items?unit=${COMMUNE}`, { token: t['canbo.xa'] })).json.count;

  test('a CSV with bad lines names each by number and reason; the good lines are not written either', async () => {
    const before = await count();
    const text = [
      'ref,title,opened_on,closed_on,online',
      'B-1,Tốt,2026-04-01,2026-04-02,true', // line 2: good
      'B-2,Ngày sai,2026-02-30,,true', // 3: no such date
      'B-3,Đóng trước mở,2026-04-05,2026-04-01,false', // 4
      'B-4,Thiếu trường,2026-04-01,true', // 5: four fields
      'B-1,Trùng,2026-04-01,,false', // 6: the ref of line 2
      'CV-01,Đã có,2026-04-01,,false', // 7: the commune recorded CV-01 already
      'B-5,Không rõ,2026-04-01,,maybe', // 8
      'B-6,"Dấu ngoặc,2026-04-01,,true', // 9: an unclosed quote
      'B-7,Tương lai,2099-01-01,,true', // 10: after today
    ].join('\n');
    const r = await csv(t['canbo.xa'], '/api/v1/work-items/import', text);
    assert.equal(r.status, 422, r.text);
    assert.equal(r.json.error.code, 'invalid_rows');
    assert.match(r.json.error.message_vi, /chưa nhập/);
    assert.deepEqual(r.json.error.fields.map((f) => [f.line, f.code]), [
      [3, 'invalid_date'], [4, 'invalid_field'], [5, 'wrong_field_count'], [6, 'duplicate_ref'], [7, 'duplicate_ref'],
      [8, 'invalid_field'], [9, 'invalid_csv'], [10, 'invalid_date'],
    ]);
    assert.match(r.json.error.message, /^8 line/);
    assert.ok(r.json.error.fields.every((f) => f.message && f.message_vi));
    assert.match(r.json.error.fields.find((f) => f.line === 6).message, /line 2/);
    assert.equal(await count(), before);
  });

  test('a ref the unit already has is a bad line once the rest are good', async () => {
    const before = await count();
    const r = await csv(t['canbo.xa'], '/api/v1/work-items/import', 'ref,title,opened_on,online\nB-8,Mới,2026-04-01,true\nCV-01,Đã có,2026-04-01,false\n');
    assert.equal(r.status, 422, r.text);
    assert.deepEqual(r.json.error.fields.map((f) => [f.line, f.code]), [[3, 'duplicate_ref']]);
    assert.equal(await count(), before);
  });

  test('the header must name known columns and the required ones', async () => {
    let r = await csv(t['canbo.xa'], '/api/v1/work-items/import', 'ref,title,opened,online\nX,Y,2026-04-01,true\n');
    assert.deepEqual([r.status, r.json.error.fields[0].line, r.json.error.fields[0].code], [422, 1, 'unknown_column']);
    r = await csv(t['canbo.xa'], '/api/v1/inspections/import', 'ref,subject,held_on\nX,Y,2026-04-01\n');
    assert.deepEqual([r.status, r.json.error.fields[0].code], [422, 'missing_column']);
    r = await csv(t['canbo.xa'], '/api/v1/inspections/import', 'ref,subject,held_on,digital\n');
    assert.deepEqual([r.status, r.json.error.code], [422, 'no_rows']);
  });

  test('an officer records only for their unit and those within it', async () => {
    const r = await csv(t['canbo.xa'], '/api/v1/work-items/import', 'unit,ref,title,opened_on,online\n37,P-1,Của tỉnh,2026-04-01,true\n');
    assert.deepEqual([r.status, r.json.error.fields[0].code], [422, 'forbidden']);
    const one = await post(t['canbo.xa'], '/api/v1/work-items', { unit: '37', ref: 'P-2', title: 'x', opened_on: '2026-04-01', online: true });
    assert.equal(one.status, 403);
    assert.equal((await post(t.dan, '/api/v1/work-items', { ref: 'P-3', title: 'x', opened_on: '2026-04-01', online: true })).status, 403);
    const dup = await post(t['canbo.xa'], '/api/v1/work-items', { ref: 'CV-01', title: 'x', opened_on: '2026-04-01', online: true });
    assert.deepEqual([dup.status, dup.json.error.code], [409, 'duplicate_ref']);
    const bad = await post(t['canbo.xa'], '/api/v1/inspections', { ref: 'K', subject: 'x', held_on: '2026-04-01', digital: 'yes' });
    assert.deepEqual([bad.status, bad.json.error.code], [422, 'invalid_field']);
  });

  test('the import takes text/csv only, up to 1 MiB, UTF-8', async () => {
    let r = await csv(t['canbo.xa'], '/api/v1/work-items/import', 'ref,title,opened_on,online\n', 'application/json');
    assert.deepEqual([r.status, r.json.error.code], [415, 'unsupported_media_type']);
    // a body over 1 MiB is refused from its Content-Length, before it is read
    const body = Buffer.from('ref,title,opened_on,online\n' + 'X,' + 'a'.repeat(1024 * 1024) + ',2026-04-01,true\n');
    const status = await new Promise((ok, fail) => {
      const req = request(`${U}/api/v1/work-items/import`, { method: 'POST', headers: {
        authorization: `Bearer ${t['canbo.xa']}`, 'content-type': 'text/csv', 'content-length': body.length, expect: '100-continue' } });
      req.on('continue', () => req.end(body)); // only if the server wants it
      req.on('response', (res) => { res.resume(); ok(res.statusCode); });
      req.on('error', fail);
      req.flushHeaders();
    });
    assert.equal(status, 413);
    r = await csv(t['canbo.xa'], '/api/v1/work-items/import', Buffer.from('ref,title,opened_on,online\nX,\xff\xfe,2026-04-01,true\n', 'latin1'));
    assert.deepEqual([r.status, r.json.error.code], [422, 'invalid_csv']);
  });

  test('the command line refuses a bad file, naming the line, and writes nothing', () => {
    const file = join(srv.dir, 'bad.csv');
    writeFileSync(file, 'unit,ref,subject,held_on,digital\n37,TT-T2,Tốt,2026-05-20,1\n99999,TT-T3,Không có đơn vị,2026-05-20,1\n');
    const c = cli(['import', 'inspections', '--db', srv.db, file]);
    assert.equal(c.status, 1);
    assert.match(c.stderr, /line 3: no unit 99999/);
  });
});

// 2026-Q3 under Decree 09 runs from 15 June 2026 to 14 September 2026: the commune's CV-06 (closed
// on 15 June, online) is its only closed work dossier there until CV-20 is closed later.
describe('a work dossier closed and corrected later', () => {
  let id;
  const patch = (body, token = t['canbo.xa'], which = id) => api(U, 'PATCH', `/api/v1/work-items/${which}`, { token, body });
  const online = async () => figures((await targets(COMMUNE, '2026-Q3')).get('processed_online'));
  before(async () => {
    const r = await post(t['canbo.xa'], '/api/v1/work-items', { ref: 'CV-20', title: 'Báo cáo quý', opened_on: '2026-07-01', online: false });
    assert.equal(r.status, 201, r.text);
    id = r.json.id;
  });

  test('closing it counts it in the period it closed in; correcting it to online moves the figure', async () => {
    assert.deepEqual(await online(), [1, 1, 100, 60, true]);
    const closed = await patch({ closed_on: '2026-07-20', reason: 'đã hoàn thành' });
    assert.equal(closed.status, 200, closed.text);
    assert.deepEqual([closed.json.id, closed.json.ref, closed.json.closed_on, closed.json.online], [id, 'CV-20', '2026-07-20', false]);
    assert.deepEqual(await online(), [1, 2, 50, 60, false]);
    const corrected = await patch({ online: true }, t['lanhdao.xa']);
    assert.equal(corrected.status, 200, corrected.text);
    assert.deepEqual([corrected.json.closed_on, corrected.json.online], ['2026-07-20', true]);
    assert.deepEqual(await online(), [2, 2, 100, 60, true]);
    const listed = (await api(U, 'GET', `/api/v1/work-items?unit=${COMMUNE}`, { token: t['canbo.xa'] })).json.items.find((x) => x.id === id);
    assert.deepEqual([listed.closed_on, listed.online], ['2026-07-20', true]);
  });

  test('each correction is in the audit trail with the before, the after and why', () => {
    const rows = new Database(srv.db).all("SELECT actor, detail FROM audit_log WHERE action = 'work-item.correct' AND object = ? ORDER BY seq", id);
    assert.deepEqual(rows.map((r) => [r.actor, JSON.parse(r.detail)]), [
      ['canbo.xa', { closed_on: { before: null, after: '2026-07-20' }, online: { before: false, after: false }, reason: 'đã hoàn thành' }],
      ['lanhdao.xa', { closed_on: { before: '2026-07-20', after: '2026-07-20' }, online: { before: false, after: true }, reason: null }],
    ]);
  });

  test('only the closing and the channel are corrected, under the rules of a new record', async () => {
    const cases = [
      [{ title: 'Đổi tên' }, 422, 'not_correctable'],
      [{ opened_on: '2026-07-02' }, 422, 'not_correctable'],
      [{}, 422, 'missing_field'],
      [{ reason: 'chỉ có lý do' }, 422, 'missing_field'],
      [{ closed_on: '2026-06-30' }, 422, 'invalid_field'], // before it opened
      [{ closed_on: '2099-01-01' }, 422, 'invalid_date'],
      [{ closed_on: '20-07-2026' }, 422, 'invalid_date'],
      [{ online: 'yes' }, 422, 'invalid_field'],
    ];
    for (const [body, status, code] of cases) {
      const r = await patch(body);
      assert.equal(r.status, status, `${JSON.stringify(body)}: ${r.text}`);
      assert.equal(r.json.error.code, code, JSON.stringify(body));
      assert.ok(r.json.error.message && r.json.error.message_vi, r.text);
    }
    assert.equal((await patch({ online: false }, t['canbo.xa'], 'khong-co')).status, 404);
    assert.equal((await patch({ online: false }, t['canbo.hanoi'])).status, 403); // another province's officer
    assert.equal((await patch({ online: false }, t.dan)).status, 403);
    assert.deepEqual(await online(), [2, 2, 100, 60, true]); // nothing refused was written
  });

  test('closed_on null reopens it: it leaves the period\'s count', async () => {
    const r = await patch({ closed_on: null, reason: 'mở lại để bổ sung' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.closed_on, null);
    assert.deepEqual(await online(), [1, 1, 100, 60, true]);
  });
});
