// opendata.test.mjs — open data in the shape of CKAN's action API (docs/opendata.md): the
// datasets listed and shown with their metadata, units paged through with limit/offset, the
// monthly statistics and the 766 index after a few dossiers made by hand, CKAN's errors, and no
// personal data in any record.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Database from './sqlite.mjs';
import { api, cli, finishedDossier, handOn, login, receivedAt, startServer, upload } from './harness.mjs';

const NAMES = ['administrative-units', 'dossier-statistics-monthly', 'procedure-catalog', 'service-index-766'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let srv, U, commune, month, me;
const t = {};
const codes = [];

before(async () => {
  srv = await startServer();
  U = srv.url;
  for (const u of ['dan', 'canbo.xa', 'lanhdao.xa', 'lanhdao']) t[u] = await login(U, u);
  me = (await api(U, 'GET', '/api/v1/me', { token: t.dan })).json;
  commune = me.attributes.permanent_address.value.unit;
  month = new Date(Date.now() + 7 * 3600e3).toISOString().slice(0, 7); // this calendar month in Vietnam
});
after(async () => { const r = await srv.stop(); assert.equal(r.code, 0, r.stderr.slice(-2000)); });

const action = (name, q = '') => api(U, 'GET', `/api/3/action/${name}${q ? `?${q}` : ''}`);
const ok = async (name, q) => {
  const r = await action(name, q);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.success, true);
  assert.match(r.json.help, new RegExp(`/api/3/action/help_show\\?name=${name}$`));
  return r.json.result;
};
/** Every record of a dataset, page by page. */
async function all(resource, limit = 1000) {
  const records = [];
  for (let offset = 0; ; offset += limit) {
    const page = await ok('datastore_search', `resource_id=${resource}&limit=${limit}&offset=${offset}`);
    records.push(...page.records);
    if (offset + limit >= page.total) return { records, total: page.total, fields: page.fields };
  }
}

const move = (token, code, body) => api(U, 'POST', `/api/v1/dossiers/${code}/transitions`, { token, body });
async function submit(token, body) {
  const r = await api(U, 'POST', '/api/v1/dossiers', { token, body });
  assert.equal(r.status, 201, r.text);
  codes.push(r.json.code);
  return r.json.code;
}
async function finish(code, { late = false } = {}) {
  await upload(U, t['canbo.xa'], code, 'marital_status_request_form');
  assert.equal((await move(t['canbo.xa'], code, { to: 2 })).status, 200);
  await handOn(U, t['canbo.xa'], t['lanhdao.xa'], code);
  if (late) new Database(srv.db).run('UPDATE dossiers SET due_at = ? WHERE code = ?', (Date.now() - 86400e3) * 1000, code);
  const r = await move(t['canbo.xa'], code, late ? { to: 9, apology: { reason: 'chờ xác minh', new_appointment: '2026-12-31' } } : { to: 9 });
  assert.equal(r.status, 200, r.text);
}

