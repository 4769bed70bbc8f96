// desk.js — the desk for officers and leaders: their unit's dossiers, nearest due first, overdue in
// red and due within 24 hours in amber, filtered by status, each with its current process step,
// and the lateness panel; one dossier (desk.html?code=...) with its details, its internal process
// (handing on and sending back the step the user's role does), timeline and the officer's moves (a
// reason where the law asks for one, an apology when finishing late), showing the API's 409/422
// messages.
import './chrome.js';
import { api, fill, fmtDateTime, h, session, toSignIn, unitInfo, vnDatePlus } from './app.js';
import {
  detailReady, documentsSection, dossierDetail, dossierView, dueBadges, errText, focusTestid, localName, move, moveStep, processSection,
  ratingView, roleText, stepBadges, statusBadge, statusText, formsSection,
} from './dossier.js';
import { initI18n, onLangChange, t, tOr } from './i18n.js';
import { mountDeskFeedback } from './feedback.js';
import { initLateness, renderLateness } from './lateness.js';

const $ = (id) => document.getElementById(id);

/** The officer's moves from each status (data/dossier/statuses.json); note: 'required' | 'optional'. */
const MOVES = {
  1: [{ to: 2 }, { to: 3, note: 'required', danger: true }],
  2: [{ to: 4 }, { to: 5, note: 'required' }, { to: 6, note: 'optional' }, { to: 9, apology: true }, { to: 8, note: 'required', danger: true }],
  4: [{ to: 9, apology: true }, { to: 5, note: 'required' }, { to: 6, note: 'optional' }, { to: 8, note: 'required', danger: true }],
  5: [{ to: 4, resume: true }, { to: 8, note: 'required', danger: true }],
  6: [{ to: 4 }, { to: 8, note: 'required', danger: true }],
  9: [{ to: 10 }],
};
const STATUSES = [1, 2, 4, 5, 6, 9, 3, 7, 8, 10];

const state = {
  formError: null, // the last form download's error
  user: null,
  unitName: null,
  filter: '',
  list: null,
  listError: null,
  code: null,
  dossier: null,
  proc: null,
  error: null,
  open: null, // the move whose note (or apology) form is open
  note: '',
  apology: { reason: '', date: '' }, // finishing late
  busy: false,
  actionError: null,
  moved: null,
  step: { open: null, note: '', assignee: '', error: null, moved: null }, // open: 'forward' | 'back'; moved: the new step's name
  up: { busy: null, error: null, ok: false }, // document upload
};

/** Statuses whose process can move (hand on, send back); at 5 the page says it waits for the supplement. */
const STEPPING = [2, 4, 5, 6];

/** The desk attaches documents (scanned at reception) while the dossier is open. */
const OPEN = [1, 2, 4, 5, 6];

const moveName = (m) => t(m.resume ? 'move_4_resume' : `move_${m.to}`);

/** Does the move open a form first: a note, or the apology when finishing an overdue dossier? */
const opensForm = (m) => !!m.note || (!!m.apology && !!state.dossier.overdue);

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
  stepLine(d),
  h('p', { class: 'small muted' },
    `${t('received_at')}: ${fmtDateTime(d.received_at)}`,
    h('span', { class: 'block', testid: 'desk-due' }, `${t('due_at')}: ${d.due_at ? fmtDateTime(d.due_at) : '—'}`)))));
}

/** A queue row's current step: its name, who it is assigned to, late when past its due. */
function stepLine(d) {
  const s = d.step;
  if (!s) return null;
  return h('p', { class: 'small step-line', testid: 'desk-step' },
    `${t('step_label')}: `, h('strong', {}, localName(s.name)), s.assignee ? ` · ${s.assignee}` : null,
    ' ', h('span', { class: 'badges' }, stepBadges(s, d.status === 5)));
}

