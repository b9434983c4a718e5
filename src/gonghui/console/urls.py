from django.urls import URLPattern, URLResolver, include, path

from .views import (
    accounts,
    audit,
    exports,
    imports,
    members,
    orgs,
    requests,
    rights,
    rights_legal,
    rights_risk,
    roles,
)

app_name = "console"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", orgs.dashboard, name="dashboard"),
    path("switch/", orgs.switch_org, name="switch"),
    path("orgs/", orgs.org_tree, name="org_tree"),
    path("orgs/<int:org_id>/", orgs.org_detail, name="org_detail"),
    path("orgs/<int:org_id>/children/", orgs.org_children, name="org_children"),
    path("orgs/<int:org_id>/move/", orgs.org_move, name="org_move"),
    path("orgs/<int:org_id>/use/", orgs.org_use, name="org_use"),
    path("orgs/<int:org_id>/new/", orgs.org_new, name="org_new"),
    path("orgs/<int:org_id>/edit/", orgs.org_edit, name="org_edit"),
    path("requests/", requests.request_list, name="request_list"),
    path("requests/new/", requests.request_new, name="request_new"),
    path("requests/<int:request_id>/", requests.request_detail, name="request_detail"),
    path("roles/", roles.role_list, name="role_list"),
    path("roles/<int:assignment_id>/revoke/", roles.role_revoke, name="role_revoke"),
    path("accounts/<int:user_id>/unlock/", roles.account_unlock_view, name="account_unlock"),
    path("accounts/corrections/", accounts.correction_list, name="correction_list"),
    path("accounts/duties/", accounts.duty_list, name="duty_list"),
    path("accounts/privacy/", accounts.privacy_notices, name="privacy_notices"),
    path("system/accounts/", accounts.account_admin, name="account_admin"),
    path("system/calendar/", accounts.calendar_admin, name="calendar_admin"),
    path("security/roles/", accounts.security_roles, name="security_roles"),
    path("exports/", exports.export_list, name="export_list"),
    path("exports/<str:kind>/masked/", exports.export_masked, name="export_masked"),
    path("exports/<str:kind>/request/", exports.export_request, name="export_request"),
    path("exports/<int:request_id>/decide/", exports.export_decide, name="export_decide"),
    path("exports/<int:request_id>/download/", exports.export_download, name="export_download"),
    path("accounts/corrections/<int:correction_id>/", accounts.correction_decide, name="correction_decide"),
]
urlpatterns += [
    path("audit/", audit.audit_list, name="audit_list"),
    path("audit/export/", audit.audit_export, name="audit_export"),
    path("audit/<int:record_id>/", audit.audit_detail, name="audit_detail"),
]
urlpatterns += [
    path(
        "requests/<int:request_id>/documents/",
        requests.request_document_upload,
        name="request_document_upload",
    ),
    path(
        "requests/documents/<int:document_id>/",
        requests.request_document_download,
        name="request_document_download",
    ),
]

# Membership (members app).
urlpatterns += [
    path("members/", members.member_list, name="member_list"),
    path("members/new/", members.member_new, name="member_new"),
    path("members/export/", imports.member_export, name="member_export"),
    path("members/policy/", members.member_policy, name="member_policy"),
    path("members/<int:member_id>/", members.member_detail, name="member_detail"),
    path("members/<int:member_id>/status/", members.member_status, name="member_status"),
    path("members/<int:member_id>/transfer/", members.member_transfer, name="member_transfer"),
    path("members/<int:member_id>/reveal/", members.member_reveal, name="member_reveal"),
    path("members/<int:member_id>/dues/", members.member_dues, name="member_dues"),
    path("applications/", members.application_list, name="application_list"),
    path("applications/batch/", members.application_batch, name="application_batch"),
    path("applications/<int:application_id>/", members.application, name="application"),
    path("transfers/", members.transfer_list, name="transfer_list"),
    path("transfers/<int:transfer_id>/", members.transfer, name="transfer"),
    path("lapses/", members.lapse_list, name="lapse_list"),
    path("lapses/<int:proposal_id>/", members.lapse_decide, name="lapse_decide"),
    path("dues/arrears/", members.arrears, name="arrears"),
    path("imports/", imports.import_list, name="import_list"),
    path("imports/new/", imports.import_new, name="import_new"),
    path("imports/template/<str:kind>.xlsx", imports.import_template, name="import_template"),
    path("imports/<int:job_id>/", imports.import_detail, name="import_detail"),
    path("imports/<int:job_id>/progress/", imports.import_progress, name="import_progress"),
    path("imports/<int:job_id>/problems.xlsx", imports.import_problems, name="import_problems"),
    path("imports/<int:job_id>/commit/", imports.import_commit, name="import_commit"),
]

