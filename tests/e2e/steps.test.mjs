// steps.test.mjs — the internal process (quy trình nội bộ): acceptance opens it, officers and
// leaders hand the dossier on step by step (or send it back), each step has its own due time, a
// supplement pauses the open step, finishing needs the last step, and lateness is reported per
// step and per officer.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Database from './sqlite.mjs';
import { api, login, startServer, upload } from './harness.mjs';

let srv, U;
const t = {};
before(async () => {
  srv = await startServer();
  U = srv.url;
  for (const u of ['dan', 'canbo.xa', 'lanhdao.xa', 'canbo.hanoi', 'lanhdao']) t[u] = await login(U, u);
});
after(async () => { const r = await srv.stop(); assert.equal(r.code, 0, r.stderr.slice(-2000)); });

const move = (token, code, body) => api(U, 'POST', `/api/v1/dossiers/${code}/transitions`, { token, body });
const step = (token, code, body) => api(U, 'POST', `/api/v1/dossiers/${code}/steps`, { token, body });
const get = (code) => api(U, 'GET', `/api/v1/dossiers/${code}`, { token: t.dan });

async function accepted() {
  const code = (await api(U, 'POST', '/api/v1/dossiers', { token: t.dan, body: { procedure: '1.004873', fields: { purpose: 'loan' } } })).json.code;
  await upload(U, t.dan, code, 'marital_status_request_form');
  const r = await move(t['canbo.xa'], code, { to: 2 });
  assert.equal(r.status, 200, r.text);
  return r.json;
}

