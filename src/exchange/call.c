/* call.c — one exchange call, checked in order: the service exists (404), the headers are all
 * there and well formed (400), the body is a JSON object (400), the client subsystem is
 * registered (401), the X-Road-Date is near our clock (401), the signature is the client
 * member's (401), a live grant covers the service (403) and the purpose (403), the X-Road-Id is
 * new for that client (409); then the provider answers (200, or its 400/404). Whatever the
 * outcome, the call leaves a message-log entry, and the answer goes out only once that entry is
 * on disk. The signed string and the hashes are described in docs/exchange.md. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "core/json.h"
#include "core/log.h"
#include "db/batch.h"
#include "exchange/exchange.h"
#include "security/security.h"

#define B64 sodium_base64_VARIANT_ORIGINAL
#define BODY_LIMIT (64 * 1024)
#define SIGNED_PREFIX "trondoi-xroad-1"

struct xlog_job {
	struct batch_job job; /* first: the batch hands this back */
	const struct exchange *x;
	struct xlog_entry e;
	char *strings[10]; /* what e's strings point to, owned */
	bool record_id;    /* the call was authenticated: its X-Road-Id is now spent */
	bool withheld;     /* a twin with the same X-Road-Id got in first: logged, but not answered */
	struct usage_wait wait;
};

static void job_free(struct xlog_job *j)
{
	if (!j)
		return;
	for (size_t i = 0; i < sizeof j->strings / sizeof *j->strings; i++)
		free(j->strings[i]);
	free(j);
}

struct xlog_job *xlog_job_new(const struct exchange *x, const struct xlog_entry *e, bool record_id)
{
	struct xlog_job *j = calloc(1, sizeof *j);
	if (!j)
		return NULL;
	j->x = x;
	j->record_id = record_id;
	const char *s[] = {e->service, e->client, e->purpose, e->message_id, e->user_id, e->issue, e->outcome,
			   e->request_hash, e->response_hash, e->subjects};
	for (size_t i = 0; i < 10; i++)
		if (!(j->strings[i] = strdup(s[i] ? s[i] : ""))) {
			job_free(j);
			return NULL;
		}
	j->e = *e;
	j->e.service = j->strings[0];
	j->e.client = j->strings[1];
	j->e.purpose = j->strings[2];
	j->e.message_id = j->strings[3];
	j->e.user_id = j->strings[4];
	j->e.issue = j->strings[5];
	j->e.outcome = j->strings[6];
	j->e.request_hash = j->strings[7];
	j->e.response_hash = j->strings[8];
	j->e.subjects = j->strings[9];
	return j;
}

void xanswer_release(struct xanswer *a)
{
	free(a->text);
	a->text = NULL;
	job_free(a->job);
	a->job = NULL;
}

/* --- headers --- */

static bool chars_ok(const char *s, size_t max, const char *extra)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n > max)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || strchr(extra, c)))
			return false;
	}
	return true;
}

/* The purpose code of X-Road-Issue "CODE" or "CODE:reference" into out. */
static bool issue_purpose(const char *issue, char *out, size_t n)
{
	if (!chars_ok(issue, XR_FIELD_MAX, "._-:/ "))
		return false;
	const char *colon = strchr(issue, ':');
	size_t len = colon ? (size_t)(colon - issue) : strlen(issue);
	if (len == 0 || len >= n)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!((issue[i] >= 'A' && issue[i] <= 'Z') || (issue[i] >= '0' && issue[i] <= '9') || issue[i] == '_'))
			return false;
	snprintf(out, n, "%.*s", (int)len, issue);
	return true;
}

/* Each header's check; purpose receives X-Road-Issue's purpose code. */
static bool client_ok(const char *v, char purpose[48])
{
	(void)purpose;
	return xid_valid(v, 4);
}

static bool id_ok(const char *v, char purpose[48])
{
	(void)purpose;
	return chars_ok(v, XR_FIELD_MAX, "._:-");
}

static bool user_ok(const char *v, char purpose[48])
{
	(void)purpose;
	return chars_ok(v, XR_FIELD_MAX, "._-/@");
}

static bool issue_ok(const char *v, char purpose[48])
{
	return issue_purpose(v, purpose, 48);
}

static bool date_ok(const char *v, char purpose[48])
{
	(void)purpose;
	int64_t at;
	return strlen(v) <= 40 && clock_parse_iso(v, &at) == 0;
}

