// apply.js — "apply online" for a signed-in citizen: find a procedure (search ignores case and
// diacritics, on the server), read its fee, time and documents, fill the form the API prefills
// from the registry (verified values locked), submit, and show the API's per-field errors next to
// each field or the new dossier's code.
import './chrome.js';
import { api, ApiError, announce, fmtMoney, h, session, toSignIn, unitInfo } from './app.js';
import { errText, localName, procedure } from './dossier.js';
import { getLang, initI18n, onLangChange, t, tOr } from './i18n.js';

const $ = (id) => document.getElementById(id);

const state = {
  list: null, // procedures found
  listError: null,
  query: '',
  code: null, // procedure being applied for
  proc: null, // its description
  prefill: null, // its prefilled form
  loadError: null,
  values: new Map(), // field name -> value typed so far (kept across a language switch)
  errors: new Map(), // field name -> {message, message_vi} | string key
  formError: null, // ApiError | string key
  submitting: false,
  submitted: null, // the new dossier
};

/* ---------- procedure list ---------- */

function daysText(n) {
  return Number.isFinite(n) ? t(n === 1 ? 'procedures_day' : 'procedures_days', { n }) : '';
}

function feeText(p) {
  return p.fee ? fmtMoney(p.fee) : t('procedures_free');
}

function renderList() {
  const list = $('procedures');
  if (state.listError) {
    list.replaceChildren(h('li', { class: 'notice notice-error' }, errText(state.listError)));
    return;
  }
  if (!state.list) return;
  if (!state.list.length) {
    list.replaceChildren(h('li', { class: 'muted', testid: 'procedures-empty' }, t('search_none')));
    return;
  }
  list.replaceChildren(...state.list.map((p) => h('li', { class: 'card pick', testid: 'procedure-item', dataset: { code: p.code } },
    h('p', { class: 'pick-name', id: `proc-${p.code}` }, localName(p.name) || p.code),
    h('p', { class: 'small muted' },
      [p.code, p.level ? tOr('level_' + p.level, p.level) : null, daysText(p.processing_days), feeText(p)].filter(Boolean).join(' · ')),
    h('button', {
      type: 'button', class: 'btn btn-primary btn-small', testid: `pick-${p.code}`, 'aria-describedby': `proc-${p.code}`,
      onclick: () => go(p.code),
    }, t('choose_procedure')))));
}

let searchSeq = 0;

async function search(q) {
  const seq = ++searchSeq;
  const qs = q ? `?q=${encodeURIComponent(q)}` : '';
  try {
    const r = await api('GET', `/api/v1/procedures${qs}`, { auth: false });
    if (seq !== searchSeq) return;
    state.list = r.procedures || [];
    state.listError = null;
    state.query = q;
  } catch (e) {
    if (seq !== searchSeq) return;
    state.listError = e;
  }
  renderList();
  $('procedures').setAttribute('aria-busy', 'false');
}

/* ---------- the form ---------- */

let provinces = null;
const communes = new Map();

function provinceList() {
  if (!provinces) provinces = api('GET', '/api/v1/units', { auth: false }).then((r) => r.units || []).catch(() => { provinces = null; return []; });
  return provinces;
}

function communeList(province) {
  if (!communes.has(province)) {
    communes.set(province, api('GET', `/api/v1/units?parent=${encodeURIComponent(province)}&level=commune`, { auth: false })
      .then((r) => (r.units || []).sort((a, b) => a.name.localeCompare(b.name, 'vi')))
      .catch(() => { communes.delete(province); return []; }));
  }
  return communes.get(province);
}

function fillOptions(select, items, selected) {
  select.replaceChildren(h('option', { value: '' }, t('choose')),
    ...items.map(([value, text]) => h('option', { value, selected: value === selected }, text)));
}

const fieldLabel = (f) => (getLang() === 'en' ? f.label_en || f.label : f.label || f.label_en) || f.name;

