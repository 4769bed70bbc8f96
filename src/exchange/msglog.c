/* msglog.c — the exchange's message log: one entry per call (served, refused or failed), each
 * chained to the one before and signed with the node's Ed25519 key.
 *
 *   detail_hash = SHA-256(len:message_id | len:user_id | len:issue | len:outcome |
 *                         len:request_hash | len:response_hash | len:subjects | hide_until)
 *   hash        = SHA-256(prev_hash | seq | at | len:client | len:service | len:purpose | status |
 *                         detail_hash)
 *   signature   = Ed25519(node secret key, the 64 hex characters of hash), base64
 *
 * The split lets a citizen hold a proof of an entry (time, client, service, purpose, status and
 * the detail hash) without learning the officer, the message id or who else it concerned. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "exchange/exchange.h"

#define ZERO_HASH "0000000000000000000000000000000000000000000000000000000000000000"
#define B64 sodium_base64_VARIANT_ORIGINAL
#define SIG_B64 (sodium_base64_ENCODED_LEN(crypto_sign_BYTES, B64))

static void add_field(struct buf *b, const char *s)
{
	buf_addf(b, "|%zu:%s", strlen(s), s);
}

void xlog_detail_hash(const struct xlog_entry *x, char out[65])
{
	struct buf b;
	buf_init(&b, (size_t)1 << 24);
	buf_addf(&b, "%zu:%s", strlen(x->message_id), x->message_id);
	const char *parts[] = {x->user_id, x->issue, x->outcome, x->request_hash, x->response_hash, x->subjects};
	for (size_t i = 0; i < sizeof parts / sizeof *parts; i++)
		add_field(&b, parts[i]);
	buf_addf(&b, "|%lld", (long long)x->hide_until);
	crypto_sha256_hex(b.data, b.len, out);
	buf_release(&b);
}

void xlog_hash(const char *prev, const struct xlog_entry *x, const char *detail_hash, char out[65])
{
	struct buf b;
	buf_init(&b, 4096);
	buf_addf(&b, "%s|%lld|%lld", prev, (long long)x->seq, (long long)x->at);
	add_field(&b, x->client);
	add_field(&b, x->service);
	add_field(&b, x->purpose);
	buf_addf(&b, "|%d|%s", x->status, detail_hash);
	crypto_sha256_hex(b.data, b.len, out);
	buf_release(&b);
}

static void sign(const unsigned char *sk, const char hash[65], char out[SIG_B64])
{
	out[0] = 0;
	if (!sk)
		return;
	unsigned char sig[crypto_sign_BYTES];
	crypto_sign_detached(sig, NULL, (const unsigned char *)hash, 64, sk);
	sodium_bin2base64(out, SIG_B64, sig, sizeof sig, B64);
}

/* True when sig_b64 is the node's signature of hash. */
static bool signed_by(const unsigned char pk[32], const char *hash, const char *sig_b64)
{
	unsigned char sig[crypto_sign_BYTES];
	size_t n = 0;
	if (!sig_b64 || sodium_base642bin(sig, sizeof sig, sig_b64, strlen(sig_b64), NULL, &n, NULL, B64) || n != sizeof sig ||
	    strlen(hash) != 64)
		return false;
	return crypto_sign_verify_detached(sig, (const unsigned char *)hash, 64, pk) == 0;
}

static int public_key_bin(const char *b64, unsigned char pk[32])
{
	size_t n = 0;
	return b64 && !sodium_base642bin(pk, 32, b64, strlen(b64), NULL, &n, NULL, B64) && n == 32 ? 0 : -1;
}

static int subjects_store(struct db *db, const char *subjects, int64_t seq)
{
	json_t *list = json_loads(subjects, 0, NULL);
	size_t i;
	json_t *v;
	int rc = json_is_array(list) ? 0 : -1;
	json_array_foreach(list, i, v) {
		if (rc || !json_string_value(v))
			break;
		if (db_run(db, "INSERT INTO exchange_subjects (citizen_id, seq) VALUES (?, ?) ON CONFLICT DO NOTHING", "ti",
			   json_string_value(v), seq) != DB_DONE)
			rc = -1;
	}
	json_decref(list);
	return rc;
}

