/* api_bundle.c — life-event bundles: apply once, follow the components. */
#include "bundle/bundle.h"
#include "http/api.h"

int api_bundle_create(struct call *c)
{
	c->status = 201;
	return bundle_create(&c->app->dossiers, c->db, c->who, c->body, c->wait, &c->result, &c->details, &c->err);
}

int api_bundle_created(struct call *c)
{
	c->status = 201;
	return bundle_created(&c->app->dossiers, c->db, c->params[0], &c->result, &c->err);
}

int api_bundle_types(struct call *c)
{
	return bundle_types(&c->app->dossiers, &c->result, &c->err);
}

int api_bundle_get(struct call *c)
{
	return bundle_get(&c->app->dossiers, c->db, c->who, c->params[0], &c->result, &c->err);
}

int api_my_bundles(struct call *c)
{
	return bundle_list_mine(&c->app->dossiers, c->db, c->who, &c->result, &c->err);
}
