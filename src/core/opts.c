/* opts.c — table-driven option parsing. */
#include "core/opts.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void opts_usage(const char *usage, const char *summary, const struct opt *opts)
{
	printf("usage: trondoi %s\n\n%s\n\noptions:\n", usage, summary);
	for (const struct opt *o = opts; o->name; o++) {
		char left[64];
		snprintf(left, sizeof left, "%s%s%s--%s%s%s", o->alias ? "-" : "", o->alias ? o->alias : "", o->alias ? ", " : "", o->name,
			 o->arg ? " " : "", o->arg ? o->arg : "");
		printf("  %-26s %s%s\n", left, o->help, o->required ? " (required)" : "");
	}
	printf("  %-26s %s\n", "--help", "show this help");
}

/* The option a names: "--name", or "-x" for one with alias x. */
static const struct opt *find(const struct opt *opts, const char *a)
{
	for (const struct opt *o = opts; o->name; o++)
		if ((a[1] == '-' && !strcmp(o->name, a + 2)) || (a[1] != '-' && o->alias && !strcmp(o->alias, a + 1)))
			return o;
	return NULL;
}

int opts_parse(int argc, char **argv, const struct opt *opts, const char *usage, const char *summary,
	       const char **pos, int maxpos, int *npos)
{
	*npos = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			opts_usage(usage, summary, opts);
			return 1;
		}
		const struct opt *o = a[0] == '-' && a[1] ? find(opts, a) : NULL;
		if (!o && strncmp(a, "--", 2) != 0) {
			if (*npos == maxpos) {
				fprintf(stderr, "trondoi %s: unexpected argument '%s' (see --help)\n", argv[0], a);
				return -1;
			}
			pos[(*npos)++] = a;
			continue;
		}
		if (!o) {
			fprintf(stderr, "trondoi %s: unknown option '%s' (see --help)\n", argv[0], a);
			return -1;
		}
		if (o->flag) {
			*o->flag = true;
			continue;
		}
		if (i + 1 >= argc) {
			fprintf(stderr, "trondoi %s: option '%s' needs a value (%s)\n", argv[0], a, o->arg);
			return -1;
		}
		*o->value = argv[++i];
	}
	for (const struct opt *o = opts; o->name; o++)
		if (o->required && o->value && !*o->value) {
			fprintf(stderr, "trondoi %s: option --%s is required (see --help)\n", argv[0], o->name);
			return -1;
		}
	return 0;
}

/* One "key = value" line, trimmed; false for a blank or comment line. */
static bool config_line(char *line, char **key, char **value)
{
	char *hash = strchr(line, '#');
	if (hash)
		*hash = '\0';
	char *eq = strchr(line, '=');
	char *k = line;
	while (*k == ' ' || *k == '\t')
		k++;
	if (!*k || *k == '\n' || *k == '\r')
		return false;
	if (!eq) {
		*key = k;
		*value = NULL;
		return true;
	}
	*eq = '\0';
	char *v = eq + 1, *end = eq;
	while (end > k && (end[-1] == ' ' || end[-1] == '\t'))
		*--end = '\0';
	while (*v == ' ' || *v == '\t')
		v++;
	end = v + strlen(v);
	while (end > v && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\n' || end[-1] == '\r'))
		*--end = '\0';
	*key = k;
	*value = v;
	return true;
}

int opts_config(const char *cmd, const char *path, const struct opt *opts, char **text)
{
	FILE *f = fopen(path, "r");
	*text = NULL;
	if (!f) {
		fprintf(stderr, "trondoi %s: cannot read the configuration %s\n", cmd, path);
		return -1;
	}
	size_t cap = 1 << 16, used = 0;
	char *buf = malloc(cap), line[1024];
	int n = 0, rc = buf ? 0 : -1;
	while (!rc && fgets(line, sizeof line, f)) {
		n++;
		char *key, *value;
		if (!config_line(line, &key, &value))
			continue;
		const struct opt *o = NULL;
		for (const struct opt *x = opts; x->name; x++)
			if (x->value && !strcmp(x->name, key))
				o = x;
		size_t len = value ? strlen(value) + 1 : 0;
		if (!value || !value[0] || (!o && strncmp(key, "TRONDOI_", 8)) || used + len > cap) {
			fprintf(stderr, "trondoi %s: %s line %d: %s\n", cmd, path, n,
				!value || !value[0] ? "write it as name = value" : used + len > cap ? "the file is too large" : "no such setting");
			rc = -1;
			continue;
		}
		memcpy(buf + used, value, len); /* values stay in *text, which the caller frees */
		if (o && !*o->value)            /* the command line wins */
			*o->value = buf + used;
		else if (!o)
			setenv(key, buf + used, 0); /* the environment wins */
		used += len;
	}
	fclose(f);
	*text = buf;
	return rc;
}
