/* jsonw.c — JSON text writers. */
#include "core/jsonw.h"

#include <stdlib.h>

int jw_str(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	if (buf_add(b, "\"", 1))
		return -1;
	const char *run = s;
	for (; *s; s++) {
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

int jw_value(struct buf *b, const json_t *v)
{
	if (json_is_string(v))
		return jw_str(b, json_string_value(v));
	char small[512];
	size_t n = json_dumpb(v, small, sizeof small, JSON_COMPACT | JSON_ENCODE_ANY);
	if (n == 0)
		return -1;
	if (n <= sizeof small)
		return buf_add(b, small, n);
	char *big = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	int rc = big ? buf_adds(b, big) : -1;
	free(big);
	return rc;
}
