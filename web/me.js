// me.js — "my data" for a signed-in citizen: the registry's attributes (label, value, source,
// verified, classification, history, inline edit of the self-declared ones), consents (grant,
// revoke) and the log of who used the data.
import './chrome.js';
import { api, ApiError, announce, fmtDate, fmtDateTime, h, session, toSignIn, unitInfo, vnDatePlus } from './app.js';
import { getLang, initI18n, onLangChange, t, tOr } from './i18n.js';

const $ = (id) => document.getElementById(id);

/** The order a person reads their record in; anything else follows in catalog order. */
const ORDER = ['full_name', 'date_of_birth', 'sex', 'nationality', 'ethnicity', 'religion', 'place_of_birth', 'hometown',
  'permanent_address', 'current_address', 'phone', 'email', 'marital_status', 'household_head', 'household_relation',
  'health_insurance_number', 'tax_code', 'status'];

const state = {
  catalog: new Map(), // name -> attribute definition
  agencies: new Map(), // kind -> {vi, en}
  units: new Map(), // code -> unit (resolved), or null when unknown
  me: null,
  history: new Map(), // name -> {loading, versions, error}
  editErrors: new Map(), // name -> ApiError | string key
  consents: null,
  consentsError: null,
  consentError: null,
  confirmRevoke: null,
  usage: null,
  usageError: null,
  exchanges: null, // the data exchange's entries that carried my ID (the pages loaded so far)
  nextExchangeBefore: null, // the cursor of the next page of them
  objecting: null, // the exchange entry whose objection form is open
  objectError: null,
  nextBefore: null,
  status: { data: null, consents: null },
};

const errText = (e) => (e instanceof ApiError ? e.text() : t(e || 'unknown_error'));

function label(name) {
  const d = state.catalog.get(name);
  return (d && d.label && (d.label[getLang()] || d.label.vi)) || name;
}

