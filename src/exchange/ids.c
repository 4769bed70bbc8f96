/* ids.c — exchange identifiers: VN/{class}/{member}[/{subsystem}[/{service}/{version}]], class
 * GOV or COM, every other part 1-40 of A-Z a-z 0-9 . _ - (no spaces, no slashes). */
#include <stdio.h>
#include <string.h>

#include "exchange/exchange.h"

#define PART_MAX 40

static bool part_ok(const char *s, size_t n)
{
	if (n == 0 || n > PART_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
		      s[i] == '.' || s[i] == '_' || s[i] == '-'))
			return false;
	return true;
}

bool xid_valid(const char *s, int parts)
{
	if (!s || strlen(s) >= XR_ID_MAX)
		return false;
	int n = 0;
	for (const char *p = s;; n++) {
		const char *end = strchr(p, '/');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (!part_ok(p, len))
			return false;
		if (n == 0 && (len != 2 || strncmp(p, "VN", 2)))
			return false;
		if (n == 1 && !(len == 3 && (!strncmp(p, "GOV", 3) || !strncmp(p, "COM", 3))))
			return false;
		if (!end)
			break;
		p = end + 1;
	}
	return n + 1 == parts;
}

void xid_prefix(const char *id, int parts, char *out, size_t n)
{
	const char *p = id;
	for (int i = 0; i < parts && p; i++) {
		p = strchr(p, '/');
		if (p && i < parts - 1)
			p++;
	}
	size_t len = p ? (size_t)(p - id) : strlen(id);
	snprintf(out, n, "%.*s", (int)len, id);
}
