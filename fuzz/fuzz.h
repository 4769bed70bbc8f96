/* fuzz.h — the libFuzzer entry point each target defines, and a NUL-terminated copy of its input.
 * `make fuzz` builds the targets with clang's libFuzzer; `make test` replays fuzz/corpus/<target>
 * through the same code with fuzz/replay.c. */
#ifndef TD_FUZZ_H
#define TD_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static inline char *fuzz_text(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (s) {
		memcpy(s, data, size);
		s[size] = '\0';
	}
	return s;
}

/* A broken invariant: a crash the fuzzer (or the replay) reports with the input. */
#define FUZZ_ASSERT(x)                                                                                                  \
	do {                                                                                                            \
		if (!(x))                                                                                               \
			abort();                                                                                        \
	} while (0)

#endif