int xlog_append(struct db *db, struct xlog_entry *x, const unsigned char *sk)
{
	char prev[65], detail[65], h[65], sig[SIG_B64];
	if (chain_head_next(db, "exchange_head", &x->seq, prev))
		return -1;
	xlog_detail_hash(x, detail);
	xlog_hash(prev, x, detail, h);
	sign(sk, h, sig);
	if (db_run(db, "INSERT INTO exchange_log (seq, at, client, service, purpose, status, message_id, user_id, issue, outcome, "
		       "request_hash, response_hash, subjects, hide_until, detail_hash, prev_hash, hash, signature) "
		       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		   "iitttitttttttitttt", x->seq, x->at, x->client, x->service, x->purpose, (int64_t)x->status, x->message_id,
		   x->user_id, x->issue, x->outcome, x->request_hash, x->response_hash, x->subjects, x->hide_until, detail, prev,
		   h, sig) != DB_DONE)
		return -1;
	if (subjects_store(db, x->subjects, x->seq))
		return -1;
	return chain_head_set(db, "exchange_head", x->seq, h);
}

int xlog_sign_pending(struct db *db, const unsigned char *sk, int64_t *signed_now)
{
	*signed_now = 0;
	if (db_begin(db))
		return -1;
	/* the hash does not cover the signature, so signing later leaves the chain as it was */
	struct db_stmt *st;
	int64_t seqs[256];
	char hashes[256][65];
	int n = 0, rc = 0;
	do {
		n = 0;
		st = db_prepare(db, "SELECT seq, hash FROM exchange_log WHERE signature = '' ORDER BY seq LIMIT 256");
		if (!st) {
			rc = -1;
			break;
		}
		while (n < 256 && db_step(st) == DB_ROW) {
			seqs[n] = db_col_int(st, 0);
			snprintf(hashes[n++], 65, "%s", db_col_text(st, 1));
		}
		db_reset(st);
		for (int i = 0; i < n && !rc; i++) {
			char sig[SIG_B64];
			sign(sk, hashes[i], sig);
			if (db_run(db, "UPDATE exchange_log SET signature = ? WHERE seq = ?", "ti", sig, seqs[i]) != DB_DONE)
				rc = -1;
		}
		*signed_now += n;
	} while (!rc && n == 256);
	if (rc || db_commit(db)) {
		db_rollback(db);
		*signed_now = 0;
		return -1;
	}
	return 0;
}

/* The entry at the statement's row (columns in the SELECT order of xlog_verify). */
static void row_entry(struct db_stmt *st, struct xlog_entry *x)
{
	*x = (struct xlog_entry){.seq = db_col_int(st, 0), .at = db_col_int(st, 1), .client = db_col_text(st, 2),
				 .service = db_col_text(st, 3), .purpose = db_col_text(st, 4), .status = (int)db_col_int(st, 5),
				 .message_id = db_col_text(st, 6), .user_id = db_col_text(st, 7), .issue = db_col_text(st, 8),
				 .outcome = db_col_text(st, 9), .request_hash = db_col_text(st, 10),
				 .response_hash = db_col_text(st, 11), .subjects = db_col_text(st, 12),
				 .hide_until = db_col_int(st, 13)};
}

