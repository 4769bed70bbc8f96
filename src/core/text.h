/* text.h — text helpers: Vietnamese folding and search, decimal numbers. */
#ifndef TD_TEXT_H
#define TD_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* Lower-case ASCII without diacritics into out: "Đăng ký Khai sinh" -> "dang ky khai sinh".
 * Other non-ASCII characters are dropped. Always NUL-terminates (n > 0). */
void text_fold(const char *s, char *out, size_t n);
/* True when needle occurs in hay, ignoring case and Vietnamese diacritics. */
bool text_contains_folded(const char *hay, const char *needle);

/* The decimal digits of v (with '-' when negative) into out, not NUL-terminated; their count
 * (at most 20). What snprintf("%lld") writes, without its format machinery. */
#define TEXT_DECIMAL_MAX 20
size_t text_decimal(char out[TEXT_DECIMAL_MAX], long long v);

#endif
