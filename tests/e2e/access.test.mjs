// access.test.mjs — the access-control matrix (access.matrix.json): every route × role, and for
// routes on someone's resource, own against another's (IDOR probes). Principals: anonymous; dan
// (citizen of commune A, Ninh Bình); canbo.xa and lanhdao.xa (officer and leader of commune A);
// canbo.hanoi (officer of Hà Nội); quantri (admin); baove.dulieu (the data-protection officer); and, owning the "other" resources, binh (a
// citizen of Hà Nội). The test fails when a route is added without an entry.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { api, cli, login, PASSWORD, startServer, upload } from './harness.mjs';

const MATRIX = JSON.parse(readFileSync(new URL('./access.matrix.json', import.meta.url), 'utf8')).routes;
const ROLE_OF = { citizen: 'dan', officer: 'canbo.xa', leader: 'lanhdao.xa', admin: 'quantri', dpo: 'baove.dulieu' };
const SESSION_ENDING = ['POST /api/v1/auth/logout', 'POST /api/v1/auth/logout-all', 'POST /api/v1/auth/refresh'];
const BINH = '001195004321'; // a woman born in 1995, birth registered in Hà Nội

let srv, U;
const t = {};
const own = {}; // kind → the value for commune A's people
const other = {}; // kind → the value for Hà Nội's
const problems = [];

before(async () => {
  srv = await startServer();
  U = srv.url;
  for (const u of ['dan', 'canbo.xa', 'lanhdao.xa', 'canbo.hanoi', 'quantri', 'baove.dulieu']) t[u] = await login(U, u);
  // binh, a citizen of Hà Nội, registered by its officer, with an account
  const made = await api(U, 'POST', '/api/v1/citizens', { token: t['canbo.hanoi'], body: { id: BINH, attributes: {
    full_name: { value: 'Nguyễn Thị Bình', source: 'civil-status', verified: true },
    date_of_birth: { value: '1995-03-08', source: 'civil-status', verified: true },
    sex: { value: 'female', source: 'civil-status', verified: true },
    permanent_address: { value: { unit: '00004', street: 'Phố Trúc Bạch' }, source: 'population-db', verified: true },
    ethnicity: { value: 'Kinh', source: 'civil-status', verified: true },
    nationality: { value: 'Việt Nam', source: 'civil-status', verified: true },
    marital_status: { value: 'single', source: 'civil-status', verified: true },
    phone: { value: '0912000111' },
  } } });
  assert.equal(made.status, 201, made.text);
  const acct = cli(['user', 'add', '--db', srv.db, '--username', 'binh', '--role', 'citizen', '--citizen', BINH, '--password-stdin'], { input: `${PASSWORD}\n` });
  assert.equal(acct.status, 0, acct.stderr);
  t.binh = await login(U, 'binh');
  // each side's dossier, feedback about it and a consent
  const me = (await api(U, 'GET', '/api/v1/me', { token: t.dan })).json;
  for (const [who, side] of [['dan', own], ['binh', other]]) {
    const d = await api(U, 'POST', '/api/v1/dossiers', { token: t[who], body: { procedure: '1.004873', fields: { purpose: 'loan' } } });
    assert.equal(d.status, 201, d.text);
    side.dossier = d.json.code;
    const f = await api(U, 'POST', '/api/v1/feedback', { token: t[who], body: { code: d.json.code, subject: 'Hỏi tiến độ', text: 'Hồ sơ đến đâu rồi?' } });
    assert.equal(f.status, 201, f.text);
    side.feedback = f.json.id;
    const c = await api(U, 'POST', '/api/v1/me/consents', { token: t[who], body: { recipient: 'canbo.tinh', purpose: 'kiểm tra', attributes: ['full_name'], expires_at: '2030-01-01' } });
    assert.equal(c.status, 201, c.text);
    side.consent = c.json.id;
  }
  own.citizen = me.id;
  other.citizen = BINH;
  own.unit = me.attributes.permanent_address.value.unit;
  other.unit = '01';
  // each side's work dossier, recorded by its unit's officer
  for (const [who, side] of [['canbo.xa', own], ['canbo.hanoi', other]]) {
    const w = await api(U, 'POST', '/api/v1/work-items', { token: t[who], body: { ref: `CV-${who}`, title: 'Kế hoạch chuyển đổi số', opened_on: '2026-01-05', online: false } });
    assert.equal(w.status, 201, w.text);
    side.work_item = w.json.id;
  }
});
after(async () => { const r = await srv.stop(); assert.equal(r.code, 0, r.stderr.slice(-2000)); });

