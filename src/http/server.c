/* server.c — request lifecycle: collect the body (bounded), match the route, authenticate,
 * parse JSON, call the handler, answer JSON with security headers. */
#include "http/server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/log.h"
#include "core/utf8.h"
#include "db/batch.h"
#include "http/call.h"
#include "http/metrics.h"
#include "report/facts.h"

#define BODY_MAX (64 * 1024)
#define JSON_TYPE "application/json; charset=utf-8"
#define MAX_THREADS 64

/* One request's state across the access handler's calls. A staff read is answered only once its
 * data-usage entry is on disk: the connection is suspended meanwhile, so a few threads serve many
 * such reads and the log writer commits them together. */
struct request {
	struct buf body;
	size_t max; /* the route's body limit */
	bool too_big;
	struct MHD_Connection *conn;
	struct usage_wait wait;
	char *pending;       /* the answer held back while suspended: JSON text, or a file's bytes */
	size_t pending_len;
	const char *pending_type; /* NULL for JSON text */
	char pending_name[CALL_FILE_NAME];
	int pending_status;
	struct call_headers pending_headers; /* more headers of the held answer (call.headers) */
	/* deferred work (CALL_DEFERRED): the route whose finish makes the answer, its caller, and
	 * what the work reported */
	const struct route *rt;
	struct principal who;
	bool has_who;
	char ref[CALL_PARAM_MAX + 1];
	struct deferred_kept *kept; /* what the work kept for the answer, until finish takes it */
	int retry_after;
	int ready;           /* 0 waiting; 1 the answer may go; -1 its usage entry failed (503); READY_FINISH */
	bool suspended;
	int64_t started_us;  /* for /metrics: when it came, its route (-1: none) and the status answered */
	int route, status;
	const struct route *matched; /* the route, found when the request came (its body limit is the route's) */
	int unmatched;		     /* else 404 or 405 */
};

/* The request this thread is answering, so that every answer's status is counted (/metrics). */
static _Thread_local struct request *answering;

static enum MHD_Result queue_answer(struct MHD_Connection *conn, unsigned status, struct MHD_Response *r)
{
	if (answering)
		answering->status = (int)status;
	return MHD_queue_response(conn, status, r);
}

#define READY_FINISH 2 /* deferred work reported: the route's finish makes the answer */

/* Work that would hold an event thread too long (argon2id takes tens of milliseconds) runs on
 * these threads; the connection is suspended meanwhile. */
#define SLOW_THREADS 2

struct job {
	struct app *app;
	struct request *rq;
	const struct route *rt;
	struct call c;
	struct principal who;
	struct job *next;
};

#define OUTBOUND_THREADS 4

/* A queue of calls and the threads that run them: the slow-work pool (password hashing, PDFs)
 * and the outbound pool (calls to other nodes, each waiting up to its time limit), apart so that
 * a silent node cannot hold up sign-ins. */
struct pool {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct job *head, *tail;
	bool stop;
	int size, nthreads;
	pthread_t threads[OUTBOUND_THREADS > SLOW_THREADS ? OUTBOUND_THREADS : SLOW_THREADS];
	const char *name; /* of its threads, as top -H shows them */
};
static struct pool slow = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, NULL, NULL, false, SLOW_THREADS, 0, {0}, "td-slow"};
static struct pool outbound = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, NULL, NULL, false, OUTBOUND_THREADS, 0, {0},
			       "td-outbound"};

/* Orders the handler's suspend against the writer's report, which may come first. */
static pthread_mutex_t pending_mu = PTHREAD_MUTEX_INITIALIZER;

static struct {
	pthread_mutex_t mu;
	struct db *all[MAX_THREADS * 2];
	int n;
} dbs = {PTHREAD_MUTEX_INITIALIZER, {0}, 0};

static _Thread_local struct db *tls_db;
static int worker_threads;