function orderedNames(names) {
  const rank = (n) => {
    const i = ORDER.indexOf(n);
    return i < 0 ? ORDER.length + [...state.catalog.keys()].indexOf(n) : i;
  };
  return [...names].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

const unitWaiters = new Map(); // code -> redraw callbacks waiting for its name

/** A unit's name, or its code until the name arrives; then() runs when it does, to redraw. */
function unitName(code, then) {
  if (!code) return '';
  const u = state.units.get(code);
  if (u !== undefined) return u ? u.name : code;
  let waiting = unitWaiters.get(code);
  if (!waiting) {
    waiting = new Set();
    unitWaiters.set(code, waiting);
    unitInfo(code).then((x) => {
      state.units.set(code, x || null);
      unitWaiters.delete(code);
      for (const fn of waiting) fn();
    });
  }
  if (then) waiting.add(then);
  return code;
}

function addressText(v, redraw) {
  if (!v || typeof v !== 'object') return String(v ?? '');
  const parts = [v.street];
  if (v.unit) {
    parts.push(unitName(v.unit, redraw));
    const u = state.units.get(v.unit);
    if (u && u.parent_unit) parts.push(u.parent_unit.name);
  }
  return parts.filter(Boolean).join(', ');
}

function valueText(name, value, redraw) {
  if (value === undefined || value === null || value === '') return null;
  const d = state.catalog.get(name) || {};
  const lang = getLang();
  switch (d.type) {
    case 'address': return addressText(value, redraw);
    case 'date': return fmtDate(value);
    case 'sex': return ['male', 'female'].includes(value) ? t('sex_' + value) : String(value);
    case 'select': {
      const o = d.option_labels && d.option_labels[value];
      return o ? o[lang] || o.vi : String(value);
    }
    default: return typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
}

function sourceText(src, redraw) {
  if (!src) return '';
  if (src === 'population-db') return t('src_population_db');
  if (src === 'self-declared') return t('src_self_declared');
  const m = /^([a-z]+):([0-9]{1,5})$/.exec(src);
  if (m) {
    const a = state.agencies.get(m[1]);
    const agency = a ? a[getLang()] || a.vi : m[1];
    return `${agency} – ${unitName(m[2], redraw)}`;
  }
  return src;
}

function editable(name) {
  const d = state.catalog.get(name);
  const cur = state.me && state.me.attributes[name];
  return !!(d && d.self_declared && !(cur && cur.verified));
}

function badges(rec, cls) {
  return h('span', { class: 'badges' },
    rec.verified
      ? h('span', { class: 'badge badge-ok', testid: 'verified' }, t('verified'))
      : h('span', { class: 'badge badge-warn', testid: 'unverified' }, t('unverified')),
    cls ? h('span', { class: `badge badge-cls badge-${cls}`, title: t('classification'), testid: 'classification' }, tOr('cls_' + cls, cls)) : null);
}

/* ---------- attributes ---------- */

function attrNames() {
  const names = new Set(Object.keys(state.me.attributes));
  for (const [n, d] of state.catalog) if (d.self_declared) names.add(n); // may be added though absent
  return orderedNames(names);
}

function renderPerson() {
  const name = state.me.attributes.full_name;
  $('person-name').textContent = name ? String(name.value) : '';
  $('person-id').textContent = state.me.id;
  $('person').hidden = false;
}

function renderAttributes() {
  const list = $('attributes');
  list.replaceChildren(...attrNames().map((name) => {
    const li = h('li', { class: 'attr card', id: `attr-${name}`, testid: `attr-${name}`, dataset: { name } },
      h('div', { class: 'attr-view' }),
      h('div', { class: 'history', id: `history-${name}`, testid: `history-${name}`, hidden: true }));
    return li;
  }));
  for (const name of attrNames()) {
    renderAttrView(name);
    renderHistory(name);
  }
}

function item(name) {
  return document.getElementById(`attr-${name}`);
}

function renderAttrView(name) {
  const li = item(name);
  if (!li) return;
  const rec = state.me.attributes[name];
  const redraw = () => renderAttrView(name);
  const text = rec ? valueText(name, rec.value, redraw) : null;
  const d = state.catalog.get(name) || {};
  const cls = (rec && rec.classification) || d.classification;
  const hist = state.history.get(name);
  const editing = !!li.querySelector('form.attr-edit');
  const view = h('div', { class: 'attr-view' },
    h('p', { class: 'attr-label', id: `attr-label-${name}` }, label(name)),
    h('p', { class: text === null ? 'attr-value attr-empty' : 'attr-value', testid: `attr-value-${name}` },
      text === null ? t('not_provided') : text),
    rec ? h('div', { class: 'attr-meta' },
      badges(rec, cls),
      h('p', { class: 'small muted' },
        h('span', { testid: `attr-source-${name}` }, `${t('source')}: ${sourceText(rec.source, redraw)}`),
        ' · ',
        h('span', {}, `${t('updated')}: ${fmtDateTime(rec.updated_at)}`))) : null,
    h('div', { class: 'attr-actions' },
      rec ? h('button', {
        type: 'button', class: 'btn btn-secondary btn-small', testid: `history-btn-${name}`,
        'aria-expanded': String(!!(hist && hist.open)), 'aria-controls': `history-${name}`,
        'aria-describedby': `attr-label-${name}`,
        onclick: () => toggleHistory(name),
      }, hist && hist.open ? t('history_hide') : t('history')) : null,
      editable(name) && !editing ? h('button', {
        type: 'button', class: 'btn btn-secondary btn-small', testid: `edit-btn-${name}`,
        'aria-describedby': `attr-label-${name}`, onclick: () => openEdit(name),
      }, rec ? t('edit') : t('add')) : null));
  li.querySelector('.attr-view').replaceWith(view);
}

async function toggleHistory(name) {
  const cur = state.history.get(name);
  if (cur && cur.open) {
    state.history.set(name, { ...cur, open: false });
    renderAttrView(name);
    renderHistory(name);
    return;
  }
  await loadHistory(name);
}

async function loadHistory(name) {
  state.history.set(name, { open: true, loading: true });
  renderAttrView(name);
  renderHistory(name);
  try {
    const r = await api('GET', `/api/v1/citizens/${encodeURIComponent(state.me.id)}/attributes/${encodeURIComponent(name)}/history`);
    state.history.set(name, { open: true, versions: r.versions || [] });
  } catch (e) {
    state.history.set(name, { open: true, error: e });
  }
  renderAttrView(name);
  renderHistory(name);
}

function renderHistory(name) {
  const box = document.getElementById(`history-${name}`);
  if (!box) return;
  const hist = state.history.get(name);
  box.hidden = !(hist && hist.open);
  if (box.hidden) {
    box.replaceChildren();
    return;
  }
  const redraw = () => renderHistory(name);
  let body;
  if (hist.loading) body = h('p', { class: 'muted small' }, t('loading'));
  else if (hist.error) body = h('p', { class: 'notice notice-error', role: 'alert' }, errText(hist.error));
  else {
    body = h('ol', { class: 'plain-list versions', testid: `history-list-${name}` },
      hist.versions.map((v, i) => h('li', { class: 'version', testid: 'history-version', dataset: { version: v.version } },
        h('p', { class: 'version-head' },
          h('span', { class: 'version-n' }, t('version_n', { n: v.version })),
          i === 0 ? h('span', { class: 'badge badge-cls' }, t('history_current')) : null,
          h('time', { class: 'small muted', datetime: v.updated_at }, fmtDateTime(v.updated_at))),
        h('p', { class: 'version-value' }, valueText(name, v.value, redraw) ?? '—'),
        h('p', {}, badges(v, null)),
        h('p', { class: 'small muted' },
          `${t('source')}: ${sourceText(v.source, redraw)}`,
          v.changed_by ? ` · ${t('changed_by')}: ${v.changed_by}` : ''))));
  }
  box.replaceChildren(h('h3', { class: 'history-title' }, t('history_of', { label: label(name) })), body);
}

/* ---------- inline edit ---------- */

let provinces = null;
const communes = new Map();

async function provinceList() {
  if (!provinces) provinces = api('GET', '/api/v1/units', { auth: false }).then((r) => r.units || []);
  return provinces;
}

async function communeList(province) {
  if (!communes.has(province)) {
    communes.set(province, api('GET', `/api/v1/units?parent=${encodeURIComponent(province)}&level=commune`, { auth: false })
      .then((r) => (r.units || []).sort((a, b) => a.name.localeCompare(b.name, 'vi'))));
  }
  return communes.get(province);
}

function options(select, units, selected) {
  select.replaceChildren(h('option', { value: '', 'data-i18n': 'choose' }, t('choose')),
    ...units.map((u) => h('option', { value: u.code, selected: u.code === selected }, u.name)));
}

async function openEdit(name) {
  const li = item(name);
  if (!li || li.querySelector('form.attr-edit')) return;
  const d = state.catalog.get(name) || {};
  const rec = state.me.attributes[name];
  const errId = `edit-error-${name}`;
  const err = h('p', { class: 'notice notice-error', role: 'alert', id: errId, testid: `edit-error-${name}`, hidden: true });
  const fields = [];
  let first;
  if (d.type === 'address') {
    const v = (rec && rec.value) || {};
    const street = h('input', { id: `edit-${name}-street`, name: 'street', type: 'text', maxlength: d.max_length || 300,
      autocomplete: 'street-address', value: v.street || '', 'aria-describedby': errId, testid: `edit-input-${name}` });
    const prov = h('select', { id: `edit-${name}-province`, name: 'province', testid: `edit-province-${name}` });
    const comm = h('select', { id: `edit-${name}-commune`, name: 'commune', testid: `edit-commune-${name}`, 'aria-describedby': errId });
    fields.push(
      h('div', { class: 'field' }, h('label', { for: street.id, 'data-i18n': 'street' }, t('street')), street),
      h('div', { class: 'field' }, h('label', { for: prov.id, 'data-i18n': 'province' }, t('province')), prov),
      h('div', { class: 'field' }, h('label', { for: comm.id, 'data-i18n': 'commune' }, t('commune')), comm));
    first = street;
    options(prov, [], '');
    options(comm, [], '');
    prov.addEventListener('change', async () => {
      options(comm, [], '');
      if (prov.value) options(comm, await communeList(prov.value).catch(() => []), '');
    });
    (async () => {
      const current = v.unit ? await unitInfo(v.unit) : null;
      const p = current && current.parent_unit ? current.parent_unit.code : '';
      options(prov, await provinceList().catch(() => []), p);
      if (p) options(comm, await communeList(p).catch(() => []), v.unit);
    })();
  } else {
    const type = { phone: 'tel', email: 'email' }[d.type] || 'text';
    const input = h('input', {
      id: `edit-${name}`, name: 'value', type, maxlength: d.max_length, value: rec ? String(rec.value ?? '') : '',
      inputmode: type === 'tel' ? 'tel' : undefined, autocomplete: type === 'tel' ? 'tel' : type === 'email' ? 'email' : undefined,
      spellcheck: 'false', 'aria-describedby': errId, testid: `edit-input-${name}`,
    });
    fields.push(h('div', { class: 'field' }, h('label', { for: input.id, dataset: { attrLabel: name } }, label(name)), input));
    first = input;
  }
  const save = h('button', { type: 'submit', class: 'btn btn-primary', testid: `edit-save-${name}`, 'data-i18n': 'save' }, t('save'));
  const cancel = h('button', { type: 'button', class: 'btn btn-secondary', testid: `edit-cancel-${name}`, 'data-i18n': 'cancel' }, t('cancel'));
  const form = h('form', { class: 'attr-edit form', novalidate: true, testid: `edit-form-${name}`, 'aria-label': t('edit_of', { label: label(name) }) },
    ...fields, err, h('div', { class: 'btn-row' }, save, cancel));
  cancel.addEventListener('click', () => closeEdit(name, true));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    submitEdit(name, form);
  });
  li.querySelector('.attr-view').after(form);
  renderAttrView(name);
  first.focus();
}

