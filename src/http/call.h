/* call.h — one API call as the route handlers see it: who calls, the path parameters, the
 * query, the JSON body; and what they answer. Filled by server.c from an HTTP request. */
#ifndef TD_CALL_H
#define TD_CALL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "app.h"
#include "auth/auth.h"
#include "core/err.h"
#include "db/db.h"

#define CALL_MAX_PARAMS 5
#define CALL_PARAM_MAX 128
#define CALL_FILE_NAME 96

#define CALL_HEADERS 2
/* Headers a handler adds to its answer: static names, NULL when unused. */
struct call_headers {
	const char *name[CALL_HEADERS];
	char value[CALL_HEADERS][96];
};

struct call {
	struct app *app;
	struct db *db;
	const struct principal *who; /* NULL on public routes called without a token */
	const char *token;           /* the bearer token, when one was sent */
	const char *method, *path;
	char params[CALL_MAX_PARAMS][CALL_PARAM_MAX + 1];
	int nparams;
	json_t *body; /* parsed JSON object for POST/PATCH/PUT */
	const char *raw_body; /* the body as received (NULL when none) */
	size_t raw_body_len;
	void *transport;
	const struct usage_wait *wait; /* lets a handler answer once its usage entry is on disk */
	struct deferred_kept *kept;    /* a finish handler's: what the deferred work kept for the answer */
	char client[48];               /* the client's address */
	int64_t arrived_us;            /* when the request came: time limits count from it, queueing included */

	/* the answer: a JSON result with status, or err, or a raw body */
	int status;
	json_t *result;
	char *text; /* or the answer as JSON text, owned */
	struct err err;
	json_t *details; /* with err: a list naming each problem ("fields" in the answer) */
	const char *raw; /* static data, not freed */
	size_t raw_len;
	const char *raw_type;
	char *file; /* or a file's bytes, owned (malloc), sent with file_type and named file_name */
	size_t file_len;
	const char *file_type;
	char file_name[CALL_FILE_NAME];
	int retry_after; /* seconds, adds a Retry-After header when > 0 */
	struct call_headers headers; /* more headers of the answer */
};

const char *call_query(struct call *c, const char *key);
/* The query's parameters in order, up to max of them (value NULL for "?key" without "=");
 * returns how many there are in all. */
struct call_arg {
	const char *key, *value;
};
size_t call_query_all(struct call *c, struct call_arg *out, size_t max);
const char *call_header(struct call *c, const char *key);
/* Query parameter as an int in [lo, hi]; def when absent; -1 and a 400 when malformed. */
int call_query_int(struct call *c, const char *key, long lo, long hi, long def, long *out);

/* 0 = answered (status, result); -1 = c->err; USAGE_PENDING = result ready, to be sent once the
 * usage entry is on disk (c->wait reports it) */
typedef int (*call_handler)(struct call *c);

struct route {
	const char *method;
	const char *pattern; /* "/api/v1/citizens/{id}" */
	int roles;           /* 0 = public, else the roles allowed (enum role bits) */
	call_handler fn;
	const char *summary;
	int flags;
	/* for handlers that defer their work (CALL_DEFERRED): makes the answer once the work
	 * reported, with params[0] = what it reported ("" when it failed) */
	call_handler finish;
};

#define ROUTE_SLOW 1   /* runs on the slow-work threads (password hashing), not the event threads */
#define ROUTE_UPLOAD 2 /* the body is a file (up to UPLOAD_MAX), not JSON: handlers read raw_body */
#define UPLOAD_MAX (10 * 1024 * 1024)
#define ROUTE_CSV 4 /* the body is CSV text (up to CSV_BODY_MAX), not JSON: handlers read raw_body */
#define CSV_BODY_MAX (1024 * 1024)
#define ROUTE_OUTBOUND 16 /* runs on the outbound threads: it calls another node and may wait its time limit */
#define ROUTE_RAW 8 /* the body (up to 64 KiB) is left to the handler in raw_body: it must see the bytes as sent */
#define ROUTE_PRIMARY 32 /* a GET whose reads stay on the primary even with a read replica (serve --db-replica) */

extern const struct route routes[];
extern const size_t routes_count;

/* Finds the route for method and path. Returns NULL with *status 404 (no such path) or 405 (path
 * exists, method does not). */
const struct route *router_match(const char *method, const char *path, int *status);
/* Captures the {params} of path, which rt matched, into c. */
void router_params(const struct route *rt, const char *path, struct call *c);
/* The methods the routes matching path have, as an Allow header's value ("GET, POST"). */
void router_allowed(const char *path, char *out, size_t n);

#endif
