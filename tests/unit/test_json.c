/* test_json.c — JSON input limits: size, depth, trailing data, types. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/utf8.h"

static json_t *parse(const char *s, struct err *e)
{
	err_clear(e);
	return json_parse_object(s, strlen(s), 1024, e);
}

static void accepts_an_object(void **state)
{
	(void)state;
	struct err e;
	json_t *v = parse("{\"a\":\"b\",\"n\":[1,2,{\"x\":null}]}", &e);
	assert_non_null(v);
	const char *s;
	assert_int_equal(json_get_str(v, "a", true, 10, &s, &e), 0);
	assert_string_equal(s, "b");
	json_decref(v);
}

static void rejects_oversized_bodies(void **state)
{
	(void)state;
	struct err e;
	char *big = malloc(2048);
	memset(big, ' ', 2047);
	big[0] = '{';
	big[2046] = '}';
	big[2047] = 0;
	assert_null(parse(big, &e));
	assert_int_equal(e.status, 413);
	free(big);
}

static void rejects_deep_nesting(void **state)
{
	(void)state;
	struct err e;
	char deep[200] = "{\"a\":";
	for (int i = 0; i < 40; i++)
		strcat(deep, "[");
	assert_null(parse(deep, &e));
	assert_string_equal(e.code, "json_too_deep");
	/* brackets inside strings do not count */
	json_t *ok = parse("{\"a\":\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"}", &e);
	assert_non_null(ok);
	json_decref(ok);
}

static void rejects_garbage_and_non_objects(void **state)
{
	(void)state;
	struct err e;
	assert_null(parse("{} x", &e));
	assert_string_equal(e.code, "invalid_json");
	assert_null(parse("[1,2]", &e));
	assert_null(parse("", &e));
	assert_null(parse("{\"a\":1,\"a\":2}", &e)); /* duplicate keys are ambiguous */
	assert_null(parse("{\"a\":\"\xff\"}", &e));  /* invalid UTF-8 */
	assert_null(json_parse_object("{\"a\":1}\0", 8, 1024, &e));
}

static void reports_wrong_types(void **state)
{
	(void)state;
	struct err e;
	json_t *v = parse("{\"a\":1,\"b\":\"toolong\",\"c\":true}", &e);
	const char *s;
	bool b;
	assert_int_equal(json_get_str(v, "a", true, 10, &s, &e), -1);
	assert_int_equal(e.status, 422);
	assert_int_equal(json_get_str(v, "b", true, 3, &s, &e), -1);
	assert_string_equal(e.code, "field_too_long");
	assert_int_equal(json_get_str(v, "missing", true, 3, &s, &e), -1);
	assert_string_equal(e.code, "missing_field");
	assert_int_equal(json_get_str(v, "missing", false, 3, &s, &e), 0);
	assert_null(s);
	assert_int_equal(json_get_bool(v, "c", true, &b, &e), 0);
	assert_true(b);
	assert_int_equal(json_get_bool(v, "a", true, &b, &e), -1);
	json_decref(v);
}

/* An error message that quotes invalid UTF-8 a client sent, or is cut inside a character, still
 * makes a JSON answer: the bad bytes become '?'. */
static void errors_quoting_bad_text_stay_valid_json(void **state)
{
	(void)state;
	struct err e = {0};
	err_set(&e, 404, "dossier_not_found", "no dossier %s", "không có hồ sơ %s", "ab\xc3\x28\xff");
	e.msg_vi[strlen(e.msg_vi) - 1] = '\0'; /* "…sơ ab?(" cut again: still fine */
	json_t *v = json_error(&e);
	assert_non_null(v);
	assert_string_equal(json_string_value(json_object_get(json_object_get(v, "error"), "message")), "no dossier ab?(?");
	json_decref(v);
	char cut[] = "Gi\xe1\xba"; /* "Giấ" cut inside its last character */
	utf8_scrub(cut);
	assert_string_equal(cut, "Gi??");
	char fine[] = "Hồ sơ đã tiếp nhận";
	utf8_scrub(fine);
	assert_string_equal(fine, "Hồ sơ đã tiếp nhận");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(accepts_an_object), cmocka_unit_test(rejects_oversized_bodies),
		cmocka_unit_test(rejects_deep_nesting), cmocka_unit_test(rejects_garbage_and_non_objects),
		cmocka_unit_test(reports_wrong_types), cmocka_unit_test(errors_quoting_bad_text_stay_valid_json),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
