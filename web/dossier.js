// dossier.js — what the dossier pages share: status names and badges, field values shown by
// their type, a dossier's details and timeline, its internal process (plan, progress, steps as
// they happened), the procedure catalogue (cached) and the transition and step calls.
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

/**
 * Moves a dossier; resolves to the dossier after the move. apology {reason, new_appointment}
 * goes with finishing (9) past the due time.
 */
export function move(code, to, note, apology) {
  const body = { to };
  if (note) body.note = note;
  if (apology) body.apology = apology;
  return api('POST', `/api/v1/dossiers/${encodeURIComponent(code)}/transitions`, { body });
}

/**
 * Moves a dossier along its internal process: action 'forward' (to the next step, optionally
 * assigned to a user) or 'back' (to the previous one, with a note). Resolves to the dossier.
 */
export function moveStep(code, action, note, assignee) {
  const body = { action };
  if (note) body.note = note;
  if (assignee) body.assignee = assignee;
  return api('POST', `/api/v1/dossiers/${encodeURIComponent(code)}/steps`, { body });
}

export function pairs(rows) {
  return h('dl', { class: 'pairs' }, rows.filter(Boolean).map(([k, v, testid]) => [h('dt', {}, t(k)), h('dd', { testid }, v)]));
}

/**
 * What the dossier's officers fetched for it from other nodes through the exchange: the node that
 * provided it, when, by whom, through which service, the person it names and the data received.
 */
function fetchedView(list) {
  const person = (data) => {
    const p = data && data.person;
    const name = p && p.attributes && p.attributes.full_name && p.attributes.full_name.value;
    return p && p.id ? `${name || ''} (${p.id})`.trim() : null;
  };
  return h('section', { class: 'section', 'aria-labelledby': 'fetched-title' },
    h('h2', { id: 'fetched-title' }, t('fetched_title')),
    h('ul', { class: 'plain-list', testid: 'fetched' }, list.map((f) => h('li', { class: 'card', testid: 'fetched-entry' },
      h('p', {}, h('strong', { testid: 'fetched-source' }, t('fetched_from', { node: f.source })), ' ',
        h('time', { class: 'small muted', datetime: f.at }, fmtDateTime(f.at))),
      h('p', { class: 'small muted break' }, `${f.service} · ${t('timeline_by')}: ${f.by}`),
      person(f.data) ? h('p', { testid: 'fetched-person' }, person(f.data)) : null,
      h('details', {}, h('summary', {}, t('fetched_data')),
        h('pre', { class: 'fetched-data small' }, JSON.stringify(f.data, null, 2)))))));
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
        d.apology ? ['apology_reason', d.apology.reason, 'apology-reason'] : null,
        d.apology ? ['new_appointment', fmtDate(d.apology.new_appointment), 'new-appointment'] : null,
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
    d.fetched && d.fetched.length ? fetchedView(d.fetched) : null,
    h('section', { class: 'section', 'aria-labelledby': 'fields-title' },
      h('h2', { id: 'fields-title' }, t('fields_title')),
      h('dl', { class: 'pairs card', testid: 'dossier-fields' }, order.map((n) => {
        const def = defs.get(n);
        return [h('dt', {}, def ? localName(def.label) : n), h('dd', {}, valueText(def, d.fields[n], redraw))];
      }))),
  ];
}

/* ---------- the internal process ---------- */

export const roleText = (role) => tOr('role_' + role, role || '');

/**
 * Is an open step past its due? The dossier carries the flag; lists do not, so it is worked out
 * here (never while the dossier waits for a supplement, which pauses the step).
 */
export function stepLate(s, paused = false) {
  if (typeof s.late === 'boolean') return s.late;
  return !paused && !!s.due_at && Date.parse(s.due_at) < Date.now();
}

/** An open step's "late" and "paused" badges. */
export function stepBadges(s, paused = false) {
  return [
    stepLate(s, paused) ? h('span', { class: 'badge badge-overdue', testid: 'step-late' }, t('late')) : null,
    s.paused_at || paused ? h('span', { class: 'badge badge-warn' }, t('paused')) : null,
  ];
}

/** Each planned step's state from the steps as they happened: done, current, stopped or todo. */
function planStates(p) {
  return p.plan.map((s) => {
    const last = p.steps.filter((x) => x.step === s.step).at(-1);
    if (!last) return 'todo';
    if (!last.finished_at) return 'current';
    return last.outcome === 'back' ? 'todo' : last.outcome === 'stopped' ? 'stopped' : 'done';
  });
}

