// verify.js — the public verification page, /verify/{id}?c={signed claim}, for anyone, without
// signing in: is the result genuine (its stored content still hashes to what the issuing unit
// signed), revoked, or not issued here at all; what it is, who issued it and when, what the holder
// chose to show, whether the QR code's claim is validly signed, and the unit's public key.
import './chrome.js';
import { api, ApiError, fill, fmtDateTime, h } from './app.js';
import { errText, localName, pairs, procedure, unitText, valueText } from './dossier.js';
import { getLang, initI18n, onLangChange, t } from './i18n.js';

const $ = (id) => document.getElementById(id);

const state = {
  id: '',
  claim: null,
  v: null, // the API's answer
  error: null,
  proc: null, // the document's procedure, for the shared fields' labels
};

/** The document's id: the last segment of /verify/{id}. */
function idFromPath() {
  const last = location.pathname.split('/').filter(Boolean).pop() || '';
  try {
    const id = decodeURIComponent(last);
    return id === 'verify.html' ? '' : id;
  } catch {
    return '';
  }
}

/** What the page concludes: genuine, revoked, altered, forged (the QR's claim fails) or unknown. */
function verdict(v) {
  if (!v) return 'unknown';
  const pc = v.presented_claim;
  if (!v.genuine) return 'altered';
  if (pc && !(pc.valid && pc.matches)) return 'forged';
  return v.revoked ? 'revoked' : 'genuine';
}

const VERDICTS = {
  genuine: ['verdict_genuine', 'verdict_genuine_text', 'ok'],
  revoked: ['verdict_revoked', 'verdict_revoked_text', 'warn'],
  altered: ['verdict_not_genuine', 'verdict_altered_text', 'error'],
  forged: ['verdict_not_genuine', 'verdict_forged_text', 'error'],
  unknown: ['verdict_not_genuine', null, 'error'],
};

function issuerText(v) {
  const name = unitText(v.issuer.unit, render);
  return name === v.issuer.unit && v.issuer.name ? v.issuer.name : name;
}

function verdictBox(v) {
  const kind = verdict(v);
  const [title, text, tone] = VERDICTS[kind];
  let detail;
  if (text) detail = t(text, { issuer: issuerText(v) });
  else detail = state.error ? errText(state.error) : t('verify_no_id');
  return h('div', { class: `card verdict verdict-${tone}`, testid: 'verdict', dataset: { verdict: kind } },
    h('p', { class: 'verdict-title', testid: 'verdict-title' }, t(title)),
    h('p', { testid: 'verdict-text' }, detail));
}

/** What the holder chose to show, labelled by the procedure's fields. */
function sharedSection(v) {
  const names = Object.keys(v.shared || {});
  const defs = new Map(((state.proc && state.proc.fields) || []).map((f) => [f.name, f]));
  const label = (n) => (n === 'holder_name' ? t('holder_name') : defs.has(n) ? localName(defs.get(n).label) : n);
  return h('section', { class: 'section', 'aria-labelledby': 'shared-title', testid: 'verify-shared' },
    h('h2', { id: 'shared-title' }, t('verify_shared')),
    names.length
      ? h('dl', { class: 'pairs card' }, names.map((n) => [h('dt', {}, label(n)), h('dd', { testid: `shared-${n}` }, valueText(defs.get(n), v.shared[n], render))]))
      : h('p', { class: 'muted', testid: 'shared-none' }, t('verify_shared_none')));
}

function claimState(pc) {
  if (!pc) return h('p', { class: 'muted', testid: 'claim-state', dataset: { valid: 'none' } }, t('claim_none'));
  const ok = pc.valid && pc.matches;
  const why = pc.error && (getLang() === 'vi' ? pc.error.message_vi || pc.error.message : pc.error.message || pc.error.message_vi);
  return h('p', { testid: 'claim-state', dataset: { valid: String(ok) } },
    h('span', { class: `badge ${ok ? 'badge-ok' : 'badge-revoked'}` }, t(ok ? 'claim_valid' : pc.valid ? 'claim_mismatch' : 'claim_invalid')),
    why ? h('span', { class: 'block small', testid: 'claim-error' }, why.charAt(0).toUpperCase() + why.slice(1)) : null);
}

function details(v) {
  return [
    h('div', { class: 'card' }, pairs([
      ['verify_document', localName(v.document.name) || v.document.procedure, 'verify-document'],
      ['issuer', issuerText(v), 'verify-issuer'],
      ['issued_at', fmtDateTime(v.issued_at), 'verify-issued'],
      ['result_id', v.id, 'verify-id'],
    ])),
    sharedSection(v),
    h('section', { class: 'section', 'aria-labelledby': 'claim-title' },
      h('h2', { id: 'claim-title' }, t('claim_title')), claimState(v.presented_claim)),
    h('section', { class: 'section', 'aria-labelledby': 'key-title' },
      h('h2', { id: 'key-title' }, t('issuer_key')),
      h('p', { class: 'small muted' }, v.issuer.algorithm),
      h('code', { class: 'key', testid: 'issuer-key' }, v.issuer.public_key),
      h('p', { class: 'small muted' }, t('issuer_key_hint')),
      h('p', { class: 'small' }, `${t('content_hash')}: `, h('code', { class: 'key' }, v.content_sha256))),
  ];
}

function render() {
  const box = $('verify');
  const e = state.error;
  if (e && !(e instanceof ApiError && e.status === 404)) {
    fill(box, h('p', { class: 'notice notice-error', role: 'alert', testid: 'verify-error' }, errText(e)));
    return;
  }
  if (!state.v && !e && state.id) return; // still loading
  fill(box, verdictBox(state.v), state.v ? details(state.v) : null);
}

async function load() {
  if (!state.id) return;
  const query = state.claim ? `?claim=${encodeURIComponent(state.claim)}` : '';
  try {
    state.v = await api('GET', `/api/v1/verify/${encodeURIComponent(state.id)}${query}`, { auth: false });
  } catch (e) {
    state.error = e;
  }
  render();
  if (state.v) {
    try {
      state.proc = await procedure(state.v.document.procedure);
      render();
    } catch { /* names stay as they are */ }
  }
}

async function start() {
  initI18n();
  onLangChange(render);
  state.id = idFromPath();
  state.claim = new URLSearchParams(location.search).get('c');
  await load();
  render();
  $('main').setAttribute('aria-busy', 'false');
  document.body.dataset.ready = 'true';
}

start();
