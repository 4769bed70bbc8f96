/* router.c — matching a request against the route table. */
#include <stdio.h>
#include <string.h>

#include "http/call.h"

/* Matches path against pattern segment by segment; with c, fills c->params on success (only
 * then: most routes are tried and refused for each request, so nothing is copied before the
 * whole path matches). */
static bool match(const char *pattern, const char *path, struct call *c)
{
	struct {
		const char *at;
		size_t len;
	} params[CALL_MAX_PARAMS];
	int n = 0;
	const char *p = pattern, *s = path;
	while (*p && *s) {
		if (*p != '/' || *s != '/')
			return false;
		p++;
		s++;
		const char *pe = strchr(p, '/'), *se = strchr(s, '/');
		size_t pl = pe ? (size_t)(pe - p) : strlen(p), sl = se ? (size_t)(se - s) : strlen(s);
		if (pl > 2 && p[0] == '{' && p[pl - 1] == '}') {
			if (sl == 0 || sl > CALL_PARAM_MAX || n == CALL_MAX_PARAMS)
				return false;
			params[n].at = s;
			params[n++].len = sl;
		} else if (pl != sl || memcmp(p, s, pl))
			return false;
		p += pl;
		s += sl;
	}
	if (*p || *s)
		return false;
	if (!c)
		return true;
	for (int i = 0; i < n; i++) {
		memcpy(c->params[i], params[i].at, params[i].len);
		c->params[i][params[i].len] = 0;
	}
	c->nparams = n;
	return true;
}

/* Whether path may match pattern: their text agrees up to the pattern's first parameter (most
 * routes are refused here, in a few characters, before the segment-by-segment match). */
static bool may_match(const char *pattern, const char *path)
{
	while (*pattern && *pattern != '{' && *pattern == *path) {
		pattern++;
		path++;
	}
	return *pattern == '{' || (!*pattern && !*path);
}

const struct route *router_match(const char *method, const char *path, int *status)
{
	*status = 404;
	for (size_t i = 0; i < routes_count; i++) {
		if (!may_match(routes[i].pattern, path) || !match(routes[i].pattern, path, NULL))
			continue;
		if (!strcmp(routes[i].method, method))
			return &routes[i];
		*status = 405;
	}
	return NULL;
}

void router_params(const struct route *rt, const char *path, struct call *c) { match(rt->pattern, path, c); }

void router_allowed(const char *path, char *out, size_t n)
{
	size_t len = 0;
	out[0] = 0;
	for (size_t i = 0; i < routes_count; i++)
		if (match(routes[i].pattern, path, NULL) && !strstr(out, routes[i].method) &&
		    len + strlen(routes[i].method) + 3 < n)
			len += (size_t)snprintf(out + len, n - len, "%s%s", len ? ", " : "", routes[i].method);
}
