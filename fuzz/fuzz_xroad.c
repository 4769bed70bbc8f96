/* fuzz_xroad.c — the data exchange's request: identifiers (VN/CLASS/MEMBER/…), the string a
 * client signs, and the personal IDs collected from a body for the citizens' usage log. An id
 * that passes has the parts it should; the signed string holds every part; what is collected
 * are well-formed personal IDs, each once. The body is also read as a time source's answer
 * ({"time","signature"}): one taken has a time that parses and both within their bounds. */
#include <jansson.h>

#include "core/clock.h"
#include "exchange/exchange.h"
#include "fuzz.h"
#include "registry/registry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	if (!text)
		return 0;
	char *part[8] = {0}, *p = text;
	for (int i = 0; i < 8 && p; i++) { /* method, path, client, id, user, issue, date, body: one a line */
		part[i] = p;
		p = strchr(p, '\n');
		if (p && i < 7)
			*p++ = '\0';
	}
	for (int n = 1; n <= 6; n++)
		if (part[2] && xid_valid(part[2], n)) {
			FUZZ_ASSERT(n == 1 ? !strcmp(part[2], "VN") : !strncmp(part[2], "VN/", 3));
			int slashes = 0;
			for (const char *c = part[2]; *c; c++)
				slashes += *c == '/';
			FUZZ_ASSERT(slashes == n - 1);
		}
	struct xrequest rq = {.method = part[0], .path = part[1], .client = part[2], .id = part[3], .user = part[4], .issue = part[5],
			      .date = part[6], .body = part[7], .body_len = part[7] ? strlen(part[7]) : 0};
	char *signed_string = xcall_signed_string(&rq);
	FUZZ_ASSERT(signed_string);
	for (int i = 0; i < 7; i++)
		FUZZ_ASSERT(!part[i] || strstr(signed_string, part[i]));
	free(signed_string);
	json_t *body = part[7] ? json_loads(part[7], JSON_REJECT_DUPLICATES, NULL) : NULL, *ids = json_array();
	xcall_collect_subjects(body, ids);
	size_t i, j;
	json_t *a, *b;
	json_array_foreach(ids, i, a) {
		FUZZ_ASSERT(citizen_id_check(json_string_value(a), NULL, NULL, NULL, NULL) == 0);
		json_array_foreach(ids, j, b)
			FUZZ_ASSERT(i == j || strcmp(json_string_value(a), json_string_value(b)));
	}
	json_decref(ids);
	json_decref(body);
	char time[XSTAMP_TIME_MAX], sig[128], why[200];
	if (part[7] && xstamp_read_answer(part[7], strlen(part[7]), time, sig, why, sizeof why) == 0) {
		int64_t us;
		FUZZ_ASSERT(strlen(time) < XSTAMP_TIME_MAX && strlen(sig) < sizeof sig && clock_parse_iso(time, &us) == 0);
	}
	free(text);
	return 0;
}