int server_db_connections(void)
{
	pthread_mutex_lock(&dbs.mu);
	int n = dbs.n;
	pthread_mutex_unlock(&dbs.mu);
	return n;
}

int server_threads(void) { return worker_threads; }

/* The calling worker thread's connection, opened on first use. */
static struct db *thread_db(struct app *app)
{
	if (tls_db)
		return tls_db;
	struct err e;
	if (db_open(&tls_db, app->db_url, false, &e)) {
		log_error("db_open", "%s", e.msg);
		return NULL;
	}
	pthread_mutex_lock(&dbs.mu);
	if (dbs.n < (int)(sizeof dbs.all / sizeof *dbs.all))
		dbs.all[dbs.n++] = tls_db;
	pthread_mutex_unlock(&dbs.mu);
	return tls_db;
}

const char *call_query(struct call *c, const char *key)
{
	return MHD_lookup_connection_value(c->transport, MHD_GET_ARGUMENT_KIND, key);
}

struct query_walk {
	struct call_arg *out;
	size_t max, n;
};

static enum MHD_Result query_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	(void)kind;
	struct query_walk *w = cls;
	if (w->n < w->max)
		w->out[w->n] = (struct call_arg){key, value};
	w->n++;
	return MHD_YES;
}

size_t call_query_all(struct call *c, struct call_arg *out, size_t max)
{
	struct query_walk w = {out, max, 0};
	MHD_get_connection_values(c->transport, MHD_GET_ARGUMENT_KIND, query_arg, &w);
	return w.n;
}

const char *call_header(struct call *c, const char *key)
{
	return MHD_lookup_connection_value(c->transport, MHD_HEADER_KIND, key);
}

int call_query_int(struct call *c, const char *key, long lo, long hi, long def, long *out)
{
	const char *s = call_query(c, key);
	*out = def;
	if (!s)
		return 0;
	char *end;
	long v = strtol(s, &end, 10);
	if (!*s || *end || v < lo || v > hi)
		return err_set(&c->err, 400, "invalid_query", "query parameter %s must be a whole number from %ld to %ld",
			       "tham số %s phải là số nguyên từ %ld đến %ld", key, lo, hi);
	*out = v;
	return 0;
}

static bool over_tls; /* this process serves HTTPS: browsers are told to keep to it (HSTS) */

static void add_security_headers(struct MHD_Response *r, bool api)
{
	if (over_tls)
		MHD_add_response_header(r, "Strict-Transport-Security", "max-age=31536000; includeSubDomains");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(r, "Content-Security-Policy",
				"default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
	if (api)
		MHD_add_response_header(r, "Cache-Control", "no-store");
}

/* Sends text (owned) with its type; with header/value (may be NULL), one more header; with
 * extra (may be NULL), the handler's. */
static enum MHD_Result send_text_with(struct MHD_Connection *conn, int status, char *text, const char *type, int retry_after,
				      const char *header, const char *value, const struct call_headers *extra)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(text);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", type);
	if (header && value)
		MHD_add_response_header(r, header, value);
	for (int i = 0; extra && i < CALL_HEADERS; i++)
		if (extra->name[i])
			MHD_add_response_header(r, extra->name[i], extra->value[i]);
	add_security_headers(r, true);
	if (retry_after > 0) {
		char s[16];
		snprintf(s, sizeof s, "%d", retry_after);
		MHD_add_response_header(r, "Retry-After", s);
	}
	enum MHD_Result rc = queue_answer(conn, (unsigned)status, r);
	MHD_destroy_response(r);
	return rc;
}

/* A file's bytes (owned, freed here) with its type, named for saving when name is given. */
static enum MHD_Result send_bytes(struct MHD_Connection *conn, int status, char *data, size_t len, const char *type,
				  const char *name)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(data);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", type);
	if (name && name[0]) {
		char cd[CALL_FILE_NAME + 32];
		snprintf(cd, sizeof cd, "inline; filename=\"%s\"", name);
		MHD_add_response_header(r, "Content-Disposition", cd);
	}
	add_security_headers(r, true);
	enum MHD_Result rc = queue_answer(conn, (unsigned)status, r);
	MHD_destroy_response(r);
	return rc;
}

