/* fuzz_utf8.c — text from clients: utf8_valid, utf8_clip and utf8_scrub agree — what scrub leaves
 * is valid, valid text is left as it was, a clip of valid text is valid. */
#include "core/utf8.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_text(data, size);
	if (!s)
		return 0;
	size_t n = strlen(s);
	bool valid = utf8_valid(s, n);
	char *copy = strdup(s);
	if (copy) {
		utf8_scrub(copy);
		FUZZ_ASSERT(strlen(copy) == n && utf8_valid(copy, n));
		FUZZ_ASSERT(!valid || !strcmp(copy, s));
		free(copy);
	}
	if (valid) {
		size_t k = utf8_clip(s, n, n / 2);
		FUZZ_ASSERT(k <= n / 2 && utf8_valid(s, k));
	}
	free(s);
	return 0;
}
