// documents.js — "my documents" (kho dữ liệu) for a signed-in citizen: the results issued to them
// electronically, each with its PDF, its public verification page and the holder's choice of what
// that page shows, and the files they have submitted, which a later dossier attaches by reference.
import './chrome.js';
import { api, ApiError, fill, fmtDateTime, h, session, toSignIn } from './app.js';
import { errText, fmtSize, focusTestid, formLink, localName, pairs, procedure, unitText, valueText } from './dossier.js';
import { initI18n, onLangChange, t } from './i18n.js';

const $ = (id) => document.getElementById(id);

const state = {
  store: null, // {results, files}
  error: null,
  procs: new Map(), // procedure code -> its description, for the fields' labels
  editing: null, // the result whose sharing is being chosen
  fields: null, // that result's form fields {name: value}, once loaded
  picked: new Set(), // the names ticked in the form
  busy: false,
  shareError: null,
  saved: null, // the result whose choice was just saved
  pdfError: null, // {id, error} of the last failed download
};

/** A verification link on this server (the QR's link names the public address). */
function localPath(url) {
  try {
    const u = new URL(url, location.href);
    return u.pathname + u.search;
  } catch {
    return url;
  }
}

const fieldDefs = (proc) => new Map(((proc && proc.fields) || []).map((f) => [f.name, f]));

function shareLabel(name, defs) {
  if (name === 'holder_name') return t('holder_name');
  const def = defs.get(name);
  return def ? localName(def.label) : name;
}

function sharedText(r) {
  const defs = fieldDefs(state.procs.get(r.procedure.code));
  return r.shared && r.shared.length ? r.shared.map((n) => shareLabel(n, defs)).join(', ') : t('share_nothing');
}

/** The names the holder may show: their name, then the result's fields in the procedure's order. */
function shareNames(defs) {
  const have = Object.keys(state.fields);
  return ['holder_name', ...[...defs.keys()].filter((n) => have.includes(n)), ...have.filter((n) => !defs.has(n))];
}

function shareBox(r, name, defs) {
  const id = `share-${r.id}-${name}`;
  const value = name === 'holder_name' ? state.fields.applicant_full_name : state.fields[name];
  return h('div', { class: 'check' },
    h('input', {
      type: 'checkbox', id, testid: `share-${name}`, checked: state.picked.has(name),
      onchange: (ev) => (ev.target.checked ? state.picked.add(name) : state.picked.delete(name)),
    }),
    h('label', { for: id }, shareLabel(name, defs), h('span', { class: 'muted' }, `: ${valueText(defs.get(name), value, render)}`)));
}

function shareForm(r) {
  if (!state.fields) return h('p', { class: 'muted' }, t('loading'));
  const defs = fieldDefs(state.procs.get(r.procedure.code));
  const form = h('form', { class: 'form share-form', novalidate: true, testid: 'share-form' },
    h('fieldset', { class: 'field' },
      h('legend', {}, t('share_title')),
      h('p', { class: 'small muted' }, t('share_intro')),
      shareNames(defs).map((n) => shareBox(r, n, defs))),
    h('p', { class: 'notice notice-error', role: 'alert', testid: 'share-error', hidden: !state.shareError },
      state.shareError ? errText(state.shareError) : ''),
    h('div', { class: 'btn-row' },
      h('button', { type: 'submit', class: 'btn btn-primary', testid: 'share-save', disabled: state.busy }, state.busy ? t('saving') : t('save')),
      h('button', { type: 'button', class: 'btn btn-secondary', testid: 'share-cancel', onclick: () => closeShare(r) }, t('cancel'))));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    saveShare(r);
  });
  return form;
}