static bool signature_ok(const char *v, char purpose[48])
{
	(void)purpose;
	unsigned char sig[crypto_sign_BYTES];
	size_t n = 0;
	return strlen(v) < 128 && !sodium_base642bin(sig, sizeof sig, v, strlen(v), NULL, &n, NULL, B64) && n == sizeof sig;
}

static const struct header_rule {
	const char *name;
	size_t offset; /* of the value in struct xrequest */
	bool (*ok)(const char *v, char purpose[48]);
	const char *what_en, *what_vi;
} header_rules[] = {
	{"X-Road-Client", offsetof(struct xrequest, client), client_ok, "the calling subsystem, VN/CLASS/MEMBER/SUBSYSTEM",
	 "phân hệ gọi, dạng VN/NHÓM/THÀNH-VIÊN/PHÂN-HỆ"},
	{"X-Road-Id", offsetof(struct xrequest, id), id_ok, "a unique message id (1-128 of A-Z a-z 0-9 . _ : -)",
	 "mã thông điệp duy nhất (1-128 ký tự A-Z a-z 0-9 . _ : -)"},
	{"X-Road-UserId", offsetof(struct xrequest, user), user_ok, "the officer who asks (1-128 of A-Z a-z 0-9 . _ - / @)",
	 "cán bộ yêu cầu (1-128 ký tự A-Z a-z 0-9 . _ - / @)"},
	{"X-Road-Issue", offsetof(struct xrequest, issue), issue_ok,
	 "the purpose code, optionally :reference (e.g. RESIDENCE:000.00.36-251124-0007)",
	 "mã mục đích, có thể kèm :tham-chiếu (ví dụ RESIDENCE:000.00.36-251124-0007)"},
	{"X-Road-Date", offsetof(struct xrequest, date), date_ok, "the time of the request, ISO 8601", "thời điểm yêu cầu, ISO 8601"},
	{"X-Road-Signature", offsetof(struct xrequest, signature), signature_ok, "the client's Ed25519 signature, base64",
	 "chữ ký Ed25519 của bên gọi, base64"},
};

static int check_headers(const struct xrequest *rq, char purpose[48], struct err *e)
{
	for (size_t i = 0; i < sizeof header_rules / sizeof *header_rules; i++) {
		const struct header_rule *h = &header_rules[i];
		const char *v = *(const char *const *)((const char *)rq + h->offset);
		if (!v)
			return err_set(e, 400, "missing_header", "header %s is missing: send %s", "thiếu tiêu đề %s: hãy gửi %s",
				       h->name, h->what_en);
		if (!h->ok(v, purpose))
			return err_set(e, 400, "invalid_header", "header %s is malformed: it must be %s",
				       "tiêu đề %s không đúng dạng: phải là %s", h->name, h->what_en);
	}
	return 0;
}

char *xcall_signed_string(const struct xrequest *rq)
{
	char body_hash[65];
	crypto_sha256_hex(rq->body ? rq->body : "", rq->body_len, body_hash);
	struct buf b;
	buf_init(&b, 4096);
	const char *parts[] = {rq->method, rq->path, rq->client, rq->id, rq->user, rq->issue, rq->date, body_hash};
	buf_addf(&b, "%s", SIGNED_PREFIX);
	for (size_t i = 0; i < sizeof parts / sizeof *parts; i++)
		buf_addf(&b, "\n%s", parts[i] ? parts[i] : "");
	char *s = b.data ? strndup(b.data, b.len) : strdup(SIGNED_PREFIX);
	buf_release(&b);
	return s;
}

char *xcall_response_string(const char *request_hash, int status, const char *response_hash)
{
	char *s = NULL;
	return asprintf(&s, "trondoi-xroad-1-response\n%s\n%d\n%s", request_hash, status, response_hash) < 0 ? NULL : s;
}

static void sha256_b64(const char *data, size_t len, char out[48])
{
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, (const unsigned char *)data, len);
	sodium_bin2base64(out, 48, h, sizeof h, B64);
}

/* --- the steps that need the database --- */

struct grant {
	bool found, live;
	char purposes[520];
	int hide_days;
};

static int lookup_grant(struct db *db, const char *client, const char *service, struct grant *g)
{
	memset(g, 0, sizeof *g);
	struct db_stmt *st = db_prepare(db, "SELECT purposes, hide_days, revoked_at FROM exchange_grants WHERE client = ? AND service = ?");
	if (!st || db_bind(st, "tt", client, service))
		return -1;
	if (db_step(st) == DB_ROW) {
		g->found = true;
		g->live = db_col_null(st, 2);
		snprintf(g->purposes, sizeof g->purposes, "%s", db_col_text(st, 0));
		g->hide_days = (int)db_col_int(st, 1);
	}
	db_reset(st);
	return 0;
}

