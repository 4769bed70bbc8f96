/* test_text.c — folding Vietnamese text, UTF-8 validation and clipping, decimal numbers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "core/text.h"
#include "core/utf8.h"

static void folds_diacritics_and_case(void **state)
{
	(void)state;
	char out[64];
	text_fold("Đăng ký Khai sinh", out, sizeof out);
	assert_string_equal(out, "dang ky khai sinh");
	text_fold("NGUYỄN THỊ ÁNH Ưu Ơn", out, sizeof out);
	assert_string_equal(out, "nguyen thi anh uu on");
	text_fold("abc", out, 3); /* bounded */
	assert_string_equal(out, "ab");
	text_fold("x\xC3", out, sizeof out); /* a cut sequence is a stray byte, not a read past the end */
	assert_string_equal(out, "x");
	assert_true(text_contains_folded("Cấp Giấy xác nhận tình trạng hôn nhân", "TINH TRANG hon"));
	assert_false(text_contains_folded("Đăng ký kết hôn", "khai sinh"));
	assert_false(text_contains_folded(NULL, "x"));
}

static void validates_utf8(void **state)
{
	(void)state;
	const char *good = "Việt Nam 🇻🇳";
	assert_true(utf8_valid(good, strlen(good)));
	assert_false(utf8_valid("\xff", 1));
	assert_false(utf8_valid("\xC0\x80", 2));     /* overlong NUL */
	assert_false(utf8_valid("\xED\xA0\x80", 3)); /* a surrogate */
	assert_false(utf8_valid("\xE1\xBB", 2));     /* cut short */
	assert_false(utf8_valid("\xF4\x90\x80\x80", 4)); /* past U+10FFFF */
}

static void clips_utf8_on_character_boundaries(void **state)
{
	(void)state;
	const char *s = "Hồ sơ"; /* H, ồ (3 bytes), space, s, ơ (2 bytes): 8 bytes */
	assert_int_equal(utf8_clip(s, strlen(s), 100), 8);
	assert_int_equal(utf8_clip(s, strlen(s), 8), 8);
	assert_int_equal(utf8_clip(s, strlen(s), 7), 6); /* not half of ơ */
	assert_int_equal(utf8_clip(s, strlen(s), 3), 1); /* not part of ồ */
	assert_int_equal(utf8_clip(s, strlen(s), 4), 4);
	assert_int_equal(utf8_clip(s, strlen(s), 0), 0);
	assert_int_equal(utf8_clip("🇻🇳", 8, 5), 4);
}

static void copies_utf8_whole_or_cut_on_a_boundary(void **state)
{
	(void)state;
	char small[8], big[32];
	utf8_copy(big, sizeof big, "Hồ sơ");
	assert_string_equal(big, "Hồ sơ");
	utf8_copy(small, sizeof small, "Hồ sơ"); /* 7 bytes of room: not half of ơ */
	assert_string_equal(small, "Hồ s");
	utf8_copy(small, 1, "Hồ sơ");
	assert_string_equal(small, "");
}

/* text_decimal writes what snprintf("%lld") writes. */
static void writes_decimal_numbers(void **state)
{
	(void)state;
	long long cases[] = {0, 7, -7, 10, 1234567890123LL, -100, LLONG_MAX, LLONG_MIN};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char ours[TEXT_DECIMAL_MAX + 1], want[32];
		ours[text_decimal(ours, cases[i])] = 0;
		snprintf(want, sizeof want, "%lld", cases[i]);
		assert_string_equal(ours, want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(folds_diacritics_and_case), cmocka_unit_test(validates_utf8),
					   cmocka_unit_test(clips_utf8_on_character_boundaries),
					   cmocka_unit_test(copies_utf8_whole_or_cut_on_a_boundary),
					   cmocka_unit_test(writes_decimal_numbers)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
