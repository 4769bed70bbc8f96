// dashboard.test.mjs — the leaders' dashboard on a phone: with hand-made dossiers of the running
// month (one finished on time, one late, one just submitted) the commune's leader sees the index
// the API computes — the total, the groups, each indicator's numerator and denominator (opening
// the dossiers behind them), the trend and group charts drawn by Chart.js, the targets met or not;
// the province's leader sees the commune ranked under the province with its total, among every
// commune of the map (those without dossiers too), and opens its dashboard; the figures and tables stay when the chart library cannot load; a citizen is refused.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchChromium, noOverflow, phonePage, ready, shot, signIn as signInAt, text } from './browser.mjs';
import Database from '../e2e/sqlite.mjs';
import { api, handOn, login, PASSWORD, startServer, upload } from '../e2e/harness.mjs';

let srv, U, browser, commune, period, onTime, late, waiting;
const tok = {};

/** A figure as the page shows it in Vietnamese: 48,33 */
const vi = (n) => new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 2 }).format(n);
const indicator = (r, id) => r.groups.flatMap((g) => g.indicators).find((i) => i.id === id);
const get = (path, token = tok['lanhdao.xa']) => api(U, 'GET', path, { token }).then((r) => {
  assert.equal(r.status, 200, `${path}: ${r.text}`);
  return r.json;
});
const move = (code, body) => api(U, 'POST', `/api/v1/dossiers/${code}/transitions`, { token: tok['canbo.xa'], body });

/** A dossier accepted, approved and finished (late: its due moved to yesterday first). */
async function finished(token, body, { isLate = false } = {}) {
  const r = await api(U, 'POST', '/api/v1/dossiers', { token, body });
  assert.equal(r.status, 201, r.text);
  const code = r.json.code;
  await upload(U, tok['canbo.xa'], code, 'marital_status_request_form');
  assert.equal((await move(code, { to: 2 })).status, 200);
  await handOn(U, tok['canbo.xa'], tok['lanhdao.xa'], code);
  if (isLate) new Database(srv.db).run('UPDATE dossiers SET due_at = ? WHERE code = ?', (Date.now() - 86400e3) * 1000, code);
  const done = await move(code, isLate ? { to: 9, apology: { reason: 'chờ xác minh', new_appointment: '2026-12-31' } } : { to: 9 });
  assert.equal(done.status, 200, done.text);
  return code;
}

before(async () => {
  srv = await startServer();
  U = srv.url;
  browser = await launchChromium();
  for (const u of ['dan', 'canbo.xa', 'lanhdao.xa', 'lanhdao']) tok[u] = await login(U, u);
  const me = (await api(U, 'GET', '/api/v1/me', { token: tok.dan })).json;
  commune = me.attributes.permanent_address.value.unit;
  // the Decree 09 month that holds today (Vietnam time), the page's default: from the 15th of the month before
  const vn = new Date(Date.now() + 7 * 3600e3);
  const m = vn.getUTCDate() >= 15 ? vn.getUTCMonth() + 1 : vn.getUTCMonth();
  const [y, mm] = m === 12 ? [vn.getUTCFullYear() + 1, 1] : [vn.getUTCFullYear(), m + 1];
  period = `${y}-${String(mm).padStart(2, '0')}`;
  onTime = await finished(tok.dan, { procedure: '1.004873', fields: { purpose: 'loan' } }); // online
  late = await finished(tok['canbo.xa'], { procedure: '1.004873', applicant: me.id, fields: { purpose: 'loan' } }, { isLate: true }); // at the desk
  waiting = (await api(U, 'POST', '/api/v1/dossiers', { token: tok.dan, body: { procedure: '1.004873', fields: { purpose: 'other' } } })).json.code;
  // the commune's work dossiers closed today: one processed online, one on paper
  const today = vn.toISOString().slice(0, 10);
  for (const [ref, online] of [['CV-1', true], ['CV-2', false]]) {
    const w = await api(U, 'POST', '/api/v1/work-items', { token: tok['canbo.xa'], body: { ref, title: `Công việc ${ref}`, opened_on: today, closed_on: today, online } });
    assert.equal(w.status, 201, w.text);
  }
});
after(async () => {
  if (browser) await browser.close();
  if (srv) await srv.stop();
});

