/* replay.c — runs a fuzz target over files (its corpus) without libFuzzer, so `make test` checks
 * with gcc and the sanitizers that no input once found (or seeded) breaks a parser again.
 * Usage: replay_TARGET FILE... — prints "N inputs" and exits 0, or crashes on the first bad one. */
#include <stdio.h>
#include <stdlib.h>

#include "fuzz.h"

int main(int argc, char **argv)
{
	int n = 0;
	for (int i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		if (!f) {
			fprintf(stderr, "replay: cannot read %s\n", argv[i]);
			return 2;
		}
		static uint8_t buf[1 << 20];
		size_t len = fread(buf, 1, sizeof buf, f);
		fclose(f);
		LLVMFuzzerTestOneInput(buf, len);
		n++;
	}
	printf("%d inputs\n", n);
	return 0;
}
