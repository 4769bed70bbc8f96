// indicators.test.mjs — every indicator of the 766 index on one small hand-made dataset: four
// dossiers of one commune in September 2026, each figure worked out by hand below. The national
// portal acknowledges every status change but the hand-back (status 10), so the two dossiers
// handed back are not fully synchronised; one fee is paid by a signed bank notice.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import { after, before, describe, test } from 'node:test';
import Database from './sqlite.mjs';
import { api, finishedDossier, freePort, login, receivedAt, startServer, upload } from './harness.mjs';

const SECRET = 'indicators-bank-secret';
const PERIOD = 'period=2026-09&cut=calendar';
let srv, U, sink, commune, catalog, r, dossierA;
const t = {};
const acked = new Set();

before(async () => {
  const port = await freePort();
  sink = createServer((req, res) => { // the national portal: refuses hand-backs, takes the rest
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const change = JSON.parse(body);
      if (change.to === 10) return res.writeHead(503).end();
      acked.add(req.headers['idempotency-key']);
      res.writeHead(200).end();
    });
  });
  await new Promise((ok) => sink.listen(port, '127.0.0.1', ok));
  srv = await startServer({ env: { TRONDOI_PAYMENT_SECRET: SECRET, TRONDOI_PORTAL_URL: `http://127.0.0.1:${port}/sync` } });
  U = srv.url;
  for (const u of ['dan', 'canbo.xa', 'lanhdao.xa']) t[u] = await login(U, u);
  const me = (await api(U, 'GET', '/api/v1/me', { token: t.dan })).json;
  commune = me.attributes.permanent_address.value.unit;
  catalog = (await api(U, 'GET', '/api/v1/procedures?limit=500')).json.procedures.filter((p) => p.level === 'commune');

  // A: online, finished on time, handed back, rated 5 stars, its fee paid
  const a = await finishedDossier(U, t, srv.db, { returned: true });
  assert.equal((await api(U, 'POST', `/api/v1/dossiers/${a}/rating`, { token: t.dan, body: { score: 5 } })).status, 201);
  const fee = (await api(U, 'GET', `/api/v1/dossiers/${a}/payment`, { token: t.dan })).json.amount;
  const raw = JSON.stringify({ transaction_id: 'FT-IND-1', reference: a, amount: fee, paid_at: new Date().toISOString() });
  const paid = await api(U, 'POST', '/api/v1/payments/notify', { raw, headers: { 'content-type': 'application/json', 'x-signature': createHmac('sha256', SECRET).update(raw).digest('hex') } });
  assert.equal(paid.status, 200, paid.text);
  // B: online, finished late (with an apology), handed back, rated 2 stars, not paid
  const b = await finishedDossier(U, t, srv.db, { late: true, returned: true });
  assert.equal((await api(U, 'POST', `/api/v1/dossiers/${b}/rating`, { token: t.dan, body: { score: 2 } })).status, 201);
  // C: a walk-in, its papers scanned at the desk, not finished
  const c = (await api(U, 'POST', '/api/v1/dossiers', { token: t['canbo.xa'], body: { procedure: '1.004873', applicant: me.id, fields: { purpose: 'loan' } } })).json.code;
  await upload(U, t['canbo.xa'], c, 'marital_status_request_form');
  // D: online, the citizen's own upload, not finished
  const d = (await api(U, 'POST', '/api/v1/dossiers', { token: t.dan, body: { procedure: '1.004873', fields: { purpose: 'other' } } })).json.code;
  await upload(U, t.dan, d, 'marital_status_request_form');

  for (const code of [a, b, c, d]) receivedAt(srv.db, code, '2026-09-10T03:00:00Z'); // 10:00 on 10 September, Vietnam
  // A was received 2 days, B 4 days before it was finished (the rest of their times as they were)
  const db = new Database(srv.db);
  for (const [code, days] of [[a, 2], [b, 4]]) {
    db.run('UPDATE dossiers SET received_at = finished_at - ? WHERE code = ?', days * 86400e6, code);
    db.run('INSERT INTO report_dirty (code) VALUES (?) ON CONFLICT DO NOTHING', code);
  }
  dossierA = a;
  // the portal has taken every change but the hand-backs once T4's numerator settles at 2
  for (let i = 0; i < 200; i++) {
    r = (await api(U, 'GET', `/api/v1/reports/766?unit=${commune}&${PERIOD}`, { token: t['lanhdao.xa'] })).json;
    if (ind('T4').numerator === 2) break;
    await new Promise((ok) => setTimeout(ok, 100));
  }
});
after(async () => {
  const s = await srv.stop();
  sink.close();
  assert.equal(s.code, 0, s.stderr.slice(-2000));
});

