/* fuzz_json.c — request bodies: json_parse_object with the server's limits. Whatever it accepts
 * is an object that writes out and reads back the same. */
#include <jansson.h>

#include "core/json.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct err e = {0};
	json_t *v = json_parse_object((const char *)data, size, 64 * 1024, &e);
	if (!v) {
		FUZZ_ASSERT(e.status >= 400 && e.status < 500 && e.code[0]);
		return 0;
	}
	FUZZ_ASSERT(json_is_object(v));
	char *text = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
	FUZZ_ASSERT(text);
	json_t *again = json_loads(text, 0, NULL);
	FUZZ_ASSERT(again && json_equal(v, again));
	json_decref(again);
	free(text);
	json_decref(v);
	return 0;
}