function formDone(err) {
  if (!err && !state.formError) return;
  state.formError = err;
  renderDetail();
  if (err) focusTestid('form-error');
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


/** A text input or textarea bound to obj[key]. */
function bound(tag, obj, key, attrs) {
  const el = h(tag, attrs);
  el.value = obj[key];
  el.addEventListener('input', () => { obj[key] = el.value; });
  return el;
}

function moveButtons(m) {
  return h('div', { class: 'btn-row' },
    h('button', { type: 'submit', class: `btn ${m.danger ? 'btn-danger' : 'btn-primary'}`, testid: 'move-confirm', disabled: state.busy },
      t('confirm_move', { move: moveName(m) })),
    h('button', { type: 'button', class: 'btn btn-secondary', testid: 'move-cancel',
      onclick: () => { state.open = null; state.actionError = null; renderDetail(); focusTestid(`move-${m.to}`); } }, t('cancel')));
}

function noteForm(m) {
  const required = m.note === 'required';
  const area = bound('textarea', state, 'note', { id: 'move-note', name: 'note', rows: 3, maxlength: 2000, required, testid: 'move-note',
    'aria-describedby': 'action-error', 'aria-invalid': state.actionError === 'note_required' ? 'true' : undefined });
  const form = h('form', { class: 'form move-form', novalidate: true, testid: `move-form-${m.to}` },
    h('div', { class: 'field' }, h('label', { for: 'move-note' }, required ? `${t('note')} *` : t('note_optional')), area),
    moveButtons(m));
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

/**
 * Finishing an overdue dossier: the reason for the delay and a new appointment, sent with the
 * move. What is left empty is left out, so the API's 409 apology_required says what is missing.
 */
function apologyForm(m) {
  const a = state.apology;
  const missing = state.actionError && state.actionError.code === 'apology_required';
  const reason = bound('textarea', a, 'reason', { id: 'apology-reason', name: 'reason', rows: 3, maxlength: 2000, required: true,
    testid: 'apology-reason', 'aria-describedby': 'action-error', 'aria-invalid': missing && !a.reason.trim() ? 'true' : undefined });
  const date = bound('input', a, 'date', { type: 'date', id: 'apology-date', name: 'new_appointment', min: vnDatePlus(0), required: true,
    testid: 'apology-date', 'aria-describedby': 'action-error', 'aria-invalid': missing && !a.date ? 'true' : undefined });
  const form = h('form', { class: 'form move-form', novalidate: true, testid: 'apology-form', 'aria-labelledby': 'apology-title' },
    h('h3', { id: 'apology-title' }, t('apology_title')),
    h('p', { class: 'small' }, t('apology_intro')),
    h('div', { class: 'field' }, h('label', { for: 'apology-reason' }, `${t('apology_reason')} *`), reason),
    h('div', { class: 'field' }, h('label', { for: 'apology-date' }, `${t('new_appointment')} *`), date),
    moveButtons(m));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const body = {};
    if (a.reason.trim()) body.reason = a.reason.trim();
    if (a.date) body.new_appointment = a.date;
    doMove(m, '', Object.keys(body).length ? body : undefined);
  });
  return form;
}

/** Finishing (9) waits for the process's last step; true when there, or without a process. */
function atLastStep(d) {
  const p = d.process;
  return !p || !p.current || !p.plan.length || p.current.step === p.plan.at(-1).step;
}

