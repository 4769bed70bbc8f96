// report_reform.test.mjs — periods that span the 2025 reform (1 July 2025): units are read on the
// map of the period's last day, and a dossier recorded under an old unit rolls up into the unit
// that took it over. Xã Phương Định (14029, Nam Định) merged into Xã Ninh Giang (14038, Ninh
// Bình) on 1 July 2025.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Database from './sqlite.mjs';
import { api, login, startServer } from './harness.mjs';

let srv, U, oldCode, newCode;
const t = {};
const vnMorning = (day) => Date.parse(`${day}T03:00:00Z`) * 1000; // 10:00 in Vietnam, in µs

before(async () => {
  srv = await startServer();
  U = srv.url;
  for (const u of ['dan', 'lanhdao']) t[u] = await login(U, u);
  const submit = async () => {
    const r = await api(U, 'POST', '/api/v1/dossiers', { token: t.dan, body: { procedure: '1.004873', fields: { purpose: 'loan' } } });
    assert.equal(r.status, 201, r.text);
    return r.json.code;
  };
  oldCode = await submit();
  newCode = await submit();
  // as if received before and after the reform: the first under the old commune's code
  const db = new Database(srv.db);
  db.run('UPDATE dossiers SET unit = ?, received_at = ? WHERE code = ?', '14029', vnMorning('2025-06-20'), oldCode);
  db.run('UPDATE dossiers SET received_at = ? WHERE code = ?', vnMorning('2025-07-05'), newCode);
  for (const c of [oldCode, newCode]) db.run('INSERT INTO report_dirty (code) VALUES (?) ON CONFLICT DO NOTHING', c);
});
after(async () => { const r = await srv.stop(); assert.equal(r.code, 0, r.stderr.slice(-2000)); });

const report = async (q) => {
  const r = await api(U, 'GET', `/api/v1/reports/766?${q}`, { token: t.lanhdao });
  assert.equal(r.status, 200, r.text);
  return r.json;
};
const received = (r) => r.groups.flatMap((g) => g.indicators).find((i) => i.id === 'O3').denominator;

describe('a period that spans 1 July 2025', () => {
  test('July 2025 (15 June to 14 July): both dossiers count in Ninh Bình, in the commune that took the old one over', async () => {
    const r = await report('unit=37&period=2025-07');
    assert.deepEqual([r.from, r.until], ['2025-06-14T17:00:00.000000Z', '2025-07-14T17:00:00.000000Z']);
    assert.equal(received(r), 2);
    const below = async (parent, at) => (await api(U, 'GET', `/api/v1/units?parent=${parent}&at=${at}`)).json.units.map((u) => u.code);
    assert.deepEqual(r.children.map((c) => c.unit), await below('37', '2025-07-14')); // every commune on the new map
    assert.ok(r.children.some((c) => c.unit === '14038'));
    assert.equal(received(await report('unit=14038&period=2025-07')), 2);
    const drill = (await api(U, 'GET', '/api/v1/reports/766/drill?unit=14038&period=2025-07&indicator=O3&part=denominator', { token: t.lanhdao })).json;
    assert.deepEqual(drill.dossiers.map((d) => [d.code, d.unit]), [[oldCode, '14029'], [newCode, '14038']]);
  });

  test('June 2025 (calendar) is read on the old map: the old dossier is Nam Định\'s, under its district', async () => {
    const district = (await api(U, 'GET', '/api/v1/units/14029?at=2025-06-30')).json.parent;
    assert.ok(district, 'the old commune has a district');
    const namDinh = await report('unit=36&period=2025-06&cut=calendar');
    assert.equal(received(namDinh), 1);
    const districts = (await api(U, 'GET', '/api/v1/units?parent=36&at=2025-06-30')).json.units.map((u) => u.code);
    assert.deepEqual(namDinh.children.map((c) => c.unit), districts); // every district on the old map
    assert.ok(districts.includes(district));
    assert.equal(received(await report('unit=37&period=2025-06&cut=calendar')), 0); // Ninh Bình before the merger
    assert.equal(received(await report('unit=37&period=2025-07&cut=calendar')), 1); // July alone: the new one
  });
});
