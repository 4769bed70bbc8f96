/* peers.c — federation: other trondoi nodes (another province) that this node calls through the
 * exchange. A peer is told to this node with its address and public key; this node calls it as
 * the client {node}/TRONDOI, signing with the node key, within a time limit, and checks that the
 * answer names the request it sent (X-Road-Request-Hash). Each outgoing call is also in this
 * node's message log. */
#include <curl/curl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "core/json.h"
#include "core/log.h"
#include "dossier/dossier.h"
#include "exchange/exchange.h"

#define B64 sodium_base64_VARIANT_ORIGINAL
#define URL_MAX 200
#define ANSWER_MAX (256 * 1024)
#define TIMEOUT_MS_DEFAULT 5000L

int xpeer_add(struct db *db, const char *node_id, const char *url, const char *public_key, struct err *e)
{
	if (!url || (strncmp(url, "http://", 7) && strncmp(url, "https://", 8)) || strlen(url) > URL_MAX || strchr(url, ' '))
		return err_set(e, 400, "invalid_url", "--url must be an http:// or https:// address of at most %d bytes",
			       "--url phải là địa chỉ http:// hoặc https:// dài tối đa %d byte", URL_MAX);
	char name[XR_ID_MAX + 16], clean[URL_MAX + 1];
	snprintf(name, sizeof name, "trondoi node %s", node_id ? node_id : "");
	size_t n = strlen(url);
	snprintf(clean, sizeof clean, "%.*s", (int)(n && url[n - 1] == '/' ? n - 1 : n), url);
	if (db_begin(db))
		return err_set(e, 503, "db_busy", "database busy: %s", "cơ sở dữ liệu bận: %s", db_errmsg(db));
	/* the member (so grants can name it) and its address commit together */
	if (xmember_write(db, node_id, name, public_key, XR_PEER_SUBSYSTEM, e) ||
	    db_run(db, "INSERT INTO exchange_peers (node_id, url, public_key, created_at) VALUES (?, ?, ?, ?) "
		       "ON CONFLICT (node_id) DO UPDATE SET url = excluded.url, public_key = excluded.public_key",
		   "ttti", node_id, clean, public_key, clock_now_us()) != DB_DONE ||
	    audit_append(db, "system", "exchange.peer", node_id, NULL) || db_commit(db)) {
		db_rollback(db);
		return e->status ? -1 : err_set(e, 500, "db_error", "database error: %s", "lỗi cơ sở dữ liệu: %s", db_errmsg(db));
	}
	return 0;
}

static int peer_of(struct db *db, const char *node, char url[URL_MAX + 1], char public_key[64])
{
	struct db_stmt *st = db_prepare(db, "SELECT url, public_key FROM exchange_peers WHERE node_id = ?");
	if (!st || db_bind(st, "t", node) || db_step(st) != DB_ROW)
		return -1;
	snprintf(url, URL_MAX + 1, "%s", db_col_text(st, 0));
	snprintf(public_key, 64, "%s", db_col_text(st, 1));
	db_reset(st);
	return 0;
}

/* True when the query names the applicant, and no one else. */
static bool asks_about_only(const json_t *query, const char *applicant)
{
	json_t *ids = json_array();
	xcall_collect_subjects(query, ids);
	bool yes = json_array_size(ids) == 1 && !strcmp(json_string_value(json_array_get(ids, 0)), applicant);
	json_decref(ids);
	return yes;
}

/* The dossier a fetch is for: it is on this node, the officer handles it (its unit and agency,
 * or the unit's leader), and the query asks about its applicant and no one else. */
