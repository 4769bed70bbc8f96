// lateness.js — the desk's lateness panel (GET /api/v1/desk/lateness): for a period (the month so
// far unless the user picks dates), the process steps handled, how many after their due, and the
// open ones now past due, by step and by officer; the worst first.
import { api, fill, fmtDate, h, vnDate } from './app.js';
import { errText, localName } from './dossier.js';
import { t } from './i18n.js';

const $ = (id) => document.getElementById(id);

const state = { report: null, error: null, busy: false };

const lateness = (r) => r.late + r.open_late;

/** Rows with the most lateness first; the API's order otherwise. */
const worstFirst = (rows) => rows.map((r, i) => [r, i]).sort(([a, i], [b, j]) => lateness(b) - lateness(a) || i - j).map(([r]) => r);

function figures(testid, caption, first, rows) {
  const head = [first, t('lateness_handled'), t('lateness_late'), t('lateness_open_late')];
  return h('div', { class: 'table-wrap' }, h('table', { class: 'figures', testid },
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, head.map((c, i) => h('th', { scope: 'col', class: i ? 'num' : undefined }, c)))),
    h('tbody', {}, rows.map(({ name, r, key }) => h('tr', { class: lateness(r) ? 'is-late' : undefined, testid: `${testid}-row`, dataset: { key } },
      h('th', { scope: 'row' }, name),
      h('td', { class: 'num' }, String(r.handled)),
      h('td', { class: `num${r.late ? ' has-late' : ''}` }, String(r.late)),
      h('td', { class: `num${r.open_late ? ' has-late' : ''}` }, String(r.open_late)))))));
}

export function renderLateness() {
  const box = $('lateness-body');
  if (!box) return;
  if (state.error) {
    box.replaceChildren(h('p', { class: 'notice notice-error', role: 'alert', testid: 'lateness-error' }, errText(state.error)));
    return;
  }
  const r = state.report;
  if (!r) {
    box.replaceChildren(h('p', { class: 'muted' }, t('loading')));
    return;
  }
  const steps = worstFirst(r.steps || []);
  const officers = worstFirst(r.officers || []);
  fill(box,
    h('p', { class: 'small', testid: 'lateness-period' },
      t('lateness_period', { from: fmtDate(vnDate(r.from)), to: fmtDate(vnDate(Date.parse(r.until) - 1)) })),
    steps.length ? figures('lateness-steps', t('lateness_by_step'), t('lateness_step'),
      steps.map((s) => ({ name: localName(s.name) || s.step, r: s, key: s.step }))) : h('p', { class: 'muted' }, t('lateness_none')),
    officers.length ? figures('lateness-officers', t('lateness_by_officer'), t('lateness_officer'),
      officers.map((o) => ({ name: o.officer || t('lateness_unassigned'), r: o, key: o.officer || '' }))) : null);
}

/** Loads the figures for the dates in the form (the API's default period when they are empty). */
export async function loadLateness() {
  if (state.busy) return;
  const q = new URLSearchParams();
  if ($('lateness-from').value) q.set('from', $('lateness-from').value);
  if ($('lateness-to').value) q.set('to', $('lateness-to').value);
  state.busy = true;
  $('lateness-body').setAttribute('aria-busy', 'true');
  try {
    state.report = await api('GET', `/api/v1/desk/lateness${q.toString() ? `?${q}` : ''}`);
    state.error = null;
    if (!$('lateness-from').value) $('lateness-from').value = vnDate(state.report.from);
    if (!$('lateness-to').value) $('lateness-to').value = vnDate(Date.parse(state.report.until) - 1);
  } catch (e) {
    state.error = e;
  }
  state.busy = false;
  $('lateness-body').setAttribute('aria-busy', 'false');
  renderLateness();
}

/** Shows the panel and loads the month so far; the form reloads for other dates. */
export function initLateness() {
  $('lateness').hidden = false;
  $('lateness-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    loadLateness();
  });
  return loadLateness();
}
