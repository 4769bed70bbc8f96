// dashboard.js — the leaders' dashboard: for a unit (the signed-in officer's, or one chosen) and a
// period (month, quarter or year; Decree 09 or calendar cut), the service index of Decision 766 —
// the total out of 100, the six groups, each indicator's numerator and denominator (opening the
// dossiers behind them), whether the figures are published — the units below ranked by their
// totals (each opening its own dashboard), the last 12 months' trend and the targets scorecard.
// The charts are Chart.js (/vendor/chart.umd.js, from npm), loaded after the figures: when it does
// not load, the tables still say everything.
import './chrome.js';
import { announce, api, fill, fmtDate, fmtDateTime, h, session, toSignIn, unitInfo, vnDate } from './app.js';
import { errText, localName, statusText } from './dossier.js';
import { getLang, initI18n, onLangChange, t, tOr } from './i18n.js';

const $ = (id) => document.getElementById(id);

const CHART_SRC = '/vendor/chart.umd.js';
const DRILL_PAGE = 20;
const TREND_MONTHS = 12;
const KINDS = ['month', 'quarter', 'year'];
const CUTS = ['nd09', 'calendar'];
/** How many periods of each kind the selector offers, newest first. */
const OFFERED = { month: 24, quarter: 8, year: 5 };
/** The six groups' colours (the total is drawn in the brand's red). */
const COLOURS = ['#1d4f91', '#c2410c', '#0f766e', '#7c3aed', '#be185d', '#15803d'];
const RED = '#a3141b';

const state = {
  user: null,
  unit: '',
  unitName: null,
  parent: null, // the unit above the one shown, when the user may see it: {code, name}
  period: '',
  cut: 'nd09',
  report: null,
  targets: null,
  trend: null,
  errors: {}, // report, targets, trend: the API's refusal
  drill: null, // {indicator, part, items, count, next, note, error, busy}
  Chart: undefined, // the library once loaded; null when it failed
  charts: {}, // the drawn charts by canvas id
};

/* ---------- periods ---------- */

const pad = (n) => String(n).padStart(2, '0');
const monthName = (n) => `${Math.floor(n / 12)}-${pad((n % 12) + 1)}`;

/** The month (as year × 12 + month − 1) that holds today in Vietnam: Decree 09 months end on the 14th. */
function currentMonth(cut) {
  const [y, m, d] = vnDate(Date.now()).split('-').map(Number);
  return y * 12 + m - 1 + (cut === 'nd09' && d >= 15 ? 1 : 0);
}

function kindOf(period) {
  if (/^\d{4}$/.test(period)) return 'year';
  if (/^\d{4}-Q[1-4]$/.test(period)) return 'quarter';
  return /^\d{4}-(0[1-9]|1[0-2])$/.test(period) ? 'month' : null;
}

/** The period of kind that holds month n. */
function periodOf(kind, n) {
  const y = Math.floor(n / 12), m = (n % 12) + 1;
  return kind === 'year' ? String(y) : kind === 'quarter' ? `${y}-Q${Math.ceil(m / 3)}` : monthName(n);
}

/** The last month of a period (year × 12 + month − 1). */
function lastMonth(period) {
  const y = Number(period.slice(0, 4));
  const kind = kindOf(period);
  if (kind === 'year') return y * 12 + 11;
  if (kind === 'quarter') return y * 12 + Number(period.slice(6)) * 3 - 1;
  return y * 12 + Number(period.slice(5)) - 1;
}

/** The periods of kind the selector offers, newest (the running one) first. */
function offered(kind, cut) {
  const now = currentMonth(cut), list = [];
  for (let n = now; list.length < OFFERED[kind]; n -= 1) {
    const p = periodOf(kind, n);
    if (list[list.length - 1] !== p) list.push(p);
  }
  return list;
}

function periodLabel(p) {
  const kind = kindOf(p);
  if (kind === 'year') return t('dash_label_year', { y: p });
  if (kind === 'quarter') return t('dash_label_quarter', { q: p.slice(6), y: p.slice(0, 4) });
  return t('dash_label_month', { m: p.slice(5), y: p.slice(0, 4) });
}

/* ---------- figures ---------- */

const fmtNum = (n) => new Intl.NumberFormat(getLang() === 'vi' ? 'vi-VN' : 'en-GB', { maximumFractionDigits: 2 }).format(n);
const pct = (n) => `${fmtNum(n)}\u00a0%`; // the sign stays with its figure

