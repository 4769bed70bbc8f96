// dossier.js — what the dossier pages share: status names and badges, field values shown by
// their type, a dossier's details and timeline, the procedure catalogue (cached) and the
// transition call.
import { api, ApiError, fmtDate, fmtDateTime, h, unitInfo } from './app.js';
import { getLang, t, tOr } from './i18n.js';

export const errText = (e) => (e instanceof ApiError ? e.text() : t(e || 'unknown_error'));

/** The status's name in the current language (the API's name when the page has none). */
export function statusText(code, fallback) {
  const name = fallback && typeof fallback === 'object' ? fallback[getLang()] || fallback.vi : fallback;
  return tOr('status_' + code, name || String(code));
}

export function statusBadge(d, testid = 'dossier-status') {
  return h('span', { class: `badge badge-status badge-status-${d.status}`, testid, dataset: { status: d.status } },
    statusText(d.status, d.status_name));
}

/** Overdue / due-soon flags as badges. */
export function dueBadges(d) {
  return [
    d.overdue ? h('span', { class: 'badge badge-overdue', testid: 'overdue' }, t('overdue')) : null,
    !d.overdue && d.due_soon ? h('span', { class: 'badge badge-due-soon', testid: 'due-soon' }, t('due_soon')) : null,
    d.late ? h('span', { class: 'badge badge-overdue' }, t('late')) : null,
  ];
}

export const localName = (n) => (n && typeof n === 'object' ? n[getLang()] || n.vi : n || '');

const procCache = new Map();

/** A procedure's full description (fields with option labels, documents, fee); cached. */
export function procedure(code) {
  if (!procCache.has(code)) {
    procCache.set(code, api('GET', `/api/v1/procedures/${encodeURIComponent(code)}`, { auth: false }).catch((e) => {
      procCache.delete(code);
      throw e;
    }));
  }
  return procCache.get(code);
}

const units = new Map();

/** A unit's name (with its province), or its code until the name arrives; redraw runs then. */
export function unitText(code, redraw) {
  if (!code) return '';
  if (units.has(code)) {
    const u = units.get(code);
    if (!u) return code;
    return u.parent_unit ? `${u.name}, ${u.parent_unit.name}` : u.name;
  }
  unitInfo(code).then((u) => {
    const first = !units.has(code);
    units.set(code, u || null);
    if (first && redraw) redraw();
  });
  return code;
}

/** A form value as text, by the field's type; def is the procedure's field (labels, options). */
export function valueText(def, value, redraw) {
  if (value === undefined || value === null || value === '') return '—';
  switch (def && def.type) {
    case 'date': return fmtDate(value);
    case 'sex': return ['male', 'female'].includes(value) ? t('sex_' + value) : String(value);
    case 'select': {
      const o = def.option_labels && def.option_labels[value];
      return o ? localName(o) : String(value);
    }
    case 'address':
      if (value && typeof value === 'object') return [value.street, unitText(value.unit, redraw)].filter(Boolean).join(', ');
      return String(value);
    default: return typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
}

/** Moves a dossier; resolves to the dossier after the move. */
export function move(code, to, note) {
  const body = { to };
  if (note) body.note = note;
  return api('POST', `/api/v1/dossiers/${encodeURIComponent(code)}/transitions`, { body });
}

function pairs(rows) {
  return h('dl', { class: 'pairs' }, rows.filter(Boolean).map(([k, v, testid]) => [h('dt', {}, t(k)), h('dd', { testid }, v)]));
}

/**
 * The dossier's head, facts, declared fields and timeline. proc is the procedure (for labels)
 * or null; redraw is called when a unit's name arrives.
 */
export function dossierView(d, proc, redraw, { staff = false } = {}) {
  const defs = new Map(((proc && proc.fields) || []).map((f) => [f.name, f]));
  const fieldNames = Object.keys(d.fields || {});
  const order = [...defs.keys()].filter((n) => fieldNames.includes(n)).concat(fieldNames.filter((n) => !defs.has(n)));
  return [
    h('div', { class: 'card dossier-head' },
      h('p', { class: 'dossier-code' }, h('span', { class: 'muted small' }, `${t('dossier_code')}: `),
        h('strong', { testid: 'dossier-code' }, d.code)),
      h('h2', { class: 'dossier-proc' }, localName(d.procedure && d.procedure.name) || (d.procedure && d.procedure.code)),
      h('p', { class: 'badges' }, statusBadge(d), dueBadges(d),
        d.paused_at && d.status === 5 ? h('span', { class: 'badge badge-warn' }, t('paused')) : null),
      pairs([
        ['received_at', fmtDateTime(d.received_at)],
        ['due_at', d.due_at ? fmtDateTime(d.due_at) : t('no_due'), 'dossier-due'],
        ['handling_unit', unitText(d.unit, redraw)],
        ['channel', tOr('channel_' + d.channel, d.channel || '—')],
        staff && d.applicant ? ['applicant_id', d.applicant] : null,
        d.supplements ? ['supplements', String(d.supplements)] : null,
        d.finished_at ? ['finished_at', fmtDateTime(d.finished_at)] : null,
        d.returned_at ? ['returned_at', fmtDateTime(d.returned_at)] : null,
      ])),
    h('section', { class: 'section', 'aria-labelledby': 'timeline-title' },
      h('h2', { id: 'timeline-title' }, t('timeline_title')),
      h('ol', { class: 'plain-list timeline', testid: 'timeline' },
        [...(d.timeline || [])].reverse().map((e) => h('li', { class: 'timeline-entry', testid: 'timeline-entry', dataset: { to: e.to } },
          h('p', { class: 'timeline-head' },
            h('span', { class: 'timeline-status' }, statusText(e.to, e.status_name)),
            h('time', { class: 'small muted', datetime: e.at }, fmtDateTime(e.at))),
          h('p', { class: 'small muted' }, `${t('timeline_by')}: ${e.by}`),
          e.note ? h('p', { class: 'timeline-note', testid: 'timeline-note' }, e.note) : null)))),
    h('section', { class: 'section', 'aria-labelledby': 'fields-title' },
      h('h2', { id: 'fields-title' }, t('fields_title')),
      h('dl', { class: 'pairs card', testid: 'dossier-fields' }, order.map((n) => {
        const def = defs.get(n);
        return [h('dt', {}, def ? localName(def.label) : n), h('dd', {}, valueText(def, d.fields[n], redraw))];
      }))),
  ];
}
