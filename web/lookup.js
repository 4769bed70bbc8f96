// lookup.js — the public dossier lookup, lookup.html?code=…, for anyone without signing in (the
// forms' QR codes open it): the procedure, the handling unit, the status, when it was received and
// is due, and whether it is overdue; no personal data. Errors (no such dossier, too many lookups)
// are the API's, in the reader's language.
import './chrome.js';
import { api, fill, fmtDateTime, h } from './app.js';
import { dueBadges, errText, focusTestid, localName, pairs, statusBadge, unitText } from './dossier.js';
import { initI18n, onLangChange, t } from './i18n.js';

const $ = (id) => document.getElementById(id);

const OPEN = [1, 2, 4, 5, 6];

const state = {
  code: '',
  d: null, // the lookup's answer
  error: null,
  busy: false,
};

function render() {
  const err = $('lookup-error');
  err.hidden = !state.error;
  err.textContent = state.error ? errText(state.error) : '';
  $('code').setAttribute('aria-invalid', String(!!state.error));
  const submit = $('lookup-submit');
  submit.disabled = state.busy;
  submit.textContent = t(state.busy ? 'lookup_busy' : 'lookup_submit');
  const box = $('lookup-result');
  box.hidden = !state.d;
  if (!state.d) return;
  const d = state.d;
  fill(box, h('div', { class: 'card dossier-head', testid: 'lookup-card' },
    h('p', { class: 'dossier-code' }, h('span', { class: 'muted small' }, `${t('dossier_code')}: `), h('strong', { testid: 'dossier-code' }, d.code)),
    h('h2', { class: 'dossier-proc', testid: 'lookup-procedure' }, localName(d.procedure && d.procedure.name) || (d.procedure && d.procedure.code)),
    h('p', { class: 'badges' }, statusBadge(d), dueBadges(d),
      OPEN.includes(d.status) && !d.overdue ? h('span', { class: 'badge badge-ok', testid: 'on-time' }, t('on_time')) : null),
    pairs([
      ['received_at', fmtDateTime(d.received_at), 'lookup-received'],
      ['due_at', d.due_at ? fmtDateTime(d.due_at) : t('no_due'), 'dossier-due'],
      ['handling_unit', unitText(d.unit, render)],
    ])));
}

/** Looks the code in the field up; focus moves to the answer when the reader asked for it. */
async function lookup(focus = true) {
  if (state.busy) return;
  state.code = $('code').value.trim();
  state.d = null;
  state.error = state.code ? null : 'lookup_required';
  if (state.code) {
    history.replaceState(null, '', `?code=${encodeURIComponent(state.code)}`);
    state.busy = true;
    render();
    try {
      state.d = await api('GET', `/api/v1/lookup/${encodeURIComponent(state.code)}`, { auth: false });
    } catch (e) {
      state.error = e;
    }
    state.busy = false;
  }
  render();
  if (focus) focusTestid(state.error ? 'lookup-error' : 'lookup-card');
}

async function start() {
  initI18n();
  onLangChange(render);
  $('lookup-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    lookup();
  });
  const code = new URLSearchParams(location.search).get('code');
  if (code) {
    $('code').value = code;
    await lookup(false);
  }
  $('main').setAttribute('aria-busy', 'false');
  document.body.dataset.ready = 'true';
}

start();
