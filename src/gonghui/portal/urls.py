from django.urls import URLPattern, URLResolver, include, path

from .views import account, home, members, mydata, privacy, rights, twofactor

app_name = "portal"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", home.home, name="home"),
    path("login/", home.login_view, name="login"),
    path("login/sms-code/", home.sms_code, name="sms_code"),
    path("logout/", home.logout_view, name="logout"),
    path("me/", home.profile, name="profile"),
    path("me/password/", account.password_change, name="password_change"),
    path("me/logout-everywhere/", account.logout_everywhere, name="logout_everywhere"),
    path("reauth/", account.reauth, name="reauth"),
    path("me/data/", mydata.my_data, name="my_data"),
    path("privacy/", privacy.privacy, name="privacy"),
    path("privacy/consent/", privacy.consent_give, name="consent_give"),
    path("privacy/consent/<int:consent_id>/withdraw/", privacy.consent_withdraw, name="consent_withdraw"),
    path("me/data/download/", mydata.my_data_download, name="my_data_download"),
    path("me/2fa/enrol/", twofactor.enrol, name="2fa_enrol"),
    path("me/2fa/verify/", twofactor.verify, name="2fa_verify"),
    path("language/", home.language, name="language"),
    path("unions/new/", home.org_request, name="org_request"),
    path("unions/requests/<int:request_id>/", home.org_request_done, name="org_request_done"),
]
urlpatterns += [
    path(
        "unions/requests/<int:request_id>/documents/",
        home.org_request_document_upload,
        name="org_request_document_upload",
    ),
    path(
        "unions/requests/<int:request_id>/documents/<int:document_id>/",
        home.org_request_document_download,
        name="org_request_document_download",
    ),
]

# Membership (members app): join, progress, card, transfer; the card check is public.
urlpatterns += [
    path("join/", members.join, name="join"),
    path("join/code/", members.join_code, name="join_code"),
    path("join/employers/", members.join_employers, name="join_employers"),
    path("me/applications/", members.applications, name="applications"),
    path("me/applications/<int:application_id>/", members.application, name="application"),
    path("me/membership/", members.membership, name="membership"),
    path("me/membership/card.pdf", members.member_card_pdf, name="member_card_pdf"),
    path("me/membership/transfer/", members.member_transfer, name="member_transfer"),
    path("card/<str:code>/", members.card_verify, name="card_verify"),
    path("unions/search/", members.union_search, name="union_search"),
    path(
        "me/applications/<int:application_id>/withdraw/",
        members.application_withdraw,
        name="application_withdraw",
    ),
    path("me/membership/transfer/cancel/", members.member_transfer_cancel, name="member_transfer_cancel"),
    path("me/notices/", members.notices, name="notices"),
    path("me/notices/read/", members.notices_read, name="notices_read"),
]

# Rights protection (rights app): ask for help, follow with a code, rate, reopen, withdraw.
urlpatterns += [
    path("rights/", rights.rights_home, name="rights"),
    path("rights/new/", rights.rights_new, name="rights_new"),
    path("rights/follow/", rights.rights_follow, name="rights_follow"),
    path("rights/<int:case_id>/", rights.rights_case, name="rights_case"),
    path("rights/<int:case_id>/rate/", rights.rights_rate, name="rights_rate"),
    path("rights/<int:case_id>/reopen/", rights.rights_reopen, name="rights_reopen"),
    path("rights/<int:case_id>/withdraw/", rights.rights_withdraw, name="rights_withdraw"),
]

# Democratic management (DOMAIN §3): each app's portal pages are listed in their own module.
urlpatterns += [
    path("congress/", include("gonghui.portal.urls_congress")),
    path("proposals/", include("gonghui.portal.urls_proposals")),
    path("suggestions/", include("gonghui.portal.urls_suggestions")),
    path("disclosure/", include("gonghui.portal.urls_disclosure")),
    path("contracts/", include("gonghui.portal.urls_contracts")),
]

# Worker services (DOMAIN §5): each app's portal pages are listed in their own module.
urlpatterns += [
    path("aid/", include("gonghui.portal.urls_aid")),
    path("medical/", include("gonghui.portal.urls_medical")),
    path("recuperation/", include("gonghui.portal.urls_recuperation")),
    path("stations/", include("gonghui.portal.urls_stations")),
    path("benefits/", include("gonghui.portal.urls_benefits")),
]
