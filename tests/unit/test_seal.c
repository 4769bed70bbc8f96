/* test_seal.c — sealing personal data at rest: values open only for their column and row and
 * with the right key, files likewise, the index is keyed and stable, and a database from before
 * sealing is sealed whole (values in clear, registry IDs in clear) by reseal_all. */
#include <pthread.h>
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
#include "core/err.h"
#include "db/db.h"
#include "security/reseal.h"
#include "security/seal.h"

struct fixture {
	char dir[64], url[128], key[160];
	struct db *db;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	snprintf(f->dir, sizeof f->dir, "/tmp/trondoi-seal-XXXXXX");
	if (crypto_init() || !mkdtemp(f->dir))
		return -1;
	snprintf(f->url, sizeof f->url, "%s/t.db", f->dir);
	snprintf(f->key, sizeof f->key, "%s/t.db.data-key", f->dir);
	struct err e = {0};
	int applied;
	if (db_open(&f->db, f->url, true, &e) || db_migrate(f->db, &applied, &e))
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	seal_unload();
	db_close(f->db);
	char cmd[200];
	snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
	int rc = system(cmd);
	free(f);
	return rc ? -1 : 0;
}

static void load_new_keys(struct fixture *f)
{
	struct err e = {0};
	assert_int_equal(seal_load(f->db, f->url, true, &e), 0);
	assert_int_equal(seal_mark(f->db, &e), 0);
	assert_int_equal(access(f->key, R_OK), 0);
}

static void values_open_only_for_their_column_and_row(void **state)
{
	struct fixture *f = *state;
	load_new_keys(f);
	char *s = seal_text("citizens.doc", "ix1:aa", "Nguyễn Văn An, 0912345678");
	assert_non_null(s);
	assert_int_equal(strncmp(s, "enc1:1:", 7), 0);
	assert_null(strstr(s, "Nguy"));
	char *again = seal_text("citizens.doc", "ix1:aa", "Nguyễn Văn An, 0912345678");
	assert_string_not_equal(s, again); /* a fresh nonce each time */
	char *plain = unseal_text("citizens.doc", "ix1:aa", s);
	assert_string_equal(plain, "Nguyễn Văn An, 0912345678");
	assert_null(unseal_text("citizens.doc", "ix1:bb", s));      /* another row */
	assert_null(unseal_text("feedback.body", "ix1:aa", s));     /* another column */
	s[strlen(s) - 3] = s[strlen(s) - 3] == 'A' ? 'B' : 'A';     /* one character changed */
	assert_null(unseal_text("citizens.doc", "ix1:aa", s));
	assert_null(unseal_text("citizens.doc", "ix1:aa", "Nguyễn Văn An")); /* not sealed at all */
	char *empty = seal_text("feedback.answer", "1", "");
	assert_string_equal(empty, "");
	free(empty);
	free(plain);
	free(again);
	free(s);
}

static void files_open_only_under_their_name(void **state)
{
	struct fixture *f = *state;
	load_new_keys(f);
	const char pdf[] = "%PDF-1.4 giấy khai sinh";
	unsigned char *sealed, *out;
	size_t len, out_len;
	assert_int_equal(seal_bytes("abc", pdf, sizeof pdf, &sealed, &len), 0);
	assert_int_equal(len, sizeof pdf + seal_bytes_overhead());
	assert_int_equal(seal_bytes_key_of(sealed, len), 1);
	assert_int_equal(unseal_bytes("abc", sealed, len, &out, &out_len), 0);
	assert_int_equal(out_len, sizeof pdf);
	assert_memory_equal(out, pdf, sizeof pdf);
	free(out);
	assert_int_not_equal(unseal_bytes("abd", sealed, len, &out, &out_len), 0);
	assert_int_equal(seal_bytes_key_of((const unsigned char *)pdf, sizeof pdf), 0);
	free(sealed);
}

static void the_index_is_keyed_and_stable(void **state)
{
	struct fixture *f = *state;
	load_new_keys(f);
	char a[SEAL_INDEX_LEN + 1], b[SEAL_INDEX_LEN + 1], c[SEAL_INDEX_LEN + 1];
	assert_int_equal(seal_index("036165077974", a), 0);
	assert_int_equal(seal_index("036165077974", b), 0);
	assert_int_equal(seal_index("036165077975", c), 0);
	assert_string_equal(a, b);
	assert_string_not_equal(a, c);
	assert_true(seal_is_index(a));
	assert_null(strstr(a, "0361"));
	/* rotating the data key keeps the index: lookups go on finding the same rows */
	struct err e = {0};
	assert_int_equal(seal_add_key(&e), 0);
	assert_int_equal(seal_active(), 2);
	assert_int_equal(seal_index("036165077974", b), 0);
	assert_string_equal(a, b);
}

