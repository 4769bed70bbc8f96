/* api_opendata.c — open data in the shape of CKAN's action API: GET /api/3/action/{action},
 * public, read only, at most OPENDATA_PER_MINUTE calls a minute from one address (the index is
 * computed when asked). The answer is CKAN's envelope, errors included, with CKAN's status. */
#include <stdio.h>

#include "http/api.h"
#include "http/ratelimit.h"
#include "opendata/opendata.h"

#define OPENDATA_PER_MINUTE 300

static int action(struct call *c, const char *name)
{
	char key[64];
	snprintf(key, sizeof key, "opendata:%s", c->client);
	if (!ratelimit_allow(key, OPENDATA_PER_MINUTE, &c->retry_after)) {
		struct err e;
		err_set(&e, 429, "too_many_requests", "too many requests: at most %d a minute; try again in %d s",
			"quá nhiều yêu cầu: tối đa %d mỗi phút; hãy thử lại sau %d giây", OPENDATA_PER_MINUTE, c->retry_after);
		c->result = opendata_error(&c->app->opendata, name, &e);
		c->status = 429;
		return 0;
	}
	struct od_request rq = {.action = name};
	struct call_arg args[OD_MAX_ARGS];
	rq.nargs = call_query_all(c, args, OD_MAX_ARGS);
	for (size_t i = 0; i < rq.nargs && i < OD_MAX_ARGS; i++)
		rq.args[i] = (struct od_arg){args[i].key, args[i].value};
	c->status = opendata_call(&c->app->opendata, c->db, &rq, &c->result);
	return 0;
}

int api_od_package_list(struct call *c) { return action(c, "package_list"); }
int api_od_package_show(struct call *c) { return action(c, "package_show"); }
int api_od_datastore_search(struct call *c) { return action(c, "datastore_search"); }
int api_od_help_show(struct call *c) { return action(c, "help_show"); }