/** The query naming the unit and period shown. */
const scope = () => new URLSearchParams({ unit: state.unit, period: state.period, cut: state.cut });

/** The dashboard of another unit for the same period. */
const unitLink = (unit) => `dashboard.html?${new URLSearchParams({ unit, period: state.period, cut: state.cut })}`;

/* ---------- the charts (Chart.js, when it loads) ---------- */

/** Loads Chart.js once; resolves to it, or to null when it cannot be loaded. */
function loadChart() {
  if (window.Chart) return Promise.resolve(window.Chart);
  return new Promise((resolve) => {
    const s = document.createElement('script');
    s.src = CHART_SRC;
    s.onload = () => resolve(window.Chart || null);
    s.onerror = () => resolve(null);
    document.head.append(s);
  });
}

/** Draws (or redraws) the chart of canvas id with config; notes on its figure when it cannot. */
function draw(id, config) {
  const canvas = $(id);
  const figure = canvas.closest('figure');
  const note = figure.querySelector('.chart-note');
  if (state.charts[id]) state.charts[id].destroy();
  delete state.charts[id];
  figure.dataset.drawn = 'false';
  if (!config || !state.Chart) {
    canvas.parentElement.hidden = state.Chart === null || !config;
    note.hidden = state.Chart !== null;
    note.textContent = state.Chart === null ? t('dash_chart_failed') : '';
    return;
  }
  canvas.parentElement.hidden = false;
  note.hidden = true;
  state.charts[id] = new state.Chart(canvas, {
    ...config,
    options: {
      animation: false, responsive: true, maintainAspectRatio: false,
      plugins: { legend: { position: 'bottom', labels: { boxWidth: 12, font: { size: 11 } } } },
      ...config.options,
    },
  });
  figure.dataset.drawn = 'true';
}

function drawGroups() {
  const r = state.report;
  draw('groups-canvas', r && {
    type: 'bar',
    data: {
      labels: r.groups.map((g) => localName(g.name)),
      datasets: [
        { label: t('dash_points'), data: r.groups.map((g) => g.points), backgroundColor: RED },
        { label: t('dash_missing'), data: r.groups.map((g) => Math.max(0, g.max - g.points)), backgroundColor: '#d5dae0' },
      ],
    },
    options: {
      indexAxis: 'y',
      scales: { x: { stacked: true, beginAtZero: true, max: Math.max(...r.groups.map((g) => g.max)) }, y: { stacked: true, ticks: { font: { size: 11 } } } },
    },
  });
}

function drawTrend() {
  const tr = state.trend, r = state.report;
  const names = new Map((r ? r.groups : []).map((g) => [g.id, localName(g.name)]));
  draw('trend-canvas', tr && {
    type: 'line',
    data: {
      labels: tr.months.map((m) => `${m.period.slice(5)}/${m.period.slice(2, 4)}`),
      datasets: [
        { label: t('dash_total'), data: tr.months.map((m) => m.total), borderColor: RED, backgroundColor: RED, borderWidth: 3 },
        ...(tr.months[0] ? tr.months[0].groups : []).map((g, i) => ({
          label: names.get(g.id) || g.id, data: tr.months.map((m) => m.groups[i].points),
          borderColor: COLOURS[i % COLOURS.length], backgroundColor: COLOURS[i % COLOURS.length], borderWidth: 1.5, pointRadius: 2,
        })),
      ],
    },
    options: { scales: { y: { beginAtZero: true, max: 100 } } },
  });
}

/* ---------- rendering ---------- */

function errorNote(e, testid) {
  return h('p', { class: 'notice notice-error', role: 'alert', testid }, errText(e));
}

function renderWho() {
  if (!state.user) return;
  const role = tOr('role_' + state.user.role, state.user.role);
  $('dash-who').textContent = t('staff_signed_in_as', { user: state.user.username, role });
}

function renderForm() {
  const kind = kindOf(state.period) || 'month';
  $('dash-unit').value = state.unit;
  fill($('dash-kind'), KINDS.map((k) => h('option', { value: k, selected: k === kind }, t(`dash_kind_${k}`))));
  const list = offered(kind, state.cut);
  if (state.period && !list.includes(state.period)) list.unshift(state.period);
  fill($('dash-period'), list.map((p) => h('option', { value: p, selected: p === state.period }, periodLabel(p))));
  fill($('dash-cut'), CUTS.map((c) => h('option', { value: c, selected: c === state.cut }, t(`dash_cut_${c}`))));
}

