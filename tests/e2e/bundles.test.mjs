// bundles.test.mjs — life-event bundles through the API: one application files a component
// dossier with each agency; officers of three agencies work their own; data flows from one
// component to the next; completion writes the registry (a new child, a deceased mark).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { api, cli, demoCitizens, login, PASSWORD, startServer, upload } from './harness.mjs';

let srv, U, me;
const t = {};
const BIRTH = {
  applicant_relationship: 'mother', child_full_name: 'Nguyễn Minh An', child_sex: 'male', child_date_of_birth: '2026-11-15',
  child_place_of_birth: 'Bệnh viện Đa khoa tỉnh Ninh Bình', child_ethnicity: 'Kinh', child_nationality: 'Việt Nam',
  child_hometown: 'Ninh Bình', housing_basis: 'owned', primary_care_facility: 'Trạm y tế xã',
};

before(async () => {
  srv = await startServer();
  U = srv.url;
  me = null;
  const commune = (await api(U, 'GET', '/api/v1/me', { token: await login(U, 'dan') })).json.attributes.permanent_address.value.unit;
  for (const [name, unit, agency] of [['congan.xa', commune, 'congan'], ['bhxh.tinh', '37', 'bhxh']]) {
    const r = cli(['user', 'add', '--db', srv.db, '--username', name, '--role', 'officer', '--unit', unit, '--agency', agency,
      '--password-stdin'], { input: PASSWORD + '\n' });
    assert.equal(r.status, 0, r.stderr);
  }
  for (const u of ['dan', 'canbo.xa', 'lanhdao.xa', 'congan.xa', 'bhxh.tinh', 'lanhdao', 'canbo.tinh']) t[u] = await login(U, u);
  me = (await api(U, 'GET', '/api/v1/me', { token: t.dan })).json;
});
after(async () => { const r = await srv.stop(); assert.equal(r.code, 0, r.stderr.slice(-2000)); });

const get = (path, token = t.dan) => api(U, 'GET', path, { token });
const move = (token, code, body) => api(U, 'POST', `/api/v1/dossiers/${code}/transitions`, { token, body });
const step = (token, code) => api(U, 'POST', `/api/v1/dossiers/${code}/steps`, { token, body: { action: 'forward' } });

/** The handling desk takes a component to its result: documents scanned at the desk, accepted,
 * the review and the leader's approval handed on, finished. */
async function work(officer, leader, code, { to = 9 } = {}) {
  const d = (await get(`/api/v1/dossiers/${code}`, officer)).json;
  const proc = (await get(`/api/v1/procedures/${d.procedure.code}`)).json;
  for (const doc of proc.documents.filter((x) => x.required)) assert.equal((await upload(U, officer, code, doc.id)).status, 201);
  assert.equal((await move(officer, code, { to: 2 })).status, 200);
  assert.equal((await step(officer, code)).status, 200);
  assert.equal((await step(leader, code)).status, 200);
  const r = await move(officer, code, { to });
  assert.equal(r.status, 200, r.text);
  return r.json;
}

const component = (b, id) => b.components.find((c) => c.component === id);
const bundle = async (id) => (await get(`/api/v1/bundles/${id}`)).json;

