// report-form.js — the report regimes' forms on the web (report-form.html). The officer sees what
// is due (the reminders), opens a regime's form for a period and unit (their own by default),
// fills in the figures, saves and submits it, and sees each wrong figure beside its field; the
// unit's leader approves it or returns it with a note; for a unit above the submitting level, the
// page shows each unit's state, the missing and late ones and the consolidated approved figures.
import './chrome.js';
import { ApiError, api, fill, fmtDateTime, h, session, toSignIn } from './app.js';
import { errText } from './dossier.js';
import { getLang, initI18n, onLangChange, t } from './i18n.js';

const $ = (id) => document.getElementById(id);
const name = (n) => (n && typeof n === 'object' ? n[getLang()] || n.vi : n || '');
const isFormula = (ind) => ind.aggregate === 'formula';
const path = (s) => `/api/v1/report-forms/${encodeURIComponent(s.regime)}/${encodeURIComponent(s.period)}`;

const state = {
  user: null, regimes: [], reminders: [], regime: '', period: '', unit: '',
  form: null, overview: null, problems: [], error: null, done: '', note: '', loadError: null,
};

function rules(ind) {
  const kind = t(`rf_type_${ind.type}`);
  const range = ind.min !== undefined && ind.max !== undefined ? ` · ${ind.min}–${ind.max}` : '';
  const above = ind.not_above ? ` · ${t('rf_not_above', { other: name((state.form.indicators.find((x) => x.id === ind.not_above) || {}).name) })}` : '';
  return `${kind}${range}${above}${ind.required ? ` · ${t('rf_required')}` : ''}`;
}

function stateBadge(s, testid = 'rf-state') {
  const kind = s === 'approved' ? 'badge-ok' : s === 'returned' ? 'badge-overdue' : s === 'submitted' ? 'badge-status' : 'badge-expired';
  return h('span', { class: `badge ${kind}`, testid, dataset: { state: s } }, t(`rf_state_${s}`));
}

const problemOf = (id) => state.problems.find((p) => p.field === `figures.${id}`);
const mayEdit = (f) => ['not_started', 'draft', 'returned'].includes(f.state) && state.user.unit === f.unit;
const mayDecide = (f) => f.state === 'submitted' && state.user.role === 'leader' && state.user.unit === f.unit;

function field(f, ind) {
  const id = `rf-in-${ind.id}`, p = problemOf(ind.id), v = f.figures[ind.id];
  if (isFormula(ind)) {
    return h('div', { class: 'field' }, h('p', { class: 'small' }, h('strong', {}, name(ind.name)), ': ',
      h('span', { testid: `rf-computed-${ind.id}` }, v === null || v === undefined ? '—' : `${v} %`)));
  }
  return h('div', { class: 'field' },
    h('label', { for: id }, name(ind.name)),
    h('input', { id, name: ind.id, type: 'number', step: ind.type === 'integer' ? '1' : 'any', value: v ?? '', disabled: !mayEdit(f),
      'aria-invalid': p ? 'true' : undefined, 'aria-describedby': `${id}-rules${p ? ` ${id}-err` : ''}`, testid: `rf-input-${ind.id}` }),
    h('p', { id: `${id}-rules`, class: 'small muted' }, rules(ind)),
    p ? h('p', { id: `${id}-err`, class: 'field-error', testid: `rf-error-${ind.id}` }, getLang() === 'vi' ? p.message_vi : p.message) : null);
}

