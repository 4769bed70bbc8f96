// exchange.js — the data exchange's administration page (admin): this node (id, public key,
// whether the log is being signed), the members with their keys, the services, the grants with
// the purposes they allow (investigation grants with their hiding period, revoked ones marked) and
// the citizens' objections, soonest due first. Read only: registration is `trondoi exchange`.
import './chrome.js';
import { announce, api, fill, fmtDateTime, h, session, toSignIn } from './app.js';
import { initI18n, onLangChange, t } from './i18n.js';

const $ = (id) => document.getElementById(id);
const state = { data: null, objections: null };

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
  if (!list.length) fill($('objections'), h('tbody', {}, h('tr', {}, h('td', { testid: 'no-objections' }, t('xadmin_no_objections')))));
  else {
    table('objections', ['exchange_agency', 'exchange_purpose', 'exchange_object_reason', 'xadmin_due'], list.map((o) => [
      h('span', { class: 'break' }, o.client), o.purpose, o.reason,
      h('span', {}, fmtDateTime(o.due_at), o.overdue ? [h('br'), h('strong', {}, t('xadmin_overdue'))] : null),
    ]));
  }
}

async function start() {
  initI18n();
  if (!session.token()) {
    toSignIn(null);
    return;
  }
  onLangChange(render);
  try {
    [state.data, state.objections] = await Promise.all([
      api('GET', '/api/v1/exchange/services'),
      api('GET', '/api/v1/exchange/objections').then((r) => r.objections),
    ]);
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