function showEditError(name) {
  const el = document.getElementById(`edit-error-${name}`);
  if (!el) return;
  const e = state.editErrors.get(name);
  // the API names the attribute by its key ('phone'): show its label instead
  el.textContent = e ? errText(e).split(`'${name}'`).join(`“${label(name)}”`) : '';
  el.hidden = !e;
  for (const input of item(name).querySelectorAll('form.attr-edit input, form.attr-edit select')) {
    if (e) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
  }
}

function closeEdit(name, focus) {
  const li = item(name);
  const form = li && li.querySelector('form.attr-edit');
  if (form) form.remove();
  state.editErrors.delete(name);
  renderAttrView(name);
  if (focus) {
    const b = li.querySelector(`[data-testid="edit-btn-${name}"]`);
    if (b) b.focus();
  }
}

async function submitEdit(name, form) {
  const d = state.catalog.get(name) || {};
  let value;
  if (d.type === 'address') {
    const street = form.elements.street.value.trim();
    const unit = form.elements.commune.value;
    if (!unit) {
      state.editErrors.set(name, 'choose_commune');
      showEditError(name);
      form.elements.commune.focus();
      return;
    }
    value = { unit, street };
  } else {
    value = form.elements.value.value.trim();
    if (!value) {
      state.editErrors.set(name, 'value_required');
      showEditError(name);
      form.elements.value.focus();
      return;
    }
  }
  const save = form.querySelector('[type="submit"]');
  save.disabled = true;
  save.textContent = t('saving');
  form.setAttribute('aria-busy', 'true');
  try {
    const r = await api('PATCH', `/api/v1/citizens/${encodeURIComponent(state.me.id)}/attributes/${encodeURIComponent(name)}`, { body: { value } });
    if (r && r.attributes) state.me.attributes = r.attributes;
    else if (r && 'value' in r) state.me.attributes[name] = r;
    closeEdit(name, true);
    renderPerson();
    state.status.data = ['saved', { label: name }];
    showStatus('data');
    if (state.history.get(name)?.open) await loadHistory(name);
  } catch (e) {
    state.editErrors.set(name, e);
    save.disabled = false;
    save.textContent = t('save');
    form.removeAttribute('aria-busy');
    showEditError(name);
    const input = form.querySelector('input');
    if (input) input.focus();
  }
}

