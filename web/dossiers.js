// dossiers.js — "my applications" for a signed-in citizen: the list with status and due time, and
// one dossier (dossiers.html?code=...) with its details, where it is in the internal process (read
// only), timeline and the applicant's moves: withdraw (while open) and resubmit after a supplement
// request; its forms as PDF, and documents attached from the applicant's document store.
import './chrome.js';
import { api, ApiError, fill, fmtDateTime, h, session, toSignIn } from './app.js';
import {
  detailReady, documentsSection, dossierDetail, dossierView, dueBadges, errText, feeSection, focusTestid, formsSection, localName, move, processSection,
  ratingView, statusBadge, statusText,
} from './dossier.js';
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
  up: { busy: null, error: null, ok: false }, // document upload
  payment: null,
  paymentError: null,
  score: 0,
  comment: '',
  rateBusy: false,
  rateError: null,
  rated: false,
  formError: null, // the last form download's error
  store: null, // the applicant's document store {results, files}, to attach from
};

const { load: loadDetail, upload: doUpload, reuse: doReuse } = dossierDetail(state, () => renderDetail(), () => {
  loadPayment();
  loadStore();
});

const UPLOADABLE = [1, 5];

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


function renderDetail() {
  const box = $('detail');
  const back = h('a', { class: 'btn btn-secondary btn-small back', href: 'dossiers.html', testid: 'back' }, t('back_to_dossiers'));
  if (!detailReady(box, state, back)) return;
  const [head, ...rest] = dossierView(state.dossier, state.proc, renderDetail);
  fill(box, back,
    h('p', { class: 'notice notice-ok', role: 'status', testid: 'action-status', hidden: !state.moved },
      state.moved ? t('moved_ok', { status: statusText(state.moved) }) : ''),
    head, processSection(state.dossier), ratingSection(), actions(), formsSection(state.dossier, state.formError, formDone),
    documentsSection(state.dossier, state.proc, {
      canUpload: UPLOADABLE.includes(state.dossier.status), up: state.up, onFile: doUpload, stored: state.store, onStored: doReuse,
    }),
    feeSection(state.payment, state.paymentError), ...rest);
}

function ratingSection() {
  const d = state.dossier;
  if (d.rating) {
    return h('section', { class: 'section', 'aria-labelledby': 'rating-title' },
      h('h2', { id: 'rating-title' }, t('rating_title')),
      h('p', { class: 'notice notice-ok', role: 'status', testid: 'rating-status', hidden: !state.rated }, state.rated ? t('rating_thanks') : ''),
      ratingView(d.rating));
  }
  if (d.status !== 10) return null;
  const area = h('textarea', { id: 'rating-comment', name: 'comment', rows: 3, maxlength: 2000, testid: 'rating-comment-input' });
  area.value = state.comment;
  area.addEventListener('input', () => { state.comment = area.value; });
  const form = h('form', { class: 'form rating-form', novalidate: true, testid: 'rating-form' },
    h('fieldset', { class: 'field' },
      h('legend', {}, t('rating_question')),
      h('div', { class: 'stars', role: 'group' }, [1, 2, 3, 4, 5].map((n) => h('button', {
        type: 'button', class: `star${n <= state.score ? ' is-on' : ''}`, testid: `star-${n}`, 'aria-pressed': String(n === state.score),
        'aria-label': t('rating_score', { n }), title: t('rating_score', { n }),
        onclick: () => { state.score = n; state.rateError = null; renderDetail(); focusTestid(`star-${n}`); },
      }, n <= state.score ? '★' : '☆')))),
    h('div', { class: 'field' }, h('label', { for: 'rating-comment' }, t('rating_comment')), area),
    h('p', { class: 'notice notice-error', role: 'alert', testid: 'rating-error', hidden: !state.rateError },
      state.rateError ? errText(state.rateError) : ''),
    h('button', { type: 'submit', class: 'btn btn-primary', testid: 'rating-submit', disabled: state.rateBusy }, t('rating_submit')));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    doRate();
  });
  return h('section', { class: 'section', 'aria-labelledby': 'rating-title' }, h('h2', { id: 'rating-title' }, t('rating_title')), form);
}

async function doRate() {
  if (state.rateBusy) return;
  if (!state.score) {
    state.rateError = 'rating_pick';
    renderDetail();
    focusTestid('rating-error');
    return;
  }
  state.rateBusy = true;
  state.rateError = null;
  renderDetail();
  try {
    const body = { score: state.score };
    if (state.comment.trim()) body.comment = state.comment.trim();
    await api('POST', `/api/v1/dossiers/${encodeURIComponent(state.code)}/rating`, { body });
    state.dossier = await api('GET', `/api/v1/dossiers/${encodeURIComponent(state.code)}`);
    state.rated = true;
  } catch (e) {
    state.rateError = e;
  }
  state.rateBusy = false;
  renderDetail();
  focusTestid(state.rateError ? 'rating-error' : 'rating-status');
}


async function loadPayment() {
  try {
    state.payment = await api('GET', `/api/v1/dossiers/${encodeURIComponent(state.code)}/payment`);
    state.paymentError = null;
  } catch (e) {
    state.paymentError = e;
  }
  renderDetail();
}

/** The applicant's store, once, while documents can still be attached. */
async function loadStore() {
  if (state.store || !UPLOADABLE.includes(state.dossier.status)) return;
  try {
    state.store = await api('GET', '/api/v1/me/documents');
  } catch { /* uploads still work without it */ }
  renderDetail();
}

function formDone(err) {
  if (!err && !state.formError) return;
  state.formError = err;
  renderDetail();
  if (err) focusTestid('form-error');
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
