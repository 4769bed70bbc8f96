/* dossier.h — administrative dossiers (hồ sơ): submission with a form checked against the
 * procedure and filled from the registry, the legal statuses as a transition table, the
 * working-day clock, the timeline, the applicant's list, the desk queue and the public lookup.
 * Drafts are the applications a citizen started and has not submitted. No HTTP here. */
#ifndef TD_DOSSIER_H
#define TD_DOSSIER_H

#include <jansson.h>
#include <stdbool.h>

#include "auth/auth.h"
#include "calendar/calendar.h"
#include "catalog/catalog.h"
#include "core/err.h"
#include "db/db.h"
#include "registry/registry.h"

struct workflow;
struct processes;

struct exchange; /* exchange/exchange.h */
struct dossiers {
	const struct registry *registry;
	const struct calendar *calendar;
	struct workflow *workflow;
	const char *files_dir; /* where documents are stored by content */
	struct processes *processes;
	json_t *forms;          /* data/dossier/forms.json */
	json_t *bundles;        /* data/bundles.json as init stored it */
	json_t *indicators;     /* data/indicators/766.json (embedded) */
	json_t *feedback;       /* data/feedback.json as init stored it: deadlines and limits */
	json_t *targets;        /* data/indicators/targets.json (embedded) */
	json_t *regimes;        /* data/report-regimes.json (embedded): report regimes and their forms */
	bool payee_ready;       /* a receiving account is configured: every fee is payable online */
	const char *public_url; /* where the public pages are (QR codes): TRONDOI_PUBLIC_URL */
	const struct exchange *node; /* this node (its id and public key name the sender of reports up) */
};

/* A dossier's row, for the checks and the clock. */
struct dossier_row {
	char code[48], procedure[32], unit[8], agency[24], applicant[13];
	int status, channel, supplements;
	int64_t received_at, accepted_at, due_at, paused_at, finished_at, returned_at, paid_at, rev;
	bool has_accepted, has_due, has_paused, has_finished, has_returned, has_paid;
	json_t *fields, *apology;
};
/* The outcome of saving a change guarded by the row's rev: 0; 1 changed meanwhile (409
 * conflict); -1 not saved (500). Returns 0 or -1 with e. */
int dossier_saved(int rc, const char *code, struct err *e);
/* Reads dossier code into r (404 dossier_not_found); release with dossier_row_release. */
int dossier_load(struct db *db, const char *code, struct dossier_row *r, struct err *e);
void dossier_row_release(struct dossier_row *r);

/* Reads the status and transition table (data/dossier/statuses.json, embedded). */
struct workflow *workflow_load(const char *json, struct err *e);
void workflow_free(struct workflow *w);
/* The transition from -> to that `by` ("officer" or "applicant") may make, or NULL. */
struct transition {
	int from, to;
	const char *by;
	int note_required;
	int resumes;
};
const struct transition *workflow_find(const struct workflow *w, int from, int to, const char *by);
/* Whether any transition from -> to exists (for the refusal's reason). */
int workflow_allows_any(const struct workflow *w, int from, int to);
const char *workflow_status_name(const struct workflow *w, int status, const char *lang);
int workflow_is_final(const struct workflow *w, int status);

/* Checks the submitted fields against the procedure's form and completes them from the
 * applicant's record (doc): required and typed fields, locked (verified) registry values the
 * applicant may not change. On failure returns -1 with e (422) and *problems, an array of
 * {"field","code","message","message_vi"} naming each field; caller frees. */
int form_check(const struct registry *r, const struct procedure_def *procedure, const json_t *doc, const char *applicant_id,
	       const json_t *fields, json_t **out, json_t **problems, struct err *e);

/* POST /dossiers: body {"procedure","channel","fields",["applicant","unit"]}. */
/* Submission and transitions answer with the dossier as dossier_get shows it; given w, a staff
 * caller's answer waits for its usage entry the same way (USAGE_PENDING). */
/* With w->resume, the writes go to the group-commit writer and CALL_DEFERRED is returned; once
 * durable, w->resume reports the new code and hands over the submission (kept), from which
 * dossier_submitted makes the answer. */
int dossier_submit(const struct dossiers *d, struct db *db, const struct principal *who, const json_t *body,
		   const struct usage_wait *w, json_t **out, json_t **problems, struct err *e);
/* The parts of a submission, for capabilities that file dossiers themselves (life-event
 * bundles): dossier_prepare checks fields against the procedure for a living applicant and
 * completes them from the registry, choosing the handling unit (asked_unit, else the
 * applicant's); dossier_insert writes the dossier with its code, first event, audit entry and
 * its count in the index (facts_count_new) inside the caller's transaction. */
