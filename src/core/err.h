/* err.h — an error with an HTTP-like status, a machine-readable code and a message in
 * English and Vietnamese. Capabilities fill one; the transport turns it into a response. */
#ifndef TD_ERR_H
#define TD_ERR_H

struct err {
	int status;        /* 4xx for the caller's mistakes, 5xx for ours; 0 = no error */
	char code[48];     /* machine-readable, snake_case: "invalid_id" */
	char msg[320];     /* English */
	char msg_vi[320];  /* Vietnamese */
};

/* Sets e (when not NULL) and returns -1, so callers can write `return err_set(...)`.
 * The two format strings take the same arguments. */
int err_set(struct err *e, int status, const char *code, const char *fmt_en, const char *fmt_vi, ...)
	__attribute__((format(printf, 4, 6)));
void err_clear(struct err *e);

#endif
