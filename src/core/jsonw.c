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

/* The bytes of s[0..n) written as a JSON string, quotes included. */
static size_t escaped_len(const char *s, size_t n)
{
	size_t k = n + 2;
	for (const char *end = s + n; s < end; s++) {
		unsigned char c = (unsigned char)*s;
		k += c == '"' || c == '\\' ? 1 : c < 0x20 ? 5 : 0;
	}
	return k;
}

/* s[0..n) as a JSON string at o, which has room for it: the bytes written. */
static size_t escape_into(char *o, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	char *start = o;
	*o++ = '"';
	for (const char *end = s + n; s < end; s++) {
		unsigned char c = (unsigned char)*s;
		if (c >= 0x20 && c != '"' && c != '\\')
			*o++ = (char)c;
		else if (c == '"' || c == '\\') {
			*o++ = '\\';
			*o++ = (char)c;
		} else {
			memcpy(o, "\\u00", 4);
			o[4] = hex[c >> 4];
			o[5] = hex[c & 15];
			o += 6;
		}
	}
	*o++ = '"';
	return (size_t)(o - start);
}

/* Room is asked for at once: for a short string the most it can take (every byte escaped as
 * \u00XX), else (a longer one, or too little room left for the most) what it takes, counted. */
#define SHORT_STRING 256

static int jw_strn(struct buf *b, const char *s, size_t n)
{
	char *o = n <= SHORT_STRING ? buf_room(b, n * 6 + 2) : NULL;
	if (!o && !(o = buf_room(b, escaped_len(s, n))))
		return -1;
	buf_wrote(b, escape_into(o, s, n));
	return 0;
}

static int jw_char(struct buf *b, char c)
{
	char *o = buf_room(b, 1);
	if (!o)
		return -1;
	*o = c;
	buf_wrote(b, 1);
	return 0;
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
	if (jw_char(b, '{'))
		return -1;
	bool first = true;
	for (void *it = json_object_iter((json_t *)o); it; it = json_object_iter_next((json_t *)o, it), first = false)
		if ((!first && jw_char(b, ',')) || jw_strn(b, json_object_iter_key(it), json_object_iter_key_len(it)) ||
		    jw_char(b, ':') || jw_at(b, json_object_iter_value(it), depth + 1))
			return -1;
	return jw_char(b, '}');
}

static int jw_array(struct buf *b, const json_t *a, int depth)
{
	if (jw_char(b, '['))
		return -1;
	for (size_t i = 0, n = json_array_size(a); i < n; i++)
		if ((i && jw_char(b, ',')) || jw_at(b, json_array_get(a, i), depth + 1))
			return -1;
	return jw_char(b, ']');
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
