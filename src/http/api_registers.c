/* api_registers.c — the registers the targets scorecard reads: work dossiers and inspections,
 * recorded one at a time (JSON), listed per unit, or imported as CSV; work dossiers corrected later. */
#include <string.h>

#include "http/api.h"
#include "report/report.h"

#define LIST_MAX 500

static int create(struct call *c, const char *reg)
{
	c->status = 201;
	return register_create(&c->app->dossiers, c->db, c->who, reg, c->body, &c->result, &c->err);
}

static int list(struct call *c, const char *reg)
{
	long limit, offset;
	if (call_query_int(c, "limit", 1, LIST_MAX, 100, &limit) < 0 || call_query_int(c, "offset", 0, 100000000, 0, &offset) < 0)
		return -1;
	return register_list(&c->app->dossiers, c->db, c->who, reg, call_query(c, "unit"), limit, offset, &c->result, &c->err);
}

static int import(struct call *c, const char *reg)
{
	const char *type = call_header(c, "Content-Type");
	if (!type || strncasecmp(type, "text/csv", 8))
		return err_set(&c->err, 415, "unsupported_media_type", "send the file as Content-Type: text/csv",
			       "hãy gửi tệp với Content-Type: text/csv");
	c->status = 201;
	return register_import(&c->app->dossiers, c->db, c->who, reg, c->raw_body, c->raw_body_len, &c->result, &c->details, &c->err);
}

static int correct(struct call *c, const char *reg)
{
	return register_correct(&c->app->dossiers, c->db, c->who, reg, c->params[0], c->body, &c->result, &c->err);
}

int api_work_item_create(struct call *c) { return create(c, "work-items"); }
int api_work_item_correct(struct call *c) { return correct(c, "work-items"); }
int api_work_items(struct call *c) { return list(c, "work-items"); }
int api_work_items_import(struct call *c) { return import(c, "work-items"); }
int api_inspection_create(struct call *c) { return create(c, "inspections"); }
int api_inspections(struct call *c) { return list(c, "inspections"); }
int api_inspections_import(struct call *c) { return import(c, "inspections"); }
