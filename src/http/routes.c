/* routes.c — the route table: every HTTP route, who may call it, and its handler. The OpenAPI
 * document (docs/openapi.yaml) lists the same routes; a test keeps the two in step. */
#include "auth/auth.h"
#include "http/api.h"

#define PUBLIC 0
#define CITIZEN ROLE_CITIZEN
#define STAFF (ROLE_OFFICER | ROLE_LEADER)

const struct route routes[] = {
	{"GET", "/healthz", PUBLIC, api_healthz, "liveness"},
	{"GET", "/api/v1/openapi.yaml", PUBLIC, api_openapi, "this API's description"},
	{"GET", "/metrics", PUBLIC, api_metrics, "operations figures for Prometheus (from this machine only)", ROUTE_PRIMARY},

	{"POST", "/api/v1/auth/login", PUBLIC, api_login, "sign in", ROUTE_SLOW},
	{"POST", "/api/v1/auth/logout", ROLE_ANY, api_logout, "end this session"},
	{"POST", "/api/v1/auth/logout-all", ROLE_ANY, api_logout_all, "end every session of this account"},
	{"POST", "/api/v1/auth/refresh", ROLE_ANY, api_refresh, "a new token in place of this one"},
	{"GET", "/api/v1/security/alerts", ROLE_ADMIN, api_security_alerts, "what the threat-detection rules flagged"},
	{"GET", "/api/v1/auth/session", ROLE_ANY, api_session, "who is signed in"},

	/* the data exchange: members sign their calls (no session); docs/exchange.md */
	{"POST", "/x/{class}/{member}/{subsystem}/{service}/{version}", PUBLIC, api_exchange_call,
	 "call a service of the data exchange (signed by the client member)", ROUTE_RAW},
	{"GET", "/api/v1/exchange/services", ROLE_ADMIN, api_exchange_services, "exchange members, services, grants and purposes"},
	{"POST", "/api/v1/exchange/fetch", STAFF, api_exchange_fetch, "call a service of another node, signed by this one",
	 ROUTE_OUTBOUND},
	{"GET", "/api/v1/exchange/objections", ROLE_ADMIN, api_exchange_objections, "citizens' objections to exchanges, soonest due first"},
	/* the admin stands in for the data-protection officer (no role of its own yet) */
	{"POST", "/api/v1/exchange/objections/{id}/answer", ROLE_ADMIN, api_exchange_objection_answer,
	 "the data-protection officer's answer to an objection (closes it)"},

	{"GET", "/api/v1/units", PUBLIC, api_units_list, "administrative units as of a date"},
	{"GET", "/api/v1/units/{code}", PUBLIC, api_unit_get, "one unit with parent, predecessors, successors"},

	{"POST", "/api/v1/citizens", ROLE_OFFICER | ROLE_ADMIN, api_citizen_create, "create a citizen"},
	{"GET", "/api/v1/citizens/{id}", CITIZEN | STAFF, api_citizen_get, "a citizen's record"},
	{"PATCH", "/api/v1/citizens/{id}/attributes/{name}", CITIZEN | STAFF, api_attribute_patch, "new version of an attribute"},
	{"GET", "/api/v1/citizens/{id}/attributes/{name}/history", CITIZEN | STAFF, api_attribute_history,
	 "every version of an attribute"},

	{"GET", "/api/v1/me", CITIZEN, api_me, "the signed-in citizen's record"},
	{"POST", "/api/v1/me/consents", CITIZEN, api_consent_create, "grant a consent"},
	{"GET", "/api/v1/me/consents", CITIZEN, api_consent_list, "my consents"},
	{"DELETE", "/api/v1/me/consents/{id}", CITIZEN, api_consent_revoke, "revoke a consent"},
	{"GET", "/api/v1/me/data-usage", CITIZEN, api_data_usage, "who used my data, here and through the exchange"},
	{"POST", "/api/v1/me/data-usage/{id}/objection", CITIZEN, api_exchange_objection,
	 "object to an exchange of my data: a case for the data-protection officer"},
	{"GET", "/api/v1/me/drafts", CITIZEN, api_drafts, "my draft applications"},
	{"GET", "/api/v1/me/dossiers", CITIZEN, api_my_dossiers, "my dossiers"},
	{"GET", "/api/v1/me/documents", CITIZEN, api_my_documents, "my document store: issued results and my files"},
	{"PUT", "/api/v1/me/documents/{id}/share", CITIZEN, api_document_share, "what the verification page may show"},
	{"GET", "/api/v1/me/notifications", CITIZEN, api_my_notifications, "messages about my dossiers"},

	{"POST", "/api/v1/dossiers", CITIZEN | STAFF, api_dossier_submit, "submit a dossier", .finish = api_dossier_submitted},
	{"GET", "/api/v1/dossiers/{code}", CITIZEN | STAFF, api_dossier_get, "a dossier with its timeline"},
	{"POST", "/api/v1/dossiers/{code}/transitions", CITIZEN | STAFF, api_dossier_transition, "change a dossier's status"},
	{"POST", "/api/v1/dossiers/{code}/steps", STAFF, api_dossier_step, "hand a dossier on along its internal process"},
	{"GET", "/api/v1/dossiers/{code}/payment", CITIZEN | STAFF, api_dossier_payment, "the fee as a VietQR code"},
	{"POST", "/api/v1/dossiers/{code}/rating", CITIZEN, api_dossier_rate, "rate the service"},
	{"POST", "/api/v1/dossiers/{code}/documents", CITIZEN | STAFF, api_document_upload, "attach a document (PDF, JPEG, PNG)",
	 ROUTE_UPLOAD},
	{"POST", "/api/v1/dossiers/{code}/documents/stored", CITIZEN | STAFF, api_document_reuse,
	 "attach a stored document by reference"},
	{"GET", "/api/v1/dossiers/{code}/forms/{form}", CITIZEN | STAFF, api_dossier_form,
	 "a form as PDF: receipt, supplement, refusal, apology, stop or result (.pdf)", ROUTE_SLOW},
	{"POST", "/api/v1/payments/notify", PUBLIC, api_payment_notify, "the bank's signed payment notice"},
	{"POST", "/api/v1/bundles", CITIZEN, api_bundle_create, "apply once for a life event (birth, death)",
	 .finish = api_bundle_created},
	{"GET", "/api/v1/bundle-types", PUBLIC, api_bundle_types, "the life-event bundles and their application forms"},
	{"GET", "/api/v1/bundles/{id}", CITIZEN, api_bundle_get, "a life-event bundle with its components"},
	{"GET", "/api/v1/me/bundles", CITIZEN, api_my_bundles, "my life-event bundles"},
	{"GET", "/api/v1/desk", STAFF, api_desk, "the desk queue of the officer's unit"},
	{"GET", "/api/v1/desk/lateness", STAFF, api_desk_lateness, "late steps by step and by officer"},
	{"GET", "/api/v1/reports/766", STAFF | ROLE_ADMIN, api_report_766, "the national service index of a unit for a period"},
	{"GET", "/api/v1/reports/targets", STAFF | ROLE_ADMIN, api_report_targets, "the province's digital-transformation targets"},
	{"GET", "/api/v1/reports/766/drill", STAFF | ROLE_ADMIN, api_report_766_drill, "the dossiers behind an index figure"},
	{"GET", "/api/v1/reports/766/trend", STAFF | ROLE_ADMIN, api_report_766_trend, "a unit's index month by month (up to 24)"},
	{"POST", "/api/v1/reports/766/versions", ROLE_LEADER | ROLE_ADMIN, api_report_publish,
	 "close a period (publish its figures) or publish a recomputation", ROUTE_SLOW},
	{"GET", "/api/v1/reports/766/versions", STAFF | ROLE_ADMIN, api_report_versions, "the published versions of a period's figures"},
	{"GET", "/api/v1/reports/766/versions/{version}", STAFF | ROLE_ADMIN, api_report_version, "one published version with its diff"},
	{"GET", "/api/v1/reports/sent", STAFF | ROLE_ADMIN, api_report_sent, "the versions sent up to the Government reporting system"},
	{"POST", "/api/v1/work-items", STAFF, api_work_item_create, "record a work dossier of the unit"},
	{"GET", "/api/v1/work-items", STAFF, api_work_items, "a unit's work dossiers, paged"},
	{"POST", "/api/v1/work-items/import", STAFF, api_work_items_import, "import work dossiers from CSV (all or nothing)", ROUTE_CSV},
	{"POST", "/api/v1/inspections", STAFF, api_inspection_create, "record an inspection of the unit"},
	{"GET", "/api/v1/inspections", STAFF, api_inspections, "a unit's inspections, paged"},
	{"POST", "/api/v1/inspections/import", STAFF, api_inspections_import, "import inspections from CSV (all or nothing)", ROUTE_CSV},
	{"GET", "/api/v1/report-regimes", STAFF, api_report_regimes, "the report regimes: indicators, period, deadline"},
	{"GET", "/api/v1/report-forms/reminders", STAFF, api_report_forms_reminders, "report forms due soon or overdue for my unit"},
	{"GET", "/api/v1/report-forms/{regime}/{period}", STAFF, api_report_forms_overview,
	 "each unit's form with its state, the late and missing ones, the consolidated figures"},
	{"GET", "/api/v1/report-forms/{regime}/{period}/{unit}", STAFF, api_report_form_get, "a unit's report form for a period"},
	{"PUT", "/api/v1/report-forms/{regime}/{period}/{unit}", STAFF, api_report_form_put, "fill in a report form (draft)"},
	{"POST", "/api/v1/report-forms/{regime}/{period}/{unit}/transitions", STAFF, api_report_form_transition,
	 "submit a report form, or approve or return it"},
	{"POST", "/api/v1/feedback", CITIZEN, api_feedback_create, "send feedback or a petition to the responsible unit"},
	{"GET", "/api/v1/feedback/{id}", CITIZEN | STAFF, api_feedback_get, "one feedback with its answer"},
	{"POST", "/api/v1/feedback/{id}/answer", STAFF, api_feedback_answer, "the responsible unit's answer"},
	{"POST", "/api/v1/feedback/{id}/rating", CITIZEN, api_feedback_rate, "whether the answer satisfies the sender"},
	{"GET", "/api/v1/me/feedback", CITIZEN, api_my_feedback, "my feedback and petitions"},
	{"GET", "/api/v1/desk/feedback", STAFF, api_desk_feedback, "the unit's unanswered feedback, oldest due first"},
	{"GET", "/api/v1/lookup/{code}", PUBLIC, api_lookup, "public status lookup"},

	{"GET", "/api/v1/verify/{id}", PUBLIC, api_verify, "is an issued document genuine (public)"},
	{"GET", "/api/v1/keys", PUBLIC, api_keys, "the units' published signing keys"},

	{"GET", "/api/v1/procedures", PUBLIC, api_procedures_list, "the procedure catalog"},
	{"GET", "/api/v1/procedures/{code}", PUBLIC, api_procedure_get, "one procedure"},
	{"GET", "/api/v1/procedures/{code}/prefill", CITIZEN, api_prefill, "the form filled from the registry"},
	{"GET", "/api/v1/procedures/{code}/announcements", PUBLIC, api_announcements, "the province's decisions announcing a procedure"},
	{"POST", "/api/v1/procedures/{code}/announcements", STAFF | ROLE_ADMIN, api_announce, "record a decision announcing a procedure"},
	{"PUT", "/api/v1/procedures/{code}/announcements/{id}/published", STAFF | ROLE_ADMIN, api_announce_published,
	 "record when an announced procedure appeared in the national database"},
	{"GET", "/api/v1/attributes", PUBLIC, api_attributes_list, "the registry's attribute catalog"},
	{"GET", "/api/v1/agencies", PUBLIC, api_agencies_list, "agency kinds"},

	{"GET", "/api/v1/calendar/lunar", PUBLIC, api_calendar_lunar, "a date in the Vietnamese lunar calendar"},
	{"GET", "/api/v1/calendar/holidays", PUBLIC, api_calendar_holidays, "a year's holidays and make-up days"},
	{"GET", "/api/v1/calendar/due", PUBLIC, api_calendar_due, "the legal working-day clock"},

	{"GET", "/api/3/action/package_list", PUBLIC, api_od_package_list, "open data: the datasets' names (CKAN)"},
	{"GET", "/api/3/action/package_show", PUBLIC, api_od_package_show, "open data: a dataset's metadata (CKAN)"},
	{"GET", "/api/3/action/datastore_search", PUBLIC, api_od_datastore_search, "open data: a page of a dataset's records (CKAN)"},
	{"GET", "/api/3/action/help_show", PUBLIC, api_od_help_show, "open data: an action's help (CKAN)"},
};

const size_t routes_count = sizeof routes / sizeof *routes;