/* ---------- status lines ---------- */

function showStatus(which) {
  const s = state.status[which];
  const el = $(`${which}-status`);
  if (!s) {
    el.hidden = true;
    return;
  }
  const [key, vars] = s;
  const v = { ...vars };
  if (v.label) v.label = label(v.label);
  announce(el, t(key, v), 'ok');
}

/* ---------- consents ---------- */

function recipientText(r) {
  if (/^[0-9]{2,5}$/.test(r)) {
    const n = unitName(r, renderConsents);
    return n === r ? r : `${n} (${r})`;
  }
  return r;
}

function renderConsents() {
  const list = $('consents');
  if (state.consentsError) {
    list.replaceChildren(h('li', { class: 'notice notice-error' }, errText(state.consentsError)));
    return;
  }
  if (!state.consents) return;
  if (!state.consents.length) {
    list.replaceChildren(h('li', { class: 'muted', testid: 'consents-empty' }, t('consents_empty')));
    return;
  }
  list.replaceChildren(...state.consents.map((c) => {
    const confirming = state.confirmRevoke === c.id;
    const rows = [
      ['purpose', c.purpose],
      ['shared_data', (c.attributes || []).map(label).join(', ')],
      ['granted_at', fmtDateTime(c.created_at)],
      ['expires', fmtDateTime(c.expires_at)],
      c.revoked_at ? ['revoked_at', fmtDateTime(c.revoked_at)] : null,
    ].filter(Boolean);
    return h('li', { class: `consent card consent-${c.state}`, testid: 'consent-item', dataset: { consentId: c.id, state: c.state } },
      h('div', { class: 'consent-head' },
        h('p', { class: 'consent-recipient' }, h('span', { class: 'visually-hidden' }, `${t('recipient')}: `),
          h('span', { testid: 'consent-recipient' }, recipientText(c.recipient))),
        h('span', { class: `badge badge-state badge-${c.state}`, testid: 'consent-state' }, tOr('state_' + c.state, c.state))),
      h('dl', { class: 'pairs' }, rows.map(([k, v]) => [h('dt', {}, t(k)), h('dd', {}, v)])),
      c.state === 'active' && !confirming ? h('div', { class: 'btn-row' },
        h('button', { type: 'button', class: 'btn btn-danger-outline btn-small', testid: 'consent-revoke',
          onclick: () => { state.confirmRevoke = c.id; renderConsents(); focusIn(c.id, 'consent-revoke-confirm'); } },
        t('revoke'))) : null,
      confirming ? h('div', { class: 'confirm', role: 'group', 'aria-label': t('revoke') },
        h('p', {}, t('revoke_question')),
        h('div', { class: 'btn-row' },
          h('button', { type: 'button', class: 'btn btn-danger btn-small', testid: 'consent-revoke-confirm', onclick: () => revoke(c.id) }, t('revoke_confirm')),
          h('button', { type: 'button', class: 'btn btn-secondary btn-small', testid: 'consent-revoke-cancel',
            onclick: () => { state.confirmRevoke = null; renderConsents(); focusIn(c.id, 'consent-revoke'); } }, t('cancel')))) : null);
  }));
}