describe('birth', () => {
  let b;
  test('one application files the birth registration; the other components wait for its result', async () => {
    const r = await api(U, 'POST', '/api/v1/bundles', { token: t.dan, body: { type: 'birth', fields: BIRTH } });
    assert.equal(r.status, 201, r.text);
    b = r.json;
    assert.equal(b.state, 'in_progress');
    assert.deepEqual(b.components.map((c) => [c.component, c.state]),
      [['birth_registration', 'started'], ['permanent_residence', 'waiting'], ['health_insurance', 'waiting']]);
    const reg = component(b, 'birth_registration');
    const d = (await get(`/api/v1/dossiers/${reg.code}`)).json;
    assert.equal(d.fields.child_full_name, 'Nguyễn Minh An');
    assert.equal(d.fields.mother_id, me.id); // the applicant is the mother: from the registry
    assert.equal(d.fields.mother_full_name, me.attributes.full_name.value);
    assert.deepEqual(d.bundle, { id: b.id, component: 'birth_registration' });
    assert.ok(Date.parse(b.due_at) > Date.now());
  });

  test('the civil-status result creates the child in the registry and files the police and insurance components', async () => {
    await work(t['canbo.xa'], t['lanhdao.xa'], component(b, 'birth_registration').code);
    b = await bundle(b.id);
    const child = b.outputs.child_id;
    assert.match(child, /^\d{12}$/);
    assert.equal(child.slice(3, 6), '226'); // a boy born in 2026: century digit 2, year 26
    assert.equal(b.subject, child);
    assert.deepEqual(b.components.map((c) => c.state), ['done', 'started', 'started']);
    // the mother reads her child's record: the registry links them
    const rec = (await get(`/api/v1/citizens/${child}`)).json.attributes;
    assert.equal(rec.full_name.value, 'Nguyễn Minh An');
    assert.equal(rec.full_name.source, 'civil-status');
    assert.equal(rec.full_name.verified, true);
    assert.equal(rec.mother_id.value, me.id);
    // the next components carry the new ID and the electronic birth certificate, nobody retyped them
    const residence = (await get(`/api/v1/dossiers/${component(b, 'permanent_residence').code}`, t['congan.xa'])).json;
    assert.match(residence.fields.reason, new RegExp(`${child}.*${b.outputs.birth_registration}`));
    assert.equal(residence.agency, 'congan');
    const insurance = (await get(`/api/v1/dossiers/${component(b, 'health_insurance').code}`, t['bhxh.tinh'])).json;
    assert.equal(insurance.fields.child_id, child);
    assert.equal(insurance.unit, '37');
  });

  test('each officer sees only their component in their own queue', async () => {
    const desk = async (u) => (await get('/api/v1/desk', t[u])).json.dossiers.map((d) => d.code);
    const [res, ins] = [component(b, 'permanent_residence').code, component(b, 'health_insurance').code];
    assert.ok((await desk('congan.xa')).includes(res));
    assert.ok(!(await desk('congan.xa')).includes(ins));
    assert.ok(!(await desk('canbo.xa')).includes(res));
    assert.ok((await desk('bhxh.tinh')).includes(ins));
    assert.equal((await get(`/api/v1/dossiers/${ins}`, t['congan.xa'])).status, 403);
  });

  test('a supplement on one component pauses only that one', async () => {
    const res = component(b, 'permanent_residence').code;
    const d = (await get(`/api/v1/dossiers/${res}`, t['congan.xa'])).json;
    const proc = (await get(`/api/v1/procedures/${d.procedure.code}`)).json;
    for (const doc of proc.documents.filter((x) => x.required)) await upload(U, t['congan.xa'], res, doc.id);
    await move(t['congan.xa'], res, { to: 2 });
    assert.equal((await move(t['congan.xa'], res, { to: 5, note: 'bổ sung giấy tờ chỗ ở hợp pháp' })).status, 200);
    const now = await bundle(b.id);
    assert.equal(now.state, 'in_progress');
    assert.equal(component(now, 'permanent_residence').status, 5);
    assert.equal(component(now, 'health_insurance').status, 1);
    assert.equal((await move(t.dan, res, { to: 4, note: 'đã bổ sung' })).status, 200);
  });

  test('the police and insurance results write the child\'s address and card; the bundle is done', async () => {
    const res = component(b, 'permanent_residence').code;
    assert.equal((await step(t['congan.xa'], res)).status, 200);
    assert.equal((await step(t['lanhdao.xa'], res)).status, 200);
    assert.equal((await move(t['congan.xa'], res, { to: 9 })).status, 200);
    assert.equal((await bundle(b.id)).state, 'in_progress');
    await work(t['bhxh.tinh'], t.lanhdao, component(b, 'health_insurance').code);
    b = await bundle(b.id);
    assert.equal(b.state, 'done');
    assert.ok(b.finished_at);
    const rec = (await get(`/api/v1/citizens/${b.outputs.child_id}`, t['canbo.xa'])).json.attributes;
    assert.equal(rec.permanent_address.source, 'residence-db');
    assert.deepEqual(rec.permanent_address.value, me.attributes.permanent_address.value);
    assert.equal(rec.health_insurance_number.source, 'social-insurance');
    assert.equal(rec.health_insurance_number.value, `TE1${b.outputs.child_id}`);
    const mine = (await get('/api/v1/me/bundles')).json.bundles;
    assert.equal(mine.find((x) => x.id === b.id).state, 'done');
  });

  test('the family\'s data-usage log shows each agency that used their data for the bundle', async () => {
    const entries = (await get('/api/v1/me/data-usage?limit=500')).json.entries.filter((e) => e.action === 'bundle');
    const agencies = new Set(entries.filter((e) => e.purpose.includes(b.id)).map((e) => e.actor.split('@')[0]));
    assert.deepEqual([...agencies].sort(), ['bhxh', 'congan', 'ubnd']);
  });
});

