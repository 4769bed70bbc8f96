// dossier.js — what the dossier pages share: status names and badges, field values shown by
// their type, a dossier's details and timeline, the procedure catalogue (cached) and the
// transition call.
import { api, ApiError, fmtDate, fmtDateTime, fmtMoney, h, unitInfo } from './app.js';
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

/* ---------- documents ---------- */

const MAX_UPLOAD = 10 * 1024 * 1024;

/** A file name the X-File-Name header can carry: diacritics dropped, other non-ASCII removed. */
function asciiName(name) {
  return String(name || '').normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'D')
    .replace(/[^\x20-\x7e]/g, '').trim().slice(0, 200);
}

/** Attaches file as the procedure's document docId; resolves to the stored document. */
export function uploadDocument(code, docId, file) {
  if (file.size > MAX_UPLOAD) return Promise.reject('doc_too_large');
  const headers = { 'x-document-id': docId, 'content-type': file.type || 'application/octet-stream' };
  const name = asciiName(file.name);
  if (name) headers['x-file-name'] = name;
  return api('POST', `/api/v1/dossiers/${encodeURIComponent(code)}/documents`, { raw: file, headers });
}

/** An upload error in the current language (the API's message, or ours where it has none). */
export function uploadErrText(e) {
  if (e instanceof ApiError) {
    if (e.status === 413) return t('doc_too_large');
    if (e.status === 415 && !e.message_vi && !e.message_en) return t('doc_bad_type');
    return e.text();
  }
  return t(e || 'unknown_error');
}

const fmtSize = (n) => (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : n >= 1024 ? `${Math.round(n / 1024)} KB` : `${n} B`);

/**
 * The procedure's documents, each attached or not, with an upload control when canUpload.
 * up is the page's upload state {busy, doc, error, ok}; onFile(docId, file) uploads.
 */
export function documentsSection(d, proc, { canUpload, up, onFile }) {
  const files = d.documents || [];
  const defs = ((proc && proc.documents) || []).slice();
  for (const f of files) if (!defs.some((x) => x.id === f.document)) defs.push({ id: f.document, name: f.document, required: false });
  return h('section', { class: 'section', 'aria-labelledby': 'docs-title', testid: 'documents' },
    h('h2', { id: 'docs-title' }, t('documents')),
    canUpload ? h('p', { class: 'small muted' }, t('doc_hint')) : null,
    h('p', { class: 'notice notice-error', role: 'alert', testid: 'doc-error', hidden: !up.error },
      up.error ? uploadErrText(up.error) : ''),
    h('p', { class: 'notice notice-ok', role: 'status', testid: 'doc-status', hidden: !up.ok },
      up.ok ? t('doc_uploaded') : ''),
    defs.length ? h('ul', { class: 'plain-list doc-cards' }, defs.map((def) => {
      const mine = files.filter((f) => f.document === def.id);
      const attached = mine.length > 0;
      const inputId = `doc-file-${def.id}`;
      return h('li', { class: `card doc-item${attached ? ' is-attached' : ''}`, testid: `doc-${def.id}`, dataset: { attached: String(attached) } },
        h('p', { class: 'doc-name' }, localName(def.name) || def.id,
          def.required ? h('span', { class: 'small muted' }, ` ${t('doc_required')}`) : null),
        h('p', { class: 'badges' }, h('span', { class: `badge ${attached ? 'badge-ok' : def.required ? 'badge-warn' : 'badge-expired'}`, testid: `doc-state-${def.id}` },
          attached ? t('doc_attached') : t('doc_missing'))),
        attached ? h('ul', { class: 'plain-list small doc-files' }, mine.map((f) => h('li', { testid: 'doc-file' },
          `${f.name || f.type} · ${fmtSize(f.size || 0)}${f.at ? ` · ${fmtDateTime(f.at)}` : ''}`,
          f.digitised ? h('span', { class: 'badge badge-public' }, t('doc_digitised')) : null))) : null,
        canUpload ? h('div', { class: 'field doc-upload' },
          h('label', { for: inputId }, attached ? t('doc_replace') : t('doc_choose')),
          h('input', { type: 'file', id: inputId, accept: 'application/pdf,image/jpeg,image/png,.pdf,.jpg,.jpeg,.png', testid: `doc-input-${def.id}`,
            disabled: !!up.busy,
            onchange: (ev) => {
              const file = ev.target.files && ev.target.files[0];
              if (file) onFile(def.id, file);
            } }),
          up.busy === def.id ? h('p', { class: 'small muted', role: 'status' }, t('doc_uploading')) : null) : null);
    })) : h('p', { class: 'muted' }, t('loading')));
}

/* ---------- fee and rating ---------- */