static int fetch_dossier(struct db *db, const struct principal *who, const char *code, const json_t *query, struct err *e)
{
	struct dossier_row r;
	if (!code || !code[0])
		return err_set(e, 422, "missing_dossier", "name the \"dossier\" the data is for: its code is the call's purpose",
			       "hãy nêu \"dossier\" cần dữ liệu: mã hồ sơ là mục đích của cuộc gọi");
	if (dossier_load(db, code, &r, e))
		return e->status == 404 ? err_set(e, 404, "unknown_dossier", "no dossier %s on this node",
						  "không có hồ sơ %s trên nút này", code)
					: -1;
	int rc = 0;
	if (!dossier_desk_of(who, r.unit, r.agency))
		rc = err_set(e, 403, "not_your_dossier", "dossier %s is handled by another desk (unit %s, %s): only its officers "
							 "may fetch data for it",
			     "hồ sơ %s do bộ phận khác xử lý (đơn vị %s, %s): chỉ cán bộ xử lý hồ sơ mới được lấy dữ liệu cho hồ sơ",
			     code, r.unit, r.agency);
	else if (!asks_about_only(query, r.applicant))
		rc = err_set(e, 422, "not_the_applicant", "the query must name the applicant of dossier %s, and no one else",
			     "truy vấn phải nêu người nộp hồ sơ %s và không ai khác", code);
	dossier_row_release(&r);
	return rc;
}

struct reply {
	struct buf body;
	char request_hash[64], signature[128];
};

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
	struct reply *r = ud;
	return buf_add(&r->body, p, size * n) ? 0 : size * n; /* beyond ANSWER_MAX: curl stops */
}

/* The value of header line p (len bytes) into out when it is name's. */
static void header_value(const char *p, size_t len, const char *name, char *out, size_t n)
{
	size_t nl = strlen(name);
	if (len <= nl || strncasecmp(p, name, nl))
		return;
	const char *v = p + nl;
	size_t vl = len - nl;
	while (vl && (*v == ' ' || *v == '\t'))
		v++, vl--;
	while (vl && (v[vl - 1] == '\r' || v[vl - 1] == '\n' || v[vl - 1] == ' '))
		vl--;
	snprintf(out, n, "%.*s", (int)vl, v);
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
	struct reply *r = ud;
	header_value(p, size * n, "x-road-request-hash:", r->request_hash, sizeof r->request_hash);
	header_value(p, size * n, "x-road-response-signature:", r->signature, sizeof r->signature);
	return size * n;
}

/* True when the peer (public_key, base64) signed this answer to this request. */
static bool answer_signed(const char *public_key, const char *request_hash, long status, const char *answer,
			  const char *signature)
{
	unsigned char pk[32], sig[crypto_sign_BYTES], h[crypto_hash_sha256_BYTES];
	size_t n = 0, m = 0;
	char response_hash[48];
	if (sodium_base642bin(pk, sizeof pk, public_key, strlen(public_key), NULL, &n, NULL, B64) || n != sizeof pk ||
	    sodium_base642bin(sig, sizeof sig, signature, strlen(signature), NULL, &m, NULL, B64) || m != sizeof sig)
		return false;
	crypto_hash_sha256(h, (const unsigned char *)answer, strlen(answer));
	sodium_bin2base64(response_hash, sizeof response_hash, h, sizeof h, B64);
	char *text = xcall_response_string(request_hash, (int)status, response_hash);
	bool ok = text && crypto_sign_verify_detached(sig, (const unsigned char *)text, strlen(text), pk) == 0;
	free(text);
	return ok;
}

/* The time limit of a call to another node, and what is left of it when it counts from since_us
 * (the request's arrival; 0: now). */
struct time_limit {
	long ms, left_ms;
};

static struct time_limit time_limit(int64_t since_us)
{
	const char *s = getenv("TRONDOI_EXCHANGE_TIMEOUT_MS");
	long v = s ? strtol(s, NULL, 10) : 0;
	struct time_limit t = {v >= 100 && v <= 120000 ? v : TIMEOUT_MS_DEFAULT, 0};
	int64_t spent_ms = since_us > 0 ? (clock_now_us() - since_us) / 1000 : 0;
	t.left_ms = spent_ms < t.ms ? t.ms - (long)spent_ms : 0;
	return t;
}