static bool purpose_allowed(const char *list, const char *purpose)
{
	size_t n = strlen(purpose);
	for (const char *p = list; *p;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len == n && !strncmp(p, purpose, n))
			return true;
		p += len + (end != NULL);
	}
	return false;
}

/* The client member's public key (32 bytes): 0, or -1 when the subsystem is unknown. */
static int client_key(struct db *db, const char *client, unsigned char pk[32])
{
	struct db_stmt *st = db_prepare(db, "SELECT m.public_key FROM exchange_subsystems s JOIN exchange_members m ON m.id = s.member "
					    "WHERE s.id = ?");
	if (!st || db_bind(st, "t", client) || db_step(st) != DB_ROW)
		return -1;
	size_t n = 0;
	const char *b64 = db_col_text(st, 0);
	int rc = sodium_base642bin(pk, 32, b64, strlen(b64), NULL, &n, NULL, B64) || n != 32 ? -1 : 0;
	db_reset(st);
	return rc;
}

static bool seen_id(struct db *db, const char *client, const char *id)
{
	struct db_stmt *st = db_prepare(db, "SELECT 1 FROM exchange_ids WHERE client = ? AND message_id = ?");
	bool seen = st && !db_bind(st, "tt", client, id) && db_step(st) == DB_ROW;
	if (st)
		db_reset(st);
	return seen;
}

static int service_handler(struct db *db, const char *service, char *handler, size_t n)
{
	struct db_stmt *st = db_prepare(db, "SELECT handler FROM exchange_services WHERE id = ?");
	if (!st || db_bind(st, "t", service) || db_step(st) != DB_ROW)
		return -1;
	snprintf(handler, n, "%s", db_col_text(st, 0));
	db_reset(st);
	return 0;
}

/* Every well-formed personal ID among v's strings, once each, appended to ids. */
void xcall_collect_subjects(const json_t *v, json_t *ids)
{
	size_t i;
	const char *k;
	json_t *item;
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		if (strlen(s) == CITIZEN_ID_LEN && json_array_size(ids) < XR_SUBJECTS_MAX && !citizen_id_check(s, NULL, NULL, NULL, NULL)) {
			json_array_foreach(ids, i, item)
				if (!strcmp(json_string_value(item), s))
					return;
			json_array_append_new(ids, json_string(s));
		}
	} else if (json_is_array(v))
		json_array_foreach(v, i, item)
			xcall_collect_subjects(item, ids);
	else if (json_is_object(v))
		json_object_foreach((json_t *)v, k, item)
			xcall_collect_subjects(item, ids);
}

/* What every outcome shares, worked out as the checks go. */
struct progress {
	char service[XR_ID_MAX], purpose[48], handler[40];
	bool authenticated;
	int hide_days;
	json_t *body, *result;
};

