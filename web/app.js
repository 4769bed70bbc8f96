// app.js — what every page shares: the session (token in sessionStorage), calls to the API,
// building DOM safely (text only, never HTML from the server), and dates in Vietnam time.
import { getLang, t } from './i18n.js';

const TOKEN = 'trondoi.token';
const USER = 'trondoi.user';
const NOTICE = 'trondoi.notice';

export const session = {
  token() {
    try { return sessionStorage.getItem(TOKEN); } catch { return null; }
  },
  user() {
    try { return JSON.parse(sessionStorage.getItem(USER) || 'null'); } catch { return null; }
  },
  save(login) {
    sessionStorage.setItem(TOKEN, login.token);
    sessionStorage.setItem(USER, JSON.stringify({ ...login.user, expires_at: login.expires_at }));
  },
  clear() {
    try {
      sessionStorage.removeItem(TOKEN);
      sessionStorage.removeItem(USER);
    } catch { /* nothing to clear */ }
  },
  /** A one-shot message for the sign-in page: 'expired' or 'signed_out'. */
  setNotice(key) {
    try { sessionStorage.setItem(NOTICE, key); } catch { /* not shown then */ }
  },
  takeNotice() {
    try {
      const n = sessionStorage.getItem(NOTICE);
      sessionStorage.removeItem(NOTICE);
      return n;
    } catch { return null; }
  },
};

/** Back to the sign-in page, saying why. */
export function toSignIn(notice) {
  session.clear();
  if (notice) session.setNotice(notice);
  location.replace('index.html');
}

export class ApiError extends Error {
  constructor(status, body, retryAfter) {
    const e = (body && body.error) || {};
    super(e.message || `HTTP ${status}`);
    this.status = status;
    this.code = e.code || (status === 0 ? 'network' : 'http_' + status);
    this.message_en = e.message || '';
    this.message_vi = e.message_vi || '';
    this.fields = Array.isArray(e.fields) ? e.fields : []; // per-field problems of a 422
    this.retryAfter = retryAfter;
  }
  /** The message in the current language, first letter capitalised. */
  text() {
    if (this.status === 0) return t('network_error');
    const m = (getLang() === 'vi' ? this.message_vi || this.message_en : this.message_en || this.message_vi) || t('unknown_error');
    return m.charAt(0).toUpperCase() + m.slice(1);
  }
}

/**
 * Calls the API. Resolves to the parsed JSON (or null for 204), or with blob to the body as a
 * Blob (a PDF); rejects with ApiError. A 401 on a signed-in call means the session ended: back
 * to sign-in, unless auth or redirect is false.
 */
export async function api(method, path, { body, raw, headers: extra, auth = true, redirect = true, blob = false } = {}) {
  const headers = { accept: 'application/json', ...(extra || {}) };
  const token = session.token();
  if (auth && token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  // raw: a File or Blob sent as it is (uploads), with its own headers in extra
  const payload = raw !== undefined ? raw : body === undefined ? undefined : JSON.stringify(body);
  let r;
  try {
    r = await fetch(path, { method, headers, body: payload, cache: 'no-store' });
  } catch {
    throw new ApiError(0, null);
  }
  if (r.ok && blob) return r.blob();
  const text = await r.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = null; }
  if (r.ok) return json;
  const retry = parseInt(r.headers.get('retry-after') || '', 10);
  const err = new ApiError(r.status, json, Number.isFinite(retry) ? retry : undefined);
  if (auth && redirect && r.status === 401) toSignIn('expired');
  throw err;
}

export async function signOut() {
  try { await api('POST', '/api/v1/auth/logout', { redirect: false }); } catch { /* signed out anyway */ }
  toSignIn('signed_out');
}

/** Builds an element: h('p', {class: 'x', dataset: {testid: 'y'}}, 'text', child, ...). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'testid') el.dataset.testid = v;
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'text') el.textContent = v;
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/** Replaces el's children, leaving out null, undefined and false (replaceChildren would print them). */
export function fill(el, ...children) {
  el.replaceChildren(...children.flat(Infinity).filter((c) => c !== undefined && c !== null && c !== false));
}

const TZ = 'Asia/Ho_Chi_Minh';

/** "25/11/2026 09:20" in Vietnam time, whatever the device's time zone. */
export function fmtDateTime(iso) {
  const d = new Date(iso);
  if (!iso || Number.isNaN(d.getTime())) return iso || '';
  const p = new Intl.DateTimeFormat('en-GB', {
    timeZone: TZ, day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).formatToParts(d);
  const get = (type) => (p.find((x) => x.type === type) || {}).value;
  return `${get('day')}/${get('month')}/${get('year')} ${get('hour')}:${get('minute')}`;
}

/** A calendar date "YYYY-MM-DD" as "03/12/1965" (no time zone shift). */
export function fmtDate(ymd) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(ymd || '');
  return m ? `${m[3]}/${m[2]}/${m[1]}` : ymd;
}

/** The date in Vietnam of an instant (ISO text or milliseconds), as YYYY-MM-DD. */
export function vnDate(at) {
  const p = new Intl.DateTimeFormat('en-CA', { timeZone: TZ, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(new Date(at));
  const get = (type) => p.find((x) => x.type === type).value;
  return `${get('year')}-${get('month')}-${get('day')}`;
}

/** Today's date in Vietnam plus days, as YYYY-MM-DD. */
export function vnDatePlus(days) {
  return vnDate(Date.now() + days * 86400000);
}

export function fmtMoney(vnd) {
  return new Intl.NumberFormat(getLang() === 'vi' ? 'vi-VN' : 'en-GB').format(vnd) + ' ₫';
}

const unitCache = new Map();

/** The administrative unit {code, name, parent_unit} for a code, or null; cached. */
export function unitInfo(code) {
  if (!code) return Promise.resolve(null);
  if (!unitCache.has(code)) {
    const p = api('GET', `/api/v1/units/${encodeURIComponent(code)}`, { auth: false }).catch(() => null);
    unitCache.set(code, p);
  }
  return unitCache.get(code);
}

/** Shows a short message in a live region; kind is 'ok' or 'error'. */
export function announce(el, text, kind = 'ok') {
  el.textContent = text;
  el.className = `notice notice-${kind}`;
  el.hidden = !text;
}