/* What is left of the time limit into t; 504 when none is (the call waited its whole limit for an
 * outbound thread: nothing is sent). */
static int time_left(int64_t since_us, const char *node, struct time_limit *t, struct err *e)
{
	*t = time_limit(since_us);
	if (t->left_ms > 0)
		return 0;
	return err_set(e, 504, "peer_timeout",
		       "the time limit of %ld ms for calls to node %s passed while this call waited its turn; nothing was sent or "
		       "changed, try again later",
		       "đã hết thời hạn %ld ms cho cuộc gọi tới nút %s trong khi cuộc gọi chờ đến lượt; chưa gửi và chưa thay đổi gì, "
		       "hãy thử lại sau",
		       t->ms, node);
}

/* Calls waiting for each node's answer. A node that does not answer may hold at most PER_NODE of
 * the outbound threads (server.c has four): a call beyond that is refused at once, so calls to
 * the other nodes still find a thread. Each call in flight holds a thread, so the table never
 * needs more rows than there are threads. */
#define PER_NODE 2
#define IN_FLIGHT_ROWS 16

static struct {
	pthread_mutex_t mu;
	struct {
		char node[XR_ID_MAX + 1];
		int calls;
	} rows[IN_FLIGHT_ROWS];
} in_flight = {PTHREAD_MUTEX_INITIALIZER, {{"", 0}}};

/* Takes one of the node's PER_NODE places; 503 peer_busy when they are all taken. */
static int node_enter(const char *node, struct err *e)
{
	pthread_mutex_lock(&in_flight.mu);
	int found = -1, free_row = -1;
	for (int i = 0; i < IN_FLIGHT_ROWS; i++) {
		if (in_flight.rows[i].calls && !strcmp(in_flight.rows[i].node, node))
			found = i;
		else if (!in_flight.rows[i].calls && free_row < 0)
			free_row = i;
	}
	int row = found >= 0 ? found : free_row, rc = 0;
	if (row < 0 || (found >= 0 && in_flight.rows[row].calls >= PER_NODE))
		rc = err_set(e, 503, "peer_busy",
			     "%d calls are already waiting for node %s to answer; this one was not sent, nothing was changed: try again "
			     "later",
			     "đã có %d cuộc gọi đang chờ nút %s trả lời; cuộc gọi này chưa được gửi, chưa có gì thay đổi: hãy thử lại sau",
			     PER_NODE, node);
	else {
		snprintf(in_flight.rows[row].node, sizeof in_flight.rows[row].node, "%s", node);
		in_flight.rows[row].calls++;
	}
	pthread_mutex_unlock(&in_flight.mu);
	return rc;
}

static void node_leave(const char *node)
{
	pthread_mutex_lock(&in_flight.mu);
	for (int i = 0; i < IN_FLIGHT_ROWS; i++)
		if (in_flight.rows[i].calls && !strcmp(in_flight.rows[i].node, node)) {
			in_flight.rows[i].calls--;
			break;
		}
	pthread_mutex_unlock(&in_flight.mu);
}

/* Sends the signed request, waiting what is left of the limit; *status the peer's HTTP status,
 * or -1 with e (502, 504). */