describe('death', () => {
  let deceased, b;
  let before_status;
  before(async () => {
    deceased = demoCitizens().map((c) => c.id).filter((id) => id !== me.id).sort()[0];
    before_status = (await get(`/api/v1/citizens/${deceased}`, t['canbo.tinh'])).json.attributes.status;
  });

  test('death registration marks the person deceased (nothing deleted) and files the next components', async () => {
    const fields = { deceased_id: deceased, applicant_relationship: 'child', date_of_death: '2026-11-20',
      place_of_death: 'Tại nhà', beneficiary_group: 'monthly_allowance' };
    const r = await api(U, 'POST', '/api/v1/bundles', { token: t.dan, body: { type: 'death', fields } });
    assert.equal(r.status, 201, r.text);
    b = r.json;
    assert.equal(b.subject, deceased);
    const reg = (await get(`/api/v1/dossiers/${component(b, 'death_registration').code}`)).json;
    assert.equal(reg.fields.deceased_id, deceased);
    await work(t['canbo.xa'], t['lanhdao.xa'], reg.code);
    b = await bundle(b.id);
    assert.deepEqual(b.components.map((c) => c.state), ['done', 'started', 'started']);
    const rec = (await get(`/api/v1/citizens/${deceased}`, t['canbo.tinh'])).json.attributes;
    assert.equal(rec.status.value, 'deceased');
    assert.equal(rec.status.source, 'civil-status');
    assert.equal(rec.date_of_death.value, '2026-11-20');
    assert.ok(rec.full_name.value, 'the record stays whole');
    const history = (await get(`/api/v1/citizens/${deceased}/attributes/status/history`, t['canbo.tinh'])).json;
    if (before_status) assert.ok(JSON.stringify(history).includes(JSON.stringify(before_status.value)), 'the earlier status is kept');
    assert.ok(JSON.stringify(history).includes('deceased'));
  });

  test('new dossiers naming the deceased as applicant are refused with a clear error', async () => {
    const r = await api(U, 'POST', '/api/v1/dossiers', { token: t['canbo.tinh'], body: { procedure: '1.004873', applicant: deceased, unit: '37' } });
    assert.equal(r.status, 422);
    assert.equal(r.json.error.code, 'applicant_deceased');
    assert.match(r.json.error.message_vi, /đã mất/);
  });

  test('the heir sees the funeral allowance dossier as their own', async () => {
    const code = component(b, 'funeral_allowance').code;
    const mine = (await get('/api/v1/me/dossiers')).json.dossiers.map((d) => d.code);
    assert.ok(mine.includes(code));
    const d = (await get(`/api/v1/dossiers/${code}`)).json;
    assert.equal(d.fields.beneficiary_group, 'monthly_allowance');
    assert.match(component(b, 'residence_removal').code, /^\d+-\d{6}-\d{4}$/);
  });
});