const signIn = (page, user, landing) => signInAt(page, srv.url, user, PASSWORD, landing);

/** The pixels of a canvas that are not blank. */
const inked = (page, testid) => page.evaluate((id) => {
  const c = document.querySelector(`[data-testid="${id}"] canvas`);
  const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let n = 0;
  for (let i = 3; i < data.length; i += 4) if (data[i]) n++;
  return n;
}, testid);

test('the commune\'s leader sees the month\'s index, its charts, the dossiers behind a figure and the targets', async () => {
  const r = await get(`/api/v1/reports/766?unit=${commune}&period=${period}`);
  // by hand: two finished, one on time (P1 1/2: 10 of 20 points); three received, two online (O3 2/3)
  assert.deepEqual([indicator(r, 'P1').numerator, indicator(r, 'P1').denominator, indicator(r, 'P1').points], [1, 2, 10]);
  assert.deepEqual([indicator(r, 'O3').numerator, indicator(r, 'O3').denominator], [2, 3]);

  const { page, done } = await phonePage(browser, { width: 360, height: 780 });
  await signIn(page, 'lanhdao.xa', /desk\.html/);
  await page.getByTestId('nav-dashboard').click();
  await page.waitForURL(/dashboard\.html/);
  await ready(page);
  assert.equal(await text(page.getByTestId('page-title')), 'Chỉ số phục vụ người dân, doanh nghiệp');
  assert.equal(await page.getByTestId('nav-dashboard').getAttribute('aria-current'), 'page');
  assert.equal(await text(page.getByTestId('dash-unit-name')), `${r.name} (${commune})`);
  assert.equal(await page.getByTestId('dash-period').inputValue(), period);
  assert.equal(await text(page.getByTestId('dash-total')), vi(r.total));
  assert.equal(await page.getByTestId('dash-state').getAttribute('data-state'), 'open');
  assert.equal(await page.getByTestId('dash-pending').count(), 0);

  // the six groups, each points of max
  const groups = page.getByTestId('group');
  assert.equal(await groups.count(), 6);
  for (const g of r.groups) {
    assert.equal(await text(page.locator(`[data-testid="group"][data-group="${g.id}"]`).getByTestId('group-points')), `${vi(g.points)} / ${g.max} điểm`);
  }
  assert.equal(await text(page.locator('[data-testid="group"][data-group="progress"]').getByTestId('group-points')), '10 / 20 điểm');

  // each indicator: numerator / denominator, rate, points
  const p1 = page.locator('[data-testid="indicator"][data-indicator="P1"]');
  assert.equal(await text(p1.getByTestId('indicator-figures')), '1 / 2');
  assert.equal(await text(p1.getByTestId('indicator-rate')), '50 %');
  assert.equal(await text(p1.getByTestId('indicator-points')), '10 / 20');
  const o3 = page.locator('[data-testid="indicator"][data-indicator="O3"]');
  assert.equal(await text(o3.getByTestId('indicator-figures')), '2 / 3');
  assert.equal(await text(o3.getByTestId('indicator-rate')), `${vi(indicator(r, 'O3').rate)} %`);
  // no procedure announced in the month: 0 of 0, no rate
  const t1 = page.locator('[data-testid="indicator"][data-indicator="T1"]');
  assert.equal(await text(t1.getByTestId('indicator-figures')), '0 / 0');
  assert.equal(await text(t1.getByTestId('indicator-points')), '0 / 4');

  // beside progress: the procedure's finished dossiers and their average time from receipt to result
  const proc = page.locator('[data-testid="processing-row"][data-procedure="1.004873"]');
  assert.equal(await text(proc.getByTestId('processing-finished')), '2');
  const days = r.processing_time.find((x) => x.procedure === '1.004873').average_days;
  assert.equal(await text(proc.getByTestId('processing-days')), vi(days));

  // the charts are Chart.js, drawn with the API's figures
  assert.equal(await page.evaluate(() => typeof window.Chart), 'function');
  const trend = await get(`/api/v1/reports/766/trend?unit=${commune}&from=${monthsBefore(period, 11)}&to=${period}`);
  assert.equal(trend.months.length, 12);
  assert.deepEqual(await page.evaluate(() => window.Chart.getChart(document.querySelector('[data-testid="trend-chart"] canvas')).data.datasets[0].data),
    trend.months.map((m) => m.total));
  assert.equal(trend.months[11].total, r.total);
  assert.deepEqual(await page.evaluate(() => window.Chart.getChart(document.querySelector('[data-testid="groups-chart"] canvas')).data.datasets[0].data),
    r.groups.map((g) => g.points));
  assert.ok(await inked(page, 'trend-chart') > 500, 'the trend chart is drawn');
  assert.ok(await inked(page, 'groups-chart') > 500, 'the group chart is drawn');
  await page.getByTestId('trend-details').locator('summary').click();
  assert.equal(await text(page.locator(`[data-testid="trend-row"][data-period="${period}"]`).getByTestId('trend-total')), vi(r.total));

  // the dossiers behind P1: the numerator is the one finished on time, the denominator both
  await p1.getByTestId('drill-numerator').click();
  await page.getByTestId('drill-code').first().waitFor();
  assert.deepEqual(await page.getByTestId('drill-code').allInnerTexts(), [onTime]);
  assert.equal(await text(page.getByTestId('drill-what')), 'Chỉ tiêu P1, tử số: 1 hồ sơ');
  await p1.getByTestId('drill-denominator').click();
  await page.getByTestId('drill-what').filter({ hasText: 'mẫu số: 2 hồ sơ' }).waitFor();
  assert.deepEqual((await page.getByTestId('drill-code').allInnerTexts()).sort(), [onTime, late].sort());
  await o3.getByTestId('drill-denominator').click();
  await page.getByTestId('drill-what').filter({ hasText: 'O3, mẫu số: 3 hồ sơ' }).waitFor();
  assert.deepEqual((await page.getByTestId('drill-code').allInnerTexts()).sort(), [onTime, late, waiting].sort());
  assert.equal(await page.getByTestId('drill-code').first().getAttribute('href'), `desk.html?code=${encodeURIComponent((await page.getByTestId('drill-code').first().innerText()).trim())}`);
  // a catalog figure lists the procedures behind it: O1's numerator, the commune's procedures offered fully online
  await page.locator('[data-testid="indicator"][data-indicator="O1"]').getByTestId('drill-numerator').click();
  const o1 = indicator(r, 'O1');
  await page.getByTestId('drill-what').filter({ hasText: `O1, tử số: ${o1.numerator} thủ tục` }).waitFor();
  const offered = (await get('/api/v1/procedures?limit=500')).procedures.filter((p) => p.level === 'commune' && p.full_online).map((p) => p.code);
  assert.deepEqual((await page.getByTestId('drill-code').allInnerTexts()).sort(), offered.sort());

  // the targets: work dossiers processed online 1 of 2 closed, 50 % against the commune's 60 %
  const tg = await get(`/api/v1/reports/targets?unit=${commune}&period=${period}`);
  assert.equal(await page.getByTestId('target').count(), tg.targets.length);
  const online = page.locator('[data-testid="target"][data-target="processed_online"]');
  assert.equal(await text(online.getByTestId('target-value')), '50 %');
  assert.equal(await text(online.getByTestId('target-met')), 'Chưa đạt');
  assert.match(await text(online), /Mục tiêu 60 %/);
  assert.equal(await text(page.locator('[data-testid="target"][data-target="epayment_accounts"]').getByTestId('target-met')), 'Chưa đo');

  await noOverflow(page, 360, 'the dashboard');
  await shot(page, 'dashboard-commune');

  // in English
  await page.getByTestId('lang-en').click();
  assert.equal(await text(page.getByTestId('page-title')), 'Service index for people and businesses');
  assert.equal(await text(page.locator('[data-testid="group"][data-group="progress"]').getByTestId('group-points')), '10 of 20 points');
  assert.equal(await text(online.getByTestId('target-met')), 'Not met');
  await noOverflow(page, 360, 'the dashboard in English');
  await page.getByTestId('lang-vi').click();
  await done();
});