static int send_request(const char *url, const struct xrequest *rq, const char *signature, struct time_limit limit,
			struct reply *r, long *status, struct err *e, const char *node)
{
	CURL *curl = curl_easy_init();
	if (!curl)
		return err_set(e, 500, "out_of_memory", "out of memory", "hết bộ nhớ");
	char h[7][XR_FIELD_MAX + 40];
	snprintf(h[0], sizeof h[0], "X-Road-Client: %s", rq->client);
	snprintf(h[1], sizeof h[1], "X-Road-Id: %s", rq->id);
	snprintf(h[2], sizeof h[2], "X-Road-UserId: %s", rq->user);
	snprintf(h[3], sizeof h[3], "X-Road-Issue: %s", rq->issue);
	snprintf(h[4], sizeof h[4], "X-Road-Date: %s", rq->date);
	snprintf(h[5], sizeof h[5], "X-Road-Signature: %s", signature);
	snprintf(h[6], sizeof h[6], "Content-Type: application/json");
	struct curl_slist *list = NULL;
	for (size_t i = 0; i < 7; i++)
		list = curl_slist_append(list, h[i]);
	char full[URL_MAX + XR_ID_MAX + 8];
	snprintf(full, sizeof full, "%s%s", url, rq->path);
	curl_easy_setopt(curl, CURLOPT_URL, full);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDS, rq->body);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)rq->body_len);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, limit.left_ms);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, limit.left_ms);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(curl, CURLOPT_HEADERDATA, r);
	CURLcode rc = curl_easy_perform(curl);
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, status);
	curl_slist_free_all(list);
	curl_easy_cleanup(curl);
	if (rc == CURLE_OPERATION_TIMEDOUT)
		return err_set(e, 504, "peer_timeout", "node %s did not answer within %ld ms; nothing was changed, try again later",
			       "nút %s không trả lời trong %ld ms; chưa có gì thay đổi, hãy thử lại sau", node, limit.ms);
	if (rc != CURLE_OK)
		return err_set(e, 502, "peer_unreachable", "node %s cannot be reached (%s); nothing was changed, try again later",
			       "không kết nối được nút %s (%s); chưa có gì thay đổi, hãy thử lại sau", node, curl_easy_strerror(rc));
	return 0;
}

struct fetch {
	const char *node, *service, *purpose, *dossier;
	const json_t *query;
	char path[XR_ID_MAX + 8], client[XR_ID_MAX + 16], id[33], date[40], issue[XR_FIELD_MAX + 1];
};

static int fetch_args(const struct exchange *x, struct db *db, const struct principal *who, const json_t *body,
		      struct fetch *f, struct err *e)
{
	f->node = json_string_value(json_object_get(body, "node"));
	f->service = json_string_value(json_object_get(body, "service"));
	f->purpose = json_string_value(json_object_get(body, "purpose"));
	f->dossier = json_string_value(json_object_get(body, "dossier"));
	f->query = json_object_get(body, "query");
	/* what a refusal is logged with, too */
	snprintf(f->issue, sizeof f->issue, "%s%s%s", f->purpose ? f->purpose : "", f->dossier ? ":" : "",
		 f->dossier ? f->dossier : "");
	snprintf(f->client, sizeof f->client, "%s/%s", x->node_id, XR_PEER_SUBSYSTEM);
	crypto_random_hex(f->id, 16);
	clock_iso(clock_now_us(), f->date, sizeof f->date);
	if (!xid_valid(f->node, 3) || !xid_valid(f->service, 6) || !f->purpose || strlen(f->purpose) > 64 ||
	    !json_is_object(f->query))
		return err_set(e, 422, "invalid_fetch", "name the \"node\" (VN/GOV/36), the \"service\" (VN/…/VERSION), the "
							"\"purpose\" code and the \"query\" object",
			       "hãy nêu \"node\" (VN/GOV/36), \"service\" (VN/…/PHIÊN-BẢN), mã \"purpose\" và đối tượng \"query\"");
	if (fetch_dossier(db, who, f->dossier, f->query, e))
		return -1;
	snprintf(f->path, sizeof f->path, "/x/%s", f->service + 3);
	if (!x->has_key)
		return err_set(e, 503, "node_key_unavailable", "this node cannot sign calls: its key file is missing",
			       "nút này không ký được cuộc gọi: thiếu tệp khóa");
	return 0;
}

