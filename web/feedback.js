// feedback.js — feedback and petitions on the web. On feedback.html the citizen writes to the
// responsible unit (about one of their dossiers, or to their commune; for themselves or for a
// business, by its tax code and name), follows the answers and
// says whether each satisfies them; on the desk, the unit's open feedback, overdue first, with
// an answer form (mountDeskFeedback).
import './chrome.js';
import { api, fmtDateTime, h, session, toSignIn } from './app.js';
import { errText } from './dossier.js';
import { initI18n, onLangChange, t } from './i18n.js';

const $ = (id) => document.getElementById(id);

function item(f, extra) {
  return h('li', { class: `card${f.overdue ? ' is-overdue' : ''}`, testid: 'feedback-item', dataset: { id: f.id } },
    h('p', { class: 'dossier-item-name' }, f.subject),
    h('p', { class: 'small' }, f.text),
    f.business ? h('p', { class: 'small muted', testid: 'feedback-business' }, `${t('feedback_for_business')}: ${f.business.name} (${t('feedback_tax_code')} ${f.business.tax_code})`) : null,
    h('p', { class: 'badges' },
      f.overdue ? h('span', { class: 'badge badge-overdue', testid: 'feedback-overdue' }, t('overdue')) : null,
      h('span', { class: 'badge', testid: 'feedback-state' }, t(f.answered_at ? 'feedback_answered' : 'feedback_open'))),
    h('p', { class: 'small muted' }, `${t('feedback_due')}: ${fmtDateTime(f.due_at)}`, f.code ? ` · ${f.code}` : ''),
    f.answer ? h('p', { class: 'notice', testid: 'feedback-answer' }, f.answer) : null,
    extra);
}

/* ---------- the citizen's page ---------- */

const mine = { list: [], dossiers: [], error: null, sent: false };

function verdict(f) {
  if (!f.answered_at) return null;
  if (f.satisfied !== null) return h('p', { class: 'small', testid: 'feedback-verdict' }, t(f.satisfied ? 'feedback_satisfied' : 'feedback_unsatisfied'));
  const rate = (satisfied) => async () => {
    try {
      await api('POST', `/api/v1/feedback/${encodeURIComponent(f.id)}/rating`, { body: { satisfied } });
      await loadMine();
    } catch (e) {
      mine.error = e;
      renderMine();
    }
  };
  return h('p', { class: 'btn-row' },
    h('button', { type: 'button', class: 'btn btn-secondary btn-small', testid: 'feedback-yes', onclick: rate(true) }, t('feedback_yes')),
    h('button', { type: 'button', class: 'btn btn-secondary btn-small', testid: 'feedback-no', onclick: rate(false) }, t('feedback_no')));
}

function renderMine() {
  const select = $('feedback-code');
  if (select && select.options.length <= 1) {
    for (const d of mine.dossiers) select.append(h('option', { value: d.code }, d.code));
  }
  $('feedback-error').hidden = !mine.error;
  $('feedback-error').textContent = mine.error ? errText(mine.error) : '';
  $('feedback-sent').hidden = !mine.sent;
  const list = $('feedback-list');
  list.replaceChildren(...(mine.list.length ? mine.list.map((f) => item(f, verdict(f)))
    : [h('li', { class: 'muted', testid: 'feedback-empty' }, t('feedback_none'))]));
}

async function loadMine() {
  mine.list = (await api('GET', '/api/v1/me/feedback')).feedback || [];
  renderMine();
}

async function send(ev) {
  ev.preventDefault();
  const form = ev.target;
  const body = { subject: form.elements.subject.value.trim(), text: form.elements.text.value.trim() };
  if (form.elements.code.value) body.code = form.elements.code.value;
  else body.unit = mine.unit;
  const tax = form.elements.tax_code.value.trim(), name = form.elements.business_name.value.trim();
  if (tax || name) body.business = { tax_code: tax, name }; // sent for a business: the API checks both
  mine.error = null;
  mine.sent = false;
  try {
    await api('POST', '/api/v1/feedback', { body });
    form.reset();
    mine.sent = true;
    await loadMine();
  } catch (e) {
    mine.error = e;
    renderMine();
  }
}

async function startCitizen() {
  initI18n();
  if (!session.token()) {
    toSignIn(null);
    return;
  }
  onLangChange(renderMine);
  const me = await api('GET', '/api/v1/me');
  mine.unit = me.attributes.permanent_address && me.attributes.permanent_address.value.unit;
  mine.dossiers = (await api('GET', '/api/v1/me/dossiers')).dossiers || [];
  $('feedback-form').addEventListener('submit', send);
  await loadMine();
  $('main').setAttribute('aria-busy', 'false');
  document.body.dataset.ready = 'true';
}

/* ---------- the desk's panel ---------- */

const desk = { list: [], error: null };

function answerForm(f) {
  const id = `answer-${f.id}`;
  const form = h('form', { class: 'form', testid: 'feedback-answer-form', novalidate: true },
    h('label', { for: id }, t('feedback_answer_label')),
    h('textarea', { id, name: 'text', rows: 3, maxlength: 4000, required: true, testid: 'feedback-answer-text' }),
    h('button', { type: 'submit', class: 'btn btn-primary btn-small', testid: 'feedback-answer-send' }, t('feedback_answer_send')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      await api('POST', `/api/v1/feedback/${encodeURIComponent(f.id)}/answer`, { body: { text: form.elements.text.value.trim() } });
      desk.error = null;
      await loadDesk();
    } catch (e) {
      desk.error = e;
      renderDesk();
    }
  });
  return form;
}

function renderDesk() {
  const box = $('desk-feedback-body');
  if (!box) return;
  box.replaceChildren(
    desk.error ? h('p', { class: 'notice notice-error', role: 'alert', testid: 'feedback-error' }, errText(desk.error)) : '',
    h('ul', { class: 'plain-list' }, ...(desk.list.length ? desk.list.map((f) => item(f, answerForm(f)))
      : [h('li', { class: 'muted', testid: 'feedback-empty' }, t('feedback_none_open'))])));
}

async function loadDesk() {
  desk.list = (await api('GET', '/api/v1/desk/feedback')).feedback || [];
  renderDesk();
}

/** Draws the unit's open feedback into the desk's section #desk-feedback. */
export async function mountDeskFeedback() {
  const section = $('desk-feedback');
  if (!section) return;
  section.hidden = false;
  onLangChange(renderDesk);
  try {
    await loadDesk();
  } catch (e) {
    desk.error = e;
    renderDesk();
  }
}

if (document.body.dataset.page === 'feedback') startCitizen();
