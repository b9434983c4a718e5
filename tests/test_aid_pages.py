"""The hardship-aid pages: the worker's portal (my file, apply, progress, announcements and objections) and the
cadre console (queue per level, files, one file, one application, announcements, payments, statistics), with
scope on every console page: another union's cadre gets 404, a read-only role 403 where it would act."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from gonghui.aid import services
from gonghui.aid.models import AidApplication, AppState, HardshipFile

from .aid_helpers import approve_all, cadres, medical, verified_file, zhejiang_chain
from .conftest import make_user
from .suggestion_helpers import make_member

TUESDAY = datetime.datetime(2026, 11, 17, 9, 0, tzinfo=datetime.UTC)
AFTER = datetime.datetime(2026, 11, 25, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def cast(tree, chair_a, district_cadre_a):
    zhejiang_chain(tree)
    return cadres(tree, chair_a, district_cadre_a)


@pytest.fixture
def zhang_file(tree, cast, member_a):
    return verified_file(tree, cast, member_a)


@pytest.fixture
def submitted(tree, cast, member_a, zhang_file):
    with time_machine.travel(TUESDAY, tick=False):
        return services.application_submit(user=member_a, file=zhang_file, data=medical("3000"))


@pytest.fixture
def announced(tree, cast, submitted):
    with time_machine.travel(TUESDAY, tick=False):
        return approve_all(submitted, cast)


# --- portal --------------------------------------------------------------------------------------------------


def test_a_worker_without_a_file_is_told_how_to_get_one(client, tree, member_a):
    client.force_login(member_a)
    page = client.get(reverse("portal:aid")).content.decode()
    assert 'data-testid="aid-apply"' not in page and "建档立卡" in page
    assert client.get(reverse("portal:aid_apply")).status_code == 404


def test_the_portal_asks_a_visitor_to_sign_in(client, tree):
    response = client.get(reverse("portal:aid"))
    assert response.status_code == 302 and "login" in response["Location"]


@time_machine.travel(TUESDAY, tick=False)
def test_a_worker_applies_in_a_few_taps_and_sees_the_chain(client, tree, cast, member_a, zhang_file):
    client.force_login(member_a)
    home = client.get(reverse("portal:aid")).content.decode()
    assert 'data-testid="my-file"' in home and 'data-testid="aid-apply"' in home
    response = client.post(
        reverse("portal:aid_apply"),
        {"aid_type": "medical", "amount": "3000", "reason": "妻子化疗费用高", "illness_code": "C50.9"},
    )
    app = AidApplication.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "portal:aid_application", args=[app.pk]
    )
    page = client.get(response["Location"]).content.decode()
    for org in (tree.grassroots_a, tree.district_a, tree.city):
        assert org.name in page


def test_a_wrong_detail_is_shown_on_its_field(client, tree, cast, member_a, zhang_file):
    client.force_login(member_a)
    response = client.post(
        reverse("portal:aid_apply"), {"aid_type": "medical", "amount": "3000", "reason": "妻子化疗费用高"}
    )
    assert response.status_code == 200 and "ICD-10" in response.content.decode()
    assert not AidApplication.objects.exists()


def test_a_worker_sees_only_their_own_applications(client, tree, cast, submitted, member_b):
    client.force_login(member_b)
    assert client.get(reverse("portal:aid_application", args=[submitted.pk])).status_code == 404


def test_members_of_the_union_see_the_announcement_masked_and_may_object(client, tree, cast, announced):
    coworker = make_user("13900000050", "李同事")
    make_member(cast.grassroots, tree.grassroots_a, coworker, 41)
    client.force_login(coworker)
    with time_machine.travel(datetime.datetime(2026, 11, 19, 9, 0, tzinfo=datetime.UTC), tick=False):
        home = client.get(reverse("portal:aid")).content.decode()
        assert "张*" in home and "张伟" not in home
        url = reverse("portal:aid_announcement", args=[announced.pk])
        response = client.post(url, {"text": "他家新买了一辆车，不困难"})
    assert response.status_code == 302 and announced.objections.count() == 1


def test_a_member_of_another_union_does_not_see_the_announcement(
    client, tree, cast, announced, chair_b, member_b
):
    make_member(chair_b, tree.grassroots_b, member_b, 42, region="330108")
    client.force_login(member_b)
    assert "张*" not in client.get(reverse("portal:aid")).content.decode()
    assert client.get(reverse("portal:aid_announcement", args=[announced.pk])).status_code == 404


# --- console ---------------------------------------------------------------------------------------------------


def test_the_grassroots_queue_shows_the_application_and_approving_sends_it_up(client, tree, cast, submitted):
    client.force_login(cast.grassroots)
    page = client.get(reverse("console:aid_home")).content.decode()
    assert submitted.number in page
    response = client.post(
        reverse("console:aid_application_action", args=[submitted.pk, "approve"]),
        {"amount": "2500", "note": "属实"},
    )
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.current_org == tree.district_a and submitted.amount_approved == Decimal("2500")
    client.force_login(cast.district)
    assert submitted.number in client.get(reverse("console:aid_home")).content.decode()


def test_a_refused_approval_shows_the_message_and_changes_nothing(client, tree, cast, submitted):
    client.force_login(cast.grassroots)
    response = client.post(
        reverse("console:aid_application_action", args=[submitted.pk, "approve"]),
        {"amount": "99999"},
        follow=True,
    )
    assert "不超过申请金额" in response.content.decode() or "above zero" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.level == 0


def test_rejecting_records_the_reason(client, tree, cast, submitted):
    client.force_login(cast.grassroots)
    client.post(
        reverse("console:aid_application_action", args=[submitted.pk, "reject"]), {"reason": "材料不全"}
    )
    submitted.refresh_from_db()
    assert submitted.state == AppState.REJECTED and submitted.reject_reason == "材料不全"


def test_the_city_records_the_payment_after_the_announcement(client, tree, cast, announced):
    client.force_login(cast.city)
    with time_machine.travel(AFTER, tick=False):
        page = client.get(reverse("console:aid_application", args=[announced.pk])).content.decode()
        assert 'data-testid="pay-form"' in page
        client.post(
            reverse("console:aid_application_action", args=[announced.pk, "pay"]),
            {"method": "transfer", "paid_on": "2026-11-25", "reference": "HZ0001"},
        )
        announced.refresh_from_db()
        assert announced.state == AppState.PAID
        assert announced.number in client.get(reverse("console:aid_payments")).content.decode()


def test_cash_is_refused_on_the_payment_page(client, tree, cast, announced):
    client.force_login(cast.city)
    with time_machine.travel(AFTER, tick=False):
        response = client.post(
            reverse("console:aid_application_action", args=[announced.pk, "pay"]),
            {"method": "cash", "paid_on": "2026-11-25"},
            follow=True,
        )
    announced.refresh_from_db()
    assert announced.state == AppState.ANNOUNCED and response.status_code == 200


def test_an_objection_is_resolved_on_the_application_page(client, tree, cast, announced):
    with time_machine.travel(datetime.datetime(2026, 11, 19, 9, 0, tzinfo=datetime.UTC), tick=False):
        objection = services.objection_raise(
            user=cast.grassroots, application=announced, text="有人反映家庭有车"
        )
        client.force_login(cast.city)
        assert "有人反映家庭有车" in client.get(reverse("console:aid_announcements")).content.decode()
        client.post(
            reverse("console:aid_objection_resolve", args=[objection.pk]),
            {"upheld": "0", "finding": "核实为亲属车辆"},
        )
    objection.refresh_from_db()
    assert objection.outcome == "dismissed"


def test_opening_and_verifying_a_file_in_the_console(client, tree, cast, member_a):
    member = make_member(cast.grassroots, tree.grassroots_a, member_a, 1)
    client.force_login(cast.grassroots)
    response = client.post(
        reverse("console:aid_file_new"),
        {
            "member_number": member.number,
            "category": "deep",
            "situation": "妻子重病",
            "worker_income": "2400",
            "h0_name": "王丽",
            "h0_relation": "spouse",
            "h0_income": "0",
        },
    )
    f = HardshipFile.objects.get()
    assert response.status_code == 302 and f.household_size == 2
    client.force_login(cast.grassroots_2)
    client.post(reverse("console:aid_file_action", args=[f.pk, "verify"]))
    f.refresh_from_db()
    assert f.verified_by == cast.grassroots_2
    page = client.get(reverse("console:aid_file", args=[f.pk])).content.decode()
    assert "王丽" in page


def test_a_member_number_outside_the_union_is_not_found(client, tree, cast, chair_b, member_b):
    other = make_member(chair_b, tree.grassroots_b, member_b, 43, region="330108")
    client.force_login(cast.grassroots)
    response = client.post(
        reverse("console:aid_file_new"),
        {"member_number": other.number, "category": "deep", "situation": "x", "worker_income": "100"},
    )
    assert response.status_code == 200 and not HardshipFile.objects.exists()


def test_the_file_register_costs_the_same_queries_for_one_or_many_files(
    client, tree, cast, member_a, zhang_file, django_assert_max_num_queries
):
    client.force_login(cast.district)
    url = reverse("console:aid_files")
    client.get(url)
    with django_assert_max_num_queries(12) as one:
        client.get(url)
    for n, name in enumerate(["王芳", "李强", "赵敏"]):
        user = make_user(f"1390000010{n}", name)
        verified_file(tree, cast, user, n=10 + n)
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get(url).content.decode()
    assert "赵敏" in page


def test_statistics_show_the_rollup_with_a_chart(client, tree, cast, announced, province_cadre):
    client.force_login(province_cadre)
    page = client.get(reverse("console:aid_stats") + "?year=2026").content.decode()
    assert 'data-chart="aid-paid"' in page and tree.city.name in page


@pytest.mark.parametrize(
    "name", ["aid_home", "aid_applications", "aid_files", "aid_announcements", "aid_payments", "aid_stats"]
)
def test_lists_show_only_the_cadres_own_subtree(client, tree, cast, announced, district_cadre_b, name):
    client.force_login(district_cadre_b)
    page = client.get(reverse(f"console:{name}")).content.decode()
    assert announced.number not in page and "张伟" not in page


def test_another_unions_cadre_gets_404_on_every_page_of_the_application_and_file(
    client, tree, cast, announced, zhang_file, district_cadre_b
):
    client.force_login(district_cadre_b)
    assert client.get(reverse("console:aid_application", args=[announced.pk])).status_code == 404
    assert client.get(reverse("console:aid_file", args=[zhang_file.pk])).status_code == 404
    for action in ("approve", "reject", "pay", "objection"):
        url = reverse("console:aid_application_action", args=[announced.pk, action])
        assert client.post(url, {"reason": "x", "amount": "1"}).status_code == 404
    assert client.post(reverse("console:aid_file_action", args=[zhang_file.pk, "exit"])).status_code == 404


def test_a_read_only_viewer_may_look_but_not_act(client, tree, cast, submitted, zhang_file, viewer_a):
    client.force_login(viewer_a)
    assert client.get(reverse("console:aid_application", args=[submitted.pk])).status_code == 200
    assert client.get(reverse("console:aid_files")).status_code == 200
    url = reverse("console:aid_application_action", args=[submitted.pk, "approve"])
    assert client.post(url, {"amount": "100"}).status_code == 403
    assert (
        client.post(
            reverse("console:aid_file_action", args=[zhang_file.pk, "exit"]), {"reason": "xx"}
        ).status_code
        == 403
    )
    assert client.get(reverse("console:aid_file_new")).status_code == 403


def test_a_worker_without_a_role_has_no_console(client, tree, member_a):
    client.force_login(member_a)
    assert client.get(reverse("console:aid_home")).status_code == 403


def test_the_rules_page_sets_caps_and_the_chain_for_the_subtree(
    client, tree, cast, district_cadre_a, viewer_a
):
    client.force_login(district_cadre_a)
    page = client.get(reverse("console:aid_rules")).content.decode()
    assert "grassroots, district, city" in page
    data = {
        "cap_living": "4000",
        "cap_medical": "8000",
        "cap_education": "5000",
        "cap_holiday": "2200",
        "single_illness_once_a_year": "on",
        "no_cash": "on",
        "income_threshold": "1500",
        "announce_workdays": "7",
        "review_months": "12",
        "levels": "grassroots，district",
    }
    assert client.post(reverse("console:aid_rules"), data).status_code == 302
    assert services.policy_for(tree.grassroots_a).cap_medical == Decimal("8000")
    assert services.chain_for(tree.grassroots_a) == [tree.grassroots_a, tree.district_a]
    bad = client.post(reverse("console:aid_rules"), {**data, "levels": "grassroots, moon"})
    assert bad.status_code == 200 and services.chain_for(tree.grassroots_a)[-1] == tree.district_a
    client.force_login(viewer_a)
    assert client.get(reverse("console:aid_rules")).status_code == 200
    assert client.post(reverse("console:aid_rules"), data).status_code == 403


PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


def _apply_with_document(client, member_a):
    import io

    client.force_login(member_a)
    doc = io.BytesIO(PNG)
    doc.name = "diagnosis.png"
    client.post(
        reverse("portal:aid_apply"),
        {
            "aid_type": "medical",
            "amount": "3000",
            "reason": "妻子化疗费用高",
            "illness_code": "C50.9",
            "documents": [doc],
        },
    )
    return AidApplication.objects.get()


@time_machine.travel(TUESDAY, tick=False)
def test_a_worker_attaches_a_document_when_applying(
    client, tree, cast, member_a, zhang_file, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    app = _apply_with_document(client, member_a)
    assert app.documents.get().content_type == "image/png"


@time_machine.travel(TUESDAY, tick=False)
def test_reviewers_open_the_documents_and_every_download_is_audited(
    client, tree, cast, member_a, zhang_file, chair_a, district_cadre_b, settings, tmp_path
):
    from gonghui.core.models import AuditRecord

    settings.MEDIA_ROOT = tmp_path / "media"
    app = _apply_with_document(client, member_a)
    doc = app.documents.get()
    url = reverse("console:aid_document", args=[app.pk, doc.pk])
    client.force_login(chair_a)
    page = client.get(reverse("console:aid_application", args=[app.pk]))
    assert url in page.content.decode()
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PNG
    assert response["Content-Disposition"].startswith("attachment")
    audit = AuditRecord.objects.filter(action="gonghui.aid.document_downloaded")
    assert audit.count() == 1 and audit.get().actor_id == chair_a.pk
    api = client.get(f"/api/v1/aid/applications/{app.pk}/documents/{doc.pk}")
    assert api.status_code == 200 and audit.count() == 2
    listed = client.get(f"/api/v1/aid/applications/{app.pk}/documents").json()
    assert [d["original_name"] for d in listed] == ["diagnosis.png"]
    # Outside the application's chain: not found, nothing recorded.
    client.force_login(district_cadre_b)
    assert client.get(url).status_code == 404
    assert client.get(f"/api/v1/aid/applications/{app.pk}/documents/{doc.pk}").status_code == 404
    assert audit.count() == 2
    # A file gone from the disk is a clear 404, not a server error, and records nothing.
    client.force_login(chair_a)
    (tmp_path / "media" / doc.stored_path).unlink()
    assert client.get(url).status_code == 404 and audit.count() == 2