/* Logs the outgoing call in this node's message log (waits for the disk). */
static int log_outgoing(const struct exchange *x, struct db *db, const struct fetch *f, const struct xrequest *rq,
			const char *request_hash, int status, const char *outcome, const char *answer, const json_t *answer_json)
{
	char response_hash[48] = "";
	if (answer) {
		unsigned char h[crypto_hash_sha256_BYTES];
		crypto_hash_sha256(h, (const unsigned char *)answer, strlen(answer));
		sodium_bin2base64(response_hash, sizeof response_hash, h, sizeof h, B64);
	}
	json_t *ids = json_array();
	xcall_collect_subjects(f->query, ids);
	xcall_collect_subjects(answer_json, ids);
	char *subjects = json_dumps(ids, JSON_COMPACT);
	json_decref(ids);
	struct xlog_entry entry = {.at = clock_now_us(), .client = rq->client, .service = f->service, .purpose = f->purpose,
				   .status = status, .message_id = rq->id, .user_id = rq->user, .issue = rq->issue,
				   .outcome = outcome, .request_hash = request_hash, .response_hash = response_hash,
				   .subjects = subjects ? subjects : "[]", .hide_until = 0};
	struct xlog_job *j = xlog_job_new(x, &entry, false);
	free(subjects);
	return j ? xlog_job_write(x, db, j) : -1;
}

/* Keeps the answer with the dossier, naming the node that provided it, with an audit entry. */
static int attach(struct db *db, const struct principal *who, const struct fetch *f, const char *request_hash,
		  const json_t *answer, struct err *e)
{
	struct dossier_fetched d = {.code = f->dossier, .actor = who->username, .node = f->node, .service = f->service,
				    .message_id = f->id, .request_hash = request_hash, .data = answer, .at = clock_now_us()};
	json_t *detail = json_pack("{s:s,s:s,s:s}", "node", f->node, "service", f->service, "message_id", f->id);
	char *text = detail ? json_dumps(detail, JSON_COMPACT) : NULL;
	json_decref(detail);
	int rc = !text || db_begin(db) ? -1 : 0;
	if (!rc && (dossier_fetched_add(db, &d) || audit_append(db, who->username, "dossier.fetch", f->dossier, text) ||
		    db_commit(db))) {
		db_rollback(db);
		rc = -1;
	}
	free(text);
	return rc ? err_set(e, 500, "db_error", "the data was fetched (message %s) but could not be kept with dossier %s: %s",
			    "đã lấy được dữ liệu (thông điệp %s) nhưng không lưu được vào hồ sơ %s: %s", f->id, f->dossier,
			    db_errmsg(db))
		  : 0;
}

/* Logs a fetch refused before anything was sent (no request hash: nothing was signed), so an
 * officer's attempt on a dossier not theirs, or about someone else, is in the log and in the
 * usage log of the people its query named. A failure to log keeps the refusal as it was. */
static void log_refused(const struct exchange *x, struct db *db, const struct fetch *f, const char *officer,
			const struct err *e)
{
	struct xrequest rq = {.client = f->client, .id = f->id, .user = officer, .issue = f->issue};
	struct fetch logged = *f;
	logged.service = f->service && strlen(f->service) < XR_ID_MAX ? f->service : "";
	logged.purpose = f->purpose && strlen(f->purpose) <= 64 ? f->purpose : "";
	if (log_outgoing(x, db, &logged, &rq, "", e->status, e->code, NULL, NULL))
		log_error("exchange", "the refused fetch %s by %s was not logged", f->id, officer);
}

