/* fuzz_csv.c — CSV imports: csv_split on one record. It answers -1 or at most max fields, each
 * a string inside the line it split. */
#include "core/csv.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > CSV_MAX_LINE)
		return 0;
	char *line = fuzz_text(data, size);
	if (!line)
		return 0;
	char *fields[CSV_MAX_FIELDS];
	int n = csv_split(line, fields, CSV_MAX_FIELDS);
	FUZZ_ASSERT(n >= -1 && n <= CSV_MAX_FIELDS);
	for (int i = 0; i < n; i++)
		FUZZ_ASSERT(fields[i] >= line && fields[i] <= line + size && strlen(fields[i]) <= size);
	free(line);
	return 0;
}