int dossier_prepare(const struct dossiers *d, struct db *db, const char *procedure, const char *applicant, const json_t *fields,
		    const char *asked_unit, char unit[8], json_t **form, json_t **problems, struct err *e);
struct dossier_new {
	const char *procedure, *unit, *agency, *applicant, *actor;
	int channel; /* 1 direct, 2 online, 3 postal */
	const char *form; /* the completed form as JSON text */
};
/* defer: NULL to count the dossier in the index at once, else where its facts go for the
 * caller to count later in the same transaction (facts_count_new). */
struct fact;
int dossier_insert(const struct dossiers *d, struct db *db, const struct dossier_new *n, char *code, size_t len, int64_t now,
		   struct fact *defer);
/* Writes count synthetic dossiers over the communes of province and the reporting year (gen.c),
 * each marked changed. For benchmarks and demos. */
int dossier_gen(const struct dossiers *d, struct db *db, const char *province, int year, long count, unsigned long seed,
		struct err *e);
/* Marks dossier code changed, in the writer's transaction, for those who follow changes (the
 * reports' counters, src/report/facts.c): 0 or -1. */
int dossier_mark_changed(struct db *db, const char *code);
/* The answer to a submission: the new dossier's summary with its channel, applicant and the
 * completed form, from the committed submission that w->resume handed over (NULL = it was not
 * saved: 500). The submission's own usage entry covers a staff submitter's view of it. */
int dossier_submitted(const struct dossiers *d, struct deferred_kept *kept, char **out, struct err *e);
/* GET /dossiers/{code}: the applicant, or staff of the handling unit (whose read is logged in
 * the applicant's data-usage log; returns USAGE_PENDING when w reports it). */
int dossier_get(const struct dossiers *d, struct db *db, const struct principal *who, const char *code,
		const struct usage_wait *w, char **out, struct err *e);
int dossier_transition(const struct dossiers *d, struct db *db, const struct principal *who, const char *code,
		       const json_t *body, const struct usage_wait *w, char **out, struct err *e);
/* The applicant's dossiers and the desk's queue, as JSON text: {"count","dossiers"}. */
int dossier_list_mine(const struct dossiers *d, struct db *db, const struct principal *who, char **out, struct err *e);
int dossier_desk(const struct dossiers *d, struct db *db, const struct principal *who, const char *status, char **out,
		 struct err *e);
/* The public lookup: the dossier's summary as JSON text, no personal data. */
int dossier_lookup(const struct dossiers *d, struct db *db, const char *code, char **out, struct err *e);

/* GET /dossiers/{code}/payment: the fee as a VietQR payload and QR code, to the receiving
 * account of payee (data/payment.json); 409 no_fee for free procedures. */
int dossier_payment(const struct dossiers *d, struct db *db, const struct principal *who, const char *code,
		    const json_t *payee, json_t **out, struct err *e);
/* POST /payments/notify: the bank's notice {"transaction_id","reference","amount","paid_at"},
 * signed X-Signature = hex HMAC-SHA256(secret, raw body). Applied once per transaction. */
int payment_notify(const struct dossiers *d, struct db *db, const char *secret, const char *raw, size_t len,
		   const char *signature, json_t **out, struct err *e);
/* POST /dossiers/{code}/rating {"score":1..5,"comment"}: once, by the applicant, after status 10. */
int dossier_rate(const struct dossiers *d, struct db *db, const struct principal *who, const char *code,
		 const json_t *body, json_t **out, struct err *e);

/* Documents (documents.c). The type of a file from its first bytes: "application/pdf",
 * "image/jpeg", "image/png", or NULL. */
const char *document_sniff(const void *data, size_t len);
/* POST /dossiers/{code}/documents: stores the file for the procedure's document doc_id. */
int document_upload(const struct dossiers *d, struct db *db, const struct principal *who, const char *code,
		    const char *doc_id, const char *name, const void *data, size_t len, json_t **out, struct err *e);
/* POST /dossiers/{code}/documents/stored {"document","stored"}: attaches a document of the
 * applicant's store (an issued result's id or a file's SHA-256) by reference, recording the reuse. */
int document_reuse(const struct dossiers *d, struct db *db, const struct principal *who, const char *code,
		   const json_t *body, json_t **out, struct err *e);
/* Files by content: dir/ab/abcdef… (sha, the SHA-256 of the content) written whole or not at all,
 * sealed (security/seal.h); an existing one is kept unless replace. Read back opened (malloc'd). */
