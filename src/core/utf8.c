/* utf8.c — UTF-8 validation and clipping. */
#include <string.h>

#include "core/utf8.h"

bool utf8_valid(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str, *end = s + n;
	while (s < end) {
		unsigned c = *s;
		if (c < 0x80) {
			s++;
			continue;
		}
		size_t len;
		unsigned min, cp;
		if ((c & 0xE0) == 0xC0) {
			len = 2, min = 0x80, cp = c & 0x1F;
		} else if ((c & 0xF0) == 0xE0) {
			len = 3, min = 0x800, cp = c & 0x0F;
		} else if ((c & 0xF8) == 0xF0) {
			len = 4, min = 0x10000, cp = c & 0x07;
		} else
			return false;
		if ((size_t)(end - s) < len)
			return false;
		for (size_t i = 1; i < len; i++) {
			if ((s[i] & 0xC0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i] & 0x3F);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return false;
		s += len;
	}
	return true;
}

size_t utf8_clip(const char *s, size_t n, size_t max)
{
	if (n <= max)
		return n;
	while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80) /* s[max] continues a character */
		max--;
	return max;
}

void utf8_copy(char *dst, size_t cap, const char *src)
{
	size_t k = utf8_clip(src, strlen(src), cap - 1);
	memcpy(dst, src, k);
	dst[k] = 0;
}

void utf8_scrub(char *s)
{
	for (size_t i = 0; s[i];) {
		size_t k = 1;
		while (k <= 4 && s[i + k - 1] && !utf8_valid(s + i, k))
			k++;
		if (k > 4 || !s[i + k - 1]) { /* no character starts here */
			s[i++] = '?';
			continue;
		}
		i += k;
	}
}