/** The month n months before YYYY-MM. */
function monthsBefore(p, n) {
  const k = Number(p.slice(0, 4)) * 12 + Number(p.slice(5)) - 1 - n;
  return `${Math.floor(k / 12)}-${String((k % 12) + 1).padStart(2, '0')}`;
}

test('the province\'s leader sees the commune ranked with its total and opens its dashboard', async () => {
  const prov = await get(`/api/v1/reports/766?unit=37&period=${period}`, tok.lanhdao);
  const com = await get(`/api/v1/reports/766?unit=${commune}&period=${period}`, tok.lanhdao);
  const { page, done } = await phonePage(browser);
  await signIn(page, 'lanhdao', /desk\.html/);
  await page.goto(`${U}/dashboard.html`);
  await ready(page);
  assert.equal(await text(page.getByTestId('dash-unit-name')), `${prov.name} (37)`);
  assert.equal(await text(page.getByTestId('dash-total')), vi(prov.total));
  const row = page.locator(`[data-testid="ranking-row"][data-unit="${commune}"]`);
  assert.equal(await row.count(), 1);
  assert.equal(await text(row.getByTestId('ranking-total')), vi(com.total));
  assert.equal(await text(row.getByTestId('ranking-link')), `${com.name} (${commune})`);
  assert.equal(await text(row.getByTestId('ranking-rank')), '1'); // the only commune with dossiers
  // every commune on the month's map is ranked, those without dossiers with the points they earn
  assert.equal(await page.getByTestId('ranking-row').count(), prov.children.length);
  const quiet = prov.children.find((c) => c.unit !== commune);
  const other = page.locator(`[data-testid="ranking-row"][data-unit="${quiet.unit}"]`);
  assert.equal(await text(other.getByTestId('ranking-total')), vi(quiet.total));
  await noOverflow(page, 390, 'the province\'s dashboard');
  await shot(page, 'dashboard-province');

  await row.getByTestId('ranking-link').click();
  await page.waitForURL(new RegExp(`unit=${commune}`));
  await ready(page);
  assert.equal(await text(page.getByTestId('dash-unit-name')), `${com.name} (${commune})`);
  assert.equal(await text(page.getByTestId('dash-total')), vi(com.total));
  assert.equal(await page.getByTestId('ranking-empty').count(), 1); // a commune has no units below
  assert.match(await text(page.getByTestId('dash-up')), new RegExp(prov.name));
  await done();
});

