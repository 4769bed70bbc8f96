// exchange.js — the data exchange's page (admin and data-protection officer): this node (id,
// public key, whether the log is being signed), the members with their keys, the services, the
// grants with the purposes they allow (investigation grants with their hiding period, revoked ones
// marked) and, for the data-protection officer only, the citizens' objections, soonest due first,
// each open one with a form for the answer (the admin reads no personal data: the page says who
// answers them). Registration itself is `trondoi exchange`.
import './chrome.js';
import { announce, api, fill, fmtDateTime, h, session, toSignIn } from './app.js';
import { initI18n, onLangChange, t } from './i18n.js';

const $ = (id) => document.getElementById(id);
const state = { data: null, objections: null, answerError: {} };

function table(id, heads, rows) {
  fill($(id),
    h('thead', {}, h('tr', {}, heads.map((k) => h('th', { scope: 'col' }, t(k))))),
    h('tbody', {}, rows.map((cells) => h('tr', { testid: `${id}-row` }, cells.map((c) => h('td', {}, c))))));
}

function render() {
  const d = state.data;
  if (!d) return;
  fill($('node'),
    h('dt', {}, t('xadmin_node')), h('dd', { testid: 'node-id' }, d.node.id),
    h('dt', {}, t('xadmin_key')), h('dd', {}, h('code', { class: 'break', testid: 'node-key' }, d.node.public_key)),
    h('dt', {}, t('xadmin_signing')),
    h('dd', { testid: 'node-signing' }, t(d.node.signing ? 'xadmin_signing_on' : 'xadmin_signing_off')));
  table('members', ['xadmin_members', 'xadmin_key'],
    d.members.map((m) => [h('span', {}, h('strong', {}, m.id), h('br'), m.name), h('code', { class: 'break small' }, m.public_key)]));
  table('services', ['xadmin_services', 'xadmin_name'], d.services.map((s) => [h('span', { class: 'break' }, s.id), s.name]));
  table('grants', ['xadmin_members', 'xadmin_services', 'xadmin_purposes'], d.grants.map((g) => [
    h('span', { class: 'break' }, g.client),
    h('span', { class: 'break' }, g.service),
    h('span', {}, g.purposes.join(', '),
      g.hide_days ? [h('br'), h('em', {}, t('xadmin_hidden_days', { n: g.hide_days }))] : null,
      g.revoked_at ? [h('br'), h('strong', { testid: 'grant-revoked' }, `${t('xadmin_revoked')} ${fmtDateTime(g.revoked_at)}`)] : null),
  ]));
  const list = state.objections || [];
  if (!state.objections) fill($('objections'), h('tbody', {}, h('tr', {}, h('td', { testid: 'objections-dpo' }, t('xadmin_objections_dpo')))));
  else if (!list.length) fill($('objections'), h('tbody', {}, h('tr', {}, h('td', { testid: 'no-objections' }, t('xadmin_no_objections')))));
  else {
    table('objections', ['exchange_agency', 'exchange_purpose', 'exchange_object_reason', 'xadmin_due', 'xadmin_answer'], list.map((o) => [
      h('span', { class: 'break' }, o.client), o.purpose, o.reason,
      h('span', {}, fmtDateTime(o.due_at), o.overdue ? [h('br'), h('strong', {}, t('xadmin_overdue'))] : null),
      o.answered_at ? answered(o) : answerForm(o),
    ]));
  }
}

function answered(o) {
  return h('span', { testid: 'objection-answered' },
    h('strong', {}, t(o.upheld ? 'exchange_objection_upheld' : 'exchange_objection_dismissed')), h('br'),
    h('span', { class: 'break' }, o.answer), h('br'), h('span', { class: 'small muted' }, `${o.answered_by} ${fmtDateTime(o.answered_at)}`));
}

function answerForm(o) {
  const text = h('textarea', { id: `answer-${o.id}`, rows: 3, maxlength: 4000, testid: 'objection-answer' });
  const upheld = h('input', { type: 'checkbox', id: `upheld-${o.id}`, testid: 'objection-upheld' });
  const error = state.answerError[o.id];
  return h('form', { class: 'object-form', testid: 'objection-form', onsubmit: (ev) => { ev.preventDefault(); answer(o, text.value, upheld.checked); } },
    h('label', { for: `answer-${o.id}` }, t('xadmin_answer')), text,
    h('label', { for: `upheld-${o.id}` }, upheld, ' ', t('xadmin_upheld')),
    error ? h('p', { class: 'notice notice-error', role: 'alert', testid: 'objection-error' }, error) : null,
    h('button', { type: 'submit', class: 'btn btn-primary btn-small', testid: 'objection-send' }, t('xadmin_answer_send')));
}

async function answer(o, text, upheld) {
  if (!text.trim()) {
    state.answerError[o.id] = t('xadmin_answer_required');
    render();
    return;
  }
  try {
    await api('POST', `/api/v1/exchange/objections/${encodeURIComponent(o.id)}/answer`, { body: { answer: text, upheld } });
    delete state.answerError[o.id];
    state.objections = (await api('GET', '/api/v1/exchange/objections')).objections;
  } catch (e) {
    state.answerError[o.id] = e.text();
  }
  render();
}

async function start() {
  initI18n();
  if (!session.token()) {
    toSignIn(null);
    return;
  }
  onLangChange(render);
  try {
    const [data, user] = await Promise.all([api('GET', '/api/v1/exchange/services'), api('GET', '/api/v1/auth/session')]);
    state.data = data;
    if (user.role === 'dpo') state.objections = (await api('GET', '/api/v1/exchange/objections')).objections;
  } catch (e) {
    announce($('page-status'), e.text(), 'error');
    document.body.dataset.ready = 'true';
    return;
  }
  render();
  $('main').setAttribute('aria-busy', 'false');
  document.body.dataset.ready = 'true';
}

start();