function renderForm() {
  const box = $('rf-form'), f = state.form;
  box.hidden = !f;
  if (!f) return;
  const form = h('form', { class: 'card form', novalidate: true, testid: 'rf-fields' }, f.indicators.map((ind) => field(f, ind)));
  form.addEventListener('submit', (ev) => { ev.preventDefault(); save(); });
  fill(box,
    h('h2', {}, `${name(f.name)} · ${f.period}`),
    h('p', { class: 'small' }, `${f.unit_name} (${f.unit}) `, stateBadge(f.state),
      f.late ? [' ', h('span', { class: 'badge badge-overdue', testid: 'rf-late' }, t('rf_late'))] : null,
      f.overdue ? [' ', h('span', { class: 'badge badge-due-soon', testid: 'rf-overdue' }, t('overdue'))] : null),
    h('p', { class: 'small muted', testid: 'rf-deadline' }, t('rf_deadline', { at: fmtDateTime(f.deadline) })),
    f.note ? h('p', { class: 'notice notice-warn', testid: 'rf-note-shown' }, `${t('rf_returned_note')}: ${f.note}`) : null,
    form,
    h('p', { class: 'notice notice-error', role: 'alert', testid: 'rf-error', hidden: !state.error }, state.error ? errText(state.error) : ''),
    h('p', { class: 'notice notice-ok', role: 'status', testid: 'rf-done', hidden: !state.done }, state.done ? t(state.done) : ''),
    mayEdit(f) ? h('p', { class: 'btn-row' },
      h('button', { type: 'button', class: 'btn btn-secondary', testid: 'rf-save', onclick: save }, t('rf_save')),
      h('button', { type: 'button', class: 'btn btn-primary', testid: 'rf-submit', onclick: () => move('submitted') }, t('rf_submit'))) : null,
    mayDecide(f) ? h('div', { class: 'form' },
      h('div', { class: 'field' }, h('label', { for: 'rf-note' }, t('rf_note')),
        h('textarea', { id: 'rf-note', rows: 2, maxlength: 1000, testid: 'rf-note', oninput: (ev) => { state.note = ev.target.value; } }, state.note)),
      h('p', { class: 'btn-row' },
        h('button', { type: 'button', class: 'btn btn-primary', testid: 'rf-approve', onclick: () => move('approved') }, t('rf_approve')),
        h('button', { type: 'button', class: 'btn btn-secondary', testid: 'rf-return', onclick: () => move('returned') }, t('rf_return')))) : null);
}

function figuresTable(o) {
  return h('div', { class: 'table-wrap' }, h('table', { class: 'figures', testid: 'rf-consolidated' },
    h('caption', {}, t('rf_consolidated', { n: o.approved })),
    h('tbody', {}, o.indicators.map((ind) => h('tr', { dataset: { id: ind.id } },
      h('th', { scope: 'row' }, name(ind.name)),
      h('td', { class: 'num', testid: `rf-total-${ind.id}` }, o.consolidated[ind.id] === null ? '—' : String(o.consolidated[ind.id])))))));
}

function renderOverview() {
  const box = $('rf-overview'), o = state.overview;
  box.hidden = !o;
  if (!o) return;
  const shown = o.units.filter((u) => u.state !== 'not_started');
  fill(box,
    h('h2', {}, `${name(o.name)} · ${o.period} · ${o.unit_name}`),
    h('p', { class: 'small', testid: 'rf-counts' }, t('rf_counts', { expected: o.expected, submitted: o.submitted, approved: o.approved, missing: o.missing.length })),
    o.late.length ? h('p', { class: 'notice notice-warn', testid: 'rf-late-list' }, `${t('rf_late_units')}: ${o.late.join(', ')}`) : null,
    figuresTable(o),
    h('div', { class: 'table-wrap' }, h('table', { class: 'figures', testid: 'rf-units' },
      h('caption', {}, t('rf_units_started')),
      h('tbody', {}, shown.map((u) => h('tr', { testid: 'rf-unit-row', dataset: { unit: u.unit } },
        h('th', { scope: 'row' }, `${u.name} (${u.unit})`), h('td', {}, stateBadge(u.state, 'rf-unit-state'),
          u.late ? [' ', h('span', { class: 'badge badge-overdue' }, t('rf_late'))] : null)))))));
}

function renderReminders() {
  const list = $('rf-reminders');
  list.replaceChildren(...(state.reminders.length ? state.reminders.map((r) => h('li', { class: 'card', testid: 'rf-reminder', dataset: { period: r.period } },
    h('p', {}, h('strong', {}, `${name(r.name)} · ${r.period}`), ' ',
      r.action === 'approve' ? h('span', { class: 'badge badge-status' }, t('rf_to_approve'))
        : h('span', { class: `badge ${r.overdue ? 'badge-overdue' : 'badge-due-soon'}` }, r.overdue ? t('overdue') : t('rf_due_soon'))),
    r.deadline ? h('p', { class: 'small muted' }, t('rf_deadline', { at: fmtDateTime(r.deadline) })) : null,
    h('button', { type: 'button', class: 'btn btn-secondary btn-small', testid: 'rf-reminder-open',
      onclick: () => open({ regime: r.regime, period: r.period, unit: r.unit }) }, t('rf_open'))))
    : [h('li', { class: 'muted', testid: 'rf-no-reminders' }, t('rf_no_reminders'))]));
}