static enum MHD_Result send_text(struct MHD_Connection *conn, int status, char *text, const char *type, int retry_after)
{
	return send_text_with(conn, status, text, type, retry_after, NULL, NULL, NULL);
}

static enum MHD_Result send_json(struct MHD_Connection *conn, int status, json_t *v, int retry_after)
{
	char *text = json_to_str(v);
	if (!text)
		return MHD_NO;
	return send_text(conn, status, text, JSON_TYPE, retry_after);
}

static json_t *error_json(const struct err *e, json_t *details)
{
	json_t *v = json_error(e);
	if (details)
		json_object_set(json_object_get(v, "error"), "fields", details);
	return v;
}

static enum MHD_Result send_error_details(struct MHD_Connection *conn, const struct err *e, json_t *details,
					  int retry_after)
{
	json_t *v = error_json(e, details);
	enum MHD_Result rc = send_json(conn, e->status ? e->status : 500, v, retry_after);
	json_decref(v);
	return rc;
}

static enum MHD_Result send_error(struct MHD_Connection *conn, const struct err *e, int retry_after)
{
	json_t *v = error_json(e, NULL);
	enum MHD_Result rc = send_json(conn, e->status ? e->status : 500, v, retry_after);
	json_decref(v);
	return rc;
}

static const char *bearer(struct MHD_Connection *conn)
{
	const char *h = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
	if (!h || strncasecmp(h, "Bearer ", 7))
		return NULL;
	return h + 7;
}

static bool has_body(const char *method)
{
	return !strcmp(method, "POST") || !strcmp(method, "PATCH") || !strcmp(method, "PUT");
}

/* Authenticates and authorises; fills c->who. Returns 0 or -1 with c->err. */
static int authorise(struct call *c, const struct route *rt, struct principal *who)
{
	c->token = bearer(c->transport);
	if (c->token && auth_session(c->db, c->token, who) == 0)
		c->who = who;
	if (!rt->roles)
		return 0;
	if (!c->who)
		return err_set(&c->err, 401, c->token ? "token_expired" : "unauthenticated",
			       c->token ? "your session has expired or was ended; sign in again"
				        : "sign in first: send Authorization: Bearer <token>",
			       c->token ? "phiên đăng nhập đã hết hạn hoặc đã kết thúc; hãy đăng nhập lại"
				        : "hãy đăng nhập trước: gửi Authorization: Bearer <token>");
	if (!(rt->roles & (int)c->who->role))
		return err_set(&c->err, 403, "forbidden", "your role (%s) may not do this", "vai trò của bạn (%s) không được phép làm việc này",
			       role_name(c->who->role));
	return 0;
}

/* The body limit of the route a request goes to (decided before reading the body). */
static size_t body_limit(const struct route *rt)
{
	return rt && (rt->flags & ROUTE_UPLOAD) ? UPLOAD_MAX : rt && (rt->flags & ROUTE_CSV) ? CSV_BODY_MAX : BODY_MAX;
}

static int too_large(struct err *e, size_t max)
{
	return err_set(e, 413, "body_too_large", "request body is larger than %zu bytes", "nội dung yêu cầu vượt quá %zu byte",
		       max);
}

static int parse_body(struct call *c, struct request *rq, const struct route *rt)
{
	if (!has_body(c->method) || (!rq->too_big && rq->body.len == 0))
		return 0; /* no body: handlers that need fields report them missing */
	if (rq->too_big)
		return too_large(&c->err, rq->max);
	c->raw_body = rq->body.data;
	c->raw_body_len = rq->body.len;
	if (rt->flags & (ROUTE_UPLOAD | ROUTE_CSV | ROUTE_RAW))
		return 0;
	c->body = json_parse_object(rq->body.data ? rq->body.data : "", rq->body.len, BODY_MAX, &c->err);
	return c->body ? 0 : -1;
}

