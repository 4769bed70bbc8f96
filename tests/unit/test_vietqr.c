/* test_vietqr.c — VietQR payloads: field layout and CRC. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "payment/vietqr.h"

static void crc_matches_the_standard_check_value(void **state)
{
	(void)state;
	assert_int_equal(vietqr_crc16("123456789", 9), 0x29B1); /* CRC-16/CCITT-FALSE check value */
}

/* Reads the top-level fields of payload into ids/values (values copied, at most 99 bytes). */
static int split(const char *p, char ids[][3], char values[][100], int max)
{
	int n = 0;
	while (*p && n < max) {
		int len = (p[2] - '0') * 10 + (p[3] - '0');
		snprintf(ids[n], 3, "%.2s", p);
		snprintf(values[n], 100, "%.*s", len, p + 4);
		p += 4 + len;
		n++;
	}
	return *p ? -1 : n;
}

static void payload_has_the_fields_in_order(void **state)
{
	(void)state;
	char out[512], ids[16][3], values[16][100];
	assert_int_equal(vietqr_payload("970415", "113000006100", 15000, "14038-261125-0001", out, sizeof out), 0);
	int n = split(out, ids, values, 16);
	assert_int_equal(n, 8);
	const char *want[] = {"00", "01", "38", "53", "54", "58", "62", "63"};
	for (int i = 0; i < 8; i++)
		assert_string_equal(ids[i], want[i]);
	assert_string_equal(values[0], "01");
	assert_string_equal(values[1], "12");
	assert_string_equal(values[2], "0010A000000727012600069704150112113000006100" "0208QRIBFTTA");
	assert_string_equal(values[3], "704");
	assert_string_equal(values[4], "15000");
	assert_string_equal(values[5], "VN");
	assert_string_equal(values[6], "081714038-261125-0001");
	/* the CRC covers everything before it, "6304" included */
	size_t body = strlen(out) - 4;
	char crc[5];
	snprintf(crc, sizeof crc, "%04X", vietqr_crc16(out, body));
	assert_string_equal(out + body, crc);
}

static void refuses_what_does_not_fit(void **state)
{
	(void)state;
	char out[512];
	assert_int_equal(vietqr_payload("97041", "1", 1, "x", out, sizeof out), -1);
	assert_int_equal(vietqr_payload("970415", "12a", 1, "x", out, sizeof out), -1);
	assert_int_equal(vietqr_payload("970415", "1", 0, "x", out, sizeof out), -1);
	char long_purpose[120];
	memset(long_purpose, 'x', sizeof long_purpose - 1);
	long_purpose[sizeof long_purpose - 1] = 0;
	assert_int_equal(vietqr_payload("970415", "1", 1, long_purpose, out, sizeof out), -1);
	assert_int_equal(vietqr_payload("970415", "1", 1, "x", out, 20), -1);
}

static void draws_an_svg(void **state)
{
	(void)state;
	char *svg = vietqr_svg("hello");
	assert_non_null(svg);
	assert_non_null(strstr(svg, "<svg"));
	assert_non_null(strstr(svg, "M"));
	free(svg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(crc_matches_the_standard_check_value),
					   cmocka_unit_test(payload_has_the_fields_in_order),
					   cmocka_unit_test(refuses_what_does_not_fit), cmocka_unit_test(draws_an_svg)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