int xlog_verify(struct db *db, const char *public_key, int64_t *count, int64_t *bad, char *why, size_t whylen)
{
	*count = 0;
	*bad = 0;
	unsigned char pk[32];
	if (public_key_bin(public_key, pk)) {
		snprintf(why, whylen, "the node's public key is not a 32-byte base64 Ed25519 key");
		*bad = 1;
		return 1;
	}
	char prev[65] = ZERO_HASH, detail[65], h[65];
	int64_t expect = 1;
	struct db_stmt *st = db_prepare(db, "SELECT seq, at, client, service, purpose, status, message_id, user_id, issue, outcome, "
					    "request_hash, response_hash, subjects, hide_until, detail_hash, prev_hash, hash, signature "
					    "FROM exchange_log ORDER BY seq");
	if (!st)
		return -1;
	enum db_rc rc;
	while ((rc = db_step(st)) == DB_ROW) {
		struct xlog_entry x;
		row_entry(st, &x);
		const char *problem = NULL;
		xlog_detail_hash(&x, detail);
		xlog_hash(prev, &x, detail, h);
		if (x.seq != expect)
			problem = "sequence gap: a message is missing";
		else if (strcmp(db_col_text(st, 15), prev))
			problem = "prev_hash does not match the previous message";
		else if (strcmp(detail, db_col_text(st, 14)))
			problem = "detail_hash does not match the message's details";
		else if (strcmp(h, db_col_text(st, 16)))
			problem = "hash does not match the message's content";
		else if (!db_col_text(st, 17)[0])
			problem = "not signed by the node";
		else if (!signed_by(pk, h, db_col_text(st, 17)))
			problem = "the node's signature does not match (forged or altered)";
		if (problem) {
			*bad = x.seq != expect ? expect : x.seq;
			snprintf(why, whylen, "%s", problem);
			db_reset(st);
			return 1;
		}
		snprintf(prev, sizeof prev, "%s", h);
		expect++;
		(*count)++;
	}
	if (rc != DB_DONE)
		return -1;
	return chain_head_agrees(db, "exchange_head", *count, prev, "messages", bad, why, whylen);
}

int xlog_for_citizen(const struct exchange *x, struct db *db, const char *citizen_id, int64_t before, int limit, json_t **out,
		     bool *more, struct err *e)
{
	json_t *head = NULL;
	struct db_stmt *st = db_prepare(db, "SELECT seq, hash, signature FROM exchange_log ORDER BY seq DESC LIMIT 1");
	if (!st)
		return err_set(e, 500, "db_error", "database error", "lỗi cơ sở dữ liệu");
	if (db_step(st) == DB_ROW)
		head = json_pack("{s:I,s:s,s:s}", "seq", (json_int_t)db_col_int(st, 0), "hash", db_col_text(st, 1), "signature",
				 db_col_text(st, 2));
	db_reset(st);
	st = db_prepare(db, "SELECT l.seq, l.at, l.client, l.service, l.purpose, l.status, l.detail_hash, l.prev_hash, l.hash, "
			    "l.signature, p.name_vi, p.name_en, p.legal_basis_vi, p.legal_basis_en, o.id, o.status, o.due_at, "
			    "o.answer, o.upheld, o.answered_at, "
			    "(SELECT MIN(a.id) FROM exchange_anchors a WHERE a.exchange_seq >= l.seq), "
			    "(SELECT a.ts_time FROM exchange_anchors a WHERE a.exchange_seq >= l.seq ORDER BY a.id LIMIT 1) "
			    "FROM exchange_subjects s JOIN exchange_log l ON l.seq = s.seq "
			    "LEFT JOIN exchange_purposes p ON p.code = l.purpose "
			    "LEFT JOIN exchange_objections o ON o.seq = l.seq AND o.citizen_id = s.citizen_id "
			    "WHERE s.citizen_id = ? AND l.hide_until <= ? AND l.seq < ? ORDER BY l.seq DESC LIMIT ?");
	if (!st || db_bind(st, "tiii", citizen_id, clock_now_us(), before > 0 ? before : INT64_MAX, (int64_t)limit + 1)) {
		json_decref(head);
		return err_set(e, 500, "db_error", "database error", "lỗi cơ sở dữ liệu");
	}
	json_t *list = json_array();
	*more = false;
	while (db_step(st) == DB_ROW) {
		if ((int)json_array_size(list) == limit) { /* one more than asked: there is a next page */
			*more = true;
			db_reset(st);
			break;
		}
		char at[40], member[XR_ID_MAX];
		clock_iso(db_col_int(st, 1), at, sizeof at);
		xid_prefix(db_col_text(st, 2), 3, member, sizeof member);
		json_t *proof = json_pack("{s:I,s:I,s:s,s:s,s:s,s:s,s:O,s:s,s:s}", "seq", (json_int_t)db_col_int(st, 0), "at_us",
					  (json_int_t)db_col_int(st, 1), "prev_hash", db_col_text(st, 7), "detail_hash",
					  db_col_text(st, 6), "hash", db_col_text(st, 8), "signature", db_col_text(st, 9), "head",
					  head ? head : json_null(), "node", x->node_id, "public_key", x->public_key);
		/* the first anchor stamped by the time source that covers the entry, once there is one */
		json_object_set_new(proof, "anchor", db_col_null(st, 20) ? json_null()
									: json_pack("{s:I,s:s}", "id", (json_int_t)db_col_int(st, 20), "time",
										    db_col_text(st, 21)));
		json_t *o = json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:i,s:{s:s,s:s},s:{s:s,s:s},s:o}", "id", (json_int_t)db_col_int(st, 0),
				      "at", at, "client", db_col_text(st, 2), "client_member", member, "service", db_col_text(st, 3),
				      "purpose", db_col_text(st, 4), "status", (int)db_col_int(st, 5), "purpose_name", "vi",
				      db_col_text(st, 10), "en", db_col_text(st, 11), "legal_basis", "vi", db_col_text(st, 12), "en",
				      db_col_text(st, 13), "proof", proof);
		if (!db_col_null(st, 14)) {
			char due[40];
			clock_iso(db_col_int(st, 16), due, sizeof due);
			json_t *obj = json_pack("{s:s,s:s,s:s}", "id", db_col_text(st, 14), "status", db_col_text(st, 15), "due_at", due);
			xobjection_answer_json(obj, st, 17, db_col_text(st, 14));
			json_object_set_new(o, "objection", obj);
		}
		json_array_append_new(list, o);
	}
	json_decref(head);
	*out = list;
	return 0;
}