const ind = (id) => r.groups.flatMap((g) => g.indicators).find((i) => i.id === id);
const round2 = (x) => Math.round(x * 100) / 100;
/** points = max × min(1, rate ÷ target); 0 when nothing is counted */
const pts = (max, num, den, target) => (den ? round2(max * Math.min(1, (100 * num) / den / target)) : 0);
const expect = (id, num, den, points) => {
  const x = ind(id);
  assert.deepEqual([x.numerator, x.denominator, x.points], [num, den, points], id);
};

describe('each indicator of one commune\'s September, by hand', () => {
  test('transparency: nothing announced (T1, T2), the catalog fully described (T3), 2 of 4 fully synchronised (T4)', () => {
    expect('T1', 0, 0, 0);
    expect('T2', 0, 0, 0);
    expect('T3', catalog.length, catalog.length, 4);
    expect('T4', 2, 4, 3); // 50 % of 100 %, of 6 points
  });

  test('progress: A on time, B late (P1)', () => {
    expect('P1', 1, 2, 10);
  });

  test('online service: the catalog offered online (O1), the procedures used online (O2), online submissions (O3)', () => {
    const online = catalog.filter((p) => p.full_online).length;
    expect('O1', online, catalog.length, pts(4, online, catalog.length, 80));
    expect('O2', 1, online, pts(4, 1, online, 100)); // only 1.004873 received online dossiers
    expect('O3', 3, 4, 4); // A, B, D online; 75 % ≥ 50 %
  });

  test('payment: every fee payable online (M1, a receiving account configured), 1 of 2 finished fees paid (M2)', () => {
    const fees = catalog.filter((p) => p.fee > 0).length;
    expect('M1', fees, fees, 5);
    expect('M2', 1, 2, 2.5);
  });

  test('digitisation: results issued electronically and kept (D1, D4), the walk-in scanned (D2), no reuse (D3)', () => {
    expect('D1', 2, 2, 6);
    expect('D2', 1, 1, 6);
    expect('D3', 0, 4, 0);
    expect('D4', 2, 2, 5);
  });

  test('satisfaction: no feedback (S1, S2); A on time and content, B late (S3)', () => {
    expect('S1', 0, 0, 0);
    expect('S2', 0, 0, 0);
    expect('S3', 1, 2, 3.33); // 50 % of a 90 % target, of 6 points
  });

  test('beside progress: the average time from receipt to result per procedure', () => {
    assert.deepEqual(r.processing_time.map((x) => [x.procedure, x.finished, x.average_days]), [['1.004873', 2, 3]]); // (2 + 4) ÷ 2 days
  });

  test('the groups and the total add up', () => {
    for (const g of r.groups) assert.equal(g.points, round2(g.indicators.reduce((s, x) => s + x.points, 0)), g.id);
    assert.ok(Math.abs(r.total - r.groups.reduce((s, g) => s + g.points, 0)) < 0.02);
    assert.ok(acked.size > 0);
  });

  test('a petition about a finished dossier counts against its satisfaction (S3)', async () => {
    const f = await api(U, 'POST', '/api/v1/feedback', { token: t.dan, body: { code: dossierA, subject: 'Kết quả sai tên', text: 'Giấy xác nhận ghi sai tên đệm.' } });
    assert.equal(f.status, 201, f.text);
    const again = (await api(U, 'GET', `/api/v1/reports/766?unit=${commune}&${PERIOD}`, { token: t['lanhdao.xa'] })).json;
    const s3 = again.groups.flatMap((g) => g.indicators).find((i) => i.id === 'S3');
    assert.deepEqual([s3.numerator, s3.denominator, s3.points], [0, 2, 0]);
  });
});