function stateLine(r) {
  if (r.state === 'published' && r.published) {
    return h('span', { class: 'badge badge-ok', testid: 'dash-state', dataset: { state: r.state } },
      t('dash_state_published', { n: r.published.version, at: fmtDateTime(r.published.published_at) }));
  }
  return h('span', { class: `badge ${r.state === 'open' ? 'badge-public' : 'badge-warn'}`, testid: 'dash-state', dataset: { state: r.state } },
    t(`dash_state_${r.state}`));
}

function renderSummary() {
  const r = state.report;
  $('summary-title').textContent = r ? `${r.name || r.unit} (${r.unit})` : state.unit;
  if (state.errors.report) {
    fill($('summary-body'), errorNote(state.errors.report, 'dash-error'));
    return;
  }
  if (!r) {
    fill($('summary-body'), h('p', { class: 'muted' }, t('loading')));
    return;
  }
  fill($('summary-body'),
    h('p', { class: 'small', testid: 'dash-period-range' }, periodLabel(r.period), ' · ',
      t('lateness_period', { from: fmtDate(vnDate(r.from)), to: fmtDate(vnDate(Date.parse(r.until) - 1)) })),
    h('p', { class: 'score' },
      h('span', { class: 'score-label' }, t('dash_total')),
      h('span', { class: 'score-value', testid: 'dash-total' }, fmtNum(r.total)),
      h('span', { class: 'score-max' }, t('dash_of_100'))),
    h('p', { class: 'badges' }, stateLine(r)),
    r.state === 'published' && r.changes_pending
      ? h('p', { class: 'notice notice-warn', testid: 'dash-pending' }, t('dash_pending', { total: fmtNum(r.live_total) }))
      : null,
    h('p', { class: 'btn-row' },
      state.parent ? h('a', { class: 'btn btn-secondary btn-small', href: unitLink(state.parent.code), testid: 'dash-up' },
        t('dash_up', { name: state.parent.name })) : null,
      state.user.unit && state.user.unit !== state.unit
        ? h('a', { class: 'btn btn-secondary btn-small', href: unitLink(state.user.unit), testid: 'dash-mine' }, t('dash_my_unit')) : null));
}

function renderGroups() {
  const r = state.report;
  $('groups').hidden = !r;
  if (!r) return;
  fill($('group-list'), r.groups.map((g) => h('li', { class: 'card group', testid: 'group', dataset: { group: g.id } },
    h('p', { class: 'group-head' },
      h('span', { class: 'group-name' }, localName(g.name)),
      h('span', { class: 'group-points', testid: 'group-points' }, t('dash_points_of', { p: fmtNum(g.points), max: fmtNum(g.max) }))),
    h('meter', { min: 0, max: g.max, value: g.points, 'aria-hidden': 'true' }))));
  drawGroups();
}

function trendTable(tr) {
  const ids = tr.months[0] ? tr.months[0].groups.map((g) => g.id) : [];
  const names = new Map(state.report ? state.report.groups.map((g) => [g.id, localName(g.name)]) : []);
  return h('div', { class: 'table-wrap' }, h('table', { class: 'figures', testid: 'trend-table' },
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('dash_month')), h('th', { scope: 'col', class: 'num' }, t('dash_total')),
      ids.map((id) => h('th', { scope: 'col', class: 'num' }, names.get(id) || id)))),
    h('tbody', {}, tr.months.map((m) => h('tr', { testid: 'trend-row', dataset: { period: m.period } },
      h('th', { scope: 'row' }, `${m.period.slice(5)}/${m.period.slice(0, 4)}`),
      h('td', { class: 'num', testid: 'trend-total' }, fmtNum(m.total)),
      m.groups.map((g) => h('td', { class: 'num' }, fmtNum(g.points))))))));
}

function renderTrend() {
  const tr = state.trend;
  $('trend').hidden = !!state.errors.report;
  if (state.errors.trend) fill($('trend-body'), errorNote(state.errors.trend, 'trend-error'));
  else fill($('trend-body'), tr ? trendTable(tr) : h('p', { class: 'muted' }, t('loading')));
  if (state.Chart === null) $('trend-details').open = true; // the table is all there is
  drawTrend();
}

/** The units below, highest total first; equal totals share a rank. */
function ranked(children) {
  const sorted = [...children].sort((a, b) => b.total - a.total || a.unit.localeCompare(b.unit));
  let rank = 0;
  return sorted.map((c, i) => {
    if (!i || c.total !== sorted[i - 1].total) rank = i + 1;
    return { ...c, rank };
  });
}

