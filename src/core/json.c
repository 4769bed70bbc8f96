/* json.c — bounded JSON parsing over jansson. */
#include "core/clock.h"
#include "core/json.h"
#include "core/jsonw.h"
#include "core/utf8.h"

#include <string.h>

/* Depth of nesting outside strings; -1 when it passes max (the parser is never called then). */
static int scan_depth(const char *s, size_t len, int max)
{
	int depth = 0, worst = 0;
	bool in_str = false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = false;
			continue;
		}
		if (c == '"')
			in_str = true;
		else if (c == '[' || c == '{') {
			if (++depth > max)
				return -1;
			if (depth > worst)
				worst = depth;
		} else if (c == ']' || c == '}')
			depth--;
	}
	return worst;
}

json_t *json_parse_limited(const char *text, size_t len, size_t max_bytes, int max_depth, struct err *e)
{
	if (len > max_bytes) {
		err_set(e, 413, "body_too_large", "request body is larger than %zu bytes",
			"nội dung yêu cầu vượt quá %zu byte", max_bytes);
		return NULL;
	}
	if (len == 0) {
		err_set(e, 400, "invalid_json", "request body is empty; send a JSON document",
			"nội dung yêu cầu trống; hãy gửi một tài liệu JSON");
		return NULL;
	}
	if (memchr(text, 0, len)) {
		err_set(e, 400, "invalid_json", "request body contains a NUL byte",
			"nội dung yêu cầu chứa byte NUL");
		return NULL;
	}
	if (scan_depth(text, len, max_depth) < 0) {
		err_set(e, 400, "json_too_deep", "JSON nesting deeper than %d levels",
			"JSON lồng nhau sâu quá %d cấp", max_depth);
		return NULL;
	}
	json_error_t je;
	json_t *v = json_loadb(text, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &je);
	if (!v) {
		err_set(e, 400, "invalid_json", "invalid JSON at line %d column %d: %s",
			"JSON không hợp lệ tại dòng %d cột %d: %s", je.line, je.column, je.text);
		return NULL;
	}
	return v;
}

json_t *json_parse_object(const char *text, size_t len, size_t max_bytes, struct err *e)
{
	json_t *v = json_parse_limited(text, len, max_bytes, JSON_MAX_DEPTH, e);
	if (v && !json_is_object(v)) {
		json_decref(v);
		err_set(e, 400, "invalid_json", "the request body must be a JSON object",
			"nội dung yêu cầu phải là một đối tượng JSON");
		return NULL;
	}
	return v;
}

int json_get_str(const json_t *o, const char *key, bool required, size_t max_len, const char **out, struct err *e)
{
	*out = NULL;
	json_t *v = json_object_get(o, key);
	if (!v || json_is_null(v)) {
		if (!required)
			return 0;
		return err_set(e, 422, "missing_field", "field '%s' is required", "thiếu trường bắt buộc '%s'", key);
	}
	if (!json_is_string(v))
		return err_set(e, 422, "invalid_field", "field '%s' must be a string",
			       "trường '%s' phải là chuỗi ký tự", key);
	if (json_string_length(v) > max_len)
		return err_set(e, 422, "field_too_long", "field '%s' is longer than %zu bytes",
			       "trường '%s' dài quá %zu byte", key, max_len);
	if (strlen(json_string_value(v)) != json_string_length(v))
		return err_set(e, 422, "invalid_field", "field '%s' contains a NUL character",
			       "trường '%s' chứa ký tự NUL", key);
	*out = json_string_value(v);
	return 0;
}

int json_get_bool(const json_t *o, const char *key, bool required, bool *out, struct err *e)
{
	json_t *v = json_object_get(o, key);
	if (!v) {
		if (!required)
			return 0;
		return err_set(e, 422, "missing_field", "field '%s' is required", "thiếu trường bắt buộc '%s'", key);
	}
	if (!json_is_boolean(v))
		return err_set(e, 422, "invalid_field", "field '%s' must be true or false",
			       "trường '%s' phải là true hoặc false", key);
	*out = json_is_true(v);
	return 0;
}

char *json_to_str(const json_t *v)
{
	struct buf b;
	buf_init(&b, JSON_TEXT_MAX);
	if (jw_value(&b, v)) {
		buf_release(&b);
		return NULL;
	}
	return b.data;
}

json_t *json_error(const struct err *e)
{
	struct err clean = *e; /* a message may quote what a client sent, or be cut inside a character */
	utf8_scrub(clean.code);
	utf8_scrub(clean.msg);
	utf8_scrub(clean.msg_vi);
	return json_pack("{s:{s:s,s:s,s:s}}", "error", "code", clean.code, "message", clean.msg, "message_vi", clean.msg_vi);
}

const json_t *json_find(const json_t *arr, const char *key, const char *value)
{
	size_t i;
	json_t *x;
	json_array_foreach(arr, i, x) {
		const char *v = json_string_value(json_object_get(x, key));
		if (v && value && !strcmp(v, value))
			return x;
	}
	return NULL;
}

json_t *json_time(int64_t us, bool present)
{
	char s[40];
	if (!present)
		return json_null();
	clock_iso(us, s, sizeof s);
	return json_string(s);
}