function renderPick() {
  const sel = $('rf-regime');
  sel.replaceChildren(...state.regimes.map((r) => h('option', { value: r.id, selected: r.id === state.regime }, name(r.name))));
  $('rf-period').value = state.period;
  $('rf-unit').value = state.unit;
}

function renderAll() {
  renderPick();
  renderReminders();
  renderForm();
  renderOverview();
  $('rf-load-error').hidden = !state.loadError;
  $('rf-load-error').textContent = state.loadError ? errText(state.loadError) : '';
}

/** The figures typed in, as numbers (an empty field is null; what is not a number goes as typed). */
function typed() {
  const out = {};
  for (const ind of state.form.indicators.filter((i) => !isFormula(i))) {
    const el = $(`rf-in-${ind.id}`);
    const raw = el ? el.value.trim() : '';
    out[ind.id] = raw === '' ? null : Number.isFinite(Number(raw)) ? Number(raw) : raw;
  }
  return out;
}

/** Runs a change; on a refusal keeps what was typed and shows each problem beside its field. */
async function act(fn, done) {
  const kept = state.form && mayEdit(state.form) ? typed() : null;
  state.error = null;
  state.done = '';
  try {
    state.form = await fn();
    state.problems = [];
    state.done = done;
    state.note = '';
  } catch (e) {
    state.error = e;
    state.problems = e instanceof ApiError ? e.fields : [];
    if (kept) state.form = { ...state.form, figures: { ...state.form.figures, ...kept } };
  }
  renderForm();
  const first = state.problems[0] && $(`rf-in-${state.problems[0].field.replace('figures.', '')}`);
  if (first) first.focus();
  loadReminders();
}

const formPath = () => `${path(state)}/${encodeURIComponent(state.unit)}`;

function save() {
  return act(() => api('PUT', formPath(), { body: { figures: typed() } }), 'rf_saved');
}

function move(to) {
  const body = { to };
  if (to === 'returned') body.note = state.note.trim();
  const edit = to === 'submitted' && mayEdit(state.form); // what is typed is saved first
  return act(async () => {
    if (edit) state.form = await api('PUT', formPath(), { body: { figures: typed() } });
    return api('POST', `${formPath()}/transitions`, { body });
  }, `rf_done_${to}`);
}

async function open(s) {
  Object.assign(state, s, { form: null, overview: null, problems: [], error: null, done: '', loadError: null });
  history.replaceState(null, '', `report-form.html?regime=${encodeURIComponent(state.regime)}&period=${encodeURIComponent(state.period)}&unit=${encodeURIComponent(state.unit)}`);
  try {
    state.form = await api('GET', formPath());
  } catch (e) {
    if (e.code === 'not_a_submitter') { // a unit above: the overview
      try { state.overview = await api('GET', `${path(state)}?unit=${encodeURIComponent(state.unit)}`); } catch (e2) { state.loadError = e2; }
    } else state.loadError = e;
  }
  renderAll();
}

async function loadReminders() {
  try { state.reminders = (await api('GET', '/api/v1/report-forms/reminders')).reminders; } catch { state.reminders = []; }
  renderReminders();
}

async function start() {
  initI18n();
  if (!session.token()) {
    toSignIn(null);
    return;
  }
  onLangChange(renderAll);
  try {
    state.user = await api('GET', '/api/v1/auth/session');
  } catch {
    return; // 401: api() went back to sign-in
  }
  if (!['officer', 'leader'].includes(state.user.role)) {
    location.replace(state.user.role === 'citizen' ? 'me.html' : 'index.html');
    return;
  }
  state.regimes = (await api('GET', '/api/v1/report-regimes')).regimes;
  await loadReminders();
  const q = new URLSearchParams(location.search);
  const first = state.reminders[0];
  state.regime = q.get('regime') || (first && first.regime) || (state.regimes[0] || {}).id || '';
  state.period = q.get('period') || (first && first.period) || '';
  state.unit = q.get('unit') || state.user.unit;
  $('rf-pick').addEventListener('submit', (ev) => {
    ev.preventDefault();
    open({ regime: $('rf-regime').value, period: $('rf-period').value.trim(), unit: $('rf-unit').value.trim() });
  });
  if (state.period) await open({});
  else renderAll();
  $('main').setAttribute('aria-busy', 'false');
  document.body.dataset.ready = 'true';
}

start();