function resultItem(r) {
  const editing = state.editing === r.id;
  const pdfError = state.pdfError && state.pdfError.id === r.id ? state.pdfError.error : null;
  return h('li', { class: 'card store-item', testid: 'result', dataset: { id: r.id } },
    h('p', { class: 'doc-name', testid: 'result-name' }, localName(r.procedure.name) || r.procedure.code),
    r.revoked ? h('p', { class: 'badges' }, h('span', { class: 'badge badge-revoked', testid: 'result-revoked' }, t('revoked'))) : null,
    pairs([
      ['result_id', r.id, 'result-id'],
      ['dossier_code', h('a', { href: `dossiers.html?code=${encodeURIComponent(r.code)}` }, r.code), 'result-code'],
      ['issuer', unitText(r.issuer, render)],
      ['issued_at', fmtDateTime(r.issued_at)],
      ['share_title', sharedText(r), 'share-summary'],
    ]),
    state.saved === r.id ? h('p', { class: 'notice notice-ok', role: 'status', testid: 'share-status' }, t('share_saved')) : null,
    pdfError ? h('p', { class: 'notice notice-error', role: 'alert', testid: 'form-error' }, errText(pdfError)) : null,
    h('div', { class: 'btn-row' },
      formLink(r.code, 'result', (e) => pdfDone(r.id, e)),
      h('a', { class: 'btn btn-secondary', href: localPath(r.verify_url), testid: 'verify-link' }, t('verify_link')),
      editing ? null : h('button', { type: 'button', class: 'btn btn-secondary', testid: 'share-edit', onclick: () => openShare(r) }, t('share_edit'))),
    editing ? shareForm(r) : null);
}

function fileItem(f) {
  return h('li', { class: 'card store-item', testid: 'file', dataset: { id: f.id } },
    h('p', { class: 'doc-name', testid: 'file-name' }, f.name || f.type),
    h('p', { class: 'small muted' }, [f.type, fmtSize(f.size || 0), f.at ? fmtDateTime(f.at) : null].filter(Boolean).join(' · ')),
    h('p', { class: 'small' }, `${t('file_dossier')}: `, h('a', { href: `dossiers.html?code=${encodeURIComponent(f.code)}` }, f.code)));
}

function render() {
  const status = $('page-status');
  status.hidden = !state.error;
  status.textContent = state.error ? errText(state.error) : '';
  if (!state.store) {
    if (state.error) fill($('results'));
    return;
  }
  const { results = [], files = [] } = state.store;
  fill($('results'), results.length ? results.map(resultItem) : h('li', { class: 'muted', testid: 'results-empty' }, t('store_results_empty')));
  fill($('files'), files.length ? files.map(fileItem) : h('li', { class: 'muted', testid: 'files-empty' }, t('store_files_empty')));
}

function pdfDone(id, error) {
  if (!error && !state.pdfError) return;
  state.pdfError = error ? { id, error } : null;
  render();
  if (error) focusTestid('form-error');
}

async function openShare(r) {
  Object.assign(state, { editing: r.id, fields: null, picked: new Set(r.shared || []), shareError: null, saved: null });
  render();
  try {
    state.fields = (await api('GET', `/api/v1/dossiers/${encodeURIComponent(r.code)}`)).fields || {};
  } catch (e) {
    state.fields = {};
    state.shareError = e;
  }
  render();
  focusTestid('share-holder_name');
}

function closeShare(r) {
  state.editing = null;
  render();
  const item = document.querySelector(`[data-testid="result"][data-id="${r.id}"] [data-testid="share-edit"]`);
  if (item) item.focus();
}

async function saveShare(r) {
  if (state.busy) return;
  state.busy = true;
  state.shareError = null;
  render();
  try {
    const body = { fields: shareNames(fieldDefs(state.procs.get(r.procedure.code))).filter((n) => state.picked.has(n)) };
    r.shared = (await api('PUT', `/api/v1/me/documents/${encodeURIComponent(r.id)}/share`, { body })).shared;
    state.editing = null;
    state.saved = r.id;
  } catch (e) {
    state.shareError = e;
  }
  state.busy = false;
  render();
  focusTestid(state.shareError ? 'share-error' : 'share-status');
}

/** The procedures of the results, for the names of their fields; each redraws when it arrives. */
function loadProcedures() {
  const codes = new Set((state.store.results || []).map((r) => r.procedure.code));
  return Promise.all([...codes].map((code) => procedure(code).then((p) => {
    state.procs.set(code, p);
    render();
  }, () => {})));
}

async function load() {
  try {
    state.store = await api('GET', '/api/v1/me/documents');
    state.error = null;
  } catch (e) {
    if (e instanceof ApiError && e.status === 403) {
      location.replace('index.html'); // staff: their pages live elsewhere
      return;
    }
    state.error = e;
  }
  render();
  if (state.store) await loadProcedures();
}

async function start() {
  initI18n();
  if (!session.token()) {
    toSignIn(null);
    return;
  }
  onLangChange(render);
  await load();
  $('main').setAttribute('aria-busy', 'false');
  document.body.dataset.ready = 'true';
}

start();
