// bundle.js — life-event bundles for a signed-in citizen: choose a birth or a death, fill the
// one application (its fields come from the server: GET /api/v1/bundle-types), and follow each
// agency's component dossier; the list of my bundles with their state.
import './chrome.js';
import { api, ApiError, fmtDateTime, h, session, toSignIn } from './app.js';
import { errText, localName, statusBadge } from './dossier.js';
import { initI18n, onLangChange, t } from './i18n.js';

const $ = (id) => document.getElementById(id);

const state = {
  types: [],
  type: null,
  values: {},
  problems: {},
  error: null,
  busy: false,
  bundle: null,
  list: null,
  listError: null,
};

const current = () => state.types.find((x) => x.type === state.type);

function renderTypes() {
  $('types').replaceChildren(...state.types.map((b) => h('button', {
    type: 'button', class: `btn ${state.type === b.type ? 'btn-primary' : 'btn-secondary'}`, testid: `type-${b.type}`,
    'aria-pressed': state.type === b.type ? 'true' : 'false', onclick: () => choose(b.type),
  }, t(`bundle_${b.type}`))));
}

function choose(type) {
  state.type = type;
  state.values = {};
  state.problems = {};
  state.error = null;
  state.bundle = null;
  render();
  $('bundle-form').querySelector('input, select')?.focus();
}

function input(f) {
  const common = { id: `b-${f.name}`, name: f.name, testid: `input-${f.name}`, required: f.required,
    'aria-invalid': state.problems[f.name] ? 'true' : undefined, 'aria-describedby': `err-${f.name}` };
  const v = state.values[f.name] ?? '';
  if (f.options) {
    const el = h('select', common, h('option', { value: '' }, t('choose')),
      ...f.options.map((o) => h('option', { value: o }, localName(f.option_labels && f.option_labels[o]) || o)));
    el.value = v;
    return el;
  }
  if (f.type === 'date') return h('input', { ...common, type: 'date', value: v });
  if (f.type === 'id') return h('input', { ...common, type: 'text', inputmode: 'numeric', maxlength: 12, value: v });
  return h('input', { ...common, type: 'text', maxlength: 300, value: v });
}

function field(f) {
  const mark = f.required ? h('span', { class: 'req', 'aria-hidden': 'true' }, ' *') : null;
  return h('div', { class: 'field', testid: `field-${f.name}` },
    h('label', { for: `b-${f.name}` }, localName(f.label), mark),
    input(f),
    h('p', { class: 'field-error', id: `err-${f.name}`, role: 'alert', testid: `field-error-${f.name}`, hidden: !state.problems[f.name] },
      state.problems[f.name] || ''));
}

function renderForm() {
  const form = $('bundle-form');
  const b = current();
  form.hidden = !b || !!state.bundle;
  if (form.hidden) return;
  const steps = b.components.map((c) => h('li', {}, localName(c.procedure.name),
    c.after.length ? h('span', { class: 'muted small' }, ` — ${t('bundle_after')}`) : null));
  form.replaceChildren(...[
    h('h2', {}, localName(b.name)),
    h('p', { class: 'small muted' }, t('bundle_deadline', { n: b.deadline_days })),
    h('ol', { class: 'small', testid: 'bundle-plan' }, ...steps),
    ...b.form.filter((f) => f.type !== 'address').map(field),
    state.error ? h('p', { class: 'notice notice-error', role: 'alert', testid: 'bundle-error' }, errText(state.error)) : null,
    h('button', { type: 'submit', class: 'btn btn-primary btn-block', testid: 'bundle-submit', disabled: state.busy },
      state.busy ? t('bundle_sending') : t('bundle_submit'))].filter(Boolean));
}

function componentRow(c) {
  const link = c.code ? h('a', { href: `dossiers.html?code=${encodeURIComponent(c.code)}`, testid: 'component-link' }, c.code) : null;
  return h('li', { class: 'card', testid: 'component', dataset: { component: c.component, state: c.state } },
    h('p', { class: 'dossier-item-name' }, localName(c.procedure.name)),
    h('p', { class: 'badges' }, c.code ? statusBadge(c, 'component-status')
      : h('span', { class: 'badge', testid: 'component-status' }, t(`bundle_component_${c.state}`))),
    h('p', { class: 'small muted' }, link, c.due_at ? ` · ${t('due_at')}: ${fmtDateTime(c.due_at)}` : ''));
}

