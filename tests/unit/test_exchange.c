/* test_exchange.c — the exchange's identifiers, the string a client signs, the message log's
 * hashes against vectors worked out from the formulas in docs/exchange.md (with Python's
 * hashlib), and the log: appends verify, a changed detail or a forged signature is named,
 * entries logged without the key are signed later without changing the chain; the twin of a
 * spent message id is logged as withheld and not answered. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/crypto.h"
#include "exchange/exchange.h"

static char path[64];
static struct db *db;
static unsigned char pk[32], sk[64];
static char pk_b64[64];

static int setup(void **state)
{
	(void)state;
	struct err e;
	int applied;
	crypto_init();
	snprintf(path, sizeof path, "/tmp/trondoi-exchange-%d.db", (int)getpid());
	unlink(path);
	crypto_sign_keypair(pk, sk);
	sodium_bin2base64(pk_b64, sizeof pk_b64, pk, sizeof pk, sodium_base64_VARIANT_ORIGINAL);
	return db_open(&db, path, true, &e) || db_migrate(db, &applied, &e) ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	db_close(db);
	char wal[80];
	unlink(path);
	snprintf(wal, sizeof wal, "%s-wal", path);
	unlink(wal);
	snprintf(wal, sizeof wal, "%s-shm", path);
	unlink(wal);
	return 0;
}

static void ids(void **state)
{
	(void)state;
	assert_true(xid_valid("VN/GOV/36", 3));
	assert_true(xid_valid("VN/COM/0109999999/HR", 4));
	assert_true(xid_valid("VN/GOV/BCA/CSDLQGDC/person/v1", 6));
	assert_false(xid_valid("VN/GOV/BCA/CSDLQGDC/person/v1", 4)); /* too many parts */
	assert_false(xid_valid("VN/XYZ/36", 3));                      /* class GOV or COM */
	assert_false(xid_valid("US/GOV/36", 3));
	assert_false(xid_valid("VN/GOV//X", 4));                      /* empty part */
	assert_false(xid_valid("VN/GOV/a b", 3));
	assert_false(xid_valid("VN/GOV/0123456789012345678901234567890123456789X", 3)); /* 41 characters */
	assert_false(xid_valid(NULL, 3));
	char out[XR_ID_MAX];
	xid_prefix("VN/GOV/UBND36/MOTCUA", 3, out, sizeof out);
	assert_string_equal(out, "VN/GOV/UBND36");
	xid_prefix("VN/GOV/36", 3, out, sizeof out);
	assert_string_equal(out, "VN/GOV/36");
}

static void signed_string(void **state)
{
	(void)state;
	struct xrequest rq = {.method = "POST", .path = "/x/GOV/BCA/CSDLQGDC/person/v1", .client = "VN/GOV/UBND36/MOTCUA",
			      .id = "m-1", .user = "canbo.xa", .issue = "RESIDENCE", .date = "2026-11-25T04:00:00Z", .body = "{}",
			      .body_len = 2};
	char *s = xcall_signed_string(&rq);
	/* SHA-256("{}") = 44136fa3… */
	assert_string_equal(s, "trondoi-xroad-1\nPOST\n/x/GOV/BCA/CSDLQGDC/person/v1\nVN/GOV/UBND36/MOTCUA\nm-1\ncanbo.xa\n"
			       "RESIDENCE\n2026-11-25T04:00:00Z\n"
			       "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");
	free(s);
}

static const struct xlog_entry vector = {
	.seq = 1, .at = 1764000000000000, .client = "VN/GOV/UBND36/MOTCUA", .service = "VN/GOV/BCA/CSDLQGDC/person/v1",
	.purpose = "RESIDENCE", .status = 200, .message_id = "m-1", .user_id = "canbo.xa",
	.issue = "RESIDENCE:000.00.36-251125-0001", .outcome = "ok", .request_hash = "reqhash=", .response_hash = "resphash=",
	.subjects = "[\"036085000101\"]", .hide_until = 0};

static void hashes(void **state)
{
	(void)state;
	char detail[65], h[65];
	xlog_detail_hash(&vector, detail);
	assert_string_equal(detail, "5bf07c72a82605b1eb3b0b7a9f5832659935123dcdbf1cce8739cb29ab62d1c4");
	xlog_hash("0000000000000000000000000000000000000000000000000000000000000000", &vector, detail, h);
	assert_string_equal(h, "5683c38a3bef39d7eab01a37aa41b0273bc1d58eba21015cbb337a77e6e44bd6");
}

static void append(int n, const unsigned char *key)
{
	for (int i = 0; i < n; i++) {
		struct xlog_entry x = vector;
		x.at += i;
		assert_int_equal(db_begin(db), 0);
		assert_int_equal(xlog_append(db, &x, key), 0);
		assert_int_equal(db_commit(db), 0);
	}
}