function renderRanking() {
  const r = state.report;
  $('ranking').hidden = !r;
  if (!r) return;
  if (!r.children.length) {
    fill($('ranking-body'), h('p', { class: 'muted', testid: 'ranking-empty' }, t('dash_ranking_none')));
    return;
  }
  fill($('ranking-body'), h('div', { class: 'table-wrap' }, h('table', { class: 'figures ranking-table', testid: 'ranking-table' },
    h('thead', {}, h('tr', {}, h('th', { scope: 'col', class: 'num' }, t('dash_rank')), h('th', { scope: 'col' }, t('dash_unit_col')),
      h('th', { scope: 'col', class: 'num' }, t('dash_total')))),
    h('tbody', {}, ranked(r.children).map((c) => h('tr', { testid: 'ranking-row', dataset: { unit: c.unit } },
      h('td', { class: 'num', testid: 'ranking-rank' }, String(c.rank)),
      h('th', { scope: 'row' }, h('a', { href: unitLink(c.unit), testid: 'ranking-link' }, `${c.name || c.unit} (${c.unit})`)),
      h('td', { class: 'num', testid: 'ranking-total' }, fmtNum(c.total))))))));
}

function renderTargets() {
  const box = $('targets-body');
  $('targets').hidden = !!state.errors.report;
  if (state.errors.targets) {
    fill(box, errorNote(state.errors.targets, 'targets-error'));
    return;
  }
  const tg = state.targets;
  if (!tg) {
    fill(box, h('p', { class: 'muted' }, t('loading')));
    return;
  }
  const verdict = (x) => (x.met === null || x.met === undefined
    ? h('span', { class: 'badge', testid: 'target-met', dataset: { met: 'null' } }, t('dash_not_measured'))
    : h('span', { class: `badge ${x.met ? 'badge-ok' : 'badge-sensitive'}`, testid: 'target-met', dataset: { met: String(x.met) } },
      t(x.met ? 'dash_met' : 'dash_not_met')));
  fill(box, h('ul', { class: 'plain-list target-list' }, tg.targets.map((x) => h('li', { class: 'card target', testid: 'target', dataset: { target: x.id } },
    h('p', { class: 'target-name' }, localName(x.name)),
    h('p', { class: 'target-figures' },
      h('span', { testid: 'target-value' }, x.measured ? pct(x.value) : '—'),
      x.measured && x.numerator !== null && x.denominator !== null // a figure read as it is has no counts
        ? h('span', { class: 'muted small' }, ` (${fmtNum(x.numerator)} / ${fmtNum(x.denominator)})`) : null,
      x.target !== null ? h('span', { class: 'muted small block' }, t('dash_target', { n: fmtNum(x.target) })) : null),
    h('p', { class: 'badges' }, verdict(x))))));
}

/** A numerator or denominator as a button opening the dossiers behind it. */
function figureButton(x, part) {
  const label = t(part === 'numerator' ? 'dash_drill_num' : 'dash_drill_den', { id: x.id });
  const open = state.drill && state.drill.indicator === x.id && state.drill.part === part;
  return h('button', {
    type: 'button', class: 'btn-figure', testid: `drill-${part}`, 'aria-label': `${label}: ${x[part]}`, 'aria-pressed': String(!!open),
    onclick: () => openDrill(x.id, part),
  }, fmtNum(x[part]));
}

/** One indicator: its name, then its figures (numerator / denominator, rate, points) labelled. */
function indicatorItem(x) {
  const cell = (label, testid, ...value) => h('div', { class: 'ind-cell' }, h('dt', {}, label), h('dd', { testid }, ...value));
  return h('li', { class: 'indicator', testid: 'indicator', dataset: { indicator: x.id } },
    h('p', { class: 'ind-name' }, h('span', { class: 'ind-id' }, x.id), ' ', localName(x.name),
      h('span', { class: 'muted small block' }, t('dash_target', { n: fmtNum(x.target) }))),
    h('dl', { class: 'ind-figures' },
      cell(t('dash_figures'), 'indicator-figures',
        x.measured ? [figureButton(x, 'numerator'), ' / ', figureButton(x, 'denominator')] : h('span', { class: 'muted' }, t('dash_not_measured'))),
      cell(t('dash_rate'), 'indicator-rate', x.rate === null ? '—' : pct(x.rate)),
      cell(t('dash_points'), 'indicator-points', `${fmtNum(x.points)} / ${fmtNum(x.max)}`)));
}