/* Runs the checks and the provider; 0 with p->result, or -1 with e. */
static int serve(const struct exchange *x, struct db *db, const struct xrequest *rq, struct progress *p, struct err *e)
{
	const char *const *sp = rq->service_parts;
	snprintf(p->service, sizeof p->service, "VN/%s/%s/%s/%s/%s", sp[0], sp[1], sp[2], sp[3], sp[4]);
	if (!x->node_id[0])
		return err_set(e, 503, "no_node", "this node has no exchange identity: run trondoi init",
			       "nút này chưa có danh tính trao đổi: hãy chạy trondoi init");
	if (!xid_valid(p->service, 6) || service_handler(db, p->service, p->handler, sizeof p->handler))
		return err_set(e, 404, "unknown_service", "no service %s on this node", "không có dịch vụ %s trên nút này", p->service);
	if (check_headers(rq, p->purpose, e))
		return -1;
	if (!(p->body = json_parse_object(rq->body ? rq->body : "", rq->body_len, BODY_LIMIT, e)))
		return -1;
	unsigned char pk[32], sig[crypto_sign_BYTES];
	if (client_key(db, rq->client, pk))
		return err_set(e, 401, "unknown_client", "client %s is not a registered subsystem", "bên gọi %s không phải phân hệ đã đăng ký",
			       rq->client);
	int64_t at = 0, now = clock_now_us();
	clock_parse_iso(rq->date, &at);
	if (at < now - XR_CLOCK_SKEW_S * 1000000LL || at > now + XR_CLOCK_SKEW_S * 1000000LL)
		return err_set(e, 401, "stale_request", "X-Road-Date %s is more than %d s from the node's clock: sign the request anew",
			       "X-Road-Date %s lệch quá %d giây so với đồng hồ của nút: hãy ký lại yêu cầu", rq->date, XR_CLOCK_SKEW_S);
	char *signed_text = xcall_signed_string(rq);
	size_t n = 0;
	sodium_base642bin(sig, sizeof sig, rq->signature, strlen(rq->signature), NULL, &n, NULL, B64);
	bool genuine = signed_text && crypto_sign_verify_detached(sig, (const unsigned char *)signed_text, strlen(signed_text), pk) == 0;
	free(signed_text);
	if (!genuine)
		return err_set(e, 401, "bad_signature", "the signature is not %s's over this request (see docs/exchange.md)",
			       "chữ ký không phải của %s trên yêu cầu này (xem docs/exchange.md)", rq->client);
	p->authenticated = true;
	struct grant g;
	if (lookup_grant(db, rq->client, p->service, &g))
		return err_set(e, 500, "db_error", "database error", "lỗi cơ sở dữ liệu");
	if (!g.found || !g.live)
		return err_set(e, 403, "no_grant", "%s holds no %sgrant on %s", "%s không có quyền truy cập %s%s", rq->client,
			       g.found ? "live " : "", p->service);
	p->hide_days = g.hide_days;
	if (!purpose_allowed(g.purposes, p->purpose))
		return err_set(e, 403, "purpose_not_allowed", "purpose %s is not allowed for %s on %s (allowed: %s)",
			       "mục đích %s không được phép cho %s với %s (được phép: %s)", p->purpose, rq->client, p->service, g.purposes);
	if (seen_id(db, rq->client, rq->id)) {
		p->authenticated = false; /* the id is spent already: nothing to record */
		return err_set(e, 409, "replayed", "X-Road-Id %s was used before by %s: each message needs a new id",
			       "X-Road-Id %s đã được %s dùng trước đó: mỗi thông điệp cần mã mới", rq->id, rq->client);
	}
	return xprovider_run(x, db, p->handler, p->body, &p->result, e);
}

