/* text.c — folding Vietnamese text for search and for ASCII identifiers; decimal numbers. */
#include "core/text.h"

#include <stdlib.h>
#include <string.h>

/* Each group: the ASCII letter first, then every Vietnamese letter that folds to it. */
static const char *const groups[] = {"aàáạảãâầấậẩẫăằắặẳẵ", "eèéẹẻẽêềếệểễ", "iìíịỉĩ", "oòóọỏõôồốộổỗơờớợởỡ",
				     "uùúụủũưừứựửữ", "yỳýỵỷỹ", "dđ", "AÀÁẠẢÃÂẦẤẬẨẪĂẰẮẶẲẴ", "EÈÉẸẺẼÊỀẾỆỂỄ",
				     "IÌÍỊỈĨ", "OÒÓỌỎÕÔỒỐỘỔỖƠỜỚỢỞỠ", "UÙÚỤỦŨƯỪỨỰỬỮ", "YỲÝỴỶỸ", "DĐ"};

/* Length of the UTF-8 sequence at s (1 for a stray byte, never past the end). */
static size_t seq_len(const char *s)
{
	unsigned char c = (unsigned char)*s;
	size_t len = c < 0xC0 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
	for (size_t i = 1; i < len; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			return 1;
	return len;
}

static char fold_one(const char *s, size_t len)
{
	if (len == 1)
		return (unsigned char)*s < 0x80 ? *s : 0;
	for (size_t g = 0; g < sizeof groups / sizeof *groups; g++)
		for (const char *p = groups[g] + 1; *p; p += seq_len(p))
			if (seq_len(p) == len && !strncmp(p, s, len))
				return groups[g][0];
	return 0;
}

void text_fold(const char *s, char *out, size_t n)
{
	size_t k = 0;
	while (*s && k + 1 < n) {
		size_t len = seq_len(s);
		char f = fold_one(s, len);
		if (f >= 'A' && f <= 'Z')
			f = (char)(f - 'A' + 'a');
		if (f)
			out[k++] = f;
		s += len;
	}
	out[k] = 0;
}

bool text_contains_folded(const char *hay, const char *needle)
{
	if (!hay)
		return false;
	size_t nh = strlen(hay) + 1, nn = strlen(needle) + 1;
	char *h = malloc(nh), *q = malloc(nn);
	bool found = false;
	if (h && q) {
		text_fold(hay, h, nh);
		text_fold(needle, q, nn);
		found = strstr(h, q) != NULL;
	}
	free(h);
	free(q);
	return found;
}

size_t text_decimal(char out[TEXT_DECIMAL_MAX], long long v)
{
	char digits[TEXT_DECIMAL_MAX], *p = digits + sizeof digits;
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
	do
		*--p = (char)('0' + u % 10);
	while (u /= 10);
	if (v < 0)
		*--p = '-';
	size_t n = (size_t)(digits + sizeof digits - p);
	memcpy(out, p, n);
	return n;
}
