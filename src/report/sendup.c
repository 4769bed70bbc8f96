/* sendup.c — reporting up: each published version of a unit's figures goes to the Government
 * reporting system. Publishing queues the version in its own transaction: a documented JSON
 * document (docs/reporting.md, "Reporting up") naming this node (its exchange id and public key)
 * as the sender. A sender task signs what is queued with the node's Ed25519 key (once, storing
 * the detached signature; a version queued while the key file is away waits, unsigned and
 * untried, until it is back) and posts it, a unit's period's versions in order, with the same
 * bytes, signature and idempotency key (unit/period/cut/version) on every attempt, backing off
 * on failures, until the receiver acknowledges; then it records the receipt and never sends the
 * version again. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/log.h"
#include "exchange/exchange.h"
#include "report/report.h"

#define SCHEMA "trondoi.report766.v1"
#define BATCH 20
#define RECEIPT_MAX 128
#define KEY_ID_MAX (XR_ID_MAX + 8) /* node:VN/GOV/37 */
#define B64 sodium_base64_VARIANT_ORIGINAL

/* ---- the document ---- */

/* The province a unit lies in on date (the unit itself when it is one), or NULL. */
static const struct unit *province_of(const struct units *units, const char *code, const char *date)
{
	const struct unit *u = units_find(units, code, date);
	while (u && u->level != UNIT_PROVINCE)
		u = units_parent(units, u);
	return u;
}

/* An indicator as sent: its id (Decision 766's) and figures, no names. */
static json_t *indicator_doc(const json_t *x)
{
	static const char *const keys[] = {"id", "measured", "numerator", "denominator", "rate", "target", "max", "points"};
	json_t *o = json_object();
	for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
		json_t *v = json_object_get(x, keys[i]);
		json_object_set(o, keys[i], v ? v : json_null());
	}
	return o;
}

static json_t *groups_doc(const json_t *report)
{
	json_t *groups = json_array(), *g, *x;
	size_t i, j;
	json_array_foreach(json_object_get(report, "groups"), i, g) {
		json_t *list = json_array();
		json_array_foreach(json_object_get(g, "indicators"), j, x) json_array_append_new(list, indicator_doc(x));
		json_array_append_new(groups, json_pack("{s:O,s:O,s:O,s:o}", "id", json_object_get(g, "id"), "max",
							json_object_get(g, "max"), "points", json_object_get(g, "points"), "indicators", list));
	}
	return groups;
}

/* The version's row of report_versions, as the document sent up. */
struct published {
	int64_t at;
	char by[64], reason[512];
	json_t *report;
};

static int read_published(struct db *db, const char *unit, const struct period *p, long version, struct published *v)
{
	struct db_stmt *st = db_prepare(db, "SELECT created_at, created_by, reason, report FROM report_versions "
					    "WHERE unit = ? AND period = ? AND cut = ? AND version = ?");
	if (!st || db_bind(st, "ttti", unit, p->name, p->cut, (int64_t)version) || db_step(st) != DB_ROW)
		return -1;
	v->at = db_col_int(st, 0);
	snprintf(v->by, sizeof v->by, "%s", db_col_text(st, 1));
	snprintf(v->reason, sizeof v->reason, "%s", db_col_text(st, 2));
	v->report = json_loads(db_col_text(st, 3), 0, NULL);
	db_reset(st);
	return v->report ? 0 : -1;
}

/* The node that signs, as the document names it: its id, public key and key id. */
struct signer {
	const char *node, *public_key;
	char key_id[KEY_ID_MAX];
};

