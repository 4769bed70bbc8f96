/* api.h — the route handlers, one file per resource group. */
#ifndef TD_API_H
#define TD_API_H

#include "http/call.h"

int api_healthz(struct call *c);
int api_openapi(struct call *c);

int api_login(struct call *c);
int api_logout(struct call *c);
int api_refresh(struct call *c);
int api_metrics(struct call *c);
int api_security_alerts(struct call *c);
int api_logout_all(struct call *c);
int api_session(struct call *c);

int api_units_list(struct call *c);
int api_unit_get(struct call *c);

int api_citizen_create(struct call *c);
int api_citizen_get(struct call *c);
int api_attribute_patch(struct call *c);
int api_attribute_history(struct call *c);
int api_me(struct call *c);
int api_consent_create(struct call *c);
int api_consent_list(struct call *c);
int api_consent_revoke(struct call *c);
int api_data_usage(struct call *c);
int api_drafts(struct call *c);

int api_exchange_call(struct call *c);
int api_exchange_services(struct call *c);
int api_exchange_objection(struct call *c);
int api_exchange_objections(struct call *c);
int api_exchange_objection_answer(struct call *c);
int api_exchange_fetch(struct call *c);

int api_procedures_list(struct call *c);
int api_procedure_get(struct call *c);
int api_prefill(struct call *c);
int api_attributes_list(struct call *c);
int api_agencies_list(struct call *c);

int api_calendar_lunar(struct call *c);
int api_calendar_holidays(struct call *c);
int api_calendar_due(struct call *c);

int api_dossier_submit(struct call *c);
int api_dossier_submitted(struct call *c);
int api_dossier_get(struct call *c);
int api_dossier_transition(struct call *c);
int api_my_dossiers(struct call *c);
int api_desk(struct call *c);
int api_bundle_create(struct call *c);
int api_bundle_created(struct call *c);
int api_bundle_get(struct call *c);
int api_bundle_types(struct call *c);
int api_report_766(struct call *c);
int api_report_targets(struct call *c);
int api_work_item_create(struct call *c);
int api_work_item_correct(struct call *c);
int api_work_items(struct call *c);
int api_work_items_import(struct call *c);
int api_inspection_create(struct call *c);
int api_inspections(struct call *c);
int api_inspections_import(struct call *c);
int api_report_form_get(struct call *c);
int api_report_form_put(struct call *c);
int api_report_form_transition(struct call *c);
int api_report_forms_overview(struct call *c);
int api_report_forms_reminders(struct call *c);
int api_report_regimes(struct call *c);
int api_feedback_create(struct call *c);
int api_feedback_get(struct call *c);
int api_my_feedback(struct call *c);
int api_desk_feedback(struct call *c);
int api_feedback_answer(struct call *c);
int api_feedback_rate(struct call *c);
int api_report_766_drill(struct call *c);
int api_report_766_trend(struct call *c);
int api_report_publish(struct call *c);
int api_announcements(struct call *c);
int api_announce(struct call *c);
int api_announce_published(struct call *c);
int api_report_versions(struct call *c);
int api_report_version(struct call *c);
int api_report_sent(struct call *c);
int api_my_bundles(struct call *c);
int api_dossier_step(struct call *c);
int api_desk_lateness(struct call *c);
int api_lookup(struct call *c);
int api_dossier_payment(struct call *c);
int api_payment_notify(struct call *c);
int api_dossier_rate(struct call *c);
int api_document_upload(struct call *c);
int api_my_notifications(struct call *c);
int api_dossier_form(struct call *c);
int api_document_reuse(struct call *c);
int api_my_documents(struct call *c);
int api_document_share(struct call *c);
int api_verify(struct call *c);
int api_keys(struct call *c);
int api_od_package_list(struct call *c);
int api_od_package_show(struct call *c);
int api_od_datastore_search(struct call *c);
int api_od_help_show(struct call *c);

#endif