function focusIn(id, testid) {
  const li = [...document.querySelectorAll('[data-testid="consent-item"]')].find((x) => x.dataset.consentId === id);
  const b = li && li.querySelector(`[data-testid="${testid}"]`);
  if (b) b.focus();
}

async function loadConsents() {
  try {
    state.consents = (await api('GET', '/api/v1/me/consents')).consents || [];
    state.consentsError = null;
  } catch (e) {
    state.consentsError = e;
  }
  renderConsents();
}

async function revoke(id) {
  try {
    await api('DELETE', `/api/v1/me/consents/${encodeURIComponent(id)}`);
    state.confirmRevoke = null;
    state.status.consents = ['revoked_ok', {}];
    await loadConsents();
    showStatus('consents');
    focusIn(id, 'consent-state');
  } catch (e) {
    state.confirmRevoke = null;
    state.consentError = e;
    renderConsents();
    showConsentError();
  }
}

function renderConsentChoices() {
  const box = $('consent-attributes');
  const legend = box.querySelector('legend');
  const names = orderedNames(Object.keys(state.me.attributes));
  box.replaceChildren(legend, h('div', { class: 'check-grid' }, names.map((n) => h('div', { class: 'check' },
    h('input', { type: 'checkbox', id: `consent-attr-${n}`, name: 'attributes', value: n, testid: `consent-attr-${n}` }),
    h('label', { for: `consent-attr-${n}`, dataset: { attrLabel: n } }, label(n))))));
}

