/* prefill.c — forms prefilled through the exchange: for a procedure listed in
 * data/exchange-prefill.json, the node asks the service (which it plays) about the applicant,
 * as its own portal subsystem ({node}/PORTAL) for the procedure's purpose, and fills the mapped
 * fields that the registry left empty, naming the provider as their source. The call goes into
 * the message log like any other (the applicant's own request: logged without waiting, as the
 * registry logs a citizen's own prefill). */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/crypto.h"
#include "core/json.h"
#include "exchange/exchange.h"

#define PATH_MAX_LEN 128

/* The first element of array a whose member key (part: "key=value") is the string value, or NULL. */
static const json_t *first_with(const json_t *a, char *part)
{
	char *eq = strchr(part, '=');
	size_t i;
	json_t *item;
	*eq = '\0';
	json_array_foreach(a, i, item) {
		const char *s = json_string_value(json_object_get(item, part));
		if (s && !strcmp(s, eq + 1))
			return item;
	}
	return NULL;
}

/* The value at path in v, or NULL: parts separated by dots, each an object's key, an array's
 * index ("parcels.0.map_sheet") or, in an array, "key=value" for the first element with that
 * member ("businesses.kind=household.name"). */
static const json_t *at_path(const json_t *v, const char *path)
{
	char part[PATH_MAX_LEN];
	while (v && *path) {
		const char *dot = strchr(path, '.');
		size_t len = dot ? (size_t)(dot - path) : strlen(path);
		snprintf(part, sizeof part, "%.*s", (int)(len < sizeof part ? len : sizeof part - 1), path);
		char *end;
		long i = strtol(part, &end, 10);
		if (json_is_array(v) && strchr(part, '='))
			v = first_with(v, part);
		else
			v = json_is_array(v) && part[0] && !*end ? json_array_get(v, (size_t)i) : json_object_get(v, part);
		path += len + (dot != NULL);
	}
	return v;
}

/* A form value from an answer's value: text as it is, numbers as the form's number or text. */
static json_t *form_value(const json_t *v, const char *type)
{
	char s[64];
	if (json_is_string(v))
		return json_incref((json_t *)v);
	if (json_is_number(v) && type && !strcmp(type, "number"))
		return json_deep_copy(v);
	if (json_is_integer(v)) {
		snprintf(s, sizeof s, "%lld", (long long)json_integer_value(v));
		return json_string(s);
	}
	if (json_is_real(v)) {
		snprintf(s, sizeof s, "%g", json_real_value(v));
		return json_string(s);
	}
	return NULL;
}

static int handler_of(struct db *db, const char *service, char *out, size_t n)
{
	struct db_stmt *st = db_prepare(db, "SELECT handler FROM exchange_services WHERE id = ?");
	if (!st || db_bind(st, "t", service) || db_step(st) != DB_ROW)
		return -1;
	snprintf(out, n, "%s", db_col_text(st, 0));
	db_reset(st);
	return 0;
}

