// login.js — the sign-in page: sends the username and password, shows the API's message in the
// chosen language (401, 429 with a countdown), then opens "my data" for a citizen, the desk for
// an officer or leader, or a short "signed in as" notice for other staff.
import './chrome.js';
import { api, ApiError, announce, fmtMoney, h, session, signOut, unitInfo } from './app.js';
import { getLang, initI18n, onLangChange, t, tOr } from './i18n.js';

const $ = (id) => document.getElementById(id);
const form = $('login-form');
const errorEl = $('login-error');
const submit = $('login-submit');

let lastError = null; // ApiError or a string key, re-shown on a language switch
let notice = null;
let waitUntil = 0;
let timer = null;
let staffUser = null;
let procedures = null;

function showError() {
  if (!lastError) {
    announce(errorEl, '', 'error');
    return;
  }
  announce(errorEl, lastError instanceof ApiError ? lastError.text() : t(lastError), 'error');
}

function setError(e) {
  lastError = e;
  showError();
  const bad = e instanceof ApiError && e.status === 401;
  $('username').setAttribute('aria-invalid', String(bad || e === 'login_required' && !$('username').value.trim()));
  $('password').setAttribute('aria-invalid', String(bad || e === 'login_required' && !$('password').value));
}

function showNotice() {
  const el = $('login-notice');
  if (notice === 'expired') announce(el, t('session_expired'), 'warn');
  else if (notice === 'signed_out') announce(el, t('signed_out'), 'ok');
  else el.hidden = true;
}

function buttonText() {
  const left = Math.ceil((waitUntil - Date.now()) / 1000);
  if (left > 0) {
    submit.disabled = true;
    submit.textContent = t('login_wait', { n: left });
    return;
  }
  if (timer) {
    clearInterval(timer);
    timer = null;
  }
  submit.disabled = false;
  submit.textContent = t('login_submit');
}

function startWait(seconds) {
  waitUntil = Date.now() + seconds * 1000;
  if (timer) clearInterval(timer);
  timer = setInterval(buttonText, 250);
  buttonText();
}

async function showStaff(user) {
  staffUser = user;
  $('login-card').hidden = true;
  $('staff-card').hidden = false;
  renderStaff();
  if (user.unit) {
    const u = await unitInfo(user.unit);
    if (u) staffUser = { ...user, unitName: u.name };
    renderStaff();
  }
}

function renderStaff() {
  if (!staffUser) return;
  $('staff-who').textContent = t('staff_signed_in_as', { user: staffUser.username, role: tOr('role_' + staffUser.role, staffUser.role) });
  const unit = staffUser.unit ? (staffUser.unitName ? `${staffUser.unitName} (${staffUser.unit})` : staffUser.unit) : '';
  $('staff-unit').textContent = unit ? t('staff_unit', { unit }) : '';
  $('staff-unit').hidden = !unit;
  $('staff-admin').hidden = staffUser.role !== 'admin' && staffUser.role !== 'dpo';
}

function goOn(user) {
  if (user.role === 'citizen') location.replace('me.html');
  else if (user.role === 'officer' || user.role === 'leader') location.replace('desk.html');
  else showStaff(user);
}

form.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  if (submit.disabled) return;
  notice = null;
  showNotice();
  const username = $('username').value.trim();
  const password = $('password').value;
  if (!username || !password) {
    setError('login_required');
    (username ? $('password') : $('username')).focus();
    return;
  }
  submit.disabled = true;
  submit.textContent = t('login_busy');
  form.setAttribute('aria-busy', 'true');
  try {
    const r = await api('POST', '/api/v1/auth/login', { body: { username, password }, auth: false });
    session.save(r);
    lastError = null;
    showError();
    $('password').value = '';
    goOn(r.user);
    buttonText();
  } catch (e) {
    setError(e instanceof ApiError ? e : 'unknown_error');
    buttonText();
    if (e instanceof ApiError && e.status === 429 && e.retryAfter) startWait(e.retryAfter);
    $('password').select();
    $('password').focus();
  } finally {
    form.removeAttribute('aria-busy');
  }
});

$('show-password').addEventListener('change', (ev) => {
  $('password').type = ev.target.checked ? 'text' : 'password';
});

$('staff-signout').addEventListener('click', () => signOut());

function renderProcedures() {
  const list = $('procedure-list');
  if (!procedures) return;
  const lang = getLang();
  list.replaceChildren(
    ...procedures.map((p) =>
      h('li', { class: 'procedure' },
        h('span', { class: 'procedure-name' }, (p.name && (p.name[lang] || p.name.vi)) || p.code),
        h('span', { class: 'procedure-meta muted' },
          [p.code, p.level ? tOr('level_' + p.level, p.level) : null,
            Number.isFinite(p.processing_days) ? t(p.processing_days === 1 ? 'procedures_day' : 'procedures_days', { n: p.processing_days }) : null,
            p.fee ? t('procedures_fee', { fee: fmtMoney(p.fee) }) : t('procedures_free')]
            .filter(Boolean).join(' · ')))));
}

$('procedures').addEventListener('toggle', async (ev) => {
  if (!ev.target.open || procedures) return;
  $('procedure-list').replaceChildren(h('li', { class: 'muted' }, t('loading')));
  try {
    procedures = (await api('GET', '/api/v1/procedures', { auth: false })).procedures || [];
    renderProcedures();
  } catch (e) {
    $('procedure-list').replaceChildren(h('li', { class: 'muted' }, e instanceof ApiError ? e.text() : t('unknown_error')));
  }
});

onLangChange(() => {
  showError();
  showNotice();
  buttonText();
  renderStaff();
  renderProcedures();
});

async function start() {
  initI18n();
  notice = session.takeNotice();
  showNotice();
  if (session.token()) {
    try {
      const me = await api('GET', '/api/v1/auth/session', { redirect: false });
      goOn(me);
      return;
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) {
        session.clear();
        notice = 'expired';
        showNotice();
      }
    }
  }
}

start();