static json_t *document(const struct unit *province, const struct signer *by, const char *unit, const struct period *p, long version,
			const struct published *v)
{
	char at[40], idem[64];
	clock_iso(v->at, at, sizeof at);
	snprintf(idem, sizeof idem, "%s/%s/%s/%ld", unit, p->name, p->cut, version);
	const json_t *r = v->report;
	return json_pack("{s:s,s:s,s:{s:s,s:s,s:s,s:s?,s:s?,s:s},s:s,s:O,s:s,s:s,s:O,s:O,s:i,s:o,s:s,s:s,s:s,s:o,s:O,s:O,s:O}",
			 "schema", SCHEMA, "idempotency_key", idem, "sender", "system", "trondoi", "province", province->code, "province_name",
			 province->name, "node", by->node, "public_key", by->public_key, "key_id", by->key_id, "unit", unit,
			 "unit_name", json_object_get(r, "name"), "period", p->name, "cut", p->cut, "from", json_object_get(r, "from"),
			 "until", json_object_get(r, "until"), "version", (int)version,
			 "previous_version", version > 1 ? json_integer(version - 1) : json_null(), "published_at", at, "published_by",
			 v->by, "reason", v->reason, "groups", groups_doc(r), "total", json_object_get(r, "total"), "max",
			 json_object_get(r, "max"), "children", json_object_get(r, "children"));
}

int report_send_queue(const struct dossiers *d, struct db *db, const char *unit, const struct period *p, long version)
{
	struct published v = {0};
	char today[11];
	clock_today_vn(today, sizeof today);
	const struct unit *province = province_of(d->registry->units, unit, p->last_day);
	if (!province) /* a unit of today's map reporting on a period before it existed */
		province = province_of(d->registry->units, unit, today);
	const struct exchange *node = d->node;
	struct signer by = {node && node->node_id[0] ? node->node_id : NULL, node && node->public_key[0] ? node->public_key : NULL,
			    ""};
	snprintf(by.key_id, sizeof by.key_id, "node:%s", by.node ? by.node : "");
	char *text = NULL;
	int rc = -1;
	if (!province || read_published(db, unit, p, version, &v))
		goto out;
	json_t *doc = document(province, &by, unit, p, version, &v);
	text = doc ? json_dumps(doc, JSON_COMPACT | JSON_REAL_PRECISION(15)) : NULL; /* 3.33, not 3.3300000000000001 */
	json_decref(doc);
	if (!text)
		goto out;
	int64_t now = clock_now_us(); /* signed by the sender task, with the node key: '' until then */
	rc = db_run(db, "INSERT INTO report_sends (unit, period, cut, version, document, signature, key_id, created_at, attempts, "
			"next_at) VALUES (?, ?, ?, ?, ?, '', ?, ?, 0, ?)", "tttittii", unit, p->name, p->cut, (int64_t)version, text,
		    by.key_id, now, now) == DB_DONE ? 0 : -1;
out:
	json_decref(v.report);
	free(text);
	return rc;
}

/* ---- sending ---- */

struct due {
	char unit[8], period[16], cut[12], key_id[KEY_ID_MAX], signature[100]; /* signature "": not signed yet */
	long version;
	int attempts;
	char *document;
};

/* What is due, oldest first; a version waits while an earlier one of its period is unsent, and an
 * unsigned one while the node has no key (signing: it has). */
static int due_sends(struct db *db, struct due *v, int64_t now, bool signing)
{
	struct db_stmt *st = db_prepare(db, "SELECT unit, period, cut, version, document, signature, key_id, attempts FROM report_sends s "
					    "WHERE sent_at IS NULL AND next_at <= ? AND (signature <> '' OR ? = 1) "
					    "AND NOT EXISTS (SELECT 1 FROM report_sends o WHERE o.unit = s.unit AND o.period = s.period "
					    "AND o.cut = s.cut AND o.sent_at IS NULL AND o.version < s.version) ORDER BY created_at, version LIMIT 20");
	int n = 0;
	if (!st || db_bind(st, "ii", now, (int64_t)signing))
		return 0;
	while (n < BATCH && db_step(st) == DB_ROW) {
		struct due *x = &v[n];
		snprintf(x->unit, sizeof x->unit, "%s", db_col_text(st, 0));
		snprintf(x->period, sizeof x->period, "%s", db_col_text(st, 1));
		snprintf(x->cut, sizeof x->cut, "%s", db_col_text(st, 2));
		x->version = (long)db_col_int(st, 3);
		snprintf(x->signature, sizeof x->signature, "%s", db_col_text(st, 5));
		snprintf(x->key_id, sizeof x->key_id, "%s", db_col_text(st, 6));
		x->attempts = (int)db_col_int(st, 7);
		if ((x->document = strdup(db_col_text(st, 4))))
			n++;
	}
	db_reset(st);
	return n;
}