function renderIndicators() {
  const r = state.report;
  $('indicators').hidden = !r;
  if (!r) return;
  fill($('indicators-body'), r.groups.map((g) => h('section', { class: 'card indicator-group', testid: 'indicator-group', dataset: { group: g.id } },
    h('h3', {}, localName(g.name), h('span', { class: 'muted small block' }, t('dash_points_of', { p: fmtNum(g.points), max: fmtNum(g.max) }))),
    h('ul', { class: 'plain-list' }, g.indicators.map(indicatorItem)),
    g.id === 'progress' ? processingTime(r.processing_time || []) : null)));
}

/** Beside progress: each procedure's finished dossiers and their average time from receipt to result. */
function processingTime(rows) {
  if (!rows.length) return null;
  return h('div', { class: 'table-wrap' }, h('table', { class: 'figures', testid: 'processing-time' },
    h('caption', { class: 'small' }, t('dash_processing')),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('dash_procedure')), h('th', { scope: 'col' }, t('dash_finished')),
      h('th', { scope: 'col' }, t('dash_average_days')))),
    h('tbody', {}, rows.map((x) => h('tr', { testid: 'processing-row', dataset: { procedure: x.procedure } },
      h('td', {}, `${localName(x.name) || ''} (${x.procedure})`), h('td', { testid: 'processing-finished' }, fmtNum(x.finished)),
      h('td', { testid: 'processing-days' }, fmtNum(x.average_days)))))));
}

/* What a drill-down lists: dossiers, feedback (S1, S2) or procedures (catalog counters). */
const DRILL_KINDS = {
  dossiers: {
    what: 'dash_drill_what',
    item: (d) => [h('a', { href: `desk.html?code=${encodeURIComponent(d.code)}`, class: 'drill-code', testid: 'drill-code' }, d.code),
      h('span', { class: 'small muted block' }, `${d.procedure} · ${statusText(d.status)} · ${t('received_at')}: ${fmtDateTime(d.received_at)}`)],
  },
  feedback: {
    what: 'dash_drill_what_feedback',
    item: (f) => [h('span', { class: 'drill-code', testid: 'drill-code' }, f.id),
      h('span', { class: 'small muted block' }, `${f.unit} · ${t('dash_due')}: ${fmtDateTime(f.due_at)} · ${f.answered_at ? `${t('dash_answered')}: ${fmtDateTime(f.answered_at)}` : t('dash_unanswered')}`)],
  },
  procedures: {
    what: 'dash_drill_what_procedures',
    item: (p) => [h('span', { class: 'drill-code', testid: 'drill-code' }, p.code),
      h('span', { class: 'small muted block' }, localName(p.name))],
  },
};

function renderDrill() {
  const dr = state.drill;
  $('drill').hidden = !dr;
  if (!dr) return;
  const what = h('p', { class: 'small', testid: 'drill-what' },
    t(DRILL_KINDS[dr.kind].what, { id: dr.indicator, part: t(`dash_part_${dr.part}`), n: dr.count ?? '…' }));
  if (dr.error && !dr.items.length) {
    fill($('drill-body'), what, errorNote(dr.error, 'drill-error'));
    return;
  }
  fill($('drill-body'), what,
    dr.note ? h('p', { class: 'muted small' }, t('dash_drill_note_procs')) : null,
    dr.items.length || dr.busy ? null : h('p', { class: 'muted', testid: 'drill-empty' }, t('dash_drill_none')),
    h('ul', { class: 'plain-list drill-list', testid: 'drill-list' }, dr.items.map((d) => h('li', { class: 'drill-item', testid: 'drill-item' },
      ...DRILL_KINDS[dr.kind].item(d)))),
    dr.error ? errorNote(dr.error, 'drill-error') : null,
    dr.next !== null && dr.next !== undefined
      ? h('button', { type: 'button', class: 'btn btn-secondary btn-small', testid: 'drill-more', disabled: dr.busy, onclick: () => loadDrill() }, t('dash_drill_more'))
      : null);
}

function renderAll() {
  renderWho();
  renderSummary();
  renderGroups();
  renderTrend();
  renderRanking();
  renderTargets();
  renderIndicators();
  renderDrill();
}

/* ---------- loading ---------- */

