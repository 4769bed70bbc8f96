/* fuzz_sniff.c — uploaded files: the type is told from the content, never more than it holds. */
#include <string.h>

#include "dossier/dossier.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *type = document_sniff(data, size);
	FUZZ_ASSERT(!type || !strcmp(type, "application/pdf") || !strcmp(type, "image/jpeg") || !strcmp(type, "image/png"));
	return 0;
}