static void log_chain(void **state)
{
	(void)state;
	int64_t count, bad, n;
	char why[200];
	append(3, sk);
	assert_int_equal(xlog_verify(db, pk_b64, &count, &bad, why, sizeof why), 0);
	assert_int_equal(count, 3);

	/* logged without the key: the chain holds, the signature is missing, then signed later */
	append(2, NULL);
	assert_int_equal(xlog_verify(db, pk_b64, &count, &bad, why, sizeof why), 1);
	assert_int_equal(bad, 4);
	assert_string_equal(why, "not signed by the node");
	assert_int_equal(xlog_sign_pending(db, sk, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(xlog_verify(db, pk_b64, &count, &bad, why, sizeof why), 0);
	assert_int_equal(count, 5);

	/* another key's signatures are forgeries */
	unsigned char pk2[32], sk2[64];
	char pk2_b64[64];
	crypto_sign_keypair(pk2, sk2);
	sodium_bin2base64(pk2_b64, sizeof pk2_b64, pk2, sizeof pk2, sodium_base64_VARIANT_ORIGINAL);
	assert_int_equal(xlog_verify(db, pk2_b64, &count, &bad, why, sizeof why), 1);
	assert_int_equal(bad, 1);

	/* a changed detail */
	assert_int_equal(db_run(db, "UPDATE exchange_log SET user_id = 'canbo.xb' WHERE seq = 2", ""), DB_DONE);
	assert_int_equal(xlog_verify(db, pk_b64, &count, &bad, why, sizeof why), 1);
	assert_int_equal(bad, 2);
	assert_string_equal(why, "detail_hash does not match the message's details");
	assert_int_equal(db_run(db, "UPDATE exchange_log SET user_id = 'canbo.xa' WHERE seq = 2", ""), DB_DONE);
	assert_int_equal(xlog_verify(db, pk_b64, &count, &bad, why, sizeof why), 0);
}

static void proof(void **state)
{
	(void)state;
	struct exchange x = {.node_id = "VN/GOV/36"};
	snprintf(x.public_key, sizeof x.public_key, "%s", pk_b64);
	json_t *list, *page;
	struct err e;
	bool more;
	assert_int_equal(xlog_for_citizen(&x, db, "036085000101", 0, 10, &list, &more, &e), 0);
	assert_int_equal(json_array_size(list), 5);
	assert_false(more);
	/* pages of 2 below the last id shown: every entry once, in the same order */
	int64_t before = 0;
	for (size_t i = 0; i < 5; i += 2) {
		assert_int_equal(xlog_for_citizen(&x, db, "036085000101", before, 2, &page, &more, &e), 0);
		assert_int_equal(json_array_size(page), i < 4 ? 2 : 1);
		assert_int_equal(more, i < 4);
		for (size_t j = 0; j < json_array_size(page); j++)
			assert_true(json_equal(json_array_get(page, j), json_array_get(list, i + j)));
		before = json_integer_value(json_object_get(json_array_get(page, json_array_size(page) - 1), "id"));
		json_decref(page);
	}
	json_t *entry = json_array_get(list, 0);
	char why[300];
	assert_int_equal(xlog_verify_entry(entry, pk_b64, why, sizeof why), 0);
	json_object_set_new(entry, "status", json_integer(403)); /* what the citizen was shown, altered */
	assert_int_equal(xlog_verify_entry(entry, pk_b64, why, sizeof why), 1);
	assert_non_null(strstr(why, "hash does not match"));
	json_decref(list);
}

static bool id_kept(const char *id)
{
	struct db_stmt *st = db_prepare(db, "SELECT 1 FROM exchange_ids WHERE message_id = ?");
	bool yes = st && !db_bind(st, "t", id) && db_step(st) == DB_ROW;
	if (st)
		db_reset(st);
	return yes;
}

/* Spent ids: a twin is refused by the writer; ids past the replay window are forgotten every
 * 1,024th message. Runs last: it moves the head. */
static void spent_ids(void **state)
{
	(void)state;
	struct exchange x = {.node_id = "VN/GOV/36"};
	int64_t now = 1764000000000000;
	assert_int_equal(db_run(db, "INSERT INTO exchange_ids (client, message_id, at) VALUES ('c', 'old', ?), ('c', 'recent', ?)",
				"ii", now - 1000 * 1000000LL, now - 100 * 1000000LL), DB_DONE);
	assert_int_equal(db_run(db, "UPDATE exchange_head SET seq = 1023 WHERE id = 1", ""), DB_DONE);
	struct xlog_entry e = vector;
	e.at = now;
	e.client = "c";
	e.message_id = "new";
	assert_int_equal(xlog_job_write(&x, db, xlog_job_new(&x, &e, true)), 0); /* message 1024 */
	assert_false(id_kept("old"));  /* spent 1000 s before: no longer replayable */
	assert_true(id_kept("recent")); /* 100 s: still could be */
	assert_true(id_kept("new"));
	assert_int_equal(xlog_job_write(&x, db, xlog_job_new(&x, &e, true)), -1); /* its twin: not answered, */
	struct db_stmt *st = db_prepare(db, "SELECT status, outcome, response_hash FROM exchange_log WHERE message_id = 'new' "
					    "ORDER BY seq");
	assert_non_null(st);
	assert_int_equal(db_step(st), DB_ROW);
	assert_int_equal(db_col_int(st, 0), e.status);
	assert_int_equal(db_step(st), DB_ROW); /* but logged as withheld */
	assert_int_equal(db_col_int(st, 0), 503);
	assert_string_equal(db_col_text(st, 1), "replayed_concurrently");
	assert_string_equal(db_col_text(st, 2), "");
	assert_int_equal(db_step(st), DB_DONE);
}

/* The time source's answer to s: {"time","signature"} signed with key. */
static void stamp_answer(const struct xstamp *s, const unsigned char *key, char *out, size_t n)
{
	char text[256], sig_b64[128];
	unsigned char sig[crypto_sign_BYTES];
	xstamp_text(s->hash, "2026-12-06T06:00:00.000Z", text, sizeof text);
	crypto_sign_detached(sig, NULL, (const unsigned char *)text, strlen(text), key);
	sodium_bin2base64(sig_b64, sizeof sig_b64, sig, sizeof sig, sodium_base64_VARIANT_ORIGINAL);
	snprintf(out, n, "{\"time\":\"2026-12-06T06:00:00.000Z\",\"signature\":\"%s\"}", sig_b64);
}

/* The texts the time source and the heads' hash are made of (docs/exchange.md, "Time source"),
 * then one anchor: a forged stamp is refused, a good one stored, verified, and not due again
 * until the heads move. */
static void stamps(void **state)
{
	(void)state;
	char text[256], h[65];
	xstamp_text("abc", "2026-12-06T06:00:00Z", text, sizeof text);
	assert_string_equal(text, "trondoi-timestamp-v1\nabc\n2026-12-06T06:00:00Z\n");
	struct xstamp v = {.audit_seq = 7, .exchange_seq = 3};
	memset(v.audit_hash, 'a', 64);
	memset(v.exchange_hash, 'b', 64);
	xstamp_hash("VN/GOV/36", &v, h); /* worked out with Python's hashlib */
	assert_string_equal(h, "788ec28d4db0bbc32c44ca8f148b013be06b689ab40f5788e1dc1c388b56f6bc");

	unsigned char ts_pk[32], ts_sk[64], forger_pk[32], forger_sk[64];
	char ts_b64[64], answer[300], why[300];
	crypto_sign_keypair(ts_pk, ts_sk);
	crypto_sign_keypair(forger_pk, forger_sk);
	sodium_bin2base64(ts_b64, sizeof ts_b64, ts_pk, sizeof ts_pk, sodium_base64_VARIANT_ORIGINAL);
	struct exchange x = {.node_id = "VN/GOV/36", .has_key = true};
	memcpy(x.sk, sk, sizeof sk);
	struct xstamp_policy every_message = {.every_us = INT64_MAX / 2, .messages = 1};
	struct xstamp s;
	char *body = NULL;
	/* a fresh message log (the tests above leave theirs broken on purpose), then the head moves */
	assert_int_equal(db_run(db, "DELETE FROM exchange_log", ""), DB_DONE);
	assert_int_equal(db_run(db, "UPDATE exchange_head SET seq = 0, hash = ? WHERE id = 1", "t",
				"0000000000000000000000000000000000000000000000000000000000000000"),
			 DB_DONE);
	append(2, sk);
	assert_int_equal(xstamp_due(db, x.node_id, &every_message, 0, &s, &body), 1);
	assert_non_null(strstr(body, s.hash));
	free(body);
	stamp_answer(&s, forger_sk, answer, sizeof answer);
	assert_int_equal(xstamp_accept(&x, db, &s, ts_b64, answer, strlen(answer), why, sizeof why), 1);
	assert_non_null(strstr(why, "does not match its key"));
	assert_int_equal(xstamp_accept(&x, db, &s, ts_b64, "{\"time\":\"soon\"}", 15, why, sizeof why), 1);
	stamp_answer(&s, ts_sk, answer, sizeof answer);
	assert_int_equal(xstamp_accept(&x, db, &s, ts_b64, answer, strlen(answer), why, sizeof why), 0);
	assert_int_equal(xstamp_due(db, x.node_id, &every_message, 0, &s, &body), 0); /* the heads did not move */
	int64_t count, bad;
	assert_int_equal(xstamp_verify_all(db, pk_b64, ts_b64, &count, &bad, why, sizeof why), 0);
	assert_int_equal(count, 1);
	sodium_bin2base64(ts_b64, sizeof ts_b64, forger_pk, sizeof forger_pk, sodium_base64_VARIANT_ORIGINAL);
	assert_int_equal(xstamp_verify_all(db, pk_b64, ts_b64, &count, &bad, why, sizeof why), 1);
	assert_int_equal(bad, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ids), cmocka_unit_test(signed_string), cmocka_unit_test(hashes),
		cmocka_unit_test(log_chain), cmocka_unit_test(proof), cmocka_unit_test(spent_ids),
		cmocka_unit_test(stamps),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
