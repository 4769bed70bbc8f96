/* log.h — one JSON object per line on stderr. */
#ifndef TD_LOG_H
#define TD_LOG_H

void log_info(const char *event, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void log_error(const char *event, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void log_set_quiet(int quiet);

#endif
