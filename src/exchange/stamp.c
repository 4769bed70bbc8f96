/* stamp.c — anchors stamped by an outside time source, as X-Road's security servers have their
 * message logs stamped by a timestamping authority (docs/exchange.md, "Time source"). The node
 * sends the hash of the two chains' heads; the time source answers with its time and an Ed25519
 * signature over (hash, time); the node signs the anchor too (xanchor_text, with the time
 * source's time) and keeps it in exchange_anchors. No HTTP here: serve's delivery thread posts. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "core/json.h"
#include "exchange/exchange.h"

#define B64 sodium_base64_VARIANT_ORIGINAL
#define ANSWER_MAX 1024

void xstamp_text(const char *hash, const char *time, char *out, size_t n)
{
	snprintf(out, n, "trondoi-timestamp-v1\n%s\n%s\n", hash, time);
}

void xstamp_hash(const char *node, const struct xstamp *s, char out[65])
{
	char text[512];
	int len = snprintf(text, sizeof text, "trondoi-heads-v1\nnode %s\naudit %lld %s\nexchange %lld %s\n", node,
			   (long long)s->audit_seq, s->audit_hash, (long long)s->exchange_seq, s->exchange_hash);
	crypto_sha256_hex(text, (size_t)len < sizeof text ? (size_t)len : sizeof text - 1, out);
}

/* True when sig_b64 is key_b64's Ed25519 signature of text. */
static bool signed_by(const char *key_b64, const char *text, const char *sig_b64)
{
	unsigned char pk[crypto_sign_PUBLICKEYBYTES], sig[crypto_sign_BYTES];
	size_t npk = 0, nsig = 0;
	return key_b64 && sig_b64 && !sodium_base642bin(pk, sizeof pk, key_b64, strlen(key_b64), NULL, &npk, NULL, B64) &&
	       npk == sizeof pk && !sodium_base642bin(sig, sizeof sig, sig_b64, strlen(sig_b64), NULL, &nsig, NULL, B64) &&
	       nsig == sizeof sig && !crypto_sign_verify_detached(sig, (const unsigned char *)text, strlen(text), pk);
}

/* The last anchor: when it was made and the places it covers (all 0 without one). */
static int last_anchor(struct db *db, int64_t *made_at, int64_t *aseq, int64_t *xseq)
{
	*made_at = *aseq = *xseq = 0;
	struct db_stmt *st = db_prepare(db, "SELECT made_at, audit_seq, exchange_seq FROM exchange_anchors ORDER BY id DESC LIMIT 1");
	if (!st)
		return -1;
	enum db_rc rc = db_step(st);
	if (rc == DB_ROW) {
		*made_at = db_col_int(st, 0);
		*aseq = db_col_int(st, 1);
		*xseq = db_col_int(st, 2);
	}
	db_reset(st);
	return rc == DB_ROW || rc == DB_DONE ? 0 : -1;
}

int xstamp_due(struct db *db, const char *node, const struct xstamp_policy *p, int64_t now, struct xstamp *s, char **body)
{
	*body = NULL;
	int64_t made_at, aseq, xseq;
	if (last_anchor(db, &made_at, &aseq, &xseq) || xanchor_head(db, "audit", &s->audit_seq, s->audit_hash) ||
	    xanchor_head(db, "exchange", &s->exchange_seq, s->exchange_hash))
		return -1;
	bool moved = s->audit_seq != aseq || s->exchange_seq != xseq;
	if (!moved || (now - made_at < p->every_us && s->exchange_seq - xseq < p->messages))
		return 0;
	xstamp_hash(node, s, s->hash);
	json_t *o = json_pack("{s:s,s:s,s:{s:I,s:s},s:{s:I,s:s}}", "node", node, "hash", s->hash, "exchange_log", "seq",
			      (json_int_t)s->exchange_seq, "hash", s->exchange_hash, "audit", "seq", (json_int_t)s->audit_seq, "hash",
			      s->audit_hash);
	*body = o ? json_to_str(o) : NULL;
	json_decref(o);
	return *body ? 1 : -1;
}

int xstamp_read_answer(const char *answer, size_t len, char time[XSTAMP_TIME_MAX], char sig[128], char *why, size_t whylen)
{
	struct err e = {0};
	json_t *o = json_parse_object(answer, len, ANSWER_MAX, &e);
	const char *t = json_string_value(json_object_get(o, "time")), *g = json_string_value(json_object_get(o, "signature"));
	int64_t us;
	int rc = 0;
	if (!t || !g || strlen(t) >= XSTAMP_TIME_MAX || strlen(g) >= 128 || clock_parse_iso(t, &us)) {
		snprintf(why, whylen, "the time source's answer is not {\"time\": ISO-8601, \"signature\": base64}");
		rc = 1;
	} else {
		snprintf(time, XSTAMP_TIME_MAX, "%s", t);
		snprintf(sig, 128, "%s", g);
	}
	json_decref(o);
	return rc;
}

/* The next anchor's id. */
static int next_id(struct db *db, int64_t *id)
{
	struct db_stmt *st = db_prepare(db, "SELECT COALESCE(MAX(id), 0) + 1 FROM exchange_anchors");
	if (!st || db_step(st) != DB_ROW)
		return -1;
	*id = db_col_int(st, 0);
	db_reset(st);
	return 0;
}