static enum MHD_Result answer(struct MHD_Connection *conn, struct call *c, int rc)
{
	if (rc)
		return send_error_details(conn, &c->err, c->details, c->retry_after);
	if (c->raw) {
		struct MHD_Response *r = MHD_create_response_from_buffer(c->raw_len, (void *)c->raw, MHD_RESPMEM_PERSISTENT);
		if (!r)
			return MHD_NO;
		MHD_add_response_header(r, "Content-Type", c->raw_type);
		add_security_headers(r, true);
		enum MHD_Result res = queue_answer(conn, (unsigned)(c->status ? c->status : 200), r);
		MHD_destroy_response(r);
		return res;
	}
	if (c->file) {
		char *data = c->file;
		c->file = NULL;
		return send_bytes(conn, c->status ? c->status : 200, data, c->file_len, c->file_type, c->file_name);
	}
	if (c->text) {
		char *text = c->text;
		c->text = NULL;
		return send_text_with(conn, c->status ? c->status : 200, text, JSON_TYPE, 0, NULL, NULL, &c->headers);
	}
	if (!c->result)
		return send_text(conn, c->status ? c->status : 204, strdup(""), "text/plain", 0);
	return send_json(conn, c->status ? c->status : 200, c->result, c->retry_after);
}

/* Marks the held-back answer ready (or failed) and wakes the connection if it sleeps. */
static void set_ready(struct request *rq, int ready)
{
	pthread_mutex_lock(&pending_mu);
	rq->ready = ready;
	if (rq->suspended)
		MHD_resume_connection(rq->conn);
	pthread_mutex_unlock(&pending_mu);
}

/* Runs on the usage log's writer thread once the entry is on disk (or failed). */
static void usage_logged(void *arg, int rc)
{
	set_ready(arg, rc ? -1 : 1);
}

/* Runs on the thread that did a request's deferred work (CALL_DEFERRED): the route's finish
 * makes the answer from ref once the connection is back on its event thread. */
static void kept_release(struct deferred_kept **k)
{
	if (*k)
		(*k)->release(*k);
	*k = NULL;
}

static void resume_with(void *arg, int rc, const char *ref, struct deferred_kept *kept)
{
	struct request *rq = arg;
	pthread_mutex_lock(&pending_mu);
	utf8_copy(rq->ref, sizeof rq->ref, rc || !ref ? "" : ref);
	rq->kept = kept;
	rq->ready = READY_FINISH;
	if (rq->suspended)
		MHD_resume_connection(rq->conn);
	pthread_mutex_unlock(&pending_mu);
}

static enum MHD_Result answer(struct MHD_Connection *conn, struct call *c, int rc);

/* The answer of deferred work: the route's finish handler, given what the work reported. */
static enum MHD_Result finish(struct app *app, struct MHD_Connection *conn, struct request *rq)
{
	struct call c = {.app = app, .transport = conn, .who = rq->has_who ? &rq->who : NULL, .nparams = 1, .kept = rq->kept};
	rq->kept = NULL;
	snprintf(c.params[0], sizeof c.params[0], "%s", rq->ref);
	c.db = thread_db(app);
	int rc = c.db ? rq->rt->finish(&c)
		      : err_set(&c.err, 503, "db_unavailable", "the database is unavailable", "cơ sở dữ liệu không sẵn sàng");
	enum MHD_Result res = answer(conn, &c, rc);
	kept_release(&c.kept);
	json_decref(c.result);
	json_decref(c.details);
	free(c.text);
	free(c.file);
	if (c.db)
		db_reset_all(c.db);
	return res;
}