function relabelChoices() {
  for (const el of document.querySelectorAll('[data-attr-label]')) el.textContent = label(el.dataset.attrLabel);
}

function showConsentError() {
  const el = $('consent-error');
  announce(el, state.consentError ? errText(state.consentError) : '', 'error');
}

async function grant(ev) {
  ev.preventDefault();
  const form = $('consent-form');
  const recipient = form.elements.recipient.value.trim();
  const purpose = form.elements.purpose.value.trim();
  const expires = form.elements.expires_at.value;
  const attributes = [...form.querySelectorAll('input[name="attributes"]:checked')].map((x) => x.value);
  state.consentError = null;
  if (!recipient || !purpose || !expires) state.consentError = 'fill_required';
  else if (!attributes.length) state.consentError = 'pick_attributes';
  if (state.consentError) {
    showConsentError();
    return;
  }
  const submit = $('consent-submit');
  submit.disabled = true;
  submit.textContent = t('granting');
  try {
    // a bare date would mean 00:00 UTC (07:00 in Vietnam) of that day: send its end, Vietnam time
    const expiresAt = /^\d{4}-\d{2}-\d{2}$/.test(expires) ? `${expires}T23:59:59+07:00` : expires;
    await api('POST', '/api/v1/me/consents', { body: { recipient, purpose, attributes, expires_at: expiresAt } });
    form.elements.recipient.value = '';
    form.elements.purpose.value = '';
    for (const x of form.querySelectorAll('input[name="attributes"]')) x.checked = false;
    state.status.consents = ['granted_ok', { recipient }];
    showConsentError();
    await loadConsents();
    showStatus('consents');
  } catch (e) {
    state.consentError = e;
    showConsentError();
  } finally {
    submit.disabled = false;
    submit.textContent = t('grant_submit');
  }
}

/* ---------- data usage ---------- */

function renderUsage() {
  const list = $('usage');
  if (state.usageError) {
    list.replaceChildren(h('li', { class: 'notice notice-error' }, errText(state.usageError)));
    $('usage-more').hidden = true;
    return;
  }
  if (!state.usage) return;
  if (!state.usage.length) {
    list.replaceChildren(h('li', { class: 'muted', testid: 'usage-empty' }, t('usage_empty')));
    $('usage-more').hidden = true;
    return;
  }
  list.replaceChildren(...state.usage.map((u) => {
    const unit = u.actor_unit ? unitName(u.actor_unit, renderUsage) : '';
    const rows = [
      ['usage_actor', h('span', { testid: 'usage-actor' }, u.actor)],
      u.actor_unit ? ['usage_unit', h('span', { testid: 'usage-unit' }, unit === u.actor_unit ? unit : `${unit} (${u.actor_unit})`)] : null,
      ['usage_attributes', (u.attributes || []).map(label).join(', ') || '—'],
      ['usage_purpose', u.purpose || '—'],
    ].filter(Boolean);
    return h('li', { class: `usage card usage-${u.action}`, testid: 'usage-entry' },
      h('div', { class: 'usage-head' },
        h('span', { class: 'usage-action', testid: 'usage-action' }, tOr('action_' + u.action, u.action)),
        h('time', { class: 'small muted', datetime: u.at, testid: 'usage-time' }, fmtDateTime(u.at))),
      h('dl', { class: 'pairs' }, rows.map(([k, v]) => [h('dt', {}, t(k)), h('dd', {}, v)])));
  }));
  $('usage-more').hidden = !state.nextBefore;
}