function procField(name) {
  return ((state.proc && state.proc.fields) || []).find((f) => f.name === name) || {};
}

function optionText(f, value) {
  if (f.type === 'sex') return ['male', 'female'].includes(value) ? t('sex_' + value) : value;
  const o = procField(f.name).option_labels;
  return o && o[value] ? localName(o[value]) : value;
}

function lockedText(f, redraw) {
  const v = f.value;
  if (v === null || v === undefined || v === '') return '—';
  if (f.type === 'date') return /^(\d{4})-(\d{2})-(\d{2})$/.test(v) ? v.split('-').reverse().join('/') : v;
  if (f.type === 'sex' || f.type === 'select') return optionText(f, v);
  if (f.type === 'address' && typeof v === 'object') {
    const parts = [v.street];
    if (v.unit) {
      const u = unitCache.get(v.unit);
      if (u === undefined) unitInfo(v.unit).then((x) => { unitCache.set(v.unit, x || null); redraw(); });
      parts.push(u ? (u.parent_unit ? `${u.name}, ${u.parent_unit.name}` : u.name) : v.unit);
    }
    return parts.filter(Boolean).join(', ');
  }
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

const unitCache = new Map();

function errorFor(name) {
  const e = state.errors.get(name);
  if (!e) return '';
  if (typeof e === 'string') return t(e);
  const f = state.prefill.fields.find((x) => x.name === name);
  const m = (getLang() === 'vi' ? e.message_vi || e.message : e.message || e.message_vi) || t('unknown_error');
  // the API names the field by its key ('purpose'): show its label instead
  const s = f ? m.split(`'${name}'`).join(`“${fieldLabel(f)}”`) : m;
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function current(f) {
  return state.values.has(f.name) ? state.values.get(f.name) : f.value;
}

function inputFor(f, describedBy) {
  const id = `f-${f.name}`;
  const v = current(f);
  const common = { id, name: f.name, testid: `input-${f.name}`, 'aria-describedby': describedBy, required: f.required,
    'aria-invalid': state.errors.has(f.name) ? 'true' : undefined };
  switch (f.type) {
    case 'textarea': {
      const el = h('textarea', { ...common, rows: 3, maxlength: 4000 });
      el.value = v ?? '';
      return el;
    }
    case 'date': return h('input', { ...common, type: 'date', value: v ?? '' });
    case 'sex':
    case 'select': {
      const opts = f.type === 'sex' ? ['male', 'female'] : f.options || [];
      const el = h('select', common);
      fillOptions(el, opts.map((o) => [o, optionText(f, o)]), v ?? '');
      return el;
    }
    case 'phone': return h('input', { ...common, type: 'tel', inputmode: 'tel', autocomplete: 'tel', maxlength: 20, value: v ?? '' });
    case 'email': return h('input', { ...common, type: 'email', autocomplete: 'email', spellcheck: 'false', maxlength: 254, value: v ?? '' });
    case 'id': return h('input', { ...common, type: 'text', inputmode: 'numeric', maxlength: 12, spellcheck: 'false', value: v ?? '' });
    case 'number': return h('input', { ...common, type: 'text', inputmode: 'decimal', maxlength: 20, value: v ?? '' });
    default: return h('input', { ...common, type: 'text', maxlength: 1000, value: v ?? '' });
  }
}

function addressInputs(f, describedBy) {
  const v = current(f) || {};
  const invalid = state.errors.has(f.name) ? 'true' : undefined;
  const street = h('input', { id: `f-${f.name}`, name: `${f.name}.street`, type: 'text', maxlength: 300, autocomplete: 'street-address',
    value: v.street || '', 'aria-describedby': describedBy, testid: `input-${f.name}-street`, 'aria-invalid': invalid });
  const prov = h('select', { id: `f-${f.name}-province`, name: `${f.name}.province`, testid: `input-${f.name}-province` });
  const comm = h('select', { id: `f-${f.name}-commune`, name: `${f.name}.commune`, testid: `input-${f.name}-commune`,
    'aria-describedby': describedBy, 'aria-invalid': invalid });
  fillOptions(prov, [], '');
  fillOptions(comm, [], '');
  prov.addEventListener('change', async () => {
    fillOptions(comm, [], '');
    if (prov.value) fillOptions(comm, (await communeList(prov.value)).map((u) => [u.code, u.name]), '');
  });
  (async () => {
    const cur = v.unit ? await unitInfo(v.unit) : null;
    const p = cur && cur.parent_unit ? cur.parent_unit.code : '';
    fillOptions(prov, (await provinceList()).map((u) => [u.code, u.name]), p);
    if (p) fillOptions(comm, (await communeList(p)).map((u) => [u.code, u.name]), v.unit);
  })();
  return [
    h('div', { class: 'subfield' }, h('label', { for: street.id, class: 'sublabel' }, t('street')), street),
    h('div', { class: 'subfield' }, h('label', { for: prov.id, class: 'sublabel' }, t('province')), prov),
    h('div', { class: 'subfield' }, h('label', { for: comm.id, class: 'sublabel' }, t('commune')), comm),
  ];
}

function fieldView(f) {
  const errId = `err-${f.name}`;
  const err = h('p', { class: 'field-error', id: errId, testid: `field-error-${f.name}`, role: 'alert', hidden: !state.errors.has(f.name) },
    errorFor(f.name));
  const mark = f.required ? h('span', { class: 'req', 'aria-hidden': 'true' }, ' *') : null;
  const reqText = f.required ? h('span', { class: 'visually-hidden' }, ` (${t('required_mark')})`) : null;
  if (f.locked) {
    const redraw = () => renderForm();
    return h('div', { class: 'field field-locked', testid: `field-${f.name}`, dataset: { locked: 'true' } },
      h('p', { class: 'locked-label', id: `lbl-${f.name}` }, fieldLabel(f), mark, reqText),
      h('p', { class: 'locked-value', testid: `value-${f.name}`, 'aria-describedby': `lock-${f.name}` }, lockedText(f, redraw)),
      h('p', { class: 'badge badge-locked', id: `lock-${f.name}`, title: t('locked_hint'), testid: `locked-${f.name}` }, t('locked')),
      err);
  }
  const hintId = `hint-${f.name}`;
  const prefilled = f.value !== null && f.value !== undefined && f.value !== '' && f.source;
  // a value another agency's database gave through the data exchange names that database
  const hint = f.source_service ? t('from_exchange', { provider: f.source_name || f.source }) : t('from_registry');
  const described = [prefilled ? hintId : null, errId].filter(Boolean).join(' ');
  if (f.type === 'address') {
    return h('fieldset', { class: 'field', testid: `field-${f.name}` },
      h('legend', {}, fieldLabel(f), mark, reqText),
      addressInputs(f, described),
      prefilled ? h('p', { class: 'hint', id: hintId, testid: `hint-${f.name}` }, hint) : null,
      err);
  }
  return h('div', { class: 'field', testid: `field-${f.name}` },
    h('label', { for: `f-${f.name}` }, fieldLabel(f), mark, reqText),
    inputFor(f, described),
    prefilled ? h('p', { class: 'hint', id: hintId, testid: `hint-${f.name}` }, hint) : null,
    err);
}

/** What the form holds now, field by field (strings as typed; addresses as {unit, street}). */
function collect() {
  const form = $('dossier-form');
  if (!form || !state.prefill) return;
  for (const f of state.prefill.fields) {
    if (f.locked) continue;
    if (f.type === 'address') {
      const street = form.elements[`${f.name}.street`];
      const comm = form.elements[`${f.name}.commune`];
      if (!street) continue;
      const unit = comm.value || (current(f) && current(f).unit) || '';
      state.values.set(f.name, { unit: comm.options.length > 1 ? comm.value : unit, street: street.value });
    } else if (form.elements[f.name]) {
      state.values.set(f.name, form.elements[f.name].value);
    }
  }
}

function procHead() {
  const p = state.proc;
  const days = daysText(p.processing_days);
  return h('div', { class: 'card proc-card' },
    h('h2', { id: 'proc-title', testid: 'proc-title' }, localName(p.name)),
    h('p', { class: 'small muted' }, [p.code, p.level ? tOr('level_' + p.level, p.level) : null, localName(p.field)].filter(Boolean).join(' · ')),
    h('dl', { class: 'pairs' },
      h('dt', {}, t('processing_time')), h('dd', { testid: 'proc-days' }, days || '—'),
      h('dt', {}, t('fee')), h('dd', { testid: 'proc-fee' }, feeText(p),
        p.fee_note ? h('span', { class: 'small muted block' }, localName(p.fee_note)) : null),
      p.documents && p.documents.length ? [h('dt', {}, t('documents')), h('dd', {},
        h('ul', { class: 'doc-list' }, p.documents.map((d) => h('li', {}, localName(d.name), d.required ? ` ${t('doc_required')}` : ''))))] : null,
      p.legal_basis && p.legal_basis.length ? [h('dt', {}, t('legal_basis')), h('dd', { class: 'small' }, p.legal_basis.join('; '))] : null));
}

function renderForm() {
  const box = $('apply');
  box.hidden = !state.code || !!state.submitted;
  if (box.hidden) return;
  collect();
  const back = h('button', { type: 'button', class: 'btn btn-secondary btn-small back', testid: 'back-to-list', onclick: () => go(null) }, t('back_to_list'));
  if (state.loadError) {
    box.replaceChildren(back, h('p', { class: 'notice notice-error', role: 'alert', testid: 'apply-error' }, errText(state.loadError)));
    return;
  }
  if (!state.proc || !state.prefill) {
    box.replaceChildren(back, h('p', { class: 'muted' }, t('loading')));
    return;
  }
  const focusedId = document.activeElement && document.activeElement.id;
  const formErr = h('p', { class: 'notice notice-error', id: 'form-error', role: 'alert', testid: 'form-error', hidden: !state.formError },
    state.formError ? (state.formError === 'fill_fields' || (state.formError instanceof ApiError && state.formError.code === 'invalid_fields')
      ? t('form_has_errors', { n: state.errors.size }) : errText(state.formError)) : '');
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block', testid: 'submit', disabled: state.submitting },
    state.submitting ? t('submitting') : t('submit_dossier'));
  const form = h('form', { id: 'dossier-form', class: 'card form', novalidate: true, testid: 'dossier-form', 'aria-labelledby': 'form-title',
    'aria-busy': state.submitting ? 'true' : undefined },
  h('h2', { id: 'form-title' }, t('form_title')),
  h('p', { class: 'small muted' }, t('required_note')),
  state.prefill.fields.map(fieldView),
  formErr, submit);
  form.addEventListener('submit', onSubmit);
  box.replaceChildren(back, procHead(), form);
  if (focusedId && document.getElementById(focusedId)) document.getElementById(focusedId).focus();
}

async function onSubmit(ev) {
  ev.preventDefault();
  if (state.submitting) return;
  collect();
  state.errors.clear();
  state.formError = null;
  const fields = {};
  for (const f of state.prefill.fields) {
    if (f.locked || !state.values.has(f.name)) continue; // verified values: the API fills them in
    const v = state.values.get(f.name);
    if (f.type === 'address') {
      const street = (v.street || '').trim();
      if (!v.unit && !street) continue;
      if (!v.unit) state.errors.set(f.name, 'choose_commune');
      else fields[f.name] = { unit: v.unit, street };
    } else if (f.type === 'number') {
      const s = String(v).trim().replace(',', '.');
      if (s) fields[f.name] = /^-?\d+(\.\d+)?$/.test(s) ? Number(s) : s;
    } else {
      const s = String(v).trim();
      if (s) fields[f.name] = s;
    }
  }
  if (state.errors.size) {
    state.formError = 'fill_fields';
    renderForm();
    focusFirstError();
    return;
  }
  state.submitting = true;
  renderForm();
  try {
    state.submitted = await api('POST', '/api/v1/dossiers', { body: { procedure: state.code, fields } });
    state.submitting = false;
    renderForm();
    renderDone();
    $('done').focus();
    return;
  } catch (e) {
    state.formError = e;
    if (e instanceof ApiError && e.code === 'invalid_fields') {
      for (const x of e.fields) state.errors.set(x.field, x);
    }
  }
  state.submitting = false;
  renderForm();
  focusFirstError();
}

function focusFirstError() {
  const first = state.prefill.fields.find((f) => state.errors.has(f.name) && !f.locked);
  const el = first ? document.getElementById(`f-${first.name}`) : $('form-error');
  if (el) {
    if (el === $('form-error')) el.tabIndex = -1;
    el.focus();
  }
}

function renderDone() {
  const box = $('done');
  const d = state.submitted;
  box.hidden = !d;
  if (!d) return;
  box.replaceChildren(
    h('h2', {}, '✓ ', t('submitted_title')),
    h('p', {}, t('submitted_text'), ' ', h('strong', { class: 'big-code', testid: 'submitted-code' }, d.code)),
    h('p', { class: 'small muted' }, localName(d.procedure && d.procedure.name)),
    h('p', { class: 'small' }, t('submitted_keep')),
    h('div', { class: 'btn-row' },
      h('a', { class: 'btn btn-primary', href: `dossiers.html?code=${encodeURIComponent(d.code)}`, testid: 'follow-link' }, t('follow_dossier')),
      h('a', { class: 'btn btn-secondary', href: 'apply.html' }, t('apply_another'))));
}

/* ---------- navigation between the list and a form ---------- */

function go(code) {
  const url = code ? `apply.html?p=${encodeURIComponent(code)}` : 'apply.html';
  history.pushState(null, '', url);
  route();
  window.scrollTo(0, 0);
}

async function route() {
  const code = new URLSearchParams(location.search).get('p');
  $('pick').hidden = !!code;
  state.submitted = null;
  renderDone();
  if (code === state.code && (state.prefill || state.loadError)) {
    renderForm();
    return;
  }
  state.code = code;
  state.proc = null;
  state.prefill = null;
  state.loadError = null;
  state.values.clear();
  state.errors.clear();
  state.formError = null;
  renderForm();
  if (!code) {
    $('search').focus();
    return;
  }
  try {
    const [proc, prefill] = await Promise.all([
      procedure(code),
      api('GET', `/api/v1/procedures/${encodeURIComponent(code)}/prefill`),
    ]);
    if (state.code !== code) return;
    state.proc = proc;
    state.prefill = prefill;
  } catch (e) {
    if (state.code !== code) return;
    if (e instanceof ApiError && e.status === 403) {
      location.replace('index.html'); // staff: apply at the desk instead
      return;
    }
    state.loadError = e;
  }
  renderForm();
  const title = $('proc-title');
  if (title) {
    title.tabIndex = -1;
    title.focus();
  }
}

async function start() {
  initI18n();
  if (!session.token()) {
    toSignIn(null);
    return;
  }
  onLangChange(() => {
    renderList();
    renderForm();
    renderDone();
  });
  let timer = null;
  $('search-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    clearTimeout(timer);
    search($('search').value.trim());
  });
  $('search').addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => search($('search').value.trim()), 250);
  });
  window.addEventListener('popstate', route);
  const listed = search('');
  await route();
  await listed;
  $('main').setAttribute('aria-busy', 'false');
  document.body.dataset.ready = 'true';
}

start();