static enum MHD_Result answer_pending(struct app *app, struct MHD_Connection *conn, struct request *rq)
{
	enum MHD_Result res;
	if (rq->ready == READY_FINISH)
		return finish(app, conn, rq);
	if (rq->ready > 0) {
		int status = rq->pending_status ? rq->pending_status : 200;
		res = rq->pending_type ? send_bytes(conn, status, rq->pending, rq->pending_len, rq->pending_type, rq->pending_name)
				       : send_text_with(conn, status, rq->pending, JSON_TYPE, rq->retry_after, NULL, NULL,
							&rq->pending_headers);
		rq->pending = NULL; /* sent: the response owns it now */
	} else {
		struct err e;
		err_set(&e, 503, "usage_log_unavailable", "the read could not be logged, so no data is shown; try again",
			"không ghi được nhật ký sử dụng nên không hiển thị dữ liệu; hãy thử lại");
		res = send_error(conn, &e, 0);
	}
	free(rq->pending);
	rq->pending = NULL;
	return res;
}

static void client_address(struct MHD_Connection *conn, char *out, size_t n)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr_in *sa = ci ? (const struct sockaddr_in *)ci->client_addr : NULL;
	if (!sa || sa->sin_family != AF_INET || !inet_ntop(AF_INET, &sa->sin_addr, out, (socklen_t)n))
		snprintf(out, n, "unknown");
}

/* Keeps the answer of a finished call in rq (JSON text, or a file's bytes), for sending later. */
static void hold_answer(struct request *rq, struct call *c, int rc)
{
	rq->pending_type = NULL;
	rq->pending_headers = c->headers;
	if (rc > 0 || !rc) {
		rq->pending_status = c->status ? c->status : 200;
		if (c->file) {
			rq->pending = c->file;
			rq->pending_len = c->file_len;
			rq->pending_type = c->file_type;
			snprintf(rq->pending_name, sizeof rq->pending_name, "%s", c->file_name);
			c->file = NULL;
		} else if (c->text) {
			rq->pending = c->text;
			c->text = NULL;
		} else
			rq->pending = c->result ? json_to_str(c->result) : strdup("{}");
		return;
	}
	json_t *v = error_json(&c->err, c->details);
	rq->pending_status = c->err.status ? c->err.status : 500;
	rq->pending = json_to_str(v);
	json_decref(v);
}

/* A GET's reads (after the caller is known: sessions are read on the primary) may come from the
 * read replica, as stale as docs/postgresql.md allows, unless its route keeps them on the primary. */
static void reads_may_lag(struct db *db, const struct route *rt)
{
	if (!strcmp(rt->method, "GET") && !(rt->flags & ROUTE_PRIMARY))
		db_read_stale(db);
}

static void *slow_worker(void *arg)
{
	struct pool *pl = arg;
	pthread_mutex_lock(&pl->mu);
	for (;;) {
		while (!pl->head && !pl->stop)
			pthread_cond_wait(&pl->cv, &pl->mu);
		struct job *j = pl->head;
		if (!j)
			break; /* stopping and drained */
		pl->head = j->next;
		if (!pl->head)
			pl->tail = NULL;
		pthread_mutex_unlock(&pl->mu);
		struct call *c = &j->c;
		c->db = thread_db(j->app);
		if (c->db)
			reads_may_lag(c->db, j->rt);
		int rc = c->db ? j->rt->fn(c)
			       : err_set(&c->err, 503, "db_unavailable", "the database is unavailable", "cơ sở dữ liệu không sẵn sàng");
		hold_answer(j->rq, c, rc);
		j->rq->retry_after = c->retry_after;
		json_decref(c->body);
		json_decref(c->result);
		json_decref(c->details);
		free(c->text);
		free(c->file);
		if (c->db)
			db_reset_all(c->db);
		set_ready(j->rq, j->rq->pending ? 1 : -1);
		free(j);
		pthread_mutex_lock(&pl->mu);
	}
	pthread_mutex_unlock(&pl->mu);
	return NULL;
}