/* The receipt the receiver gave ({"receipt": "..."}), into out ("" when it gave none). */
static void receipt_of(const struct sender_reply *r, char *out, size_t n)
{
	struct err e = {0};
	json_t *o = json_parse_object(r->body, r->len, sizeof r->body, &e);
	const char *s = json_string_value(json_object_get(o, "receipt"));
	snprintf(out, n, "%s", s && strlen(s) <= RECEIPT_MAX ? s : "");
	json_decref(o);
}

/* Acknowledged: the receipt, once (a row already marked sent stays as it is), with an audit entry. */
static void record_sent(struct db *db, const struct due *x, const char *receipt, int64_t now)
{
	char detail[256];
	json_t *dt = json_pack("{s:s,s:s,s:i,s:s}", "period", x->period, "cut", x->cut, "version", (int)x->version, "receipt", receipt);
	char *text = dt ? json_to_str(dt) : NULL;
	snprintf(detail, sizeof detail, "%s", text ? text : "{}");
	free(text);
	json_decref(dt);
	if (db_begin(db))
		return;
	if (db_run(db, "UPDATE report_sends SET sent_at = ?, receipt = ?, attempts = attempts + 1, last_attempt_at = ? WHERE unit = ? "
		       "AND period = ? AND cut = ? AND version = ? AND sent_at IS NULL", "itittti", now, receipt[0] ? receipt : NULL, now,
		   x->unit, x->period, x->cut, (int64_t)x->version) != DB_DONE ||
	    (db_changes(db) == 1 && audit_append(db, "system", "report.sent", x->unit, detail)) || db_commit(db))
		db_rollback(db);
}

/* Signs a version queued unsigned with the node key, and stores the signature so that every
 * attempt carries it (Ed25519 signs deterministically: the same bytes, the same signature). */
static int sign_due(struct db *db, struct due *x, const unsigned char sk[64])
{
	if (x->signature[0])
		return 0;
	unsigned char sig[crypto_sign_BYTES];
	crypto_sign_detached(sig, NULL, (const unsigned char *)x->document, strlen(x->document), sk);
	sodium_bin2base64(x->signature, sizeof x->signature, sig, sizeof sig, B64);
	if (db_run(db, "UPDATE report_sends SET signature = ? WHERE unit = ? AND period = ? AND cut = ? AND version = ? "
		       "AND signature = ''", "tttti", x->signature, x->unit, x->period, x->cut, (int64_t)x->version) == DB_DONE)
		return 0;
	log_error("report_send", "%s/%s/%s/%ld: cannot store the signature: %s", x->unit, x->period, x->cut, x->version, db_errmsg(db));
	return -1;
}

void report_send_round(struct db *db, CURL *curl, void *arg)
{
	const struct reporting_config *cfg = arg;
	struct due v[BATCH];
	int64_t now = clock_now_us();
	bool signing = cfg->node && cfg->node->has_key; /* the key watch (this same thread) may bring the key back */
	int n = due_sends(db, v, now, signing);
	for (int i = 0; i < n; i++) {
		struct due *x = &v[i];
		if (sign_due(db, x, signing ? cfg->node->sk : NULL)) {
			free(x->document);
			continue;
		}
		char idem[80], key[48], sig[128], auth[1100], why[200] = "";
		snprintf(idem, sizeof idem, "Idempotency-Key: %s/%s/%s/%ld", x->unit, x->period, x->cut, x->version);
		snprintf(key, sizeof key, "X-Trondoi-Key-Id: %s", x->key_id);
		snprintf(sig, sizeof sig, "X-Trondoi-Signature: %s", x->signature);
		const char *headers[5] = {idem, key, sig, NULL, NULL};
		if (cfg->token && cfg->token[0]) {
			snprintf(auth, sizeof auth, "Authorization: Bearer %s", cfg->token);
			headers[3] = auth;
		}
		struct sender_reply reply;
		if (sender_post(curl, cfg->url, headers, x->document, &reply, why, sizeof why) == 0) {
			char receipt[RECEIPT_MAX + 1];
			receipt_of(&reply, receipt, sizeof receipt);
			record_sent(db, x, receipt, clock_now_us());
		} else {
			db_run(db, "UPDATE report_sends SET attempts = attempts + 1, last_attempt_at = ?, next_at = ?, last_error = ? "
				   "WHERE unit = ? AND period = ? AND cut = ? AND version = ? AND sent_at IS NULL", "iitttti", now,
			       now + sender_backoff_us(x->attempts), why, x->unit, x->period, x->cut, (int64_t)x->version);
			log_error("report_send", "%s/%s/%s/%ld: %s (attempt %d)", x->unit, x->period, x->cut, x->version, why,
				  x->attempts + 1);
		}
		free(v[i].document);
	}
}