static char *safe_copy(const char *s, size_t max)
{
	if (!s)
		return strdup("");
	char *out = strndup(s, max);
	for (char *c = out; c && *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
	return out;
}

int xcall_handle(const struct exchange *x, struct db *db, const struct xrequest *rq, struct xanswer *out)
{
	memset(out, 0, sizeof *out);
	struct progress p = {0};
	struct err e = {0};
	int rc = serve(x, db, rq, &p, &e);
	json_t *answer = rc ? json_error(&e) : json_incref(p.result);
	out->status = rc ? (e.status ? e.status : 500) : 200;
	out->text = answer ? json_dumps(answer, JSON_COMPACT) : NULL;
	char *signed_text = xcall_signed_string(rq);
	if (signed_text)
		sha256_b64(signed_text, strlen(signed_text), out->request_hash);
	free(signed_text);
	char response_hash[48] = "";
	if (out->text)
		sha256_b64(out->text, strlen(out->text), response_hash);
	char *response_text = x->has_key ? xcall_response_string(out->request_hash, out->status, response_hash) : NULL;
	if (response_text) { /* the answer, signed: a calling node checks it with this node's public key */
		unsigned char sig[crypto_sign_BYTES];
		crypto_sign_detached(sig, NULL, (const unsigned char *)response_text, strlen(response_text), x->sk);
		sodium_bin2base64(out->response_signature, sizeof out->response_signature, sig, sizeof sig, B64);
		free(response_text);
	}
	json_t *ids = json_array();
	if (!p.body && rq->body) /* refused before the body was read: whom it concerned is still logged */
		p.body = json_loadb(rq->body, rq->body_len < BODY_LIMIT ? rq->body_len : BODY_LIMIT, JSON_REJECT_DUPLICATES, NULL);
	xcall_collect_subjects(p.body, ids);
	xcall_collect_subjects(p.result, ids);
	char *subjects = json_dumps(ids, JSON_COMPACT);
	char *client = safe_copy(rq->client, XR_FIELD_MAX), *id = safe_copy(rq->id, XR_FIELD_MAX);
	char *user = safe_copy(rq->user, XR_FIELD_MAX), *issue = safe_copy(rq->issue, XR_FIELD_MAX);
	int64_t now = clock_now_us();
	struct xlog_entry entry = {.at = now, .service = p.service, .client = client, .purpose = p.purpose,
				   .status = out->status, .message_id = id, .user_id = user, .issue = issue,
				   .outcome = rc ? e.code : "ok", .request_hash = out->request_hash, .response_hash = response_hash,
				   .subjects = subjects, .hide_until = now + (int64_t)p.hide_days * 86400 * 1000000LL};
	struct xlog_job *j = client && id && user && issue && subjects ? xlog_job_new(x, &entry, p.authenticated) : NULL;
	free(subjects);
	free(client);
	free(id);
	free(user);
	free(issue);
	out->job = j;
	json_decref(ids);
	json_decref(answer);
	json_decref(p.body);
	json_decref(p.result);
	if (!out->text || !out->job) {
		xanswer_release(out);
		return -1;
	}
	return 0;
}

/* --- writing the entry --- */

/* A spent message id matters only while its request could still be replayed: until its
 * X-Road-Date, at most XR_CLOCK_SKEW_S after it was received, is itself XR_CLOCK_SKEW_S old. Ids
 * older than that (with a margin) are forgotten every XR_IDS_PRUNE_EVERY messages, so the table
 * stays the size of a quarter of an hour's traffic. */
#define XR_IDS_KEEP_US ((3LL * XR_CLOCK_SKEW_S) * 1000000LL)
#define XR_IDS_PRUNE_EVERY 1024

static int apply(struct db *db, struct batch_job *bj)
{
	struct xlog_job *j = (struct xlog_job *)bj;
	if (j->record_id) {
		if (db_run(db, "INSERT INTO exchange_ids (client, message_id, at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING", "tti",
			   j->e.client, j->e.message_id, j->e.at) != DB_DONE)
			return -1;
		if (db_changes(db) == 0) { /* a twin of this message got in first: this one is logged as withheld */
			j->withheld = true;
			j->e.status = 503;
			j->e.outcome = "replayed_concurrently"; /* a literal: strings[] still owns the original */
			j->e.response_hash = "";
		}
	}
	if (xlog_append(db, &j->e, j->x->has_key ? j->x->sk : NULL))
		return -1;
	if (!strcmp(j->e.outcome, "no_grant") || !strcmp(j->e.outcome, "purpose_not_allowed")) /* the threat rules watch these */
		security_observe_exchange_refused(db, j->e.client, j->e.service, j->e.outcome, j->e.at);
	if (j->e.seq % XR_IDS_PRUNE_EVERY == 0 &&
	    db_run(db, "DELETE FROM exchange_ids WHERE at < ?", "i", j->e.at - XR_IDS_KEEP_US) != DB_DONE)
		return -1;
	return 0;
}

static void done(struct batch_job *bj, int rc)
{
	struct xlog_job *j = (struct xlog_job *)bj;
	if (rc)
		log_error("exchange", "the message-log entry of %s from %s was not written", j->e.message_id, j->e.client);
	if (j->wait.fn)
		j->wait.fn(j->wait.arg, rc || j->withheld ? -1 : 0);
	job_free(j);
}

static void done_quietly(struct batch_job *bj, int rc)
{
	struct xlog_job *j = (struct xlog_job *)bj;
	if (rc)
		log_error("exchange", "the message-log entry of %s from %s was not written", j->e.message_id, j->e.client);
	job_free(j);
}

void xlog_job_queue(const struct exchange *x, struct db *db, struct xlog_job *j)
{
	struct batch *writer = x->registry ? x->registry->writer : NULL;
	j->job.apply = apply;
	j->job.done = done_quietly;
	if (!writer || batch_submit(writer, &j->job))
		xlog_job_write(x, db, j);
}

int xlog_job_write(const struct exchange *x, struct db *db, struct xlog_job *j)
{
	j->job.apply = apply;
	j->job.done = NULL; /* batch_run's caller waits instead */
	int rc = batch_run(x->registry ? x->registry->writer : NULL, db, &j->job);
	if (!rc && j->withheld)
		rc = -1;
	job_free(j);
	return rc;
}

int xcall_log(const struct exchange *x, struct db *db, struct xanswer *a, const struct usage_wait *w)
{
	struct xlog_job *j = a->job;
	a->job = NULL;
	struct batch *writer = x->registry ? x->registry->writer : NULL;
	if (!writer || !w)
		return xlog_job_write(x, db, j);
	j->job.apply = apply;
	j->job.done = done;
	j->wait = *w;
	if (batch_submit(writer, &j->job)) {
		job_free(j);
		return -1;
	}
	return USAGE_PENDING;
}