test('the other parent\'s data flows in with their consent to the applicant', async () => {
  const father = demoCitizens().map((c) => c.id).filter((id) => id !== me.id).sort().filter((id) => id.startsWith('0360')).at(-1);
  assert.equal(cli(['user', 'add', '--db', srv.db, '--username', 'bo.cua.an', '--role', 'citizen', '--citizen', father, '--password-stdin'],
    { input: PASSWORD + '\n' }).status, 0);
  const fields = { ...BIRTH, child_full_name: 'Lê Gia Hân', child_sex: 'female', other_parent_id: father };
  assert.equal((await api(U, 'POST', '/api/v1/bundles', { token: t.dan, body: { type: 'birth', fields } })).status, 403);
  const his = await login(U, 'bo.cua.an');
  const c = await api(U, 'POST', '/api/v1/me/consents', { token: his, body: { recipient: 'dan', purpose: 'khai sinh cho con', attributes: ['full_name'], expires_at: '2027-06-01' } });
  assert.equal(c.status, 201, c.text);
  const r = await api(U, 'POST', '/api/v1/bundles', { token: t.dan, body: { type: 'birth', fields } });
  assert.equal(r.status, 201, `bundle: ${r.text}`);
  const reg = (await get(`/api/v1/dossiers/${component(r.json, 'birth_registration').code}`)).json;
  const name = (await get(`/api/v1/citizens/${father}`, t['canbo.tinh'])).json.attributes.full_name.value;
  assert.equal(reg.fields.father_id, father);
  assert.equal(reg.fields.father_full_name, name);
  assert.equal(reg.fields.mother_id, me.id);
});

describe('refusals', () => {
  test('a refused component stops the bundle, with the reason shown to the applicant', async () => {
    const b = (await api(U, 'POST', '/api/v1/bundles', { token: t.dan, body: { type: 'birth', fields: { ...BIRTH, child_full_name: 'Trần Bình' } } })).json;
    const code = component(b, 'birth_registration').code;
    assert.equal((await move(t['canbo.xa'], code, { to: 3, note: 'giấy chứng sinh không hợp lệ' })).status, 200);
    const now = await bundle(b.id);
    assert.equal(now.state, 'stopped');
    assert.match(now.reason, /birth_registration: giấy chứng sinh không hợp lệ/);
    assert.deepEqual(now.components.map((c) => c.state), ['stopped', 'waiting', 'waiting']);
  });

  test('bad applications are refused naming each problem; only the applicant sees a bundle', async () => {
    const missing = await api(U, 'POST', '/api/v1/bundles', { token: t.dan, body: { type: 'birth', fields: { child_full_name: 'X', colour: 'red' } } });
    assert.equal(missing.status, 422);
    const named = missing.json.error.fields.map((f) => `${f.field}:${f.code}`);
    assert.ok(named.includes('child_sex:missing_field') && named.includes('colour:unknown_field'), named.join());
    assert.equal((await api(U, 'POST', '/api/v1/bundles', { token: t.dan, body: { type: 'wedding', fields: {} } })).json.error.code, 'unknown_bundle');
    const other = demoCitizens().map((c) => c.id).filter((id) => id !== me.id).sort().filter((id) => id.startsWith('036'))[3];
    const stranger = await api(U, 'POST', '/api/v1/bundles', { token: t.dan, body: { type: 'birth', fields: { ...BIRTH, other_parent_id: other } } });
    assert.equal(stranger.status, 403);
    assert.equal(stranger.json.error.code, 'other_parent_not_consented');
    assert.equal((await api(U, 'POST', '/api/v1/bundles', { token: t['canbo.xa'], body: { type: 'birth', fields: BIRTH } })).status, 403);
    const some = (await get('/api/v1/me/bundles')).json.bundles[0];
    assert.equal((await get(`/api/v1/bundles/${some.id}`, t['canbo.xa'])).status, 403);
    assert.equal((await get('/api/v1/bundles/LT0000000000000000')).status, 404);
  });
});