int xstamp_accept(const struct exchange *x, struct db *db, const struct xstamp *s, const char *ts_key, const char *answer,
		  size_t len, char *why, size_t whylen)
{
	char time[XSTAMP_TIME_MAX], ts_sig[128], text[512], node_sig[128];
	if (xstamp_read_answer(answer, len, time, ts_sig, why, whylen))
		return 1;
	xstamp_text(s->hash, time, text, sizeof text);
	if (!signed_by(ts_key, text, ts_sig)) {
		snprintf(why, whylen, "the time source's signature over (hash, time) does not match its key: anchor refused");
		return 1;
	}
	if (!x->has_key) {
		snprintf(why, whylen, "the node key is unavailable: the anchor waits for it");
		return 1;
	}
	unsigned char sig[crypto_sign_BYTES];
	xanchor_text(x->node_id, time, s->audit_seq, s->audit_hash, s->exchange_seq, s->exchange_hash, text, sizeof text);
	crypto_sign_detached(sig, NULL, (const unsigned char *)text, strlen(text), x->sk);
	sodium_bin2base64(node_sig, sizeof node_sig, sig, sizeof sig, B64);
	int64_t id;
	if (next_id(db, &id) ||
	    db_run(db, "INSERT INTO exchange_anchors (id, made_at, node_id, audit_seq, audit_hash, exchange_seq, exchange_hash, "
		       "stamped_hash, ts_time, ts_key, ts_signature, node_signature) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		   "iitititttttt", id, clock_now_us(), x->node_id, s->audit_seq, s->audit_hash, s->exchange_seq, s->exchange_hash,
		   s->hash, time, ts_key, ts_sig, node_sig) != DB_DONE)
		return -1;
	snprintf(why, whylen, "anchor %lld: message %lld, audit entry %lld, stamped at %s", (long long)id, (long long)s->exchange_seq,
		 (long long)s->audit_seq, time);
	return 0;
}

/* One stored anchor (the row of xstamp_verify_all's SELECT) holds: 0, or 1 with why. */
static int anchor_holds(struct db *db, struct db_stmt *st, const char *public_key, const char *ts_key, char *why, size_t whylen)
{
	const char *node = db_col_text(st, 1), *time = db_col_text(st, 7);
	struct xstamp s = {.audit_seq = db_col_int(st, 2), .exchange_seq = db_col_int(st, 4)};
	snprintf(s.audit_hash, sizeof s.audit_hash, "%s", db_col_text(st, 3));
	snprintf(s.exchange_hash, sizeof s.exchange_hash, "%s", db_col_text(st, 5));
	xstamp_hash(node, &s, s.hash);
	char text[512], have[65];
	xstamp_text(s.hash, time, text, sizeof text);
	const char *problem = NULL;
	if (strcmp(s.hash, db_col_text(st, 6)))
		problem = "the stamped hash is not the hash of the anchored heads";
	else if (ts_key && strcmp(ts_key, db_col_text(st, 8)))
		problem = "stamped by another time source key than the one given";
	else if (!signed_by(db_col_text(st, 8), text, db_col_text(st, 9)))
		problem = "the time source's signature does not match";
	if (!problem) {
		xanchor_text(node, time, s.audit_seq, s.audit_hash, s.exchange_seq, s.exchange_hash, text, sizeof text);
		if (!signed_by(public_key, text, db_col_text(st, 10)))
			problem = "the node's signature does not match";
		else if (xanchor_hash_at(db, "audit", s.audit_seq, have) || strcmp(have, s.audit_hash))
			problem = "the audit trail no longer holds the anchored head";
		else if (xanchor_hash_at(db, "exchange", s.exchange_seq, have) || strcmp(have, s.exchange_hash))
			problem = "the message log no longer holds the anchored head";
	}
	if (problem)
		snprintf(why, whylen, "%s", problem);
	return problem ? 1 : 0;
}

int xstamp_verify_all(struct db *db, const char *public_key, const char *ts_key, int64_t *count, int64_t *bad, char *why,
		      size_t whylen)
{
	*count = *bad = 0;
	struct db_stmt *st = db_prepare(db, "SELECT id FROM exchange_anchors ORDER BY id");
	if (!st)
		return -1;
	/* the rows are copied out first: anchor_holds runs statements of its own */
	json_t *rows = json_array();
	enum db_rc rc;
	while ((rc = db_step(st)) == DB_ROW)
		json_array_append_new(rows, json_integer(db_col_int(st, 0)));
	db_reset(st);
	int result = rc == DB_DONE ? 0 : -1;
	size_t i;
	json_t *v;
	json_array_foreach(rows, i, v) {
		if (result)
			break;
		st = db_prepare(db, "SELECT id, node_id, audit_seq, audit_hash, exchange_seq, exchange_hash, stamped_hash, "
				    "ts_time, ts_key, ts_signature, node_signature FROM exchange_anchors WHERE id = ?");
		if (!st || db_bind(st, "i", (int64_t)json_integer_value(v)) || db_step(st) != DB_ROW) {
			result = -1;
			break;
		}
		result = anchor_holds(db, st, public_key, ts_key, why, whylen);
		db_reset(st);
		if (result)
			*bad = json_integer_value(v);
		else
			(*count)++;
	}
	json_decref(rows);
	return result ? result : xanchor_chains_whole(db, public_key, why, whylen); /* what follows an anchor chains from it */
}
