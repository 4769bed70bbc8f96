/* providers.c — the sample national databases this node plays as exchange members: population
 * (the person by ID, read from this node's registry), land (parcels and owners), business
 * registration (enterprises and household businesses) and social insurance (health insurance
 * cards). Apart from population, their records are the synthetic ones in
 * data/exchange-providers.json, kept by init in meta. Each handler takes the call's JSON body. */
#include <stdlib.h>
#include <string.h>

#include "exchange/exchange.h"

#define POPULATION_BULK_MAX 100

typedef int (*provider_fn)(const struct exchange *x, struct db *db, const json_t *body, json_t **out, struct err *e);

/* The string field name of body (1-64 bytes), or NULL. */
static const char *field(const json_t *body, const char *name)
{
	const char *s = json_string_value(json_object_get(body, name));
	return s && s[0] && strlen(s) <= 64 ? s : NULL;
}

static int need(struct err *e, const char *what)
{
	return err_set(e, 400, "invalid_query", "the request body must name %s", "nội dung yêu cầu phải nêu %s", what);
}

static int not_found(struct err *e, const char *what, const char *key)
{
	return err_set(e, 404, "not_found", "no %s for %s", "không có %s cho %s", what, key);
}

/* The sample records of the provider offering handler. */
static const json_t *records_of(const struct exchange *x, const char *handler)
{
	size_t i, k;
	json_t *p, *s;
	json_array_foreach(json_object_get(x->providers, "providers"), i, p)
		json_array_foreach(json_object_get(p, "services"), k, s)
			if (!strcmp(json_string_value(json_object_get(s, "handler")) ?: "", handler))
				return json_object_get(p, "records");
	return NULL;
}

/* One person's record as the registry renders it: 0, -1 with e (404 when unknown). */
static int person(const struct exchange *x, struct db *db, const char *id, json_t **out, struct err *e)
{
	if (citizen_id_check(id, NULL, NULL, NULL, e))
		return -1;
	const json_t *doc;
	if (citizen_read(db, id, &doc, e))
		return e->status == 404 ? not_found(e, "person", id) : -1;
	char *text = citizen_render(x->registry, id, doc, NULL, NULL);
	json_decref((json_t *)doc);
	*out = text ? json_loads(text, 0, NULL) : NULL;
	free(text);
	return *out ? 0 : err_set(e, 500, "out_of_memory", "out of memory", "hết bộ nhớ");
}

/* {"id"}: {"person"}; or a bulk job {"ids": [up to 100]}: {"persons", "not_found"}, which the
 * message log records once, carrying every ID, so each person sees it in their usage log. */
static int population_person(const struct exchange *x, struct db *db, const json_t *body, json_t **out, struct err *e)
{
	const json_t *ids = json_object_get(body, "ids");
	const char *id = field(body, "id");
	if (!ids) {
		json_t *p;
		if (!id)
			return need(e, "\"id\": the personal ID, or \"ids\": up to 100 of them");
		if (person(x, db, id, &p, e))
			return -1;
		*out = json_pack("{s:o}", "person", p);
		return 0;
	}
	if (id || !json_is_array(ids) || !json_array_size(ids) || json_array_size(ids) > POPULATION_BULK_MAX)
		return need(e, "either \"id\" or \"ids\" (1 to 100 personal IDs)");
	json_t *persons = json_array(), *missing = json_array(), *v;
	size_t i;
	json_array_foreach(ids, i, v) {
		json_t *p;
		struct err pe = {0};
		if (!json_string_value(v) || strlen(json_string_value(v)) > 64) {
			json_decref(persons);
			json_decref(missing);
			return need(e, "\"ids\" as personal ID strings");
		}
		if (!person(x, db, json_string_value(v), &p, &pe))
			json_array_append_new(persons, p);
		else if (pe.status == 404 || pe.status == 422)
			json_array_append(missing, v);
		else {
			json_decref(persons);
			json_decref(missing);
			*e = pe;
			return -1;
		}
	}
	*out = json_pack("{s:o,s:o}", "persons", persons, "not_found", missing);
	return 0;
}

static bool owned_by(const json_t *parcel, const char *id)
{
	size_t i;
	json_t *o;
	json_array_foreach(json_object_get(parcel, "owners"), i, o)
		if (!strcmp(json_string_value(json_object_get(o, "id")) ?: "", id))
			return true;
	return false;
}

static int land_parcels(const struct exchange *x, struct db *db, const json_t *body, json_t **out, struct err *e)
{
	(void)db;
	const char *owner = field(body, "owner_id"), *parcel = field(body, "parcel");
	if (!owner == !parcel)
		return need(e, "either \"owner_id\" or \"parcel\"");
	json_t *list = json_array();
	size_t i;
	json_t *r;
	json_array_foreach(records_of(x, "land.parcels"), i, r)
		if (owner ? owned_by(r, owner) : !strcmp(json_string_value(json_object_get(r, "parcel")) ?: "", parcel))
			json_array_append(list, r);
	if (!json_array_size(list)) {
		json_decref(list);
		return not_found(e, "land parcel", owner ? owner : parcel);
	}
	*out = json_pack("{s:o}", "parcels", list);
	return 0;
}

static int business_lookup(const struct exchange *x, struct db *db, const json_t *body, json_t **out, struct err *e)
{
	(void)db;
	const char *tax = field(body, "tax_code"), *owner = field(body, "owner_id");
	if (!tax == !owner)
		return need(e, "either \"tax_code\" or \"owner_id\"");
	json_t *list = json_array();
	size_t i;
	json_t *r;
	json_array_foreach(records_of(x, "business.lookup"), i, r) {
		const char *v = tax ? json_string_value(json_object_get(r, "tax_code"))
				    : json_string_value(json_object_get(json_object_get(r, "owner"), "id"));
		if (v && !strcmp(v, tax ? tax : owner))
			json_array_append(list, r);
	}
	if (!json_array_size(list)) {
		json_decref(list);
		return not_found(e, "registered business", tax ? tax : owner);
	}
	*out = json_pack("{s:o}", "businesses", list);
	return 0;
}

static int insurance_card(const struct exchange *x, struct db *db, const json_t *body, json_t **out, struct err *e)
{
	(void)db;
	const char *id = field(body, "id");
	if (!id)
		return need(e, "\"id\": the personal ID");
	size_t i;
	json_t *r;
	json_array_foreach(records_of(x, "insurance.card"), i, r)
		if (!strcmp(json_string_value(json_object_get(r, "id")) ?: "", id)) {
			*out = json_pack("{s:O}", "card", r);
			return 0;
		}
	return not_found(e, "health insurance card", id);
}

static const struct provider {
	const char *handler;
	provider_fn fn;
} providers[] = {
	{"population.person", population_person},
	{"land.parcels", land_parcels},
	{"business.lookup", business_lookup},
	{"insurance.card", insurance_card},
};

static const struct provider *find(const char *handler)
{
	for (size_t i = 0; handler && i < sizeof providers / sizeof *providers; i++)
		if (!strcmp(providers[i].handler, handler))
			return &providers[i];
	return NULL;
}

bool xprovider_known(const char *handler)
{
	return find(handler) != NULL;
}

int xprovider_run(const struct exchange *x, struct db *db, const char *handler, const json_t *body, json_t **out,
		  struct err *e)
{
	const struct provider *p = find(handler);
	if (!p)
		return err_set(e, 501, "not_played", "this node does not play the service's handler %s",
			       "nút này không đảm nhận bộ xử lý %s của dịch vụ", handler);
	return p->fn(x, db, body, out, e);
}