static int slow_start(struct pool *pl)
{
	for (; pl->nthreads < pl->size; pl->nthreads++) {
		if (pthread_create(&pl->threads[pl->nthreads], NULL, slow_worker, pl))
			return -1;
		pthread_setname_np(pl->threads[pl->nthreads], pl->name);
	}
	return 0;
}

/* Finishes the queued jobs, then stops the threads; later jobs are refused. */
static void slow_stop(struct pool *pl)
{
	pthread_mutex_lock(&pl->mu);
	pl->stop = true;
	pthread_cond_broadcast(&pl->cv);
	pthread_mutex_unlock(&pl->mu);
	for (int i = 0; i < pl->nthreads; i++)
		pthread_join(pl->threads[i], NULL);
	pl->nthreads = 0;
}

/* Hands the call to a pool's threads with the connection suspended. */
static enum MHD_Result run_slow(struct pool *pl, struct app *app, struct MHD_Connection *conn, struct request *rq,
			       const struct route *rt, struct call *c)
{
	struct job *j = calloc(1, sizeof *j);
	if (!j)
		return MHD_NO;
	*j = (struct job){.app = app, .rq = rq, .rt = rt, .c = *c};
	if (c->who) {
		j->who = *c->who;
		j->c.who = &j->who;
	}
	rq->suspended = true;
	MHD_suspend_connection(conn);
	pthread_mutex_lock(&pl->mu);
	bool refused = pl->stop;
	if (!refused) {
		if (pl->tail)
			pl->tail->next = j;
		else
			pl->head = j;
		pl->tail = j;
		pthread_cond_signal(&pl->cv);
	}
	pthread_mutex_unlock(&pl->mu);
	if (refused) { /* shutting down */
		err_set(&j->c.err, 503, "shutting_down", "the server is stopping; try again", "máy chủ đang dừng; hãy thử lại");
		hold_answer(rq, &j->c, -1);
		json_decref(j->c.body);
		free(j);
		set_ready(rq, rq->pending ? 1 : -1);
	}
	return MHD_YES;
}

static enum MHD_Result utf8_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	(void)kind;
	bool *ok = cls;
	*ok = *ok && utf8_valid(key, strlen(key)) && (!value || utf8_valid(value, strlen(value)));
	return *ok ? MHD_YES : MHD_NO;
}

/* The decoded path and every query parameter are UTF-8 text. */
static bool text_valid(struct MHD_Connection *conn, const char *url)
{
	bool ok = utf8_valid(url, strlen(url));
	if (ok)
		MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, utf8_arg, &ok);
	return ok;
}

