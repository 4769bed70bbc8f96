/* log.c — structured logging: {"at","level","event","msg"}. */
#include "core/log.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/clock.h"

static int quiet;

void log_set_quiet(int q)
{
	quiet = q;
}

static void emit(const char *level, const char *event, const char *fmt, va_list ap)
{
	char msg[1024], at[40];
	vsnprintf(msg, sizeof msg, fmt, ap);
	clock_iso(clock_now_us(), at, sizeof at);
	json_t *o = json_pack("{s:s,s:s,s:s,s:s}", "at", at, "level", level, "event", event, "msg", msg);
	char *line = o ? json_dumps(o, JSON_COMPACT) : NULL;
	if (line)
		fprintf(stderr, "%s\n", line);
	free(line);
	json_decref(o);
}

void log_info(const char *event, const char *fmt, ...)
{
	if (quiet)
		return;
	va_list ap;
	va_start(ap, fmt);
	emit("info", event, fmt, ap);
	va_end(ap);
}

void log_error(const char *event, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	emit("error", event, fmt, ap);
	va_end(ap);
}
