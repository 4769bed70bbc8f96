/* jsonw.c — JSON text writers: compact, in insertion order, UTF-8 passed through (jansson keeps
 * its strings valid UTF-8), control characters escaped. jansson's own dump checks every
 * character's encoding again and formats each container's address into a loop-check table;
 * on an answer's path that was a quarter of the work. */
#include "core/jsonw.h"
#include "core/text.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define JW_MAX_DEPTH 64 /* deeper than any input is allowed to be (json_parse_limited) */

static int jw_strn(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	if (buf_add(b, "\"", 1))
		return -1;
	const char *run = s, *end = s + n;
	for (; s < end; s++) {
		unsigned char c = (unsigned char)*s;
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		if (buf_add(b, run, (size_t)(s - run)))
			return -1;
		char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
		if (c == '"' || c == '\\') {
			esc[1] = (char)c;
			if (buf_add(b, esc, 2))
				return -1;
		} else if (buf_add(b, esc, 6))
			return -1;
		run = s + 1;
	}
	return buf_add(b, run, (size_t)(s - run)) || buf_add(b, "\"", 1) ? -1 : 0;
}

int jw_str(struct buf *b, const char *s)
{
	return jw_strn(b, s, strlen(s));
}

static int jw_int(struct buf *b, json_int_t v)
{
	char digits[TEXT_DECIMAL_MAX];
	return buf_add(b, digits, text_decimal(digits, v));
}

/* A real as jansson writes it (shortest form that reads back, ".0" kept): rare, so delegated. */
static int jw_real(struct buf *b, const json_t *v)
{
	char small[64];
	size_t n = json_dumpb(v, small, sizeof small, JSON_COMPACT | JSON_ENCODE_ANY);
	return n == 0 || n > sizeof small ? -1 : buf_add(b, small, n);
}

static int jw_at(struct buf *b, const json_t *v, int depth);

static int jw_object(struct buf *b, const json_t *o, int depth)
{
	if (buf_add(b, "{", 1))
		return -1;
	bool first = true;
	for (void *it = json_object_iter((json_t *)o); it; it = json_object_iter_next((json_t *)o, it), first = false)
		if ((!first && buf_add(b, ",", 1)) || jw_strn(b, json_object_iter_key(it), json_object_iter_key_len(it)) ||
		    buf_add(b, ":", 1) || jw_at(b, json_object_iter_value(it), depth + 1))
			return -1;
	return buf_add(b, "}", 1);
}

static int jw_array(struct buf *b, const json_t *a, int depth)
{
	if (buf_add(b, "[", 1))
		return -1;
	for (size_t i = 0, n = json_array_size(a); i < n; i++)
		if ((i && buf_add(b, ",", 1)) || jw_at(b, json_array_get(a, i), depth + 1))
			return -1;
	return buf_add(b, "]", 1);
}

static int jw_at(struct buf *b, const json_t *v, int depth)
{
	if (!v || depth > JW_MAX_DEPTH)
		return -1;
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return jw_object(b, v, depth);
	case JSON_ARRAY:
		return jw_array(b, v, depth);
	case JSON_STRING:
		return jw_strn(b, json_string_value(v), json_string_length(v));
	case JSON_INTEGER:
		return jw_int(b, json_integer_value(v));
	case JSON_REAL:
		return jw_real(b, v);
	case JSON_TRUE:
		return buf_add(b, "true", 4);
	case JSON_FALSE:
		return buf_add(b, "false", 5);
	case JSON_NULL:
		return buf_add(b, "null", 4);
	}
	return -1;
}

int jw_value(struct buf *b, const json_t *v)
{
	return jw_at(b, v, 0);
}
