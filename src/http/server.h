/* server.h — the HTTP server (libmicrohttpd): a thread pool, a database connection per thread,
 * the route table, static pages, clean shutdown on SIGTERM/SIGINT. */
#ifndef TD_SERVER_H
#define TD_SERVER_H

#include "app.h"

struct server_opts {
	const char *listen;
	int port;
	int threads;
	const char *tls_cert, *tls_key; /* PEM text; both set: HTTPS only (with HSTS) */
};

/* Serves until SIGINT or SIGTERM. Returns 0 on a clean stop, -1 when it cannot start. */
int server_run(struct app *app, const struct server_opts *o, struct err *e);

/* For /metrics: the database connections open (one a worker thread) and the worker threads. */
int server_db_connections(void);
int server_threads(void);

/* static.c: answers GET of a file under web_dir, or NULL when there is none. */
struct MHD_Response;
struct MHD_Response *static_file(const char *web_dir, const char *path, int *status);

#endif
