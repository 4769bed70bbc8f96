// desk.js — the desk for officers and leaders: their unit's dossiers, nearest due first, overdue in
// red and due within 24 hours in amber, filtered by status; one dossier (desk.html?code=...) with
// its details, timeline and the officer's moves (a reason where the law asks for one), showing the
// API's 409/422 messages.
import { api, fill, fmtDateTime, h, session, signOut, toSignIn, unitInfo } from './app.js';
import {
  detailReady, documentsSection, dossierDetail, dossierView, dueBadges, errText, focusTestid, localName, move, ratingView, statusBadge, statusText,
} from './dossier.js';
import { initI18n, onLangChange, t, tOr } from './i18n.js';

const $ = (id) => document.getElementById(id);

/** The officer's moves from each status (data/dossier/statuses.json); note: 'required' | 'optional'. */
const MOVES = {
  1: [{ to: 2 }, { to: 3, note: 'required', danger: true }],
  2: [{ to: 4 }, { to: 5, note: 'required' }, { to: 6, note: 'optional' }, { to: 9 }, { to: 8, note: 'required', danger: true }],
  4: [{ to: 9 }, { to: 5, note: 'required' }, { to: 6, note: 'optional' }, { to: 8, note: 'required', danger: true }],
  5: [{ to: 4, resume: true }, { to: 8, note: 'required', danger: true }],
  6: [{ to: 4 }, { to: 8, note: 'required', danger: true }],
  9: [{ to: 10 }],
};
const STATUSES = [1, 2, 4, 5, 6, 9, 3, 7, 8, 10];

const state = {
  user: null,
  unitName: null,
  filter: '',
  list: null,
  listError: null,
  code: null,
  dossier: null,
  proc: null,
  error: null,
  open: null, // the move whose note form is open
  note: '',
  busy: false,
  actionError: null,
  moved: null,
  up: { busy: null, error: null, ok: false }, // document upload
};

/** The desk attaches documents (scanned at reception) while the dossier is open. */
const OPEN = [1, 2, 4, 5, 6];

const moveName = (m) => t(m.resume ? 'move_4_resume' : `move_${m.to}`);

/* ---------- the queue ---------- */

function renderFilter() {
  const sel = $('status-filter');
  sel.replaceChildren(h('option', { value: '' }, t('desk_all_open')),
    ...STATUSES.map((s) => h('option', { value: String(s), selected: String(s) === state.filter }, `${s} · ${statusText(s)}`)));
}

function byDue(a, b) {
  // nearest due first; not yet accepted (no due time) after those, oldest first
  if (a.due_at && b.due_at) return a.due_at < b.due_at ? -1 : a.due_at > b.due_at ? 1 : 0;
  if (a.due_at) return -1;
  if (b.due_at) return 1;
  return a.received_at < b.received_at ? -1 : a.received_at > b.received_at ? 1 : 0;
}

function renderQueue() {
  $('queue').hidden = !!state.code;
  if (state.code) return;
  const list = $('desk');
  if (state.listError) {
    list.replaceChildren(h('li', { class: 'notice notice-error', role: 'alert' }, errText(state.listError)));
    $('desk-count').textContent = '';
    return;
  }
  if (!state.list) return;
  $('desk-count').textContent = t('desk_count', { n: state.list.length });
  if (!state.list.length) {
    list.replaceChildren(h('li', { class: 'muted', testid: 'desk-empty' }, t('desk_empty')));
    return;
  }
  list.replaceChildren(...state.list.map((d) => h('li', {
    class: `card dossier-item${d.overdue ? ' is-overdue' : d.due_soon ? ' is-due-soon' : ''}`,
    testid: 'desk-item', dataset: { code: d.code, overdue: String(!!d.overdue), dueSoon: String(!!d.due_soon) },
  },
  h('a', { class: 'dossier-link', href: `desk.html?code=${encodeURIComponent(d.code)}`, testid: 'dossier-link' },
    h('span', { class: 'dossier-item-code' }, d.code),
    h('span', { class: 'dossier-item-name' }, localName(d.procedure && d.procedure.name))),
  h('p', { class: 'badges' }, statusBadge(d), dueBadges(d)),
  h('p', { class: 'small muted' },
    `${t('received_at')}: ${fmtDateTime(d.received_at)}`,
    h('span', { class: 'block', testid: 'desk-due' }, `${t('due_at')}: ${d.due_at ? fmtDateTime(d.due_at) : '—'}`)))));
}

async function loadQueue() {
  const q = state.filter ? `?status=${encodeURIComponent(state.filter)}` : '';
  $('desk').setAttribute('aria-busy', 'true');
  try {
    const r = await api('GET', `/api/v1/desk${q}`);
    state.list = [...(r.dossiers || [])].sort(byDue);
    state.listError = null;
  } catch (e) {
    state.listError = e;
  }
  $('desk').setAttribute('aria-busy', 'false');
  renderQueue();
}

/* ---------- one dossier ---------- */

const { load: loadDetail, upload: doUpload } = dossierDetail(state, () => renderDetail());


