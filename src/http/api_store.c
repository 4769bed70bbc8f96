/* api_store.c — forms as PDF, the citizen's document store, reuse by reference, the public
 * verification of issued documents and the units' published keys. */
#include <stdio.h>
#include <string.h>

#include "http/api.h"
#include "http/ratelimit.h"
#include "store/store.h"

#define VERIFY_PER_MINUTE 60

int api_dossier_form(struct call *c)
{
	char kind[CALL_PARAM_MAX + 1];
	snprintf(kind, sizeof kind, "%s", c->params[1]);
	size_t n = strlen(kind);
	if (n < 5 || strcmp(kind + n - 4, ".pdf"))
		return err_set(&c->err, 404, "unknown_form", "forms are PDF files: receipt.pdf, supplement.pdf, refusal.pdf, "
							   "apology.pdf, stop.pdf, result.pdf",
			       "biểu mẫu là tệp PDF: receipt.pdf, supplement.pdf, refusal.pdf, apology.pdf, stop.pdf, result.pdf");
	kind[n - 4] = 0;
	/* on a slow-work thread: a staff read waits here for its usage entry */
	int rc = form_pdf(&c->app->dossiers, c->db, c->who, c->params[0], kind, NULL, &c->file, &c->file_len, &c->err);
	if (rc >= 0 && c->file) {
		c->file_type = "application/pdf";
		snprintf(c->file_name, sizeof c->file_name, "%s-%s.pdf", c->params[0], kind);
	}
	return rc;
}

int api_document_reuse(struct call *c)
{
	c->status = 201;
	return document_reuse(&c->app->dossiers, c->db, c->who, c->params[0], c->body, &c->result, &c->err);
}

int api_my_documents(struct call *c)
{
	return store_list(&c->app->dossiers, c->db, c->who, &c->result, &c->err);
}

int api_document_share(struct call *c)
{
	return store_share(&c->app->dossiers, c->db, c->who, c->params[0], c->body, &c->result, &c->err);
}

int api_verify(struct call *c)
{
	if (!ratelimit_allow(c->client, VERIFY_PER_MINUTE, &c->retry_after))
		return err_set(&c->err, 429, "too_many_requests", "too many checks from your address; try again in %d s",
			       "kiểm tra quá nhiều lần từ địa chỉ của bạn; hãy thử lại sau %d giây", c->retry_after);
	return store_verify(&c->app->dossiers, c->db, c->params[0], call_query(c, "claim"), &c->result, &c->err);
}

int api_keys(struct call *c)
{
	return keys_list(&c->app->dossiers, c->db, &c->result, &c->err);
}
