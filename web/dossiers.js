// dossiers.js — "my applications" for a signed-in citizen: the list with status and due time, and
// one dossier (dossiers.html?code=...) with its details, timeline and the applicant's moves:
// withdraw (while open) and resubmit after a supplement request.
import { api, ApiError, fmtDateTime, h, session, signOut, toSignIn } from './app.js';
import { dossierView, dueBadges, errText, localName, move, procedure, statusBadge, statusText } from './dossier.js';
import { initI18n, onLangChange, t } from './i18n.js';

const $ = (id) => document.getElementById(id);

const WITHDRAWABLE = [1, 2, 4, 5, 6];

const state = {
  list: null,
  listError: null,
  code: null,
  dossier: null,
  proc: null,
  error: null,
  confirming: false,
  busy: false,
  actionError: null,
  moved: null, // status code after a successful move, for the notice
};

function renderList() {
  const list = $('dossiers');
  list.hidden = !!state.code;
  if (list.hidden) return;
  if (state.listError) {
    list.replaceChildren(h('li', { class: 'notice notice-error' }, errText(state.listError)));
    return;
  }
  if (!state.list) return;
  if (!state.list.length) {
    list.replaceChildren(h('li', { class: 'muted', testid: 'dossiers-empty' }, t('dossiers_empty'),
      ' ', h('a', { href: 'apply.html' }, t('nav_apply'))));
    return;
  }
  list.replaceChildren(...state.list.map((d) => h('li', {
    class: `card dossier-item${d.overdue ? ' is-overdue' : d.due_soon ? ' is-due-soon' : ''}`, testid: 'dossier-item', dataset: { code: d.code },
  },
  h('a', { class: 'dossier-link', href: `dossiers.html?code=${encodeURIComponent(d.code)}`, testid: 'dossier-link' },
    h('span', { class: 'dossier-item-code' }, d.code),
    h('span', { class: 'dossier-item-name' }, localName(d.procedure && d.procedure.name))),
  h('p', { class: 'badges' }, statusBadge(d), dueBadges(d)),
  h('p', { class: 'small muted' },
    `${t('received_at')}: ${fmtDateTime(d.received_at)}`,
    d.due_at ? h('span', { class: 'block', testid: 'dossier-due' }, `${t('due_at')}: ${fmtDateTime(d.due_at)}`) : null))));
}

async function loadList() {
  try {
    state.list = (await api('GET', '/api/v1/me/dossiers')).dossiers || [];
    state.listError = null;
  } catch (e) {
    if (e instanceof ApiError && e.status === 403) {
      location.replace('index.html');
      return;
    }
    state.listError = e;
  }
  renderList();
}

function actions() {
  const d = state.dossier;
  const items = [];
  if (d.status === 5) {
    items.push(h('p', { class: 'notice notice-warn', testid: 'supplement-notice' }, t('resubmit_hint')),
      h('button', { type: 'button', class: 'btn btn-primary', testid: 'resubmit', disabled: state.busy, onclick: () => doMove(4) }, t('resubmit')));
  }
  if (WITHDRAWABLE.includes(d.status)) {
    if (!state.confirming) {
      items.push(h('button', { type: 'button', class: 'btn btn-danger-outline', testid: 'withdraw', disabled: state.busy,
        onclick: () => { state.confirming = true; renderDetail(); focusTestid('withdraw-confirm'); } }, t('withdraw')));
    } else {
      items.push(h('div', { class: 'confirm', role: 'group', 'aria-label': t('withdraw') },
        h('p', {}, t('withdraw_question')),
        h('div', { class: 'btn-row' },
          h('button', { type: 'button', class: 'btn btn-danger btn-small', testid: 'withdraw-confirm', disabled: state.busy, onclick: () => doMove(7) },
            t('withdraw_confirm')),
          h('button', { type: 'button', class: 'btn btn-secondary btn-small', testid: 'withdraw-cancel',
            onclick: () => { state.confirming = false; renderDetail(); focusTestid('withdraw'); } }, t('cancel')))));
    }
  }
  if (!items.length) return null;
  return h('section', { class: 'section', 'aria-labelledby': 'actions-title' },
    h('h2', { id: 'actions-title' }, t('actions_title')),
    h('p', { class: 'notice notice-error', role: 'alert', testid: 'action-error', hidden: !state.actionError },
      state.actionError ? errText(state.actionError) : ''),
    h('div', { class: 'action-list' }, items));
}

function focusTestid(id) {
  const el = document.querySelector(`[data-testid="${id}"]`);
  if (!el) return;
  if (!/^(A|BUTTON|INPUT|SELECT|TEXTAREA)$/.test(el.tagName)) el.tabIndex = -1;
  el.focus();
}

function renderDetail() {
  const box = $('detail');
  box.hidden = !state.code;
  if (box.hidden) return;
  const back = h('a', { class: 'btn btn-secondary btn-small back', href: 'dossiers.html', testid: 'back' }, t('back_to_dossiers'));
  if (state.error) {
    box.replaceChildren(back, h('p', { class: 'notice notice-error', role: 'alert', testid: 'detail-error' },
      state.error instanceof ApiError && state.error.status === 404 ? t('not_found') : errText(state.error)));
    return;
  }
  if (!state.dossier) {
    box.replaceChildren(back, h('p', { class: 'muted' }, t('loading')));
    return;
  }
  const [head, ...rest] = dossierView(state.dossier, state.proc, renderDetail);
  box.replaceChildren(back,
    h('p', { class: 'notice notice-ok', role: 'status', testid: 'action-status', hidden: !state.moved },
      state.moved ? t('moved_ok', { status: statusText(state.moved) }) : ''),
    head, actions(), ...rest);
}

async function loadDetail() {
  try {
    state.dossier = await api('GET', `/api/v1/dossiers/${encodeURIComponent(state.code)}`);
    state.error = null;
  } catch (e) {
    state.error = e;
  }
  renderDetail();
  if (state.dossier && !state.proc) {
    try {
      state.proc = await procedure(state.dossier.procedure.code);
      renderDetail();
    } catch { /* labels stay as keys */ }
  }
}

async function doMove(to) {
  if (state.busy) return;
  state.busy = true;
  state.actionError = null;
  state.moved = null;
  renderDetail();
  try {
    state.dossier = await move(state.code, to);
    state.confirming = false;
    state.moved = state.dossier.status;
  } catch (e) {
    state.actionError = e;
  }
  state.busy = false;
  renderDetail();
  focusTestid(state.actionError ? 'action-error' : 'action-status');
}

async function start() {
  initI18n();
  if (!session.token()) {
    toSignIn(null);
    return;
  }
  $('signout').addEventListener('click', () => signOut());
  onLangChange(() => {
    renderList();
    renderDetail();
  });
  state.code = new URLSearchParams(location.search).get('code');
  if (state.code) {
    $('dossiers').hidden = true;
    await loadDetail();
  } else {
    await loadList();
  }
  $('main').setAttribute('aria-busy', 'false');
  document.body.dataset.ready = 'true';
}

start();