describe('a dossier along its process', () => {
  let d;
  before(async () => { d = await accepted(); });

  test('acceptance ends the reception step and opens the review with its own due time', async () => {
    const p = d.process;
    assert.equal(p.id, 'commune');
    assert.deepEqual(p.plan.map((s) => [s.step, s.role, s.share]),
      [['reception', 'officer', 10], ['review', 'officer', 60], ['approval', 'leader', 20], ['return', 'officer', 10]]);
    assert.deepEqual(p.steps.map((s) => [s.step, s.handler, s.outcome]), [['reception', 'canbo.xa', 'forward'], ['review', null, null]]);
    assert.equal(p.current.step, 'review');
    assert.equal(p.current.name.vi, 'Thẩm định, xử lý hồ sơ');
    // 60 % of 3 working days rounds to 2: never after the dossier's own due
    assert.ok(Date.parse(p.current.due_at) <= Date.parse(d.due_at));
    assert.ok(Date.parse(p.current.due_at) > Date.now());
    const desk = (await api(U, 'GET', '/api/v1/desk', { token: t['canbo.xa'] })).json.dossiers.find((x) => x.code === d.code);
    assert.equal(desk.step.step, 'review');
    assert.equal(desk.step.role, 'officer');
  });

  test('each step is done by its role at the handling desk only', async () => {
    const byLeader = await step(t['lanhdao.xa'], d.code, { action: 'forward' });
    assert.equal(byLeader.status, 403);
    assert.equal(byLeader.json.error.code, 'wrong_role');
    assert.equal((await step(t['canbo.hanoi'], d.code, { action: 'forward' })).status, 403);
    assert.equal((await step(t.lanhdao, d.code, { action: 'forward' })).status, 403); // a leader of another unit
    assert.equal((await step(t.dan, d.code, { action: 'forward' })).status, 403);
    assert.equal((await step(t['canbo.xa'], d.code, { action: 'sideways' })).status, 422);
  });

  test('handing on names who takes the next step; only that person may act on it', async () => {
    const wrong = await step(t['canbo.xa'], d.code, { action: 'forward', assignee: 'canbo.hanoi' });
    assert.equal(wrong.status, 422);
    assert.equal(wrong.json.error.code, 'invalid_assignee');
    const r = await step(t['canbo.xa'], d.code, { action: 'forward', note: 'đủ điều kiện', assignee: 'lanhdao.xa' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.process.current.step, 'approval');
    assert.equal(r.json.process.current.assignee, 'lanhdao.xa');
    const review = r.json.process.steps.find((s) => s.step === 'review');
    assert.equal(review.handler, 'canbo.xa');
    assert.equal(review.note, 'đủ điều kiện');
    assert.equal(review.late, false);
  });

  test('sending back needs a reason and reopens the previous step', async () => {
    assert.equal((await step(t['lanhdao.xa'], d.code, { action: 'back' })).status, 422);
    const r = await step(t['lanhdao.xa'], d.code, { action: 'back', note: 'xác minh lại nơi cư trú' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.process.current.step, 'review');
    assert.deepEqual(r.json.process.steps.map((s) => s.outcome), ['forward', 'forward', 'back', null]);
    assert.equal((await step(t['canbo.xa'], d.code, { action: 'forward' })).status, 200);
  });

  test('finishing needs the last step; returning the result ends the process', async () => {
    const early = await move(t['canbo.xa'], d.code, { to: 9 });
    assert.equal(early.status, 409);
    assert.equal(early.json.error.code, 'steps_unfinished');
    assert.equal((await step(t['lanhdao.xa'], d.code, { action: 'forward' })).status, 200);
    const last = await step(t['canbo.xa'], d.code, { action: 'forward' });
    assert.equal(last.status, 409);
    assert.equal(last.json.error.code, 'last_step');
    assert.equal((await move(t['canbo.xa'], d.code, { to: 9 })).status, 200);
    const done = await move(t['canbo.xa'], d.code, { to: 10 });
    assert.equal(done.status, 200);
    assert.equal(done.json.process.current, null);
    assert.deepEqual(done.json.process.steps.map((s) => s.step), ['reception', 'review', 'approval', 'review', 'approval', 'return']);
    assert.ok(done.json.process.steps.every((s) => s.finished_at));
    assert.equal((await get(d.code)).json.process.steps.at(-1).handler, 'canbo.xa');
  });
});

test('a supplement pauses the open step; the resubmission resumes it', async () => {
  const d = await accepted();
  const paused = await move(t['canbo.xa'], d.code, { to: 5, note: 'thiếu bản sao giấy tờ' });
  assert.ok(paused.json.process.current.paused_at);
  const blocked = await step(t['canbo.xa'], d.code, { action: 'forward' });
  assert.equal(blocked.status, 409);
  assert.equal(blocked.json.error.code, 'paused');
  const resumed = await move(t.dan, d.code, { to: 4, note: 'đã bổ sung' });
  assert.equal(resumed.status, 200, resumed.text);
  assert.equal(resumed.json.process.current.paused_at, null);
  assert.ok(Date.parse(resumed.json.process.current.due_at) <= Date.parse(resumed.json.due_at));
  assert.equal((await step(t['canbo.xa'], d.code, { action: 'forward' })).status, 200);
});

test('stopping a dossier stops its open step', async () => {
  const d = await accepted();
  const r = await move(t['canbo.xa'], d.code, { to: 8, note: 'người nộp đề nghị dừng' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.process.current, null);
  assert.equal(r.json.process.steps.at(-1).outcome, 'stopped');
});

test('lateness is reported per step and per officer', async () => {
  const late = await accepted(), open = await accepted();
  const db = new Database(srv.db);
  const past = (Date.now() - 3600e3) * 1000;
  db.run("UPDATE dossier_steps SET due_at = ? WHERE code IN (?, ?) AND step = 'review'", past, late.code, open.code);
  const r = await step(t['canbo.xa'], late.code, { action: 'forward' });
  assert.equal(r.json.process.steps.find((s) => s.step === 'review').late, true);
  assert.equal((await get(open.code)).json.process.current.late, true);

  const report = await api(U, 'GET', '/api/v1/desk/lateness', { token: t['lanhdao.xa'] });
  assert.equal(report.status, 200, report.text);
  const review = report.json.steps.find((s) => s.step === 'review');
  assert.equal(review.name.vi, 'Thẩm định, xử lý hồ sơ');
  assert.ok(review.late >= 1, JSON.stringify(review));
  assert.ok(review.open_late >= 1);
  const officer = report.json.officers.find((o) => o.officer === 'canbo.xa');
  assert.ok(officer.handled >= officer.late && officer.late >= 1, JSON.stringify(officer));
  const other = await api(U, 'GET', '/api/v1/desk/lateness', { token: t['canbo.hanoi'] });
  assert.ok(!other.json.steps.some((s) => s.late > 0)); // another unit sees its own figures only
  assert.equal((await api(U, 'GET', '/api/v1/desk/lateness?from=2026-13-01', { token: t['canbo.xa'] })).status, 400);
  assert.equal((await api(U, 'GET', '/api/v1/desk/lateness', { token: t.dan })).status, 403);
});