function actions() {
  const d = state.dossier;
  const waiting = !atLastStep(d);
  const moves = (MOVES[d.status] || []).filter((m) => m.to !== 9 || !waiting);
  const open = state.open && moves.find((m) => m.to === state.open.to && !!m.resume === !!state.open.resume);
  return h('section', { class: 'section', 'aria-labelledby': 'actions-title' },
    h('h2', { id: 'actions-title' }, t('actions_title')),
    h('p', { class: 'notice notice-error', id: 'action-error', role: 'alert', testid: 'action-error', hidden: !state.actionError },
      state.actionError ? errText(state.actionError) : ''),
    moves.length ? h('div', { class: 'btn-row action-list' }, moves.map((m) => h('button', {
      type: 'button', class: `btn ${m.danger ? 'btn-danger-outline' : open === m ? 'btn-primary' : 'btn-secondary'}`, testid: `move-${m.to}`,
      'aria-expanded': opensForm(m) || open === m ? String(open === m) : undefined, disabled: state.busy,
      onclick: () => {
        state.actionError = null;
        if (opensForm(m)) {
          state.open = m;
          state.note = '';
          renderDetail();
          focusTestid(m.note ? 'move-note' : 'apology-reason');
        } else {
          state.open = null;
          doMove(m, '');
        }
      },
    }, moveName(m)))) : h('p', { class: 'muted' }, t('desk_no_actions')),
    waiting && (MOVES[d.status] || []).some((m) => m.to === 9)
      ? h('p', { class: 'small muted', testid: 'finish-waits' }, t('finish_after_steps', { step: localName(d.process.plan.at(-1).name) })) : null,
    open ? (open.note ? noteForm(open) : apologyForm(open)) : null);
}

/* ---------- the internal process ---------- */

/** Why the signed-in user cannot act on the open step, or null when they can. */
function whyNotStep(d, cur) {
  if (cur.paused_at || d.status === 5) return t('step_paused_hint');
  if (state.user.role !== cur.role) return t('step_role_is', { role: roleText(cur.role) });
  if (cur.assignee && cur.assignee !== state.user.username) return t('step_assigned_to', { user: cur.assignee });
  return null;
}

function stepButton(action) {
  const open = state.step.open === action;
  return h('button', {
    type: 'button', class: `btn ${open ? 'btn-primary' : 'btn-secondary'}`, testid: `step-${action}`, 'aria-expanded': String(open),
    disabled: state.busy,
    onclick: () => {
      state.step = { ...state.step, open: action, note: '', assignee: '', error: null };
      renderDetail();
      focusTestid('step-note');
    },
  }, t(action === 'forward' ? 'step_hand_on' : 'step_send_back'));
}

/** Hand on (optional note and assignee) or send back (note required) to the target step. */
function stepForm(action, target) {
  const st = state.step;
  const back = action === 'back';
  const code = st.error && st.error.code;
  const note = bound('textarea', st, 'note', { id: 'step-note', name: 'note', rows: 3, maxlength: 2000, required: back, testid: 'step-note',
    'aria-describedby': 'step-error', 'aria-invalid': back && code === 'missing_field' ? 'true' : undefined });
  const assignee = back ? null : bound('input', st, 'assignee', { type: 'text', id: 'step-assignee', name: 'assignee', maxlength: 64,
    autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false', testid: 'step-assignee',
    'aria-describedby': 'step-assignee-hint step-error', 'aria-invalid': code === 'invalid_assignee' ? 'true' : undefined });
  const form = h('form', { class: 'form move-form', novalidate: true, testid: `step-form-${action}` },
    h('p', { class: 'small', testid: 'step-target' }, back ? t('step_prev', { step: localName(target.name) })
      : t('step_next', { step: localName(target.name), role: roleText(target.role) })),
    h('div', { class: 'field' }, h('label', { for: 'step-note' }, back ? `${t('step_back_note')} *` : t('note_optional')), note),
    assignee ? h('div', { class: 'field' }, h('label', { for: 'step-assignee' }, t('step_assignee_label')), assignee,
      h('p', { class: 'hint', id: 'step-assignee-hint' }, t('step_assignee_hint'))) : null,
    h('div', { class: 'btn-row' },
      h('button', { type: 'submit', class: 'btn btn-primary', testid: 'step-confirm', disabled: state.busy },
        t('confirm_move', { move: t(back ? 'step_send_back' : 'step_hand_on') })),
      h('button', { type: 'button', class: 'btn btn-secondary', testid: 'step-cancel',
        onclick: () => { state.step = { ...st, open: null, error: null }; renderDetail(); focusTestid(`step-${action}`); } }, t('cancel'))));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    doStep(action); // a missing reason is the API's to say (422), in the user's language
  });
  return form;
}