/** The fee with its VietQR code; pay is {amount, qr_svg, account_name, paid, paid_at}, or an error. */
export function feeSection(pay, err) {
  let body;
  if (err instanceof ApiError && err.status === 409) body = h('p', { testid: 'fee-none' }, t('procedures_free'));
  else if (err) body = h('p', { class: 'notice notice-error', testid: 'fee-error' }, errText(err));
  else if (!pay) body = h('p', { class: 'muted' }, t('loading'));
  else {
    let qr = null;
    if (pay.qr_svg && !pay.paid) {
      const bytes = new TextEncoder().encode(pay.qr_svg);
      let bin = '';
      for (const b of bytes) bin += String.fromCharCode(b);
      qr = h('img', { class: 'fee-qr', testid: 'fee-qr', src: `data:image/svg+xml;base64,${btoa(bin)}`, alt: t('fee_qr_alt'), width: 220, height: 220 });
    }
    body = h('div', { class: 'card fee' },
      h('dl', { class: 'pairs' },
        h('dt', {}, t('fee_amount')), h('dd', { class: 'fee-amount', testid: 'fee-amount' }, fmtMoney(pay.amount)),
        pay.account_name ? [h('dt', {}, t('fee_account')), h('dd', { testid: 'fee-account' }, pay.account_name)] : null,
        h('dt', {}, t('fee_state')), h('dd', {}, h('span', { class: `badge ${pay.paid ? 'badge-ok' : 'badge-warn'}`, testid: 'fee-paid', dataset: { paid: String(!!pay.paid) } },
          pay.paid ? t('fee_paid') : t('fee_unpaid')), pay.paid && pay.paid_at ? ` ${fmtDateTime(pay.paid_at)}` : null)),
      qr ? h('p', { class: 'small muted' }, t('fee_scan')) : null,
      qr);
  }
  return h('section', { class: 'section', 'aria-labelledby': 'fee-title', testid: 'fee' }, h('h2', { id: 'fee-title' }, t('fee')), body);
}

/** A given rating: stars, score and comment. */
export function ratingView(r) {
  return h('div', { class: 'card rating', testid: 'rating' },
    h('p', { class: 'rating-stars', 'aria-label': t('rating_score', { n: r.score }) },
      h('span', { 'aria-hidden': 'true' }, '★'.repeat(r.score) + '☆'.repeat(Math.max(0, 5 - r.score))),
      ' ', h('span', { testid: 'rating-score' }, t('rating_score', { n: r.score }))),
    r.comment ? h('p', { testid: 'rating-comment' }, r.comment) : null,
    r.at ? h('p', { class: 'small muted' }, fmtDateTime(r.at)) : null);
}

/** Focuses the element with that data-testid (making it focusable when it is not). */
export function focusTestid(id) {
  const el = document.querySelector(`[data-testid="${id}"]`);
  if (!el) return;
  if (!/^(A|BUTTON|INPUT|SELECT|TEXTAREA)$/.test(el.tagName)) el.tabIndex = -1;
  el.focus();
}

/**
 * Loading a dossier and attaching documents to it, for the citizen's page and the desk alike.
 * Both act on the page's state ({code, dossier, error, proc, up}) and redraw with render();
 * loaded() runs after each load that found the dossier.
 */
export function dossierDetail(state, render, loaded = () => {}) {
  const url = () => `/api/v1/dossiers/${encodeURIComponent(state.code)}`;
  async function load() {
    try {
      state.dossier = await api('GET', url());
      state.error = null;
    } catch (e) {
      state.error = e;
    }
    render();
    if (state.dossier) loaded();
    if (state.dossier && !state.proc) {
      try {
        state.proc = await procedure(state.dossier.procedure.code);
        render();
      } catch { /* labels stay as keys */ }
    }
  }
  async function upload(docId, file) {
    if (state.up.busy) return;
    state.up = { busy: docId, error: null, ok: false };
    render();
    try {
      await uploadDocument(state.code, docId, file);
      state.dossier = await api('GET', url());
      state.up = { busy: null, error: null, ok: true };
    } catch (e) {
      state.up = { busy: null, error: e, ok: false };
    }
    render();
    focusTestid(state.up.error ? 'doc-error' : 'doc-status');
  }
  return { load, upload };
}

/**
 * The detail box before a dossier can be drawn: hidden without a code, else the back link with
 * the load's error or "loading". True when state.dossier is there to draw.
 */
export function detailReady(box, state, back) {
  box.hidden = !state.code;
  if (box.hidden) return false;
  if (state.error) {
    box.replaceChildren(back, h('p', { class: 'notice notice-error', role: 'alert', testid: 'detail-error' },
      state.error instanceof ApiError && state.error.status === 404 ? t('not_found') : errText(state.error)));
    return false;
  }
  if (!state.dossier) {
    box.replaceChildren(back, h('p', { class: 'muted' }, t('loading')));
    return false;
  }
  return true;
}