int xlog_verify_entry(const json_t *entry, const char *public_key, char *why, size_t whylen)
{
	const json_t *proof = json_object_get(entry, "proof"), *head = json_object_get(proof, "head");
	unsigned char pk[32];
	if (public_key_bin(public_key ? public_key : json_string_value(json_object_get(proof, "public_key")), pk)) {
		snprintf(why, whylen, "no usable public key: give the node's Ed25519 key in base64");
		return 1;
	}
	const char *prev = json_string_value(json_object_get(proof, "prev_hash"));
	const char *detail = json_string_value(json_object_get(proof, "detail_hash"));
	const char *hash = json_string_value(json_object_get(proof, "hash"));
	struct xlog_entry x = {.seq = json_integer_value(json_object_get(proof, "seq")),
			       .at = json_integer_value(json_object_get(proof, "at_us")),
			       .client = json_string_value(json_object_get(entry, "client")),
			       .service = json_string_value(json_object_get(entry, "service")),
			       .purpose = json_string_value(json_object_get(entry, "purpose")),
			       .status = (int)json_integer_value(json_object_get(entry, "status"))};
	if (!prev || !detail || !hash || !x.client || !x.service || !x.purpose || !json_is_object(head)) {
		snprintf(why, whylen, "the entry lacks its proof (proof.prev_hash, detail_hash, hash, head) or its fields");
		return 1;
	}
	char at[40], h[65];
	clock_iso(x.at, at, sizeof at);
	xlog_hash(prev, &x, detail, h);
	const char *head_hash = json_string_value(json_object_get(head, "hash"));
	if (strcmp(at, json_string_value(json_object_get(entry, "at")) ?: ""))
		snprintf(why, whylen, "the entry's time does not match its proof's");
	else if (strcmp(h, hash))
		snprintf(why, whylen, "message %lld: the hash does not match the entry's content", (long long)x.seq);
	else if (!signed_by(pk, h, json_string_value(json_object_get(proof, "signature"))))
		snprintf(why, whylen, "message %lld: the node's signature does not match", (long long)x.seq);
	else if (!head_hash || !signed_by(pk, head_hash, json_string_value(json_object_get(head, "signature"))))
		snprintf(why, whylen, "the chain head's signature does not match");
	else if (json_integer_value(json_object_get(head, "seq")) < x.seq)
		snprintf(why, whylen, "the chain head comes before the entry");
	else {
		snprintf(why, whylen, "message %lld is signed by the node and the chain head %lld too", (long long)x.seq,
			 (long long)json_integer_value(json_object_get(head, "seq")));
		return 0;
	}
	return 1;
}