static enum MHD_Result dispatch(struct app *app, struct MHD_Connection *conn, const char *url, const char *method,
				struct request *rq)
{
	struct call c = {.app = app, .method = method, .path = url, .transport = conn, .wait = &rq->wait, .arrived_us = rq->started_us};
	client_address(conn, c.client, sizeof c.client);
	if (!text_valid(conn, url)) {
		err_set(&c.err, 400, "invalid_utf8", "the path and the query must be UTF-8 text", "đường dẫn và tham số phải là văn bản UTF-8");
		return send_error(conn, &c.err, 0);
	}
	int status = rq->unmatched;
	const struct route *rt = rq->matched;
	if (rt) {
		rq->route = (int)(rt - routes);
		router_params(rt, url, &c);
	}
	if (!rt) {
		if (!strcmp(method, "GET") && strncmp(url, "/api/", 5)) {
			struct MHD_Response *r = static_file(app->web_dir, url, &status);
			if (r) {
				add_security_headers(r, false);
				enum MHD_Result res = queue_answer(conn, (unsigned)status, r);
				MHD_destroy_response(r);
				return res;
			}
		}
		err_set(&c.err, status, status == 404 ? "not_found" : "method_not_allowed",
			status == 404 ? "no such resource: %s" : "method not allowed on %s",
			status == 404 ? "không có tài nguyên: %s" : "phương thức không được phép với %s", url);
		if (status != 405)
			return send_error(conn, &c.err, 0);
		char allow[64]; /* 405 says which methods the resource has (RFC 9110) */
		router_allowed(url, allow, sizeof allow);
		json_t *v = error_json(&c.err, NULL);
		char *text = json_to_str(v);
		json_decref(v);
		return text ? send_text_with(conn, 405, text, JSON_TYPE, 0, "Allow", allow, NULL) : MHD_NO;
	}
	c.db = thread_db(app);
	if (!c.db) {
		err_set(&c.err, 503, "db_unavailable", "the database is unavailable", "cơ sở dữ liệu không sẵn sàng");
		return send_error(conn, &c.err, 0);
	}
	struct principal who;
	int rc = authorise(&c, rt, &who);
	if (!rc)
		rc = parse_body(&c, rq, rt);
	if (!rc && (rt->flags & (ROUTE_SLOW | ROUTE_OUTBOUND))) {
		db_reset_all(c.db);
		return run_slow(rt->flags & ROUTE_OUTBOUND ? &outbound : &slow, app, conn, rq, rt, &c);
	}
	if (!rc) {
		reads_may_lag(c.db, rt);
		rc = rt->fn(&c);
	}
	if (rc == USAGE_PENDING || rc == CALL_DEFERRED) {
		if (rc == USAGE_PENDING)
			hold_answer(rq, &c, rc);
		else { /* the route's finish answers once the work reports */
			rq->rt = rt;
			rq->has_who = c.who != NULL;
			if (c.who)
				rq->who = *c.who;
		}
		json_decref(c.result);
		json_decref(c.body);
		db_reset_all(c.db);
		pthread_mutex_lock(&pending_mu);
		bool early = rq->ready != 0;
		if (!early) {
			rq->suspended = true;
			MHD_suspend_connection(conn);
		}
		pthread_mutex_unlock(&pending_mu);
		return early ? answer_pending(app, conn, rq) : MHD_YES;
	}
	enum MHD_Result res = answer(conn, &c, rc);
	json_decref(c.body);
	json_decref(c.result);
	json_decref(c.details);
	free(c.text);
	free(c.file);
	db_reset_all(c.db);
	return res;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
				  const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	(void)version;
	struct request *rq = *con_cls;
	if (!rq) {
		rq = calloc(1, sizeof *rq);
		if (!rq)
			return MHD_NO;
		rq->matched = router_match(method, url, &rq->unmatched);
		rq->max = body_limit(rq->matched);
		buf_init(&rq->body, rq->max);
		rq->conn = conn;
		rq->wait = (struct usage_wait){usage_logged, rq, resume_with};
		rq->started_us = clock_now_us();
		rq->route = -1;
		*con_cls = rq;
		answering = rq;
		const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl && strtoull(cl, NULL, 10) > rq->max) { /* refuse before reading it */
			struct err e;
			too_large(&e, rq->max);
			return send_error(conn, &e, 0);
		}
		return MHD_YES; /* answer on a later call: keeps the connection alive */
	}
	answering = rq;
	if (rq->ready)
		return answer_pending(cls, conn, rq); /* resumed: the held-back answer may go */
	if (*upload_data_size) {
		if (!rq->too_big && buf_add(&rq->body, upload_data, *upload_data_size))
			rq->too_big = true;
		*upload_data_size = 0;
		return MHD_YES;
	}
	return dispatch(cls, conn, url, method, rq);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)conn;
	(void)toe;
	struct request *rq = *con_cls;
	if (rq) {
		if (rq->status)
			metrics_observe(rq->route, rq->status, clock_now_us() - rq->started_us);
		if (answering == rq)
			answering = NULL;
		free(rq->pending);
		kept_release(&rq->kept);
		buf_release(&rq->body);
		free(rq);
		*con_cls = NULL;
	}
}