async function loadUsage(more = false) {
  const q = new URLSearchParams({ limit: '20' });
  if (more && state.nextBefore) q.set('before', state.nextBefore);
  const btn = more ? $('usage-more') : $('usage-refresh');
  btn.disabled = true;
  try {
    const r = await api('GET', `/api/v1/me/data-usage?${q}`);
    state.usage = more ? [...(state.usage || []), ...(r.entries || [])] : r.entries || [];
    if (!more) {
      state.exchanges = r.exchanges || [];
      state.nextExchangeBefore = r.next_exchange_before || null;
    }
    state.nextBefore = r.next_before || null;
    state.usageError = null;
  } catch (e) {
    if (!more) state.usageError = e;
  }
  btn.disabled = false;
  renderUsage();
  renderExchanges();
}

/* ---------- exchanges between agencies ---------- */

function exchangeEntry(x) {
  const lang = getLang();
  const purpose = x.purpose_name && x.purpose_name[lang] ? `${x.purpose_name[lang]} (${x.purpose})` : x.purpose;
  const result = x.status === 200 ? t('exchange_answered') : t('exchange_refused', { status: x.status });
  const rows = [
    ['exchange_agency', h('span', { testid: 'exchange-agency' }, x.client_member)],
    ['exchange_service', h('span', { testid: 'exchange-service', class: 'break' }, x.service)],
    ['exchange_purpose', h('span', { testid: 'exchange-purpose' }, purpose)],
    x.legal_basis && x.legal_basis[lang] ? ['exchange_basis', x.legal_basis[lang]] : null,
    ['exchange_result', h('span', { testid: 'exchange-result' }, result)],
    ['exchange_proof', h('code', { class: 'small break', title: x.proof.hash }, `#${x.proof.seq} ${x.proof.hash.slice(0, 16)}…`)],
  ].filter(Boolean);
  let tail;
  if (x.objection) {
    const o = x.objection;
    tail = o.answered_at
      ? h('div', { class: 'notice notice-ok', testid: 'exchange-objection-answer' },
        h('p', {}, h('strong', {}, t(o.upheld ? 'exchange_objection_upheld' : 'exchange_objection_dismissed'))),
        h('p', { class: 'small' }, t('exchange_objection_answer', { at: fmtDateTime(o.answered_at) })),
        h('p', { class: 'break' }, o.answer))
      : h('p', { class: 'notice notice-ok', testid: 'exchange-objected' }, t('exchange_objected', { due: fmtDateTime(o.due_at) }));
  } else if (state.objecting === x.id) {
    const reason = h('textarea', { id: `object-reason-${x.id}`, rows: 3, maxlength: 2000, testid: 'object-reason' });
    tail = h('form', { class: 'object-form', testid: 'object-form', onsubmit: (ev) => { ev.preventDefault(); object(x, reason.value); } },
      h('label', { for: `object-reason-${x.id}` }, t('exchange_object_reason')), reason,
      state.objectError ? h('p', { class: 'notice notice-error', role: 'alert', testid: 'object-error' }, errText(state.objectError)) : null,
      h('button', { type: 'submit', class: 'btn btn-primary btn-small', testid: 'object-send' }, t('exchange_object_send')));
  } else {
    tail = h('button', { type: 'button', class: 'btn btn-secondary btn-small', testid: 'object-open',
      onclick: () => { state.objecting = x.id; state.objectError = null; renderExchanges(); } }, t('exchange_object'));
  }
  return h('li', { class: 'usage card', testid: 'exchange-entry' },
    h('div', { class: 'usage-head' },
      h('span', { class: 'usage-action' }, x.purpose_name && x.purpose_name[lang] ? x.purpose_name[lang] : x.purpose),
      h('time', { class: 'small muted', datetime: x.at, testid: 'exchange-time' }, fmtDateTime(x.at))),
    h('dl', { class: 'pairs' }, rows.map(([k, v]) => [h('dt', {}, t(k)), h('dd', {}, v)])),
    tail);
}

