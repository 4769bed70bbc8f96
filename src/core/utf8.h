/* utf8.h — UTF-8 validation (shortest form, no surrogates, at most U+10FFFF) and clipping. */
#ifndef TD_UTF8_H
#define TD_UTF8_H

#include <stdbool.h>
#include <stddef.h>

bool utf8_valid(const char *s, size_t n);
/* The length of the longest prefix of s (n bytes of valid UTF-8) that is at most max bytes and
 * does not cut a character in two. */
size_t utf8_clip(const char *s, size_t n, size_t max);
/* Copies src (NUL-terminated UTF-8) into dst[cap], whole or cut on a character boundary. */
void utf8_copy(char *dst, size_t cap, const char *src);
/* Replaces, in place, every byte of s (NUL-terminated) that does not begin a valid UTF-8
 * character with '?': text made from what a client sent, or cut short, becomes valid. */
void utf8_scrub(char *s);

#endif