int document_write_blob(const char *dir, const char *sha, const void *data, size_t len, bool replace);
/* The data key a stored file is sealed under: 0 when in clear, -1 when absent. */
int document_blob_key(const char *dir, const char *sha);
int document_read_blob(const char *dir, const char *sha, char **out, size_t *len);
json_t *document_list(struct db *db, const char *code);
json_t *document_missing(const struct dossiers *d, struct db *db, const char *code, const char *procedure);

/* Who a dossier concerns: the handling desk (officers of the unit and the procedure's agency, and
 * the unit's leaders) and the applicant. */
bool dossier_desk_of(const struct principal *who, const char *unit, const char *agency);
bool dossier_applicant_is(const struct principal *who, const char *applicant);

/* Records a status change in the timeline, numbered for the delivery channels (feed.c; inside the
 * caller's transaction). */
int dossier_event_add(struct db *db, const char *code, const char *actor, int from, int to, const char *note, int64_t at);

/* The timeline as a feed (feed.c): each delivery channel ("portal", "email", "sms") takes the
 * changes after its cursor, delivers them, writes its rows and advances the cursor. */
struct feed_event {
	int64_t id;   /* the change's number in this database */
	char key[64]; /* its name everywhere else (feed_key) */
	char code[48], applicant[13], note[512];
	int from, to;
	int64_t at;
};
/* The change's name outside: "{dossier code}.{seq}", unique across provinces (the code begins
 * with the unit's national code), the idempotency key of its deliveries and the id of its
 * outbox and notification rows. */
void feed_key(const char *code, int64_t seq, char *out, size_t n);
/* Up to max changes after the channel's cursor, oldest first, their notes opened. */
int feed_next(struct db *db, const char *channel, struct feed_event *v, int max);
/* Moves the channel's cursor to last (never backwards): 0 or -1. */
int feed_advance(struct db *db, const char *channel, int64_t last);

/* Data fetched for the dossier from another node through the exchange (fetched.c). */
struct dossier_fetched {
	const char *code, *actor, *node, *service, *message_id, *request_hash;
	const json_t *data; /* the provider's answer */
	int64_t at;
};
/* Keeps f with its dossier (the answer sealed), inside the caller's transaction: 0 or -1. */
int dossier_fetched_add(struct db *db, const struct dossier_fetched *f);
/* [{"at","by","source","service","message_id","request_hash","data"}], oldest first. */
json_t *dossier_fetched_list(struct db *db, const char *code);

/* The internal processes (process.c), from data/dossier/processes.json (embedded). */
struct processes *processes_load(const char *json, struct err *e);
void processes_free(struct processes *p);
/* In the transaction of a status change (r holds the new status and clock): acceptance opens the
 * first step, a status a step "completes_with" closes it and opens the next, a final status stops
 * the open step, a supplement pauses it and the resubmission resumes it. */
int steps_on_status(const struct dossiers *d, struct db *db, const struct dossier_row *r, int from, const char *actor,
		    int64_t now);
/* Whether the steps let the dossier move to `to` (finishing needs the last step reached); -1 with e. */
int steps_allow(const struct dossiers *d, struct db *db, const struct dossier_row *r, int to, struct err *e);
/* {"id","name","plan":[…],"current","steps":[…]} for the dossier, or null. */
json_t *steps_render(const struct dossiers *d, struct db *db, const struct dossier_row *r);
/* The open step {"step","name","role","assignee","due_at"}, or null. */
json_t *step_current(const struct dossiers *d, struct db *db, const char *code, const char *procedure);
/* POST /dossiers/{code}/steps {"action":"forward"|"back","note","assignee"}. */
int dossier_step(const struct dossiers *d, struct db *db, const struct principal *who, const char *code,
		 const json_t *body, const struct usage_wait *w, char **out, struct err *e);
/* GET /desk/lateness?from&to: steps handled, late and open past due, by step and by officer. */
int steps_lateness(const struct dossiers *d, struct db *db, const struct principal *who, const char *from, const char *to,
		   json_t **out, struct err *e);

/* Feedback and petitions (feedback.c): POST /feedback {"subject","text",["code"|"unit"],
 * ["business": {"tax_code","name"}]} by a citizen, for themselves or a business (kept sealed); GET /feedback/{id} for the sender and the unit's staff; the sender's list; the desk's
 * open ones (oldest due first); the unit's answer; the sender's verdict, once. */
int feedback_create(const struct dossiers *d, struct db *db, const struct principal *who, const json_t *body, json_t **out,
		    struct err *e);