function renderExchanges() {
  const list = $('exchanges');
  if (!state.exchanges) return;
  $('exchanges-more').hidden = !state.nextExchangeBefore;
  if (!state.exchanges.length) {
    list.replaceChildren(h('li', { class: 'muted', testid: 'exchanges-empty' }, t('exchanges_empty')));
    return;
  }
  list.replaceChildren(...state.exchanges.map(exchangeEntry));
}

/* The next page of the exchanges, older than the last one shown (its own cursor). */
async function loadMoreExchanges() {
  if (!state.nextExchangeBefore) return;
  const btn = $('exchanges-more');
  btn.disabled = true;
  try {
    const r = await api('GET', `/api/v1/me/data-usage?${new URLSearchParams({ limit: '20', exchange_before: String(state.nextExchangeBefore) })}`);
    state.exchanges = [...(state.exchanges || []), ...(r.exchanges || [])];
    state.nextExchangeBefore = r.next_exchange_before || null;
  } catch (e) {
    announce($('exchanges-status'), errText(e), 'error');
  }
  btn.disabled = false;
  renderExchanges();
}

async function object(x, reason) {
  if (!reason.trim()) {
    state.objectError = 'exchange_reason_required';
    renderExchanges();
    return;
  }
  try {
    const r = await api('POST', `/api/v1/me/data-usage/${x.id}/objection`, { body: { reason: reason.trim() } });
    x.objection = { id: r.id, status: r.status, due_at: r.due_at };
    state.objecting = null;
    state.objectError = null;
    announce($('exchanges-status'), t('exchange_object_sent', { due: fmtDateTime(r.due_at) }));
  } catch (e) {
    state.objectError = e;
  }
  renderExchanges();
}

/* ---------- the page ---------- */

function redrawAll() {
  if (!state.me) return;
  renderPerson();
  for (const name of attrNames()) {
    renderAttrView(name);
    renderHistory(name);
    showEditError(name);
  }
  relabelChoices();
  renderConsents();
  renderUsage();
  renderExchanges();
  showConsentError();
  showStatus('data');
  showStatus('consents');
}

async function start() {
  initI18n();
  if (!session.token()) {
    toSignIn(null);
    return;
  }
  $('consent-form').addEventListener('submit', grant);
  $('usage-refresh').addEventListener('click', () => loadUsage(false));
  $('usage-more').addEventListener('click', () => loadUsage(true));
  $('exchanges-more').addEventListener('click', loadMoreExchanges);
  onLangChange(redrawAll);
  const expires = $('consent-expires');
  expires.min = vnDatePlus(1);
  expires.max = vnDatePlus(3640); // the API allows up to 10 years
  expires.value = vnDatePlus(30);

  const catalog = api('GET', '/api/v1/attributes', { auth: false }).catch(() => ({ attributes: [] }));
  const agencies = api('GET', '/api/v1/agencies', { auth: false }).catch(() => ({ agencies: [] }));
  let me;
  try {
    me = await api('GET', '/api/v1/me');
  } catch (e) {
    if (e.status === 403) location.replace('index.html'); // staff: their pages live elsewhere
    else if (e.status !== 401) announce($('page-status'), errText(e), 'error');
    return;
  }
  for (const d of (await catalog).attributes || []) state.catalog.set(d.name, d);
  for (const a of (await agencies).agencies || []) state.agencies.set(a.kind, a.name);
  state.me = { id: me.id, attributes: me.attributes || {} };
  renderPerson();
  renderAttributes();
  renderConsentChoices();
  $('main').setAttribute('aria-busy', 'false');
  await Promise.all([loadConsents(), loadUsage(false)]);
  document.body.dataset.ready = 'true'; // everything loaded (tests wait for this)
}

start();