function noteForm(m) {
  const required = m.note === 'required';
  const area = h('textarea', { id: 'move-note', name: 'note', rows: 3, maxlength: 2000, required, testid: 'move-note',
    'aria-describedby': 'action-error', 'aria-invalid': state.actionError === 'note_required' ? 'true' : undefined });
  area.value = state.note;
  area.addEventListener('input', () => { state.note = area.value; });
  const form = h('form', { class: 'form move-form', novalidate: true, testid: `move-form-${m.to}` },
    h('div', { class: 'field' }, h('label', { for: 'move-note' }, required ? `${t('note')} *` : t('note_optional')), area),
    h('div', { class: 'btn-row' },
      h('button', { type: 'submit', class: `btn ${m.danger ? 'btn-danger' : 'btn-primary'}`, testid: 'move-confirm', disabled: state.busy },
        t('confirm_move', { move: moveName(m) })),
      h('button', { type: 'button', class: 'btn btn-secondary', testid: 'move-cancel',
        onclick: () => { state.open = null; state.actionError = null; renderDetail(); focusTestid(`move-${m.to}`); } }, t('cancel'))));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const note = state.note.trim();
    if (required && !note) {
      state.actionError = 'note_required';
      renderDetail();
      focusTestid('move-note');
      return;
    }
    doMove(m, note);
  });
  return form;
}

function actions() {
  const moves = MOVES[state.dossier.status] || [];
  const open = state.open && moves.find((m) => m.to === state.open.to && !!m.resume === !!state.open.resume);
  return h('section', { class: 'section', 'aria-labelledby': 'actions-title' },
    h('h2', { id: 'actions-title' }, t('actions_title')),
    h('p', { class: 'notice notice-error', id: 'action-error', role: 'alert', testid: 'action-error', hidden: !state.actionError },
      state.actionError ? errText(state.actionError) : ''),
    moves.length ? h('div', { class: 'btn-row action-list' }, moves.map((m) => h('button', {
      type: 'button', class: `btn ${m.danger ? 'btn-danger-outline' : open === m ? 'btn-primary' : 'btn-secondary'}`, testid: `move-${m.to}`,
      'aria-expanded': m.note ? String(open === m) : undefined, disabled: state.busy,
      onclick: () => {
        state.actionError = null;
        if (m.note) {
          state.open = m;
          state.note = '';
          renderDetail();
          focusTestid('move-note');
        } else {
          state.open = null;
          doMove(m, '');
        }
      },
    }, moveName(m)))) : h('p', { class: 'muted' }, t('desk_no_actions')),
    open ? noteForm(open) : null);
}

function renderDetail() {
  const box = $('detail');
  const back = h('a', { class: 'btn btn-secondary btn-small back', href: 'desk.html', testid: 'back' }, t('back_to_desk'));
  if (!detailReady(box, state, back)) return;
  const [head, ...rest] = dossierView(state.dossier, state.proc, renderDetail, { staff: true });
  fill(box, back,
    h('p', { class: 'notice notice-ok', role: 'status', testid: 'action-status', hidden: !state.moved },
      state.moved ? t('moved_ok', { status: statusText(state.moved) }) : ''),
    head, actions(),
    documentsSection(state.dossier, state.proc, { canUpload: OPEN.includes(state.dossier.status), up: state.up, onFile: doUpload }),
    state.dossier.rating ? h('section', { class: 'section', 'aria-labelledby': 'rating-title' },
      h('h2', { id: 'rating-title' }, t('rating_title')), ratingView(state.dossier.rating)) : null,
    ...rest);
}



async function doMove(m, note) {
  if (state.busy) return;
  state.busy = true;
  state.moved = null;
  renderDetail();
  try {
    state.dossier = await move(state.code, m.to, note);
    state.open = null;
    state.note = '';
    state.actionError = null;
    state.moved = state.dossier.status;
  } catch (e) {
    state.actionError = e;
  }
  state.busy = false;
  renderDetail();
  focusTestid(state.actionError ? 'action-error' : 'action-status');
}

/* ---------- the page ---------- */

function renderWho() {
  if (!state.user) return;
  const role = tOr('role_' + state.user.role, state.user.role);
  const unit = state.user.unit ? (state.unitName ? `${state.unitName} (${state.user.unit})` : state.user.unit) : '';
  $('desk-who').textContent = [t('staff_signed_in_as', { user: state.user.username, role }), unit ? t('staff_unit', { unit }) : '']
    .filter(Boolean).join(' · ');
}

async function start() {
  initI18n();
  if (!session.token()) {
    toSignIn(null);
    return;
  }
  $('signout').addEventListener('click', () => signOut());
  onLangChange(() => {
    renderWho();
    renderFilter();
    renderQueue();
    renderDetail();
  });
  const params = new URLSearchParams(location.search);
  state.code = params.get('code');
  state.filter = /^\d{1,2}$/.test(params.get('status') || '') ? params.get('status') : '';
  renderFilter();
  $('status-filter').addEventListener('change', (ev) => {
    state.filter = ev.target.value;
    history.replaceState(null, '', state.filter ? `desk.html?status=${state.filter}` : 'desk.html');
    loadQueue();
  });
  try {
    state.user = await api('GET', '/api/v1/auth/session');
  } catch {
    return; // 401: api() went back to sign-in
  }
  if (state.user.role === 'citizen') {
    location.replace('me.html');
    return;
  }
  renderWho();
  if (state.user.unit) {
    unitInfo(state.user.unit).then((u) => {
      if (u) state.unitName = u.name;
      renderWho();
    });
  }
  if (state.code) {
    $('queue').hidden = true;
    await loadDetail();
  } else {
    await loadQueue();
  }
  $('main').setAttribute('aria-busy', 'false');
  document.body.dataset.ready = 'true';
}

start();
