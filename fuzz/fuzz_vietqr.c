/* fuzz_vietqr.c — VietQR payloads built from what a dossier holds (the account, the amount, the
 * purpose text): either refused or a payload of well-formed EMVCo fields whose CRC checks. */
#include <stdio.h>

#include "fuzz.h"
#include "payment/vietqr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 8)
		return 0;
	int64_t amount;
	memcpy(&amount, data, sizeof amount);
	char *rest = fuzz_text(data + 8, size - 8);
	if (!rest)
		return 0;
	char *purpose = strchr(rest, '|');
	if (purpose)
		*purpose++ = '\0';
	char out[512];
	if (!vietqr_payload("970415", rest, amount, purpose ? purpose : "", out, sizeof out)) {
		size_t n = strlen(out);
		FUZZ_ASSERT(n > 8 && !strncmp(out + n - 8, "6304", 4));
		for (size_t i = 0; i + 4 <= n - 8;) { /* ID (2 digits), length (2 digits), value */
			FUZZ_ASSERT(out[i] >= '0' && out[i] <= '9' && out[i + 2] >= '0' && out[i + 2] <= '9');
			i += 4 + (size_t)((out[i + 2] - '0') * 10 + (out[i + 3] - '0'));
			FUZZ_ASSERT(i <= n);
		}
		char crc[5];
		snprintf(crc, sizeof crc, "%04X", vietqr_crc16(out, n - 4));
		FUZZ_ASSERT(!strcmp(out + n - 4, crc));
	}
	free(rest);
	return 0;
}
