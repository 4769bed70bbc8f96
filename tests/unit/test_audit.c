/* test_audit.c — the audit hash chain: appends verify; two that meet fail; any edit, removal or
 * truncation is found. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit/audit.h"
#include "core/crypto.h"

static char path[64];
static struct db *db;

static int setup(void **state)
{
	(void)state;
	struct err e;
	int applied;
	crypto_init();
	snprintf(path, sizeof path, "/tmp/trondoi-audit-%d.db", (int)getpid());
	unlink(path);
	if (db_open(&db, path, true, &e) || db_migrate(db, &applied, &e))
		return -1;
	for (int i = 0; i < 5; i++) {
		char obj[16];
		snprintf(obj, sizeof obj, "obj%d", i);
		if (db_begin(db) || audit_append(db, "tester", "thing.do", obj, "{\"n\":1}") || db_commit(db))
			return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	db_close(db);
	unlink(path);
	char wal[80];
	snprintf(wal, sizeof wal, "%s-wal", path);
	unlink(wal);
	snprintf(wal, sizeof wal, "%s-shm", path);
	unlink(wal);
	return 0;
}

static int verify(int64_t *count, int64_t *bad)
{
	char why[200];
	return audit_verify(db, count, bad, why, sizeof why);
}

static void intact_chain_verifies(void **state)
{
	(void)state;
	int64_t n, bad;
	assert_int_equal(verify(&n, &bad), 0);
	assert_int_equal(n, 5);
}

/* Two appends that meet anyway (the head moved between one's start and its end) fail instead of
 * forking the chain; nothing of them stays once rolled back. */
static void head_moved_meanwhile_is_refused(void **state)
{
	(void)state;
	int64_t seq, n, bad;
	char prev[65];
	assert_int_equal(db_begin(db), 0);
	assert_int_equal(chain_head_next(db, "audit_head", &seq, prev), 0);
	assert_int_equal(seq, 6);
	assert_int_equal(audit_append(db, "other", "thing.do", "obj-other", "{}"), 0); /* takes 6 */
	assert_int_equal(chain_head_set(db, "audit_head", seq, "ff"), -1);
	assert_int_equal(chain_head_set(db, "audit_head", seq + 1, "ff"), 0); /* from where it stands */
	db_rollback(db);
	assert_int_equal(verify(&n, &bad), 0);
	assert_int_equal(n, 5);
}

static void hash_depends_on_every_field(void **state)
{
	(void)state;
	struct audit_entry a = {1, 100, "x", "y", "z", "{}"};
	char h1[65], h2[65];
	audit_hash("00", &a, h1);
	a.object = "z2";
	audit_hash("00", &a, h2);
	assert_string_not_equal(h1, h2);
	a.object = "z";
	audit_hash("01", &a, h2);
	assert_string_not_equal(h1, h2);
	/* field boundaries are unambiguous */
	struct audit_entry b = {1, 100, "xy", "", "z", "{}"}, c = {1, 100, "x", "y", "z", "{}"};
	audit_hash("00", &b, h1);
	audit_hash("00", &c, h2);
	assert_string_not_equal(h1, h2);
	/* the hashed text is "prev|seq|at|len:actor|len:action|len:object|len:detail", as every
	 * chain written so far has it: SHA-256 of "00|7|1700000000000000|3:dan|14:dossier.submit|
	 * 17:14038-261206-0001|2:{}" (without the line break), computed apart */
	struct audit_entry d = {7, 1700000000000000, "dan", "dossier.submit", "14038-261206-0001", "{}"};
	audit_hash("00", &d, h1);
	assert_string_equal(h1, "3c743c0db4ea5b2220b4840cafad482a466995e732f1a53983622bce3129a907");
}

static void edited_entry_is_found(void **state)
{
	(void)state;
	int64_t n, bad;
	assert_int_equal(db_run(db, "UPDATE audit_log SET detail = '{\"n\":2}' WHERE seq = 3", ""), DB_DONE);
	assert_int_equal(verify(&n, &bad), 1);
	assert_int_equal(bad, 3);
	assert_int_equal(db_run(db, "UPDATE audit_log SET detail = '{\"n\":1}' WHERE seq = 3", ""), DB_DONE);
	assert_int_equal(verify(&n, &bad), 0);
}

static void removed_entry_is_found(void **state)
{
	(void)state;
	int64_t n, bad;
	assert_int_equal(db_run(db, "DELETE FROM audit_log WHERE seq = 5", ""), DB_DONE);
	assert_int_equal(verify(&n, &bad), 1); /* the head still says 5 */
	assert_int_equal(bad, 5);
	assert_int_equal(db_run(db, "DELETE FROM audit_log WHERE seq = 2", ""), DB_DONE);
	assert_int_equal(verify(&n, &bad), 1);
	assert_int_equal(bad, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(intact_chain_verifies),
		cmocka_unit_test(head_moved_meanwhile_is_refused),
		cmocka_unit_test(hash_depends_on_every_field),
		cmocka_unit_test(edited_entry_is_found),
		cmocka_unit_test(removed_entry_is_found),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