describe('the catalog of datasets', () => {
  test('package_list names the four datasets, in name order', async () => {
    assert.deepEqual(await ok('package_list'), NAMES);
    assert.deepEqual(await ok('package_list', 'limit=2&offset=1'), NAMES.slice(1, 3));
  });

  test('package_show: each dataset with its licence, publisher, coverage and a resource to search', async () => {
    for (const name of NAMES) {
      const p = await ok('package_show', `id=${name}`);
      assert.equal(p.name, name);
      assert.match(p.id, UUID);
      assert.ok(p.title && p.notes && p.title_translated.en && p.notes_translated.en, name);
      assert.equal(p.license_id, 'cc-by');
      assert.equal(p.license_title, 'Creative Commons Attribution');
      assert.equal(p.organization.title, 'Ủy ban nhân dân tỉnh Ninh Bình');
      assert.equal(p.organization.is_organization, true);
      assert.equal(p.owner_org, p.organization.id);
      assert.match(p.metadata_modified, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
      const extras = Object.fromEntries(p.extras.map((x) => [x.key, x.value]));
      assert.equal(extras.publisher_unit, '37');
      assert.equal(p.num_resources, 1);
      const [res] = p.resources;
      assert.match(res.id, UUID);
      assert.equal(res.package_id, p.id);
      assert.equal(res.format, 'JSON');
      assert.equal(res.datastore_active, true);
      const url = new URL(res.url);
      assert.equal(url.pathname + url.search, `/api/3/action/datastore_search?resource_id=${res.id}`);
      const page = await ok('datastore_search', url.search.slice(1)); // the resource's url, on this server
      assert.equal(page.resource_id, res.id);
      assert.deepEqual(await ok('package_show', `id=${p.id}`), p); // by id as by name
    }
    const units = Object.fromEntries((await ok('package_show', 'id=administrative-units')).extras.map((x) => [x.key, x.value]));
    assert.equal(units.temporal_start, '1900-01-01'); // the oldest map stands in for every earlier date
    assert.equal(units.temporal_end, undefined); // the newest map is in force
    const index = Object.fromEntries((await ok('package_show', 'id=service-index-766')).extras.map((x) => [x.key, x.value]));
    assert.equal(index.months_max, '12');
  });

  test('help_show says what an action takes', async () => {
    assert.match(await ok('help_show', 'name=datastore_search'), /:param limit: records per page, 0 to 1000 \(default 100\)/);
    assert.equal((await action('help_show', 'name=package_create')).status, 404);
  });
});

describe('datastore_search', () => {
  test('pages through the units with limit and offset; the total is every unit of both maps', async () => {
    // the units in force on a day (the older listing also shows the five special zones of 2025-07-01,
    // whose codes the old map lacks, through the lookup's "earlier dates use the oldest map")
    const count = async (q, at) => (await api(U, 'GET', `/api/v1/units?${q}`)).json.units
      .filter((u) => !at || (u.valid_from <= at && (u.valid_to === null || at <= u.valid_to))).length;
    const old = '2025-06-30';
    const before = await count(`at=${old}&level=province`, old) + await count(`at=${old}&level=district`, old) +
      await count(`at=${old}&level=commune`, old);
    const now = await count('level=province') + await count('level=commune');
    assert.equal(before, 63 + 696 + 10047); // the GSO register's three tiers
    assert.equal(now, 34 + 3321); // after the 2025 reform

    const first = await ok('datastore_search', 'resource_id=administrative-units');
    assert.equal(first.total, before + now);
    assert.equal(first.limit, 100); // the default
    assert.equal(first.offset, 0);
    assert.equal(first.records.length, 100);
    assert.equal(first._links.next, `/api/3/action/datastore_search?resource_id=${first.resource_id}&limit=100&offset=100`);
    assert.deepEqual(first.fields.map((f) => f.id), ['_id', 'code', 'name', 'type', 'level', 'parent', 'valid_from', 'valid_to']);

    const { records, total } = await all('administrative-units');
    assert.equal(total, before + now);
    assert.equal(records.length, total);
    assert.deepEqual(records.map((r) => r._id), Array.from({ length: total }, (_, i) => i + 1));
    const mine = records.filter((r) => r.code === commune && r.valid_to === null);
    const unit = (await api(U, 'GET', `/api/v1/units/${commune}`)).json;
    assert.deepEqual(mine.map((r) => [r.name, r.level, r.parent, r.valid_from]), [[unit.name, 'commune', '37', unit.valid_from]]);
    const communes37 = (await api(U, 'GET', '/api/v1/units?parent=37&level=commune')).json.count;
    assert.equal(records.filter((r) => r.parent === '37' && r.valid_to === null).length, communes37);

    const page = await ok('datastore_search', 'resource_id=administrative-units&limit=3&offset=200');
    assert.deepEqual(page.records, records.slice(200, 203));
    const past = await ok('datastore_search', `resource_id=administrative-units&offset=${total}`);
    assert.deepEqual([past.records.length, past.total], [0, total]);
    const none = await ok('datastore_search', 'resource_id=administrative-units&limit=0');
    assert.deepEqual([none.records.length, none.total], [0, total]);
  });

  test('the procedure catalog matches /api/v1/procedures', async () => {
    const { records, total } = await all('procedure-catalog');
    const list = (await api(U, 'GET', '/api/v1/procedures')).json.procedures;
    assert.equal(total, list.length);
    for (const p of list) {
      const r = records.find((x) => x.code === p.code);
      assert.deepEqual([r.name, r.name_en, r.level, r.agency, r.fee, r.full_online, r.processing_days],
        [p.name.vi, p.name.en, p.level, p.agency, p.fee, p.full_online, p.processing_days], p.code);
    }
  });

  test('errors in CKAN\'s shape, with our code and the message in Vietnamese', async () => {
    const cases = [
      ['package_show', 'id=no-such-dataset', 404, 'Not Found Error', 'dataset_not_found'],
      ['datastore_search', 'resource_id=no-such-resource', 404, 'Not Found Error', 'resource_not_found'],
      ['datastore_search', 'resource_id=administrative-units&limit=1001', 409, 'Validation Error', 'invalid_query', 'limit'],
      ['datastore_search', 'resource_id=administrative-units&limit=ten', 409, 'Validation Error', 'invalid_query', 'limit'],
      ['datastore_search', 'resource_id=administrative-units&offset=-1', 409, 'Validation Error', 'invalid_query', 'offset'],
      ['datastore_search', 'resource_id=administrative-units&limit=1&limit=2', 409, 'Validation Error', 'invalid_query', 'limit'],
      ['datastore_search', 'resource_id=administrative-units&filters=%7B%7D', 409, 'Validation Error', 'invalid_query', 'filters'],
      ['datastore_search', '', 409, 'Validation Error', 'invalid_query', 'resource_id'],
      ['datastore_search', 'resource_id=Units%27%3B--', 409, 'Validation Error', 'invalid_query', 'resource_id'],
      ['datastore_search', `resource_id=${'a'.repeat(101)}`, 409, 'Validation Error', 'invalid_query', 'resource_id'],
      ['package_show', '', 409, 'Validation Error', 'invalid_query', 'id'],
      ['package_show', 'id=x&a=1&b=2&c=3&d=4&e=5&f=6&g=7&h=8', 409, 'Validation Error', 'invalid_query', '__junk'],
    ];
    for (const [name, q, status, type, code, field] of cases) {
      const r = await action(name, q);
      assert.equal(r.status, status, `${name}?${q}: ${r.text}`);
      assert.equal(r.json.success, false);
      assert.equal(r.json.result, undefined);
      assert.deepEqual([r.json.error.__type, r.json.error.code], [type, code], q);
      assert.ok(r.json.error.message && r.json.error.message_vi, q);
      if (field) assert.deepEqual(r.json.error[field], [r.json.error.message.replace(/^Not found: /, '')], q);
    }
    const post = await api(U, 'POST', '/api/3/action/package_list', { body: {} });
    assert.equal(post.status, 405); // read only
    assert.equal(post.headers.get('allow'), 'GET');
  });
});

describe('after a few dossiers', () => {
  before(async () => {
    // empty until the first dossier
    assert.equal((await ok('datastore_search', 'resource_id=dossier-statistics-monthly')).total, 0);
    assert.equal((await ok('datastore_search', 'resource_id=service-index-766')).total, 0);
    const a = await submit(t.dan, { procedure: '1.004873', fields: { purpose: 'loan' } }); // online
    await finish(a); // on time
    const b = await submit(t['canbo.xa'], { procedure: '1.004873', applicant: me.id, fields: { purpose: 'loan' } }); // at the desk
    await finish(b, { late: true });
    await submit(t.dan, { procedure: '1.004873', fields: { purpose: 'other' } }); // online, not yet accepted
  });

  test('the monthly statistics count them: 3 received, 2 online, 2 finished, 1 on time', async () => {
    const { records, total, fields } = await all('dossier-statistics-monthly');
    assert.equal(total, 1);
    const [r] = records;
    assert.deepEqual(
      [r.month, r.unit, r.procedure, r.received, r.received_online, r.finished, r.finished_on_time],
      [month, commune, '1.004873', 3, 2, 2, 1]);
    const unit = (await api(U, 'GET', `/api/v1/units/${commune}`)).json;
    assert.equal(r.unit_name, unit.name);
    assert.equal(Object.keys(r).sort().join(), fields.map((f) => f.id).sort().join()); // nothing but the documented fields
    const p = Object.fromEntries((await ok('package_show', 'id=dossier-statistics-monthly')).extras.map((x) => [x.key, x.value]));
    assert.equal(p.temporal_start, `${month}-01`);
  });

  test('the index records equal /api/v1/reports/766 for the same unit and month', async () => {
    const { records, total, fields } = await all('service-index-766');
    // the province, then every commune on the month's map, with dossiers or not
    const communes = (await api(U, 'GET', `/api/v1/units?parent=37&at=${month}-01`)).json.units.map((u) => u.code);
    assert.equal(total, 1 + communes.length);
    assert.deepEqual(records[0], { ...records[0], month, cut: 'calendar', unit: '37', level: 'province', parent: null });
    assert.deepEqual(records.slice(1).map((r) => [r.month, r.cut, r.unit, r.level, r.parent]),
      communes.map((c) => [month, 'calendar', c, 'commune', '37']));
    for (const r of [records[0], records.find((x) => x.unit === commune), records.find((x) => x.unit !== commune && x.level === 'commune')]) {
      const rep = (await api(U, 'GET', `/api/v1/reports/766?unit=${r.unit}&period=${month}&cut=calendar`, { token: t.lanhdao })).json;
      assert.equal(r.total, rep.total, r.unit);
      assert.equal(r.unit_name, rep.name);
      for (const g of rep.groups) assert.equal(r[g.id], g.points, `${r.unit} ${g.id}`);
      assert.equal(Object.keys(r).sort().join(), fields.map((f) => f.id).sort().join());
    }
    const mine = records.find((x) => x.unit === commune);
    assert.ok(mine.progress > 0 && mine.progress < 20); // one of the two finished was late
  });

  test('no record anywhere holds a citizen\'s ID, name or phone, or a dossier code', async () => {
    // the demo citizens, as init --demo generated them
    const csv = cli(['gen', 'citizens', '--count', '300', '--province', '36', '--seed', '2026']).stdout.trim().split('\n');
    const head = csv[0].split(',');
    const rows = csv.slice(1).map((l) => l.split(','));
    const col = (name) => rows.map((r) => r[head.indexOf(name)]);
    const ids = col('id'), names = col('full_name'), phones = col('phone').filter(Boolean);
    assert.deepEqual([ids.length, ids[0], names[0], phones[0]], [300, me.id, me.attributes.full_name.value, me.attributes.phone.value]);
    assert.equal(codes.length, 3);

    const texts = [];
    for (const name of NAMES) {
      texts.push(JSON.stringify((await all(name)).records));
      texts.push(JSON.stringify(await ok('package_show', `id=${name}`)));
    }
    const text = texts.join('\n');
    assert.doesNotMatch(texts.filter((_, i) => i % 2 === 0).join('\n'), /(?<![\d.])\d{12}(?!\d)/); // no 12-digit number in a record
    for (const id of ids) assert.ok(!text.includes(id), `citizen ID ${id}`);
    for (const n of names) assert.ok(!text.includes(n), `name ${n}`);
    for (const p of phones) assert.ok(!text.includes(p), `phone ${p}`);
    for (const c of codes) assert.ok(!text.includes(c), `dossier code ${c}`);
    assert.doesNotMatch(text, /(?<!\d)0[35789]\d{8}(?!\d)/); // no mobile number of any kind
  });
});

describe('a closed month shows its published figures', () => {
  // A server of its own: its only month with dossiers is September 2026, closed by the province.
  let s2, V;
  const k = {};
  const PERIOD = '2026-09';
  const index = async () => (await api(V, 'GET', '/api/3/action/datastore_search?resource_id=service-index-766&limit=1000')).json.result;
  const live = (unit) => api(V, 'GET', `/api/v1/reports/766?unit=${unit}&period=${PERIOD}&cut=calendar`, { token: k.lanhdao });
  let rated, home;

  before(async () => {
    s2 = await startServer();
    V = s2.url;
    for (const u of ['dan', 'canbo.xa', 'lanhdao.xa', 'lanhdao']) k[u] = await login(V, u);
    home = (await api(V, 'GET', '/api/v1/me', { token: k.dan })).json.attributes.permanent_address.value.unit;
    rated = await finishedDossier(V, k, s2.db, { returned: true });
    receivedAt(s2.db, rated, '2026-09-10T03:00:00Z');
  });
  after(async () => { const r = await s2.stop(); assert.equal(r.code, 0, r.stderr.slice(-2000)); });

  test('before closing the figures are live; after, each record names the published version', async () => {
    const open = await index();
    assert.deepEqual([...new Set(open.records.map((r) => [r.month, r.state, r.version].join()))], [`${PERIOD},live,`]);
    const closed = await api(V, 'POST', '/api/v1/reports/766/versions', { token: k.lanhdao, body: { unit: '37', period: PERIOD, cut: 'calendar' } });
    assert.equal(closed.status, 201, closed.text);
    const { records } = await index();
    assert.deepEqual([...new Set(records.map((r) => [r.month, r.state, r.version].join()))], [`${PERIOD},published,1`]);
    const mine = records.find((r) => r.unit === home);
    const child = closed.json.report.children.find((c) => c.unit === home);
    assert.equal(mine.total, child.total);
    for (const g of child.groups) assert.equal(mine[g.id], g.points, g.id);
    assert.equal(records.find((r) => r.unit === '37').total, closed.json.report.total);
  });

  test('a change to a dossier afterwards moves the live figures, not the published ones, nor the modified date', async () => {
    const was = await index();
    const pkg = (await api(V, 'GET', '/api/3/action/package_show?id=service-index-766')).json.result;
    const v1 = (await api(V, 'GET', `/api/v1/reports/766/versions/1?unit=37&period=${PERIOD}&cut=calendar`, { token: k.lanhdao })).json;
    assert.equal(pkg.metadata_modified, v1.published_at.replace('Z', ''));
    assert.equal((await api(V, 'POST', `/api/v1/dossiers/${rated}/rating`, { token: k.dan, body: { score: 1 } })).status, 201);
    const r = (await live('37')).json;
    assert.equal(r.changes_pending, true);
    assert.notEqual(r.live_total, r.total);
    const now = await index();
    assert.deepEqual(now.records, was.records);
    const again = (await api(V, 'GET', '/api/3/action/package_show?id=service-index-766')).json.result;
    assert.equal(again.metadata_modified, pkg.metadata_modified);
  });
});