/* Logs the node's own call (not waited for). */
static void log_call(const struct exchange *x, struct db *db, const char *who, const char *procedure, const json_t *rule,
		     const char *query_text, const json_t *query, const json_t *answer, int status, const char *outcome)
{
	char client[XR_ID_MAX + 16], id[33], issue[XR_FIELD_MAX], request_hash[48], response_hash[48] = "";
	unsigned char h[crypto_hash_sha256_BYTES];
	const char *service = json_string_value(json_object_get(rule, "service"));
	snprintf(client, sizeof client, "%s/PORTAL", x->node_id);
	snprintf(issue, sizeof issue, "%s:%s", json_string_value(json_object_get(rule, "purpose")), procedure);
	crypto_random_hex(id, 16);
	char *request = NULL, *answer_text = answer ? json_dumps(answer, JSON_COMPACT) : NULL;
	if (asprintf(&request, "trondoi-xroad-internal\n%s\n%s\n%s\n%s\n%s", client, service, id, issue, query_text) < 0)
		request = NULL;
	crypto_hash_sha256(h, (const unsigned char *)(request ? request : ""), request ? strlen(request) : 0);
	sodium_bin2base64(request_hash, sizeof request_hash, h, sizeof h, sodium_base64_VARIANT_ORIGINAL);
	if (answer_text) {
		crypto_hash_sha256(h, (const unsigned char *)answer_text, strlen(answer_text));
		sodium_bin2base64(response_hash, sizeof response_hash, h, sizeof h, sodium_base64_VARIANT_ORIGINAL);
	}
	json_t *ids = json_array();
	xcall_collect_subjects(query, ids);
	xcall_collect_subjects(answer, ids);
	char *subjects = json_dumps(ids, JSON_COMPACT);
	struct xlog_entry e = {.at = clock_now_us(), .client = client, .service = service, .purpose = json_string_value(json_object_get(rule, "purpose")),
			       .status = status, .message_id = id, .user_id = who, .issue = issue, .outcome = outcome,
			       .request_hash = request_hash, .response_hash = response_hash, .subjects = subjects ? subjects : "[]"};
	struct xlog_job *j = xlog_job_new(x, &e, false);
	if (j)
		xlog_job_queue(x, db, j);
	json_decref(ids);
	free(subjects);
	free(request);
	free(answer_text);
}

/* The provider member's name in data/exchange-providers.json, or its id. */
static const char *provider_name(const struct exchange *x, const char *member)
{
	size_t i;
	json_t *p;
	json_array_foreach(json_object_get(x->providers, "providers"), i, p)
		if (!strcmp(json_string_value(json_object_get(p, "member")) ?: "", member))
			return json_string_value(json_object_get(p, "name")) ?: member;
	return member;
}

bool xprefill_wanted(const struct exchange *x, const char *procedure)
{
	return json_object_get(json_object_get(x->prefill, "procedures"), procedure) != NULL;
}

int xprefill(const struct exchange *x, struct db *db, const struct principal *who, const char *procedure, json_t *form,
	     struct err *e)
{
	const json_t *rule = json_object_get(json_object_get(x->prefill, "procedures"), procedure);
	const char *service = json_string_value(json_object_get(rule, "service"));
	const char *key = json_string_value(json_object_get(rule, "query"));
	if (!rule || !service || !key || !who->citizen_id[0] || !x->node_id[0])
		return 0;
	char handler[40], provider[XR_ID_MAX];
	if (handler_of(db, service, handler, sizeof handler))
		return 0; /* the service is not played here (any more): the form stays as the registry filled it */
	xid_prefix(service, 3, provider, sizeof provider);
	json_t *query = json_pack("{s:s}", key, who->citizen_id), *answer = NULL;
	char *query_text = json_dumps(query, JSON_COMPACT);
	struct err pe = {0};
	int rc = xprovider_run(x, db, handler, query, &answer, &pe);
	json_t *shown = rc ? json_error(&pe) : answer;
	log_call(x, db, who->username, procedure, rule, query_text ? query_text : "", query, shown, rc ? (pe.status ? pe.status : 500) : 200,
		 rc ? pe.code : "ok");
	size_t i;
	json_t *f;
	json_array_foreach(json_object_get(form, "fields"), i, f) {
		const char *path = json_string_value(json_object_get(json_object_get(rule, "fields"),
								      json_string_value(json_object_get(f, "name")) ?: ""));
		json_t *v = path && !rc ? form_value(at_path(answer, path), json_string_value(json_object_get(f, "type"))) : NULL;
		if (!v || !json_is_null(json_object_get(f, "value"))) {
			json_decref(v);
			continue;
		}
		json_object_set_new(f, "value", v);
		json_object_set_new(f, "source", json_string(provider));
		json_object_set_new(f, "source_service", json_string(service));
		json_object_set_new(f, "source_name", json_string(provider_name(x, provider)));
		json_object_set_new(f, "locked", json_false());
	}
	if (rc)
		json_decref(shown);
	json_decref(answer);
	json_decref(query);
	free(query_text);
	(void)e;
	return 0;
}