static void a_rotated_key_file_keeps_opening_old_values_until_dropped(void **state)
{
	struct fixture *f = *state;
	load_new_keys(f);
	char *old = seal_text("drafts.fields", "d1", "{\"a\":1}");
	struct err e = {0};
	assert_int_equal(seal_add_key(&e), 0);
	char *fresh = seal_text("drafts.fields", "d1", "{\"a\":1}");
	assert_int_equal(seal_key_of(old), 1);
	assert_int_equal(seal_key_of(fresh), 2);
	char *p = unseal_text("drafts.fields", "d1", old);
	assert_string_equal(p, "{\"a\":1}");
	free(p);
	assert_int_equal(seal_drop_keys(NULL, 0, &e), 0);
	int ids[SEAL_KEYS_MAX];
	assert_int_equal(seal_key_ids(ids), 1);
	assert_int_equal(ids[0], 2);
	assert_null(unseal_text("drafts.fields", "d1", old));
	p = unseal_text("drafts.fields", "d1", fresh);
	assert_string_equal(p, "{\"a\":1}");
	free(p);
	/* a reload from the file agrees, and the database's check still matches */
	seal_unload();
	assert_int_equal(seal_load(f->db, f->url, false, &e), 0);
	assert_int_equal(seal_active(), 2);
	free(old);
	free(fresh);
}

static void a_database_from_before_sealing_is_sealed_whole(void **state)
{
	struct fixture *f = *state;
	const char *doc = "{\"d\":{\"s\":\"population-db\"},\"v\":{\"full_name\":\"Trần Thị Bình\"},\"x\":[],\"o\":{}}";
	assert_int_equal(db_run(f->db, "INSERT INTO citizens (id, doc, perm_unit, rev, created_at, updated_at) VALUES "
				       "('036190000001', ?, NULL, 1, 1, 1)", "t", doc), DB_DONE);
	assert_int_equal(db_run(f->db, "INSERT INTO attribute_history (citizen_id, name, version, value, source, verified, updated_at, "
				       "actor, superseded_at) VALUES ('036190000001', 'phone', 1, '\"0912000111\"', 's', 1, 1, 'a', 2)", ""),
			 DB_DONE);
	struct err e = {0};
	assert_int_equal(seal_load(f->db, f->url, false, &e), -1);
	assert_string_equal(e.code, "not_sealed");
	struct reseal_stats st;
	assert_int_equal(seal_load(f->db, f->url, true, &e), 0);
	assert_int_equal(reseal_all(f->db, NULL, &st, &e), 0);
	assert_int_equal(seal_mark(f->db, &e), 0);
	assert_int_equal(st.ids, 2); /* the record's and its history's */
	assert_int_equal(st.rows, 2);
	assert_int_equal(st.in_clear, 2);
	char ix[SEAL_INDEX_LEN + 1], row[128];
	assert_int_equal(seal_index("036190000001", ix), 0);
	struct db_stmt *q = db_prepare(f->db, "SELECT doc FROM citizens WHERE id = ?");
	assert_int_equal(db_bind(q, "t", ix), 0);
	assert_int_equal(db_step(q), DB_ROW);
	char *opened = unseal_text("citizens.doc", ix, db_col_text(q, 0));
	db_reset(q);
	assert_string_equal(opened, doc);
	free(opened);
	q = db_prepare(f->db, "SELECT value FROM attribute_history WHERE citizen_id = ? AND name = 'phone' AND version = 1");
	assert_int_equal(db_bind(q, "t", ix), 0);
	assert_int_equal(db_step(q), DB_ROW);
	snprintf(row, sizeof row, "%s/phone/1", ix);
	opened = unseal_text("attribute_history.value", row, db_col_text(q, 0));
	db_reset(q);
	assert_string_equal(opened, "\"0912000111\"");
	free(opened);
	struct reseal_counts k;
	assert_int_equal(reseal_count(f->db, NULL, &k, &e), 0);
	assert_int_equal(k.values[0], 2);
	assert_int_equal(k.values_clear, 0);
	/* a second run finds nothing to do */
	assert_int_equal(reseal_all(f->db, NULL, &st, &e), 0);
	assert_int_equal(st.rows + st.ids, 0);
}

