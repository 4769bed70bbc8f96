/* err.c — filling struct err. */
#include "core/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int err_set(struct err *e, int status, const char *code, const char *fmt_en, const char *fmt_vi, ...)
{
	if (!e)
		return -1;
	e->status = status;
	snprintf(e->code, sizeof e->code, "%s", code);
	va_list ap;
	va_start(ap, fmt_vi);
	va_list ap2;
	va_copy(ap2, ap);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	vsnprintf(e->msg, sizeof e->msg, fmt_en, ap);
	vsnprintf(e->msg_vi, sizeof e->msg_vi, fmt_vi, ap2);
#pragma GCC diagnostic pop
	va_end(ap2);
	va_end(ap);
	return -1;
}

void err_clear(struct err *e)
{
	memset(e, 0, sizeof *e);
}