function renderDetail() {
  const box = $('detail');
  const b = state.bundle;
  box.hidden = !b;
  if (!b) return;
  box.replaceChildren(...[
    h('h2', { tabindex: '-1', testid: 'bundle-heading' }, localName(b.name)),
    h('p', { class: 'badges' }, h('span', { class: `badge bundle-${b.state}`, testid: 'bundle-state' }, t(`bundle_state_${b.state}`))),
    b.reason ? h('p', { class: 'notice notice-error', testid: 'bundle-reason' }, b.reason) : null,
    h('p', { class: 'small muted' }, `${t('due_at')}: ${fmtDateTime(b.due_at)}`),
    b.outputs && b.outputs.child_id ? h('p', { testid: 'bundle-child' }, t('bundle_child_id', { id: b.outputs.child_id })) : null,
    h('ul', { class: 'plain-list', testid: 'components' }, ...b.components.map(componentRow)),
    h('button', { type: 'button', class: 'btn btn-secondary', testid: 'bundle-refresh', onclick: () => open(b.id) }, t('bundle_refresh')),
  ].filter(Boolean));
}

function renderList() {
  const list = $('bundles');
  if (state.listError) {
    list.replaceChildren(h('li', { class: 'notice notice-error' }, errText(state.listError)));
    return;
  }
  if (!state.list) return;
  if (!state.list.length) {
    list.replaceChildren(h('li', { class: 'muted', testid: 'bundles-empty' }, t('bundle_none')));
    return;
  }
  list.replaceChildren(...state.list.map((b) => h('li', { class: 'card', testid: 'bundle-item' },
    h('a', { href: `bundle.html?id=${encodeURIComponent(b.id)}`, testid: 'bundle-link' }, localName(b.name)),
    h('p', { class: 'small muted' }, `${t(`bundle_state_${b.state}`)} · ${fmtDateTime(b.created_at)}`))));
}

function render() {
  renderTypes();
  renderForm();
  renderDetail();
  renderList();
}

function collect() {
  const form = $('bundle-form');
  const values = {};
  for (const f of current().form) {
    const el = form.elements[f.name];
    if (el && el.value.trim()) values[f.name] = el.value.trim();
  }
  state.values = values;
  return values;
}

async function submit(ev) {
  ev.preventDefault();
  if (state.busy) return;
  const fields = collect();
  state.busy = true;
  state.error = null;
  state.problems = {};
  renderForm();
  try {
    state.bundle = await api('POST', '/api/v1/bundles', { body: { type: state.type, fields } });
    await loadList();
  } catch (e) {
    state.error = e;
    for (const p of (e instanceof ApiError && e.fields) || []) state.problems[p.field] = localName({ vi: p.message_vi, en: p.message });
  }
  state.busy = false;
  render();
  if (state.bundle) $('detail').querySelector('h2').focus();
  else $('bundle-form').querySelector('[aria-invalid="true"], [role="alert"]:not([hidden])')?.focus();
}

async function open(id) {
  try {
    state.bundle = await api('GET', `/api/v1/bundles/${encodeURIComponent(id)}`);
    state.type = state.bundle.type;
  } catch (e) {
    state.error = e;
  }
  render();
  $('detail').querySelector('h2')?.focus();
}

async function loadList() {
  try {
    state.list = (await api('GET', '/api/v1/me/bundles')).bundles || [];
  } catch (e) {
    state.listError = e;
  }
}

async function start() {
  initI18n();
  if (!session.token()) {
    toSignIn(null);
    return;
  }
  $('bundle-form').addEventListener('submit', submit);
  onLangChange(render);
  try {
    state.types = (await api('GET', '/api/v1/bundle-types', { auth: false })).types || [];
  } catch (e) {
    state.listError = e;
  }
  await loadList();
  const id = new URLSearchParams(location.search).get('id');
  if (id) await open(id);
  render();
  $('main').setAttribute('aria-busy', 'false');
  document.body.dataset.ready = 'true';
}

start();