static void raise_fd_limit(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max > 65536 ? 65536 : rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

int server_run(struct app *app, const struct server_opts *o, struct err *e)
{
	struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)o->port)};
	if (inet_pton(AF_INET, o->listen, &addr.sin_addr) != 1)
		return err_set(e, 400, "bad_listen", "--listen %s is not an IPv4 address", "--listen %s không phải địa chỉ IPv4",
			       o->listen);
	int threads = o->threads < 1 ? 1 : o->threads > MAX_THREADS ? MAX_THREADS : o->threads;
	worker_threads = threads;
	raise_fd_limit();
	sigset_t stop;
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop, NULL); /* threads started from here on inherit the mask */
	signal(SIGPIPE, SIG_IGN);
	struct err qe;
	app->registry.writer = batch_start(app->db_url, &qe);
	if (!app->registry.writer) {
		*e = qe;
		return -1;
	}
	batch_on_idle(app->registry.writer, facts_idle, &app->dossiers); /* the index's counters follow the dossiers */
	over_tls = o->tls_cert && o->tls_key;
	if (over_tls && MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
		batch_stop(app->registry.writer);
		batch_free(app->registry.writer);
		app->registry.writer = NULL;
		return err_set(e, 500, "tls_unsupported", "this libmicrohttpd has no TLS support", "libmicrohttpd này không hỗ trợ TLS");
	}
	unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME | (over_tls ? MHD_USE_TLS : 0);
	struct MHD_OptionItem tls[] = {
		{over_tls ? MHD_OPTION_HTTPS_MEM_KEY : MHD_OPTION_END, 0, (void *)o->tls_key},
		{MHD_OPTION_HTTPS_MEM_CERT, 0, (void *)o->tls_cert},
		{MHD_OPTION_END, 0, NULL},
	};
	/* libmicrohttpd zeroes a connection's whole memory pool after each request: 16 KiB holds the
	 * headers of any request we take (bodies are read in chunks) and costs half the 32 KiB's
	 * clearing, 7 % of an event thread's instructions for a submission */
	struct MHD_Daemon *d = MHD_start_daemon(
		flags, (uint16_t)o->port, NULL, NULL, on_request, app, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
		MHD_OPTION_THREAD_POOL_SIZE, (unsigned)threads, MHD_OPTION_CONNECTION_LIMIT, (unsigned)4096, MHD_OPTION_CONNECTION_TIMEOUT,
		(unsigned)30, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(16 * 1024), MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)1024,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL, MHD_OPTION_ARRAY, tls, MHD_OPTION_END);
	if (!d) {
		batch_stop(app->registry.writer);
		batch_free(app->registry.writer);
		app->registry.writer = NULL;
		return err_set(e, 500, "listen_failed", "cannot listen on %s:%d (in use?)", "không lắng nghe được tại %s:%d (cổng đang dùng?)",
			       o->listen, o->port);
	}
	if (slow_start(&slow) || slow_start(&outbound)) {
		MHD_stop_daemon(d);
		slow_stop(&slow);
		slow_stop(&outbound);
		batch_stop(app->registry.writer);
		batch_free(app->registry.writer);
		app->registry.writer = NULL;
		return err_set(e, 500, "thread_failed", "cannot start the worker threads", "không khởi động được các luồng xử lý");
	}
	log_info("serve", "listening on http://%s:%d with %d threads", o->listen, o->port, threads);
	int sig = 0;
	sigwait(&stop, &sig);
	log_info("serve", "signal %d: stopping", sig);
	batch_stop(app->registry.writer); /* writes what is queued; waiting reads are answered */
	slow_stop(&slow);
	slow_stop(&outbound);
	MHD_stop_daemon(d);
	batch_free(app->registry.writer);
	app->registry.writer = NULL;
	pthread_mutex_lock(&dbs.mu);
	for (int i = 0; i < dbs.n; i++)
		db_close(dbs.all[i]);
	dbs.n = 0;
	pthread_mutex_unlock(&dbs.mu);
	log_info("serve", "stopped cleanly");
	return 0;
}
