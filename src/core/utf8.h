/* utf8.h — UTF-8 validation (shortest form, no surrogates, at most U+10FFFF). */
#ifndef TD_UTF8_H
#define TD_UTF8_H

#include <stdbool.h>
#include <stddef.h>

bool utf8_valid(const char *s, size_t n);

#endif
