/* test_record.c — the compact stored form of a citizen's record. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "registry/record.h"

static void set(json_t *doc, const char *name, const char *value, const char *source, bool verified, int64_t at,
		int64_t version)
{
	json_t *v = json_string(value);
	struct stored s = {v, source, verified, at, version, "tester"};
	assert_int_equal(record_set(doc, name, &s), 0);
	json_decref(v);
}

static void roundtrip_with_defaults_flips_and_overrides(void **state)
{
	(void)state;
	json_t *doc = record_new();
	set(doc, "full_name", "Nguyễn Văn An", "population-db", true, 100, 1);
	set(doc, "phone", "0912345678", "population-db", false, 100, 1); /* defaults but the flag */
	set(doc, "email", "an@example.vn", "self-declared", false, 200, 3);
	struct stored s;
	assert_true(record_get(doc, "full_name", &s));
	assert_string_equal(json_string_value(s.value), "Nguyễn Văn An");
	assert_true(s.verified);
	assert_int_equal(s.version, 1);
	assert_true(record_get(doc, "phone", &s));
	assert_false(s.verified);
	assert_string_equal(s.source, "population-db");
	assert_true(record_get(doc, "email", &s));
	assert_string_equal(s.source, "self-declared");
	assert_int_equal(s.version, 3);
	assert_int_equal(s.updated_at, 200);
	assert_false(record_get(doc, "religion", &s));
	/* the compact form: one override, one flip */
	assert_int_equal(json_object_size(json_object_get(doc, "o")), 1);
	assert_int_equal(json_array_size(json_object_get(doc, "x")), 1);
	/* a new version of the phone with the defaults' provenance leaves the flip list */
	set(doc, "phone", "0912345678", "population-db", true, 100, 1);
	assert_true(record_get(doc, "phone", &s));
	assert_true(s.verified);
	assert_int_equal(json_array_size(json_object_get(doc, "x")), 0);
	json_t *names = record_names(doc);
	assert_int_equal(json_array_size(names), 3);
	json_decref(names);
	json_decref(doc);
}

static void escapes_strings(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b, 1024);
	assert_int_equal(jw_str(&b, "a\"b\\c\nd\x01 Đ"), 0);
	assert_string_equal(buf_cstr(&b), "\"a\\\"b\\\\c\\u000ad\\u0001 Đ\"");
	json_t *v = json_loads(buf_cstr(&b), JSON_DECODE_ANY, NULL);
	assert_non_null(v);
	assert_string_equal(json_string_value(v), "a\"b\\c\nd\x01 Đ");
	json_decref(v);
	buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(roundtrip_with_defaults_flips_and_overrides),
					   cmocka_unit_test(escapes_strings)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
