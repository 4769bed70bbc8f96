/* text.h — Vietnamese text helpers. */
#ifndef TD_TEXT_H
#define TD_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* Lower-case ASCII without diacritics into out: "Đăng ký Khai sinh" -> "dang ky khai sinh".
 * Other non-ASCII characters are dropped. Always NUL-terminates (n > 0). */
void text_fold(const char *s, char *out, size_t n);
/* True when needle occurs in hay, ignoring case and Vietnamese diacritics. */
bool text_contains_folded(const char *hay, const char *needle);

#endif
