/* api_registry.c — citizens, attributes and their history, the citizen's own record, consents
 * and the data-usage log. Thin: the registry decides. */
#include <limits.h>
#include <string.h>

#include "dossier/dossier.h"
#include "http/api.h"

#define PURPOSE_MAX 200

/* Why a staff member reads: ?purpose= or the X-Purpose header, bounded. */
static int purpose_of(struct call *c, const char **out)
{
	const char *p = call_query(c, "purpose");
	if (!p)
		p = call_header(c, "X-Purpose");
	if (p && strlen(p) > PURPOSE_MAX)
		return err_set(&c->err, 400, "invalid_query", "purpose is longer than %d bytes", "mục đích dài quá %d byte",
			       PURPOSE_MAX);
	*out = p;
	return 0;
}

int api_citizen_create(struct call *c)
{
	c->status = 201;
	return citizen_create(&c->app->registry, c->db, c->who, c->body, &c->text, &c->err);
}

int api_citizen_get(struct call *c)
{
	const char *purpose;
	return purpose_of(c, &purpose) ? -1
					: citizen_get(&c->app->registry, c->db, c->who, c->params[0], purpose, c->wait, &c->text,
						      &c->err);
}

int api_attribute_patch(struct call *c)
{
	return citizen_patch(&c->app->registry, c->db, c->who, c->params[0], c->params[1], c->body, &c->text, &c->err);
}

int api_attribute_history(struct call *c)
{
	const char *purpose;
	return purpose_of(c, &purpose) ? -1
					: citizen_history(&c->app->registry, c->db, c->who, c->params[0], c->params[1], purpose,
							  c->wait, &c->result, &c->err);
}

int api_me(struct call *c)
{
	return citizen_get(&c->app->registry, c->db, c->who, c->who->citizen_id, NULL, NULL, &c->text, &c->err);
}

int api_consent_create(struct call *c)
{
	c->status = 201;
	return consent_create(&c->app->registry, c->db, c->who, c->body, &c->result, &c->err);
}

int api_consent_list(struct call *c)
{
	return consent_list(c->db, c->who, &c->result, &c->err);
}

int api_consent_revoke(struct call *c)
{
	if (consent_revoke(c->db, c->who, c->params[0], &c->err))
		return -1;
	c->status = 204;
	return 0;
}

/* A page of the exchanges that carried the citizen's ID (each with its proof), older than the
 * message number before (0: the newest), into c->result: "exchanges", and, when older ones follow,
 * "next_exchange_before" (the last one's id). */
static int data_usage_exchanges(struct call *c, long before, long limit)
{
	json_t *list;
	bool more;
	if (xlog_for_citizen(&c->app->exchange, c->db, c->who->citizen_id, before, (int)limit, &list, &more, &c->err))
		return -1;
	json_t *last = json_array_get(list, json_array_size(list) - 1);
	if (more)
		json_object_set_new(c->result, "next_exchange_before", json_integer(json_integer_value(json_object_get(last, "id"))));
	json_object_set_new(c->result, "exchanges", list);
	return 0;
}

/* GET /me/data-usage: the local reads (paged by the time cursor before) and the exchanges (paged
 * by the message number exchange_before). Without a cursor, the first page of both; with one, the
 * list it pages only (with both, both). */
int api_data_usage(struct call *c)
{
	long limit, xbefore;
	if (call_query_int(c, "limit", 1, 500, 100, &limit) || call_query_int(c, "exchange_before", 1, LONG_MAX, 0, &xbefore))
		return -1;
	const char *before = call_query(c, "before");
	if (before && strlen(before) > 40)
		return err_set(&c->err, 400, "invalid_query", "before must be an ISO 8601 time", "before phải là thời điểm ISO 8601");
	bool local = before || !xbefore, exchanges = xbefore || !before;
	if (!local)
		c->result = json_object();
	else if (usage_list(c->db, c->who, before, (int)limit, &c->result, &c->err))
		return -1;
	return exchanges ? data_usage_exchanges(c, xbefore, limit) : 0;
}

int api_drafts(struct call *c)
{
	return draft_list(&c->app->catalog, c->db, c->who, &c->result, &c->err);
}