# Rights protection (rights app): the request queue, one request and its handling, hotline calls, statistics
# and service levels.
urlpatterns += [
    path("rights/", rights.case_list, name="rights_list"),
    path("rights/call/", rights.case_call, name="rights_call"),
    path("rights/stats/", rights.case_stats, name="rights_stats"),
    path("rights/levels/", rights.levels, name="rights_levels"),
    path("rights/<int:case_id>/", rights.case_detail, name="rights_case"),
    path("rights/<int:case_id>/acknowledge/", rights.case_acknowledge, name="rights_acknowledge"),
    path("rights/<int:case_id>/record/", rights.case_record, name="rights_record"),
    path("rights/<int:case_id>/documents/", rights.case_document_add, name="rights_document_add"),
    path("rights/<int:case_id>/documents/<int:document_id>/", rights.case_document, name="rights_document"),
    path("rights/<int:case_id>/handover/", rights.case_handover, name="rights_handover"),
    path("rights/<int:case_id>/transfer/", rights.case_transfer, name="rights_transfer"),
    path("rights/<int:case_id>/close/", rights.case_close, name="rights_close"),
]

# Labour-relations risk warning (rights app): the warning list and map, one employer, the import of external
# indicators, weights and thresholds, and the sign of trouble a handler marks on a request.
urlpatterns += [
    path("rights/risk/", rights_risk.risk_list, name="risk_list"),
    path("rights/risk/map/", rights_risk.risk_map, name="risk_map"),
    path("rights/risk/import/", rights_risk.risk_import, name="risk_import"),
    path("rights/risk/import/template.xlsx", rights_risk.risk_template, name="risk_template"),
    path("rights/risk/rules/", rights_risk.risk_rules, name="risk_rules"),
    path("rights/risk/<int:risk_id>/", rights_risk.risk_detail, name="risk_detail"),
    path("rights/<int:case_id>/signal/", rights_risk.case_signal, name="rights_case_signal"),
]

# Legal aid and mediation (rights app): the lawyer roster, legal-aid cases, mediation committees and mediators,
# mediations with their sessions, agreement, signatures and PDF.
urlpatterns += [
    path("legal/", rights_legal.legal_list, name="legal_list"),
    path("legal/lawyers/", rights_legal.lawyer_list, name="lawyer_list"),
    path("legal/lawyers/<int:lawyer_id>/", rights_legal.lawyer_edit, name="lawyer_edit"),
    path("legal/open/<int:case_id>/", rights_legal.legal_open, name="legal_open"),
    path("legal/<int:aid_id>/", rights_legal.legal_aid, name="legal_aid"),
    path("legal/<int:aid_id>/assign/", rights_legal.legal_assign, name="legal_assign"),
    path("legal/<int:aid_id>/record/", rights_legal.legal_record, name="legal_record"),
    path("legal/<int:aid_id>/stage/", rights_legal.legal_stage, name="legal_stage"),
    path("legal/<int:aid_id>/close/", rights_legal.legal_close, name="legal_close"),
    path("mediation/", rights_legal.mediation_list, name="mediation_list"),
    path("mediation/new/", rights_legal.mediation_new, name="mediation_new"),
    path("mediation/committees/", rights_legal.committee_list, name="committee_list"),
    path("mediation/committees/<int:committee_id>/", rights_legal.committee, name="committee"),
    path("mediation/<int:mediation_id>/", rights_legal.mediation, name="mediation"),
    path(
        "mediation/<int:mediation_id>/mediator/", rights_legal.mediation_mediator, name="mediation_mediator"
    ),
    path("mediation/<int:mediation_id>/session/", rights_legal.mediation_session, name="mediation_session"),
    path("mediation/<int:mediation_id>/agree/", rights_legal.mediation_agree, name="mediation_agree"),
    path("mediation/<int:mediation_id>/sign/", rights_legal.mediation_sign, name="mediation_sign"),
    path("mediation/<int:mediation_id>/end/", rights_legal.mediation_end, name="mediation_end"),
    path("mediation/<int:mediation_id>/agreement.pdf", rights_legal.mediation_pdf, name="mediation_pdf"),
]

# Democratic management (DOMAIN §3): each app's console pages are listed in their own module.
urlpatterns += [
    path("congress/", include("gonghui.console.urls_congress")),
    path("proposals/", include("gonghui.console.urls_proposals")),
    path("suggestions/", include("gonghui.console.urls_suggestions")),
    path("disclosure/", include("gonghui.console.urls_disclosure")),
    path("contracts/", include("gonghui.console.urls_contracts")),
]

# Worker services (DOMAIN §5): each app's console pages are listed in their own module.
urlpatterns += [
    path("aid/", include("gonghui.console.urls_aid")),
    path("medical/", include("gonghui.console.urls_medical")),
    path("recuperation/", include("gonghui.console.urls_recuperation")),
    path("stations/", include("gonghui.console.urls_stations")),
    path("benefits/", include("gonghui.console.urls_benefits")),
]