/** The value of a path, query or body slot: a kind (dossier, citizen, …) of the given side, or a literal. */
const value = (v, side) => (typeof v === 'string' && v in side ? side[v] : v === 'nonexistent' ? 'khong-co-0000' : v);

function request(entry, side) {
  const [method, pattern] = entry.route.split(' ');
  let path = pattern.replace(/\{([a-z_]+)\}/g, (_, k) => encodeURIComponent(value(entry.path?.[k] ?? 'x1', side)));
  const q = Object.entries(entry.query || {}).map(([k, v]) => `${k}=${encodeURIComponent(value(v, side))}`).join('&');
  if (q) path += `?${q}`;
  const body = entry.body ? Object.fromEntries(Object.entries(entry.body).map(([k, v]) => [k, value(v, side)])) : undefined;
  return { method, path, body: method === 'GET' || method === 'DELETE' ? undefined : body ?? {} };
}

async function expect(entry, who, side, allowed) {
  const { method, path, body } = request(entry, side);
  const token = who === 'anonymous' ? undefined : t[who];
  const r = entry.upload ? await upload(U, token, side.dossier, entry.upload) : await api(U, method, path, { token, body });
  const ok = allowed === 'in' ? ![401, 403].includes(r.status) && r.status < 500
    : allowed === 'out' ? [403, 404].includes(r.status)
      : r.status === allowed;
  if (!ok) problems.push(`${who} ${method} ${path} → ${r.status} ${r.json?.error?.code ?? ''} (expected ${allowed})`);
}

describe('the access-control matrix', () => {
  test('every route of the route table has an entry, with the same roles', () => {
    const table = cli(['routes']).stdout.trim().split('\n').map((l) => l.trim().split(/\s+/));
    const inMatrix = new Map(MATRIX.map((e) => [e.route, e.roles]));
    const missing = table.filter(([m, p]) => !inMatrix.has(`${m} ${p}`)).map(([m, p]) => `${m} ${p}`);
    assert.deepEqual(missing, [], 'routes without an entry in access.matrix.json');
    const differ = table.filter(([m, p, roles]) => inMatrix.get(`${m} ${p}`) !== roles).map(([m, p, roles]) => `${m} ${p}: ${roles}`);
    assert.deepEqual(differ, []);
    assert.equal(MATRIX.length, table.length);
  });

  test('each role is let in where the matrix says and refused elsewhere (anonymous: 401, others: 403)', async () => {
    problems.length = 0;
    for (const e of MATRIX) {
      if (SESSION_ENDING.includes(e.route)) continue; // would end the sessions the test uses (api.test checks them)
      if (e.roles === 'public') continue;
      await expect(e, 'anonymous', own, 401);
      const roles = e.roles.split(',');
      for (const [role, who] of Object.entries(ROLE_OF)) await expect(e, who, own, e.expect?.[who] ?? (roles.includes(role) ? 'in' : 403));
    }
    assert.deepEqual(problems, []);
  });

  test('on their own resources the owners are let in; on another\'s they are refused (IDOR)', async () => {
    problems.length = 0;
    for (const e of MATRIX) {
      for (const who of e.own || []) await expect(e, who, who === 'canbo.hanoi' ? other : own, 'in');
      for (const who of e.other || []) await expect(e, who, who === 'canbo.hanoi' ? own : other, 'out');
    }
    assert.deepEqual(problems, []);
  });
});