/** Where the process is: the open step (for staff with its due and assignee), or why there is none. */
function processNow(d, staff) {
  const p = d.process;
  const cur = p.current;
  if (!cur) {
    const key = !p.steps.length ? 'process_not_started' : d.status === 10 ? 'process_done' : 'process_stopped';
    return h('p', { class: 'process-now', testid: 'process-current' }, t(key));
  }
  return h('div', { class: 'card process-now', testid: 'process-current' },
    h('p', {}, `${t('process_at')}: `, h('strong', { testid: 'process-step' }, localName(cur.name)),
      ' ', h('span', { class: 'badges' }, staff ? stepBadges(cur) : null,
        !staff && cur.paused_at ? h('span', { class: 'badge badge-warn' }, t('paused')) : null)),
    staff ? pairs([
      ['step_role', roleText(cur.role)],
      ['step_due', fmtDateTime(cur.due_at), 'step-due'],
      cur.assignee ? ['step_assignee', cur.assignee, 'step-assignee'] : null,
    ]) : null);
}

function planItem(s, state, staff) {
  return h('li', { class: `plan-step is-${state}`, testid: 'plan-step', dataset: { step: s.step, state }, 'aria-current': state === 'current' ? 'step' : undefined },
    h('span', { class: 'plan-body' },
      h('span', { class: 'plan-name' }, localName(s.name)),
      h('span', { class: 'small muted' }, [t('step_state_' + state), staff ? roleText(s.role) : null].filter(Boolean).join(' · '))));
}

function outcomeText(s) {
  if (!s.finished_at) return t('step_state_current');
  return tOr('step_outcome_' + s.outcome, t('step_state_done'));
}

/** One step as it happened: its outcome, who, when, its due, late and the note. */
function stepEntry(s) {
  const when = [`${t('step_started')}: ${fmtDateTime(s.started_at)}`, `${t('step_due')}: ${fmtDateTime(s.due_at)}`];
  if (s.finished_at) when.push(`${t('step_finished')}: ${fmtDateTime(s.finished_at)}`);
  const who = s.handler ? `${t('step_handler')}: ${s.handler}` : s.assignee ? `${t('step_assignee')}: ${s.assignee}` : null;
  return h('li', { class: 'timeline-entry', testid: 'step-entry', dataset: { step: s.step, outcome: s.outcome || 'open' } },
    h('p', { class: 'timeline-head' },
      h('span', { class: 'timeline-status' }, localName(s.name)),
      h('span', { class: 'badges' }, h('span', { class: `badge ${s.finished_at ? 'badge-expired' : 'badge-status'}` }, outcomeText(s)),
        s.late ? h('span', { class: 'badge badge-overdue' }, t('late')) : null,
        s.paused_at && !s.finished_at ? h('span', { class: 'badge badge-warn' }, t('paused')) : null)),
    who ? h('p', { class: 'small' }, who) : null,
    h('p', { class: 'small muted' }, when.join(' · ')),
    s.note ? h('p', { class: 'timeline-note', testid: 'step-note-text' }, s.note) : null);
}

/**
 * The dossier's internal process: where it is, the plan with each step's state, and for staff
 * each step as it happened. actions (the desk's step buttons) goes under where it is. Null when
 * the dossier has no process.
 */
export function processSection(d, { staff = false, actions = null } = {}) {
  const p = d.process;
  if (!p || !Array.isArray(p.plan)) return null;
  const states = planStates(p);
  return h('section', { class: 'section', 'aria-labelledby': 'process-title', testid: 'process' },
    h('h2', { id: 'process-title' }, t('process_title')),
    h('p', { class: 'small muted' }, localName(p.name)),
    processNow(d, staff),
    actions,
    h('h3', { id: 'plan-title' }, t('process_plan')),
    h('ol', { class: 'plain-list process-plan', testid: 'process-plan', 'aria-labelledby': 'plan-title' },
      p.plan.map((s, i) => planItem(s, states[i], staff))),
    staff && p.steps.length ? [
      h('h3', { id: 'steps-title' }, t('process_history')),
      h('ol', { class: 'plain-list timeline', testid: 'step-history', 'aria-labelledby': 'steps-title' }, p.steps.map(stepEntry)),
    ] : null);
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

export const fmtSize = (n) => (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : n >= 1024 ? `${Math.round(n / 1024)} KB` : `${n} B`);

/**
 * The procedure's documents, each attached or not, with an upload control when canUpload.
 * up is the page's upload state {busy, doc, error, ok}; onFile(docId, file) uploads. With the
 * holder's store ({results, files}) each also offers onStored(docId, storedId) to attach one.
 */
export function documentsSection(d, proc, { canUpload, up, onFile, stored, onStored }) {
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
          f.digitised ? h('span', { class: 'badge badge-public' }, t('doc_digitised')) : null,
          f.reused_from ? h('span', { class: 'badge badge-public', testid: 'doc-reused' }, t('doc_reused')) : null))) : null,
        canUpload ? h('div', { class: 'field doc-upload' },
          h('label', { for: inputId }, attached ? t('doc_replace') : t('doc_choose')),
          h('input', { type: 'file', id: inputId, accept: 'application/pdf,image/jpeg,image/png,.pdf,.jpg,.jpeg,.png', testid: `doc-input-${def.id}`,
            disabled: !!up.busy,
            onchange: (ev) => {
              const file = ev.target.files && ev.target.files[0];
              if (file) onFile(def.id, file);
            } }),
          up.busy === def.id ? h('p', { class: 'small muted', role: 'status' }, t('doc_uploading')) : null) : null,
        canUpload && stored ? storedPicker(def, stored, up, onStored) : null);
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
  /** Attaches docId by send() (an upload or a stored document), then reloads the dossier. */
  async function attach(docId, send) {
    if (state.up.busy) return;
    state.up = { busy: docId, error: null, ok: false };
    render();
    try {
      await send();
      state.dossier = await api('GET', url());
      state.up = { busy: null, error: null, ok: true };
    } catch (e) {
      state.up = { busy: null, error: e, ok: false };
    }
    render();
    focusTestid(state.up.error ? 'doc-error' : 'doc-status');
  }
  const upload = (docId, file) => attach(docId, () => uploadDocument(state.code, docId, file));
  const reuse = (docId, stored) => attach(docId, () => attachStored(state.code, docId, stored));
  return { load, upload, reuse };
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