test('without the chart library the figures, ranking and tables remain', async () => {
  const { page, done } = await phonePage(browser);
  await page.route('**/vendor/chart.umd.js', (route) => route.abort());
  await signIn(page, 'lanhdao', /desk\.html/);
  await page.goto(`${U}/dashboard.html?unit=37&period=${period}`);
  await ready(page);
  const prov = await get(`/api/v1/reports/766?unit=37&period=${period}`, tok.lanhdao);
  assert.equal(await page.evaluate(() => typeof window.Chart), 'undefined');
  assert.equal(await text(page.getByTestId('dash-total')), vi(prov.total));
  assert.equal(await page.locator(`[data-testid="ranking-row"][data-unit="${commune}"]`).count(), 1);
  assert.equal(await text(page.getByTestId('trend-chart-note')), 'Không tải được thư viện biểu đồ; số liệu vẫn có đầy đủ trong các bảng.');
  assert.ok(await page.getByTestId('trend-table').isVisible(), 'the trend table is open');
  assert.equal(await page.getByTestId('trend-row').count(), 12);
  assert.equal(await page.getByTestId('group').count(), 6);
  await noOverflow(page, 390, 'the dashboard without charts');
  await done();
});

test('a closed month shows its published version, and a note when the figures have changed since', async () => {
  // a dossier finished and returned, moved into September 2026 (calendar cut), closed, then rated 1 star
  const code = await finished(tok.dan, { procedure: '1.004873', fields: { purpose: 'loan' } });
  assert.equal((await move(code, { to: 10 })).status, 200);
  const db = new Database(srv.db);
  const { received_at: at } = db.get('SELECT received_at FROM dossiers WHERE code = ?', code);
  const shift = at - Date.parse('2026-09-10T03:00:00Z') * 1000;
  db.run(`UPDATE dossiers SET received_at = received_at - ?, accepted_at = accepted_at - ?, due_at = due_at - ?,
          finished_at = finished_at - ?, returned_at = returned_at - ? WHERE code = ?`, shift, shift, shift, shift, shift, code);
  db.run('INSERT INTO report_dirty (code) VALUES (?) ON CONFLICT DO NOTHING', code);
  const closed = await api(U, 'POST', '/api/v1/reports/766/versions', { token: tok['lanhdao.xa'], body: { unit: commune, period: '2026-09', cut: 'calendar' } });
  assert.equal(closed.status, 201, closed.text);
  assert.equal((await api(U, 'POST', `/api/v1/dossiers/${code}/rating`, { token: tok.dan, body: { score: 1 } })).status, 201);
  const r = await get(`/api/v1/reports/766?unit=${commune}&period=2026-09&cut=calendar`);
  assert.deepEqual([r.state, r.changes_pending, indicator(r, 'S3').points], ['published', true, 6]);
  // live, S3 falls to 0: its only finished dossier is now rated 1 star
  assert.equal(r.live_total, Math.round((r.total - 6) * 100) / 100);

  const { page, done } = await phonePage(browser);
  await signIn(page, 'lanhdao.xa', /desk\.html/);
  await page.goto(`${U}/dashboard.html?unit=${commune}&period=2026-09&cut=calendar`);
  await ready(page);
  assert.equal(await page.getByTestId('dash-cut').inputValue(), 'calendar');
  assert.equal(await page.getByTestId('dash-state').getAttribute('data-state'), 'published');
  assert.match(await text(page.getByTestId('dash-state')), /^Đã công bố: phiên bản 1, lúc \d\d\/\d\d\/\d{4} \d\d:\d\d$/);
  assert.equal(await text(page.getByTestId('dash-total')), vi(r.total));
  assert.equal(await text(page.getByTestId('dash-pending')),
    `Số liệu đã thay đổi sau khi công bố: tính lại được ${vi(r.live_total)} điểm. Lãnh đạo có thể công bố phiên bản mới.`);
  assert.equal(await text(page.locator('[data-testid="indicator"][data-indicator="S3"]').getByTestId('indicator-points')), '6 / 6');
  // the trend ends with September, as published
  await page.getByTestId('trend-details').locator('summary').click();
  assert.equal(await text(page.locator('[data-testid="trend-row"][data-period="2026-09"]').getByTestId('trend-total')), vi(r.total));
  await noOverflow(page, 390, 'a published month');
  await done();
});

test('a citizen is refused', async () => {
  const { page, done } = await phonePage(browser);
  await signIn(page, 'dan', /me\.html/);
  await page.goto(`${U}/dashboard.html?unit=${commune}`);
  await ready(page);
  assert.equal(await text(page.getByTestId('page-status')), 'Trang này dành cho cán bộ, lãnh đạo của đơn vị và cấp trên.');
  assert.equal(await page.getByTestId('dash').isVisible(), false);
  assert.equal(await page.getByTestId('dash-total').count(), 0);
  assert.equal((await api(U, 'GET', `/api/v1/reports/766?unit=${commune}&period=${period}`, { token: tok.dan })).status, 403);
  await done();
});