int feedback_get(const struct dossiers *d, struct db *db, const struct principal *who, const char *id, json_t **out, struct err *e);
int feedback_list_mine(const struct dossiers *d, struct db *db, const struct principal *who, json_t **out, struct err *e);
int feedback_desk(const struct dossiers *d, struct db *db, const struct principal *who, json_t **out, struct err *e);
int feedback_answer(const struct dossiers *d, struct db *db, const struct principal *who, const char *id, const json_t *body,
		    json_t **out, struct err *e);
int feedback_rate(const struct dossiers *d, struct db *db, const struct principal *who, const char *id, const json_t *body,
		  json_t **out, struct err *e);

/* Forms as PDF (forms.c). For an issued result, the extra lines and the QR to /verify. */
struct form_extra {
	const char *document_id;
	int64_t issued_at;
	const char *qr;
};
/* Draws form `kind` of dossier r: 404 unknown_form, 409 form_not_available in its state. */
int form_render(const struct dossiers *d, struct db *db, const struct dossier_row *r, const char *kind,
		const struct form_extra *x, char **pdf, size_t *len, struct err *e);
/* GET /dossiers/{code}/forms/{kind}.pdf for the applicant or the desk (a staff read is logged;
 * USAGE_PENDING as dossier_get). */
int form_pdf(const struct dossiers *d, struct db *db, const struct principal *who, const char *code, const char *kind,
	     const struct usage_wait *w, char **pdf, size_t *len, struct err *e);

/* The delivery thread (sender.c): runs each task's round twice a second. */
typedef void CURL;
struct sender_task {
	void (*round)(struct db *db, CURL *curl, void *arg);
	void *arg;
};
struct sender;
struct sender *sender_start(const char *db_url, const struct sender_task *tasks, size_t n, struct err *e);
void sender_stop(struct sender *s);
/* How long a delivery that failed `attempts` times before waits: 1, 2, 4 ... up to 300 s. */
int64_t sender_backoff_us(int attempts);
/* What a POST was answered: the status and the first bytes of the body (NUL-terminated). */
struct sender_reply {
	long status;
	char body[1024];
	size_t len;
};
/* POSTs a JSON body to url with the header lines headers ("Name: value", NULL-terminated; may be
 * NULL) beside "Content-Type: application/json"; the answer goes to reply when not NULL. 0 on a
 * 2xx answer; else -1 with the reason in why. */
int sender_post(CURL *curl, const char *url, const char *const *headers, const char *body, struct sender_reply *reply,
		char *why, size_t whylen);
/* POSTs a JSON body to url with "Idempotency-Key: key" and, when token is neither NULL nor "",
 * "Authorization: Bearer token". 0 on a 2xx answer; else -1 with the reason in why. */
int sender_post_json(CURL *curl, const char *url, const char *key, const char *token, const char *body, char *why,
		     size_t whylen);

/* The National Public Service Portal outbox (outbox.c). outbox_round (a sender task, arg = the
 * portal's URL) posts the timeline's changes until acknowledged, with the change's number as the
 * idempotency key, backing off on failures; outbox_list is the dossier's changes with their
 * delivery. */
json_t *outbox_list(struct db *db, const char *code);
void outbox_round(struct db *db, CURL *curl, void *arg);

/* Notifications (notify.c): a message to the applicant for each status change of the timeline
 * (the citizen's inbox reads the timeline). Two sender tasks (arg = a struct notify_config) deliver them, each with
 * its own retries: notify_round e-mails them through an SMTP relay, notify_sms_round posts
 * {"to","text","id"} to an SMS gateway (Idempotency-Key: the id; 2xx means sent). */
struct notify_config {
	const char *smtp_url; /* smtp://host:port */
	const char *from;
	const struct dossiers *dossiers;
	const char *sms_url;   /* the gateway's URL */
	const char *sms_token; /* sent as "Authorization: Bearer ..." when neither NULL nor "" */
};
int notification_list(const struct dossiers *d, struct db *db, const struct principal *who, json_t **out, struct err *e);
void notify_round(struct db *db, CURL *curl, void *arg);
/* One e-mail (UTF-8 plain text) through the configured relay; 0 when it accepted it, else -1
 * with why. to must be a checked address (no spaces, no line breaks). */
int notify_mail(CURL *curl, const struct notify_config *cfg, const char *to, const char *subject, const char *body, char *why,
		size_t whylen);
void notify_sms_round(struct db *db, CURL *curl, void *arg);

/* The signed-in citizen's drafts, newest first: {"drafts":[{"id","procedure","name","fields","created_at"}]}. */
int draft_list(const struct catalog *c, struct db *db, const struct principal *who, json_t **out, struct err *e);

#endif