int xpeer_fetch(const struct exchange *x, struct db *db, const struct principal *who, const json_t *body, int64_t since_us,
		json_t **out, int *status, struct err *e)
{
	const char *officer = who->username;
	struct fetch f = {0};
	char url[URL_MAX + 1], peer_key[64];
	struct time_limit limit;
	if (fetch_args(x, db, who, body, &f, e) ||
	    (peer_of(db, f.node, url, peer_key) &&
	     err_set(e, 404, "unknown_peer", "node %s is not a known peer: trondoi exchange peer first",
		     "nút %s chưa được khai báo: hãy chạy trondoi exchange peer trước", f.node)) ||
	    time_left(since_us, f.node, &limit, e) || node_enter(f.node, e)) {
		log_refused(x, db, &f, officer, e);
		return -1;
	}
	char *text = json_dumps(f.query, JSON_COMPACT);
	if (!text) {
		node_leave(f.node);
		return err_set(e, 500, "out_of_memory", "out of memory", "hết bộ nhớ");
	}
	struct xrequest rq = {.method = "POST", .path = f.path, .client = f.client, .id = f.id, .user = officer,
			      .issue = f.issue, .date = f.date, .body = text, .body_len = strlen(text)};
	char *signed_text = xcall_signed_string(&rq);
	unsigned char sig[crypto_sign_BYTES], h[crypto_hash_sha256_BYTES];
	char sig_b64[sodium_base64_ENCODED_LEN(crypto_sign_BYTES, B64)], request_hash[48];
	crypto_sign_detached(sig, NULL, (const unsigned char *)signed_text, strlen(signed_text), x->sk);
	sodium_bin2base64(sig_b64, sizeof sig_b64, sig, sizeof sig, B64);
	crypto_hash_sha256(h, (const unsigned char *)signed_text, strlen(signed_text));
	sodium_bin2base64(request_hash, sizeof request_hash, h, sizeof h, B64);
	free(signed_text);
	struct reply r = {0};
	buf_init(&r.body, ANSWER_MAX);
	long peer_status = 0;
	int rc = send_request(url, &rq, sig_b64, limit, &r, &peer_status, e, f.node);
	node_leave(f.node);
	char *answer = rc ? NULL : strndup(r.body.data ? r.body.data : "", r.body.len);
	json_t *doc = answer ? json_loads(answer, 0, NULL) : NULL;
	if (!rc && (!doc || strcmp(r.request_hash, request_hash)))
		rc = err_set(e, 502, "peer_bad_answer", "node %s answered, but not to this request (no JSON, or another X-Road-Request-Hash)",
			     "nút %s trả lời nhưng không cho yêu cầu này (không phải JSON, hoặc X-Road-Request-Hash khác)", f.node);
	else if (!rc && !answer_signed(peer_key, request_hash, peer_status, answer, r.signature))
		rc = err_set(e, 502, "peer_bad_answer", "node %s's answer is not signed with the key it was registered with",
			     "câu trả lời của nút %s không được ký bằng khóa đã khai báo", f.node);
	*status = rc ? e->status : (int)peer_status;
	if (log_outgoing(x, db, &f, &rq, request_hash, *status, rc ? e->code : peer_status == 200 ? "ok" : "peer_refused", answer,
			 doc) && !rc)
		rc = err_set(e, 503, "message_log_unavailable", "the call could not be logged, so its answer is not shown",
			     "không ghi được nhật ký thông điệp nên không hiển thị câu trả lời");
	if (!rc && peer_status != 200) {
		const char *code = json_string_value(json_object_get(json_object_get(doc, "error"), "code"));
		const char *msg = json_string_value(json_object_get(json_object_get(doc, "error"), "message"));
		rc = err_set(e, peer_status >= 400 && peer_status < 500 ? (int)peer_status : 502, "peer_refused",
			     "node %s answered %ld %s: %s", "nút %s trả lời %ld %s: %s", f.node, peer_status, code ? code : "",
			     msg ? msg : "");
	}
	if (!rc)
		rc = attach(db, who, &f, request_hash, doc, e);
	if (!rc)
		*out = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:i,s:O}", "node", f.node, "service", f.service, "dossier", f.dossier,
				 "issue", f.issue, "message_id", f.id, "request_hash", request_hash, "status", (int)peer_status,
				 "answer", doc);
	json_decref(doc);
	free(answer);
	free(text);
	buf_release(&r.body);
	return rc;
}