async function loadDrill() {
  const dr = state.drill;
  if (dr.busy) return;
  dr.busy = true;
  renderDrill();
  const q = scope();
  q.set('indicator', dr.indicator);
  q.set('part', dr.part);
  q.set('limit', String(DRILL_PAGE));
  q.set('offset', String(dr.next || 0));
  try {
    const res = await api('GET', `/api/v1/reports/766/drill?${q}`);
    if (state.drill !== dr) return; // another figure was opened meanwhile
    dr.kind = Object.keys(DRILL_KINDS).find((k) => Array.isArray(res[k])) || 'dossiers';
    dr.items.push(...res[dr.kind]);
    Object.assign(dr, { count: res.count, next: res.next_offset, note: !!res.note, error: null });
  } catch (e) {
    dr.error = e;
  }
  dr.busy = false;
  renderDrill();
}

async function openDrill(indicator, part) {
  state.drill = { indicator, part, kind: 'dossiers', items: [], count: null, next: 0, note: false, error: null, busy: false };
  renderIndicators();
  await loadDrill();
  $('drill').focus();
}

/** The 12 months up to the period's last month (none after the running one). */
function trendRange() {
  const to = Math.min(lastMonth(state.period), currentMonth(state.cut));
  return { from: monthName(to - TREND_MONTHS + 1), to: monthName(to) };
}

async function load() {
  Object.assign(state, { report: null, targets: null, trend: null, errors: {}, drill: null, parent: null });
  $('page-status').hidden = true;
  $('dash').hidden = false;
  $('main').setAttribute('aria-busy', 'true');
  renderAll();
  const q = scope();
  const range = trendRange();
  const calls = {
    report: api('GET', `/api/v1/reports/766?${q}`),
    targets: api('GET', `/api/v1/reports/targets?${q}`),
    trend: api('GET', `/api/v1/reports/766/trend?${new URLSearchParams({ unit: state.unit, ...range, cut: state.cut })}`),
    unit: unitInfo(state.unit),
  };
  const keys = Object.keys(calls);
  const done = await Promise.allSettled(Object.values(calls));
  done.forEach((d, i) => {
    if (keys[i] === 'unit') return;
    if (d.status === 'fulfilled') state[keys[i]] = d.value;
    else state.errors[keys[i]] = d.reason;
  });
  const u = done[keys.indexOf('unit')].value;
  // the unit above, when the user's own unit holds it (staff see their unit and those below)
  if (u && u.parent_unit && state.user.unit && state.unit !== state.user.unit) state.parent = u.parent_unit;
  renderAll();
  $('main').setAttribute('aria-busy', 'false');
}

/** The unit, period and cut from the address (defaults: the user's unit, the running month). */
function fromAddress() {
  const p = new URLSearchParams(location.search);
  const cut = CUTS.includes(p.get('cut')) ? p.get('cut') : 'nd09';
  const period = kindOf(p.get('period') || '') ? p.get('period') : monthName(currentMonth(cut));
  const unit = /^\d{1,8}$/.test(p.get('unit') || '') ? p.get('unit') : state.user.unit || '';
  Object.assign(state, { cut, period, unit });
}

function wireForm() {
  $('dash-kind').addEventListener('change', () => {
    const kind = $('dash-kind').value;
    state.period = periodOf(kind, Math.min(lastMonth(state.period), currentMonth(state.cut)));
    renderForm();
  });
  $('dash-cut').addEventListener('change', () => {
    state.cut = $('dash-cut').value;
    renderForm();
  });
  $('dash-period').addEventListener('change', () => { state.period = $('dash-period').value; });
  $('dash-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    state.unit = $('dash-unit').value.trim();
    state.period = $('dash-period').value;
    state.cut = $('dash-cut').value;
    history.pushState(null, '', `dashboard.html?${scope()}`);
    if (state.unit) load();
  });
  window.addEventListener('popstate', () => {
    fromAddress();
    renderForm();
    if (state.unit) load();
  });
}

async function start() {
  initI18n();
  if (!session.token()) {
    toSignIn(null);
    return;
  }
  try {
    state.user = await api('GET', '/api/v1/auth/session');
  } catch {
    return; // 401: api() went back to sign-in
  }
  renderWho();
  if (!['officer', 'leader', 'admin'].includes(state.user.role)) {
    announce($('page-status'), t('dash_refused'), 'error');
  } else {
    onLangChange(() => {
      renderForm();
      renderAll();
    });
    fromAddress();
    renderForm();
    wireForm();
    $('dash-form').hidden = false;
    const charts = loadChart().then((Chart) => {
      state.Chart = Chart;
      drawGroups();
      renderTrend();
    });
    if (state.unit) await load();
    else announce($('page-status'), t('dash_need_unit'), 'warn');
    await charts;
  }
  $('main').setAttribute('aria-busy', 'false');
  document.body.dataset.ready = 'true';
}

start();