/** The step buttons under the process's current step, for a user with that step's role. */
function stepActions() {
  const d = state.dossier;
  const p = d.process;
  const cur = p && p.current;
  if (!cur || !state.user || !STEPPING.includes(d.status)) return null;
  const st = state.step;
  const done = h('p', { class: 'notice notice-ok', role: 'status', testid: 'step-status', hidden: !st.moved },
    st.moved ? t('step_moved_ok', { step: localName(st.moved) }) : '');
  const why = whyNotStep(d, cur);
  if (why) return h('div', { class: 'step-actions' }, done, h('p', { class: 'notice', testid: 'step-why' }, why));
  const i = p.plan.findIndex((s) => s.step === cur.step);
  const next = p.plan[i + 1];
  const prev = i > 0 ? p.plan[i - 1] : null;
  return h('div', { class: 'step-actions', testid: 'step-actions' }, done,
    h('p', { class: 'notice notice-error', id: 'step-error', role: 'alert', testid: 'step-error', hidden: !st.error },
      st.error ? errText(st.error) : ''),
    h('div', { class: 'btn-row' }, next ? stepButton('forward') : null, prev ? stepButton('back') : null),
    next ? null : h('p', { class: 'small muted' }, t('step_last_hint')),
    st.open === 'forward' && next ? stepForm('forward', next) : null,
    st.open === 'back' && prev ? stepForm('back', prev) : null);
}

async function doStep(action) {
  if (state.busy) return;
  const st = state.step;
  state.busy = true;
  state.moved = null;
  st.moved = null;
  st.error = null;
  renderDetail();
  try {
    state.dossier = await moveStep(state.code, action, st.note.trim(), action === 'forward' ? st.assignee.trim() : '');
    const cur = state.dossier.process && state.dossier.process.current;
    state.step = { open: null, note: '', assignee: '', error: null, moved: cur ? cur.name : null };
  } catch (e) {
    st.error = e;
  }
  state.busy = false;
  renderDetail();
  focusTestid(state.step.error ? 'step-error' : 'step-status');
}

function renderDetail() {
  const box = $('detail');
  const back = h('a', { class: 'btn btn-secondary btn-small back', href: 'desk.html', testid: 'back' }, t('back_to_desk'));
  if (!detailReady(box, state, back)) return;
  const [head, ...rest] = dossierView(state.dossier, state.proc, renderDetail, { staff: true });
  fill(box, back,
    h('p', { class: 'notice notice-ok', role: 'status', testid: 'action-status', hidden: !state.moved },
      state.moved ? t('moved_ok', { status: statusText(state.moved) }) : ''),
    head, processSection(state.dossier, { staff: true, actions: stepActions() }), actions(),
    documentsSection(state.dossier, state.proc, { canUpload: OPEN.includes(state.dossier.status), up: state.up, onFile: doUpload }),
    formsSection(state.dossier, state.formError, formDone),
    state.dossier.rating ? h('section', { class: 'section', 'aria-labelledby': 'rating-title' },
      h('h2', { id: 'rating-title' }, t('rating_title')), ratingView(state.dossier.rating)) : null,
    ...rest);
}



async function doMove(m, note, apology) {
  if (state.busy) return;
  state.busy = true;
  state.moved = null;
  state.step.moved = null;
  renderDetail();
  try {
    state.dossier = await move(state.code, m.to, note, apology);
    state.open = null;
    state.note = '';
    state.apology = { reason: '', date: '' };
    state.actionError = null;
    state.moved = state.dossier.status;
  } catch (e) {
    state.actionError = e;
    if (e.code === 'apology_required') state.open = m; // late after all: ask for the apology
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
  onLangChange(() => {
    renderWho();
    renderFilter();
    renderQueue();
    renderLateness();
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
    await Promise.all([loadQueue(), ['officer', 'leader'].includes(state.user.role) ? initLateness() : null,
      ['officer', 'leader'].includes(state.user.role) ? mountDeskFeedback() : null]);
  }
  $('main').setAttribute('aria-busy', 'false');
  document.body.dataset.ready = 'true';
}

start();