/* ---- the history ---- */

static json_t *send_row(struct db_stmt *st)
{
	char queued[40], tried[40], sent[40];
	clock_iso(db_col_int(st, 4), queued, sizeof queued);
	clock_iso(db_col_int(st, 6), tried, sizeof tried);
	clock_iso(db_col_int(st, 8), sent, sizeof sent);
	bool is_sent = !db_col_null(st, 8);
	int attempts = (int)db_col_int(st, 5);
	json_t *doc = json_loads(db_col_text(st, 10), 0, NULL);
	json_t *o = json_pack("{s:s,s:s,s:i,s:O?,s:O?,s:s?,s:s,s:s,s:i}", "period", db_col_text(st, 0), "cut", db_col_text(st, 1), "version",
			      (int)db_col_int(st, 2), "previous_version", json_object_get(doc, "previous_version"), "total",
			      json_object_get(doc, "total"), "idempotency_key", json_string_value(json_object_get(doc, "idempotency_key")),
			      "state", is_sent ? "sent" : attempts ? "failed" : "queued", "queued_at", queued, "attempts", attempts);
	json_decref(doc);
	if (!o)
		return NULL;
	json_object_set_new(o, "last_attempt_at", db_col_null(st, 6) ? json_null() : json_string(tried));
	json_object_set_new(o, "last_error", db_col_null(st, 7) ? json_null() : json_string(db_col_text(st, 7)));
	json_object_set_new(o, "sent_at", is_sent ? json_string(sent) : json_null());
	json_object_set_new(o, "receipt", db_col_null(st, 9) ? json_null() : json_string(db_col_text(st, 9)));
	json_object_set_new(o, "key_id", json_string(db_col_text(st, 3)));
	json_object_set_new(o, "signed", json_boolean(db_col_text(st, 11)[0] != 0));
	return o;
}

int report_sends_list(const struct dossiers *d, struct db *db, const struct principal *who, const char *unit,
		      const struct period *p, json_t **out, struct err *e)
{
	struct period today = {0};
	clock_today_vn(today.last_day, sizeof today.last_day);
	if (!unit || !units_valid_code(unit))
		return err_set(e, 400, "invalid_query", "unit must be a unit code", "unit phải là mã đơn vị");
	if (report_may_see(d, who, unit, p ? p : &today, e))
		return -1;
	struct db_stmt *st = /* the newest 500 */
		p ? db_prepare(db, "SELECT period, cut, version, key_id, created_at, attempts, last_attempt_at, last_error, sent_at, "
				   "receipt, document, signature FROM report_sends WHERE unit = ? AND period = ? AND cut = ? "
				   "ORDER BY created_at DESC, version DESC LIMIT 500")
		  : db_prepare(db, "SELECT period, cut, version, key_id, created_at, attempts, last_attempt_at, last_error, sent_at, "
				   "receipt, document, signature FROM report_sends WHERE unit = ? ORDER BY created_at DESC, version DESC LIMIT 500");
	if (!st || (p ? db_bind(st, "ttt", unit, p->name, p->cut) : db_bind(st, "t", unit)))
		return err_set(e, 500, "db_error", "database error", "lỗi cơ sở dữ liệu");
	json_t *list = json_array();
	while (db_step(st) == DB_ROW) {
		json_t *o = send_row(st);
		if (o)
			json_array_append_new(list, o);
	}
	db_reset(st);
	*out = json_pack("{s:s,s:o,s:o,s:o}", "unit", unit, "period", p ? json_string(p->name) : json_null(), "cut",
			 p ? json_string(p->cut) : json_null(), "sends", list);
	return 0;
}
