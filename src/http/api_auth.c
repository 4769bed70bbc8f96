/* api_auth.c — sign-in, sign-out, the current session; liveness and the API document. */
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/json.h"
#include "db/embedded.h"
#include "db/batch.h"
#include "http/api.h"
#include "http/metrics.h"
#include "http/server.h"
#include "http/ratelimit.h"
#include "security/security.h"

int api_healthz(struct call *c)
{
	static const char ok[] = "{\"status\":\"ok\"}";
	c->raw = ok;
	c->raw_len = sizeof ok - 1;
	c->raw_type = "application/json";
	return 0;
}

int api_openapi(struct call *c)
{
	const struct embedded_file *f = embedded_find(embedded_docs, "openapi.yaml");
	c->raw = (const char *)f->data;
	c->raw_len = f->len;
	c->raw_type = "application/yaml; charset=utf-8";
	return 0;
}

static json_t *principal_json(const struct principal *p)
{
	json_t *o = json_pack("{s:s,s:s}", "username", p->username, "role", role_name(p->role));
	if (p->unit[0])
		json_object_set_new(o, "unit", json_string(p->unit));
	if (p->agency[0])
		json_object_set_new(o, "agency", json_string(p->agency));
	if (p->citizen_id[0])
		json_object_set_new(o, "citizen_id", json_string(p->citizen_id));
	return o;
}

#define LOGIN_FAILURES_PER_ADDRESS 30 /* a minute: guessing across many accounts from one address */

static json_t *session_json(const char *token, int64_t expires, const struct principal *who)
{
	char at[40];
	clock_iso(expires, at, sizeof at);
	return json_pack("{s:s,s:s,s:s,s:o}", "token", token, "expires_at", at, "role", role_name(who->role), "user", principal_json(who));
}

int api_login(struct call *c)
{
	const char *user, *pass;
	char key[80];
	snprintf(key, sizeof key, "login-failed:%s", c->client);
	if (!ratelimit_within(key, LOGIN_FAILURES_PER_ADDRESS, &c->retry_after))
		return err_set(&c->err, 429, "too_many_attempts", "too many failed sign-ins from this address: wait a minute",
			       "quá nhiều lần đăng nhập sai từ địa chỉ này: hãy chờ một phút");
	if (json_get_str(c->body, "username", true, 64, &user, &c->err) ||
	    json_get_str(c->body, "password", true, PASSWORD_MAX, &pass, &c->err))
		return -1;
	char token[65];
	int64_t expires;
	struct principal who;
	if (auth_login(c->db, user, pass, c->app->token_ttl_us, token, &expires, &who, &c->retry_after, &c->err)) {
		int wait;
		if (c->err.status == 401) {
			ratelimit_allow(key, LOGIN_FAILURES_PER_ADDRESS, &wait);
			security_observe_failed_login(c->db, user, c->client, clock_now_us());
		}
		return -1;
	}
	c->result = session_json(token, expires, &who);
	return 0;
}

int api_refresh(struct call *c)
{
	char token[65];
	int64_t expires;
	if (auth_refresh(c->db, c->who, c->token, c->app->token_ttl_us, token, &expires, &c->err))
		return -1;
	c->result = session_json(token, expires, c->who);
	return 0;
}

int api_logout_all(struct call *c)
{
	if (auth_logout_all(c->db, c->who))
		return err_set(&c->err, 500, "db_error", "could not end the sessions", "không kết thúc được các phiên");
	c->status = 204;
	return 0;
}

int api_logout(struct call *c)
{
	if (auth_logout(c->db, c->token))
		return err_set(&c->err, 500, "db_error", "could not end the session", "không kết thúc được phiên");
	c->status = 204;
	return 0;
}

int api_session(struct call *c)
{
	c->result = principal_json(c->who);
	return 0;
}

int api_security_alerts(struct call *c)
{
	long limit;
	if (call_query_int(c, "limit", 1, 1000, 200, &limit) < 0)
		return -1;
	return security_alerts(c->db, limit, &c->result, &c->err);
}

/* GET /metrics: from this machine only (a scraper beside the server, or a proxy you run). */
int api_metrics(struct call *c)
{
	if (strcmp(c->client, "127.0.0.1") && strcmp(c->client, "::1"))
		return err_set(&c->err, 403, "forbidden", "the metrics are for this machine: scrape them locally",
			       "số liệu vận hành chỉ dành cho máy chủ này: hãy lấy tại chỗ");
	struct batch_stats writer;
	if (c->app->registry.writer)
		batch_stats(c->app->registry.writer, &writer);
	char *text = metrics_render(c->db, c->app->registry.writer ? &writer : NULL, server_db_connections(), server_threads());
	if (!text)
		return err_set(&c->err, 500, "out_of_memory", "out of memory", "hết bộ nhớ");
	c->file = text;
	c->file_len = strlen(text);
	c->file_type = "text/plain; version=0.0.4; charset=utf-8";
	return 0;
}