/* seal.c encodes by table, not with libsodium's constant-time codec: the text must be exactly
 * what libsodium writes (databases sealed before open, and the other way round) and read back
 * as strictly. */
static void sealed_text_is_libsodiums_base64url(void **state)
{
	struct fixture *f = *state;
	load_new_keys(f);
	char plain[300];
	for (size_t len = 1; len < sizeof plain; len++) {
		memset(plain, 'a' + (int)(len % 26), len);
		plain[len] = 0;
		char *s = seal_text("citizens.doc", "ix1:aa", plain);
		assert_non_null(s);
		const char *b64 = s + 7; /* "enc1:1:" */
		unsigned char raw[400];
		size_t raw_len = 0;
		assert_int_equal(sodium_base642bin(raw, sizeof raw, b64, strlen(b64), NULL, &raw_len, NULL,
						   sodium_base64_VARIANT_URLSAFE_NO_PADDING),
				 0);
		assert_int_equal(raw_len, len + 24 + 16);
		char again[600];
		sodium_bin2base64(again, sizeof again, raw, raw_len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
		assert_string_equal(again, b64);
		char *open = unseal_text("citizens.doc", "ix1:aa", s);
		assert_string_equal(open, plain);
		free(open);
		free(s);
	}
	char *s = seal_text("citizens.doc", "ix1:aa", "Nguyễn Văn An");
	size_t n = strlen(s);
	char *bad = malloc(n + 2);
	snprintf(bad, n + 2, "%s", s);
	bad[n - 5] = '+'; /* outside the url-safe alphabet */
	assert_null(unseal_text("citizens.doc", "ix1:aa", bad));
	snprintf(bad, n + 2, "%sA", s); /* a length no encoding has */
	assert_null(unseal_text("citizens.doc", "ix1:aa", bad));
	snprintf(bad, n + 2, "%s", s);
	bad[n - 1] = '_'; /* 56 bytes: the last character carries 2 bits past the end, here set */
	assert_null(unseal_text("citizens.doc", "ix1:aa", bad));
	free(bad);
	free(s);
}

/* Nonces come from a random prefix per thread and a counter, not a getrandom call each: they
 * must still never repeat, within a thread or across threads. */
#define NONCES 2000

struct nonce_run {
	unsigned char nonce[NONCES][24];
};

static void *seal_many(void *arg)
{
	struct nonce_run *r = arg;
	for (int i = 0; i < NONCES; i++) {
		char *s = seal_text("citizens.doc", "ix1:aa", "x");
		size_t len = 0;
		unsigned char raw[64];
		if (!s || sodium_base642bin(raw, sizeof raw, s + 7, strlen(s + 7), NULL, &len, NULL,
					    sodium_base64_VARIANT_URLSAFE_NO_PADDING) || len < 24) {
			free(s);
			return arg;
		}
		memcpy(r->nonce[i], raw, 24);
		free(s);
	}
	return NULL;
}

static int nonce_cmp(const void *a, const void *b)
{
	return memcmp(a, b, 24);
}

static void nonces_never_repeat(void **state)
{
	struct fixture *f = *state;
	load_new_keys(f);
	struct nonce_run *runs = calloc(3, sizeof *runs);
	pthread_t t[2];
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&t[i], NULL, seal_many, &runs[i]), 0);
	assert_null(seal_many(&runs[2]));
	for (int i = 0; i < 2; i++) {
		void *failed;
		pthread_join(t[i], &failed);
		assert_null(failed);
	}
	assert_memory_not_equal(runs[0].nonce[0], runs[1].nonce[0], 16); /* each thread its own prefix */
	qsort(runs, 3 * NONCES, 24, nonce_cmp);
	const unsigned char(*all)[24] = (const void *)runs;
	for (int i = 1; i < 3 * NONCES; i++)
		assert_memory_not_equal(all[i - 1], all[i], 24);
	free(runs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(values_open_only_for_their_column_and_row, setup, teardown),
		cmocka_unit_test_setup_teardown(files_open_only_under_their_name, setup, teardown),
		cmocka_unit_test_setup_teardown(the_index_is_keyed_and_stable, setup, teardown),
		cmocka_unit_test_setup_teardown(a_rotated_key_file_keeps_opening_old_values_until_dropped, setup, teardown),
		cmocka_unit_test_setup_teardown(a_database_from_before_sealing_is_sealed_whole, setup, teardown),
		cmocka_unit_test_setup_teardown(sealed_text_is_libsodiums_base64url, setup, teardown),
		cmocka_unit_test_setup_teardown(nonces_never_repeat, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