/* ---------- forms as PDF and the document store ---------- */

/** Which forms a dossier has in its present state (docs/dossiers.md, "Forms as PDF"). */
const FORMS = [
  ['receipt', (d) => !!d.accepted_at],
  ['supplement', (d) => d.supplements > 0],
  ['refusal', (d) => d.status === 3],
  ['apology', (d) => !!d.apology],
  ['stop', (d) => d.status === 8],
  ['result', (d) => d.status === 9 || d.status === 10],
];

/** Fetches a file the API gives only with the session (a PDF) and hands it to the browser as name. */
export async function download(path, name) {
  const url = URL.createObjectURL(await api('GET', path, { blob: true }));
  const a = h('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}

/** A link that downloads one of the dossier's forms; done(error or null) runs after the try. */
export function formLink(code, kind, done) {
  const path = `/api/v1/dossiers/${encodeURIComponent(code)}/forms/${kind}.pdf`;
  const name = `${code}-${kind}.pdf`;
  return h('a', {
    class: 'btn btn-secondary form-link', href: path, download: name, testid: `form-${kind}`,
    onclick: (ev) => {
      ev.preventDefault();
      download(path, name).then(() => done(null), done);
    },
  }, h('span', {}, t('form_' + kind), ' ', h('span', { class: 'small' }, '(PDF)')));
}

/** The forms the dossier has now, each a download; err is the last download's error. */
export function formsSection(d, err, done) {
  const kinds = FORMS.filter(([, holds]) => holds(d)).map(([kind]) => kind);
  return h('section', { class: 'section', 'aria-labelledby': 'forms-title', testid: 'forms' },
    h('h2', { id: 'forms-title' }, t('forms_title')),
    h('p', { class: 'notice notice-error', role: 'alert', testid: 'form-error', hidden: !err }, err ? errText(err) : ''),
    kinds.length ? h('ul', { class: 'plain-list form-links' }, kinds.map((kind) => h('li', {}, formLink(d.code, kind, done))))
      : h('p', { class: 'muted', testid: 'forms-none' }, t('forms_none')));
}

/** Attaches a document of the applicant's store (a result's id, a file's SHA-256) by reference. */
export function attachStored(code, docId, stored) {
  if (!stored) return Promise.reject('doc_pick_stored');
  return api('POST', `/api/v1/dossiers/${encodeURIComponent(code)}/documents/stored`, { body: { document: docId, stored } });
}

/** A stored result as one line: procedure, number, issue time. */
const resultLabel = (r) => `${localName(r.procedure && r.procedure.name)} · ${r.id} · ${fmtDateTime(r.issued_at)}`;

/** A choice of the holder's results (not revoked) and files, to attach to docId instead of an upload. */
function storedPicker(def, stored, up, onStored) {
  const results = (stored.results || []).filter((r) => !r.revoked);
  const files = (stored.files || []).filter((f, i, all) => all.findIndex((x) => x.id === f.id) === i);
  if (!results.length && !files.length) return null;
  const id = `doc-stored-${def.id}`;
  const select = h('select', { id, testid: id, disabled: !!up.busy },
    h('option', { value: '' }, t('choose')),
    results.length ? h('optgroup', { label: t('store_results') }, results.map((r) => h('option', { value: r.id }, resultLabel(r)))) : null,
    files.length ? h('optgroup', { label: t('store_files') }, files.map((f) => h('option', { value: f.id }, `${f.name || f.type} · ${f.code}`))) : null);
  return h('div', { class: 'field doc-stored' },
    h('label', { for: id }, t('doc_from_store')),
    select,
    h('button', { type: 'button', class: 'btn btn-secondary btn-small', testid: `doc-stored-attach-${def.id}`, disabled: !!up.busy,
      onclick: () => onStored(def.id, select.value) }, t('doc_attach_stored')));
}
