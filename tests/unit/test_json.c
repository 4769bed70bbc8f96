/* test_json.c — JSON input limits: size, depth, trailing data, types; and the compact writer
 * (json_to_str) against jansson's own dump. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/jsonw.h"
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

/* json_to_str writes what json_dumps(JSON_COMPACT) writes, byte for byte, where no control
 * character needs escaping; and whatever it writes reads back equal. */
static void writes_what_jansson_writes(void **state)
{
	(void)state;
	const char *texts[] = {
		"{}", "[]", "{\"a\":[]}", "[1,-2,0,9223372036854775807,-9223372036854775808]",
		"{\"name\":{\"vi\":\"Cấp Giấy xác nhận tình trạng hôn nhân\",\"en\":\"Certificate\"},\"status\":1,\"due_at\":null,"
		"\"overdue\":false,\"ok\":true,\"fields\":{\"address\":{\"unit\":\"13750\",\"street\":\"Thôn Đông\"}}}",
		"{\"q\\\"uote\":\"back\\\\slash \\\"x\\\" / 😀\",\"n\":[[[{\"z\":[true,false,null]}]]]}",
		"{\"real\":3.25,\"big\":1e300,\"neg\":-0.5,\"whole\":2.0}",
	};
	for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
		json_t *v = json_loads(texts[i], 0, NULL);
		assert_non_null(v);
		char *ours = json_to_str(v), *theirs = json_dumps(v, JSON_COMPACT);
		assert_non_null(ours);
		assert_string_equal(ours, theirs);
		free(ours);
		free(theirs);
		json_decref(v);
	}
	/* control characters in a key, and a NUL among them in a string: escaped, and read back the same */
	json_t *v = json_object();
	json_object_setn_new(v, "k\tey\n", 5, json_stringn("a\0b\tc\x1f\"", 7));
	json_object_set_new(v, "s", json_string("line\nnext"));
	char *ours = json_to_str(v);
	assert_string_equal(ours, "{\"k\\u0009ey\\u000a\":\"a\\u0000b\\u0009c\\u001f\\\"\",\"s\":\"line\\u000anext\"}");
	json_t *back = json_loads(ours, JSON_ALLOW_NUL, NULL);
	assert_true(json_equal(v, back));
	free(ours);
	json_decref(back);
	json_decref(v);
	/* any value; nothing past the buffer's maximum, nor nested past 64 */
	json_t *n = json_integer(-42);
	ours = json_to_str(n);
	assert_string_equal(ours, "-42");
	free(ours);
	struct buf b;
	buf_init(&b, 4);
	assert_int_equal(jw_value(&b, n), 0);
	assert_int_not_equal(jw_value(&b, n), 0);
	buf_release(&b);
	/* a string that just fits is written, though escaping every byte would not have */
	buf_init(&b, 8);
	assert_int_equal(jw_str(&b, "abcdef"), 0);
	assert_string_equal(b.data, "\"abcdef\"");
	assert_int_not_equal(jw_str(&b, ""), 0);
	buf_release(&b);
	/* a long one with quotes and backslashes among its characters: as jansson writes it */
	static const char unit[] = "ab\"c\\đ"; /* 7 bytes */
	char lng[7 * 400 + 1];
	for (int i = 0; i < 400; i++)
		memcpy(lng + 7 * i, unit, 7);
	lng[7 * 400] = 0;
	json_t *ls = json_string(lng);
	ours = json_to_str(ls);
	char *theirs = json_dumps(ls, JSON_ENCODE_ANY);
	assert_string_equal(ours, theirs);
	free(ours);
	free(theirs);
	json_decref(ls);
	json_decref(n);
	json_t *deep = json_array();
	for (int i = 0; i < 70; i++) {
		json_t *outer = json_array();
		json_array_append_new(outer, deep);
		deep = outer;
	}
	assert_null(json_to_str(deep));
	json_decref(deep);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(accepts_an_object), cmocka_unit_test(rejects_oversized_bodies),
		cmocka_unit_test(rejects_deep_nesting), cmocka_unit_test(rejects_garbage_and_non_objects),
		cmocka_unit_test(reports_wrong_types), cmocka_unit_test(errors_quoting_bad_text_stay_valid_json),
		cmocka_unit_test(writes_what_jansson_writes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
