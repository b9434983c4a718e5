"""Recuperation console, the planning side: the union's sites, planning a batch within the spending limit in
force, publishing and cancelling it, the union's rules (own or inherited) and the members' designations. Every
page keeps to scope: another district's batch or designation is a 404, a read-only viewer's write a 403, a plain
member has no console, and a bad form is a message on the form, never a 500."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from gonghui.console.forms_recuperation import PolicyForm
from gonghui.core.errors import ServiceError
from gonghui.recuperation import services
from gonghui.recuperation.models import (
    Application,
    ApplicationStatus,
    Batch,
    BatchStatus,
    Designation,
    Quota,
    RecuperationPolicy,
    Site,
)
from tests.recuperation_support import (
    NOW,
    batch,
    batch_input,
    frozen,
    join,
    liu,
    logged_in,
    make_batch,
    make_site,
    site,
    zhang,
)

pytestmark = pytest.mark.django_db
__all__ = ["batch", "frozen", "liu", "site", "zhang"]

PAGES = [
    "console:recuperation_list",
    "console:recuperation_sites",
    "console:recuperation_policy",
    "console:recuperation_designations",
    "console:recuperation_stats",
]


def text_of(page: str, testid: str) -> str:
    """The text inside the element marked `data-testid="<testid>"`, up to its closing tag (tags dropped)."""
    match = re.search(rf'<(\w+)[^>]*data-testid="{testid}"[^>]*>', page)
    assert match, f"no element {testid}"
    end = page.index(f"</{match.group(1)}>", match.end())
    return " ".join(re.sub(r"<[^>]+>", " ", page[match.end() : end]).split())


def field_errors(page: str, field: str) -> str:
    """The error lines shown under the field whose input is named `field`."""
    match = re.search(rf'<div class="field has-error">\s*<label for="id_{field}".*?</div>', page, re.S)
    return match.group(0) if match else ""


@pytest.fixture
def district_site(tree, district_cadre_a):
    """A site of district A (西湖区), with 40 beds."""
    return make_site(district_cadre_a, tree.district_a, name="西湖区职工疗休养点", capacity=40)


def batch_form(at: Site, **kw: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "site": at.pk,
        "title": "2026年西湖区一线职工疗休养",
        "theme": "一线职工疗休养",
        "starts_on": "2026-05-20",
        "ends_on": "2026-05-21",
        "capacity": "20",
        "opens_at": "2026-04-02T09:00",
        "closes_at": "2026-04-20T17:00",
        "cost_per_person": "760",
        "only_designations": ["frontline"],
    }
    data.update(kw)
    return data


# --- pages render ------------------------------------------------------------------------------------------


def test_every_page_renders_for_an_in_scope_cadre_with_the_tabs(tree, district_cadre_a, district_site):
    client = logged_in(district_cadre_a)
    for name in PAGES:
        page = client.get(reverse(name)).content.decode()
        assert 'data-testid="recup-tabs"' in page, name
    page = client.get(reverse("console:recuperation_list")).content.decode()
    assert reverse("console:recuperation_sites") in page and 'data-testid="recup-batch-new"' in page
    page = client.get(reverse("console:recuperation_batch_new")).content.decode()
    assert 'data-testid="batch-form"' in page and district_site.name in page


def test_a_read_only_viewer_sees_the_pages_without_their_forms(tree, viewer_a, district_site):
    client = logged_in(viewer_a)
    for name in PAGES:
        page = client.get(reverse(name))
        assert page.status_code == 200, name
        for form in ("site-form", "policy-form", "designation-form", "recup-batch-new"):
            assert f'data-testid="{form}"' not in page.content.decode()
    assert client.get(reverse("console:recuperation_batch_new")).status_code == 403


def test_a_member_without_a_role_has_none_of_these_pages(tree, member_a):
    client = logged_in(member_a)
    for name in [*PAGES, "console:recuperation_batch_new"]:
        assert client.get(reverse(name)).status_code in (302, 403), name
        assert client.post(reverse(name), {"name": "x"}).status_code in (302, 403), name
    assert not Site.objects.exists()


# --- sites -------------------------------------------------------------------------------------------------


def test_a_cadre_adds_a_site_of_the_current_union(tree, district_cadre_a, site):
    client = logged_in(district_cadre_a)
    response = client.post(
        reverse("console:recuperation_sites"),
        {
            "name": "西湖区职工疗休养点",
            "kind": "hotel",
            "address": "杭州市西湖区龙井路1号",
            "capacity": "30",
            "contact": "0571-0000000",
            "description": "协议酒店",
        },
    )
    assert response.status_code == 302
    new = Site.objects.get(name="西湖区职工疗休养点")
    assert (new.org, new.kind, new.capacity, new.contact) == (tree.district_a, "hotel", 30, "0571-0000000")
    page = client.get(reverse("console:recuperation_sites")).content.decode()
    assert f'data-testid="site-{new.pk}"' in page
    assert f'data-testid="site-{site.pk}"' not in page  # the province's site is above district A


def test_a_site_form_with_problems_shows_them_and_adds_nothing(tree, district_cadre_a, district_site):
    client = logged_in(district_cadre_a)
    url = reverse("console:recuperation_sites")
    taken = client.post(
        url, {"name": district_site.name, "kind": "base", "address": "西湖区", "capacity": "10"}
    )
    assert taken.status_code == 200 and field_errors(taken.content.decode(), "name")
    bad = client.post(url, {"name": "新点", "kind": "castle", "address": "", "capacity": "lots"})
    assert bad.status_code == 200
    page = bad.content.decode()
    assert all(field_errors(page, f) for f in ("kind", "address", "capacity"))
    assert Site.objects.count() == 1


# --- planning a batch --------------------------------------------------------------------------------------


def test_a_cadre_plans_a_draft_batch_and_lands_on_it(tree, district_cadre_a, district_site):
    client = logged_in(district_cadre_a)
    response = client.post(reverse("console:recuperation_batch_new"), batch_form(district_site))
    batch = Batch.objects.get()
    assert response.url == reverse("console:recuperation_batch", args=[batch.pk])
    assert (batch.org, batch.status, batch.days, batch.capacity) == (tree.district_a, "draft", 2, 20)
    assert batch.cost_per_person == Decimal("760") and batch.only_designations == ["frontline"]
    assert batch.closes_at == datetime.datetime(2026, 4, 20, 17, 0, tzinfo=NOW.tzinfo)
    assert Quota.objects.get(batch=batch, parent=None).org == tree.district_a
    page = client.get(response.url).content.decode()
    assert 'data-testid="batch-publish"' in page


def test_the_form_shows_the_limit_in_force_before_the_cadre_types(tree, province_cadre, district_cadre_a):
    client = logged_in(district_cadre_a)
    page = client.get(reverse("console:recuperation_batch_new")).content.decode()
    limit = text_of(page, "limit-in-force")
    assert "400" in limit and "800" in limit and "2" in limit
    assert 'data-testid="no-sites"' in page  # district A has no site yet: nothing to plan at
    services.recuperation_policy_set(actor=province_cadre, org=tree.province, daily_limit=300, max_days=3)
    limit = text_of(client.get(reverse("console:recuperation_batch_new")).content.decode(), "limit-in-force")
    assert "300" in limit and "900" in limit and tree.province.name in limit


def test_an_over_limit_plan_shows_the_error_on_the_cost_and_creates_nothing(
    tree, district_cadre_a, district_site
):
    client = logged_in(district_cadre_a)
    url = reverse("console:recuperation_batch_new")
    response = client.post(url, batch_form(district_site, cost_per_person="801"))
    assert response.status_code == 200
    error = field_errors(response.content.decode(), "cost_per_person")
    assert "800" in error
    too_long = client.post(url, batch_form(district_site, ends_on="2026-05-22", cost_per_person="100"))
    assert field_errors(too_long.content.decode(), "ends_on")
    assert not Batch.objects.exists() and not Quota.objects.exists()


@pytest.mark.parametrize(
    "changes,field",
    [
        ({"ends_on": "2026-05-19"}, "ends_on"),
        ({"closes_at": "2026-04-01T08:00"}, "closes_at"),
        ({"closes_at": "2026-05-20T08:00"}, "closes_at"),
        ({"capacity": "41"}, "capacity"),
        ({"capacity": "0"}, "capacity"),
        ({"capacity": "99999999999999999999"}, "capacity"),
        ({"starts_on": "next week"}, "starts_on"),
        ({"opens_at": "2026-13-45T99:99"}, "opens_at"),
        ({"cost_per_person": "NaN"}, "cost_per_person"),
        ({"cost_per_person": "-1"}, "cost_per_person"),
        ({"cost_per_person": "1e400"}, "cost_per_person"),
        ({"only_designations": ["hero"]}, "only_designations"),
        ({"title": "   "}, "title"),
        ({"site": "999999"}, "site"),
    ],
)
def test_a_bad_batch_form_is_an_error_on_its_field_never_a_500(
    tree, district_cadre_a, district_site, changes, field
):
    response = logged_in(district_cadre_a).post(
        reverse("console:recuperation_batch_new"), batch_form(district_site, **changes)
    )
    assert response.status_code == 200
    page = response.content.decode()
    if field == "only_designations":
        assert 'class="field has-error" data-testid="only-designations"' in page
    else:
        assert field_errors(page, field)
    assert not Batch.objects.exists()


def test_a_site_of_another_district_cannot_be_chosen(tree, district_cadre_a, chair_b, district_site):
    other = make_site(chair_b, tree.grassroots_b, name="长河疗休养点")
    response = logged_in(district_cadre_a).post(reverse("console:recuperation_batch_new"), batch_form(other))
    assert response.status_code == 200 and field_errors(response.content.decode(), "site")
    assert other.name not in response.content.decode()
    assert not Batch.objects.exists()


# --- publish and cancel ------------------------------------------------------------------------------------


def test_a_cadre_publishes_a_draft_then_cancels_it_with_a_reason(
    tree, district_cadre_a, district_site, chair_a, member_a
):
    join(chair_a, tree.grassroots_a, member_a, n=1)
    draft = make_batch(district_cadre_a, district_site, publish=False, only_designations=[])
    client = logged_in(district_cadre_a)
    detail = reverse("console:recuperation_batch", args=[draft.pk])
    client.post(reverse("console:recuperation_publish", args=[draft.pk]))
    draft.refresh_from_db()
    assert draft.status == BatchStatus.OPEN and draft.published_at is not None
    page = client.get(detail).content.decode()
    assert 'data-testid="batch-publish"' not in page and 'data-testid="batch-cancel"' in page
    again = client.post(reverse("console:recuperation_publish", args=[draft.pk]), follow=True)
    assert again.status_code == 200 and 'class="msg msg-error"' in again.content.decode()
    app = services.application_submit(user=member_a, batch_id=draft.pk)
    silent = client.post(
        reverse("console:recuperation_cancel", args=[draft.pk]), {"reason": "  "}, follow=True
    )
    assert silent.status_code == 200
    assert Batch.objects.get(pk=draft.pk).status == BatchStatus.OPEN
    client.post(reverse("console:recuperation_cancel", args=[draft.pk]), {"reason": "台风预警"})
    assert Batch.objects.get(pk=draft.pk).status == BatchStatus.CANCELLED
    app.refresh_from_db()
    assert app.status == ApplicationStatus.CANCELLED and app.cancel_reason == "台风预警"
    assert 'data-testid="batch-actions"' not in client.get(detail).content.decode()


def test_a_draft_whose_window_has_passed_is_not_published(tree, district_cadre_a, district_site, frozen):
    draft = make_batch(district_cadre_a, district_site, publish=False)
    frozen.move_to(NOW + datetime.timedelta(days=11))
    response = logged_in(district_cadre_a).post(
        reverse("console:recuperation_publish", args=[draft.pk]), follow=True
    )
    assert response.status_code == 200 and 'class="msg msg-error"' in response.content.decode()
    assert Batch.objects.get(pk=draft.pk).status == BatchStatus.DRAFT


def test_publish_and_cancel_are_shown_only_to_managers_of_the_organiser(
    batch, district_cadre_a, province_cadre, viewer_a
):
    detail = reverse("console:recuperation_batch", args=[batch.pk])
    assert 'data-testid="batch-cancel"' in logged_in(province_cadre).get(detail).content.decode()
    for user in (district_cadre_a, viewer_a):  # they see the batch through district A's quota
        page = logged_in(user).get(detail)
        assert page.status_code == 200 and 'data-testid="batch-actions"' not in page.content.decode()
        assert 'data-testid="batch-cancel"' not in page.content.decode()
    refused = logged_in(district_cadre_a).post(
        reverse("console:recuperation_cancel", args=[batch.pk]), {"reason": "x"}
    )
    assert refused.status_code == 404  # the province is outside district A's scope
    assert Batch.objects.get(pk=batch.pk).status == BatchStatus.OPEN


# --- the union's rules -------------------------------------------------------------------------------------

POLICY = {
    "daily_limit": "350",
    "max_days": "3",
    "min_membership_years": "2",
    "interval_years": "0",
    "cancel_days_before": "5",
    "model_worker_points": "60",
    "frontline_points": "25",
    "points_per_year": "3",
    "max_service_points": "30",
}


def test_the_policy_form_has_exactly_the_services_rules():
    assert tuple(PolicyForm.base_fields) == services.POLICY_FIELDS


def test_the_rules_page_says_whose_rules_are_in_force(tree, province_cadre, district_cadre_a):
    client = logged_in(district_cadre_a)
    url = reverse("console:recuperation_policy")
    source = text_of(client.get(url).content.decode(), "policy-source")
    assert tree.province.name not in source and tree.district_a.name not in source
    services.recuperation_policy_set(actor=province_cadre, org=tree.province, daily_limit=300, max_days=2)
    page = client.get(url).content.decode()
    assert tree.province.name in text_of(page, "policy-source")
    assert "300" in text_of(page, "policy-in-force") and 'value="300' in page  # the form starts from it
    response = client.post(url, POLICY)
    assert response.status_code == 302
    own = RecuperationPolicy.objects.get(org=tree.district_a)
    assert (own.daily_limit, own.max_days, own.interval_years, own.model_worker_points) == (
        Decimal("350"),
        3,
        0,
        60,
    )
    page = client.get(url).content.decode()
    assert tree.province.name not in text_of(page, "policy-source") and "350" in text_of(
        page, "policy-in-force"
    )
    assert RecuperationPolicy.objects.get(org=tree.province).daily_limit == Decimal("300")


@pytest.mark.parametrize(
    "changes,field",
    [
        ({"daily_limit": "0"}, "daily_limit"),
        ({"daily_limit": "5000.01"}, "daily_limit"),
        ({"daily_limit": "abc"}, "daily_limit"),
        ({"max_days": "31"}, "max_days"),
        ({"frontline_points": "-1"}, "frontline_points"),
        ({"points_per_year": "1001"}, "points_per_year"),
        ({"cancel_days_before": ""}, "cancel_days_before"),
    ],
)
def test_bad_rules_are_an_error_on_their_field_and_nothing_is_saved(tree, district_cadre_a, changes, field):
    response = logged_in(district_cadre_a).post(reverse("console:recuperation_policy"), {**POLICY, **changes})
    assert response.status_code == 200 and field_errors(response.content.decode(), field)
    assert not RecuperationPolicy.objects.exists()


def test_a_district_limit_is_the_one_its_planners_must_keep_to(tree, district_cadre_a, district_site):
    client = logged_in(district_cadre_a)
    client.post(reverse("console:recuperation_policy"), {**POLICY, "daily_limit": "300", "max_days": "2"})
    page = client.get(reverse("console:recuperation_batch_new")).content.decode()
    assert "600" in text_of(page, "limit-in-force")
    refused = client.post(reverse("console:recuperation_batch_new"), batch_form(district_site))
    assert "600" in field_errors(refused.content.decode(), "cost_per_person")
    assert not Batch.objects.exists()


# --- designations ------------------------------------------------------------------------------------------


def test_a_cadre_records_and_removes_a_model_worker_by_member_number(tree, district_cadre_a, zhang):
    client = logged_in(district_cadre_a)
    url = reverse("console:recuperation_designations")
    response = client.post(
        url,
        {
            "member_number": zhang.number.lower(),
            "kind": "model_worker",
            "title": "浙江省劳动模范",
            "year": "2024",
        },
    )
    assert response.status_code == 302
    row = Designation.objects.get(member=zhang)
    assert (row.kind, row.title, row.year, row.added_by) == (
        "model_worker",
        "浙江省劳动模范",
        2024,
        district_cadre_a,
    )
    page = client.get(url).content.decode()
    assert zhang.name in page and zhang.number in page and f'data-testid="designation-{row.pk}"' in page
    client.post(reverse("console:recuperation_designation_remove", args=[row.pk]))
    assert not Designation.objects.exists()


def test_an_unknown_or_out_of_scope_member_number_is_an_error_on_the_field(
    tree, district_cadre_a, zhang, liu
):
    client = logged_in(district_cadre_a)
    url = reverse("console:recuperation_designations")
    for number in ("000000000000", liu.number, "", "x" * 50):
        response = client.post(url, {"member_number": number, "kind": "frontline"})
        assert response.status_code == 200 and field_errors(response.content.decode(), "member_number"), (
            number
        )
    bad_kind = client.post(url, {"member_number": zhang.number, "kind": "hero", "year": "1800"})
    page = bad_kind.content.decode()
    assert field_errors(page, "kind") and field_errors(page, "year")
    assert not Designation.objects.exists()


def test_the_designation_list_keeps_to_the_current_union(tree, district_cadre_a, chair_b, zhang, liu):
    mine = services.designation_add(actor=district_cadre_a, member=zhang, kind="frontline")
    theirs = services.designation_add(actor=chair_b, member=liu, kind="model_worker")
    page = logged_in(district_cadre_a).get(reverse("console:recuperation_designations")).content.decode()
    assert f'data-testid="designation-{mine.pk}"' in page
    assert f'data-testid="designation-{theirs.pk}"' not in page and liu.name not in page


# --- scope -------------------------------------------------------------------------------------------------


@pytest.fixture
def district_batch(district_cadre_a, district_site):
    return make_batch(district_cadre_a, district_site, publish=False)


@pytest.mark.parametrize(
    "name,arg",
    [
        ("console:recuperation_publish", "batch"),
        ("console:recuperation_cancel", "batch"),
        ("console:recuperation_designation_remove", "designation"),
    ],
)
def test_another_districts_batch_or_designation_is_not_found_and_a_viewer_is_refused(
    tree, district_cadre_a, district_cadre_b, viewer_a, district_batch, zhang, name, arg
):
    row = services.designation_add(actor=district_cadre_a, member=zhang, kind="frontline")
    pk = {"batch": district_batch.pk, "designation": row.pk}[arg]
    data = {"reason": "x"}
    assert logged_in(district_cadre_b).post(reverse(name, args=[pk]), data).status_code == 404
    assert logged_in(viewer_a).post(reverse(name, args=[pk]), data).status_code == 403
    assert logged_in(viewer_a).post(reverse(name, args=[pk]), {}).status_code == 403
    assert Batch.objects.get(pk=district_batch.pk).status == BatchStatus.DRAFT
    assert Designation.objects.filter(pk=row.pk).exists()


def test_another_districts_cadre_does_not_find_the_batch_page(district_cadre_b, district_batch):
    url = reverse("console:recuperation_batch", args=[district_batch.pk])
    assert logged_in(district_cadre_b).get(url).status_code == 404


@pytest.mark.parametrize(
    "name,data",
    [
        ("console:recuperation_sites", {"name": "点", "kind": "base", "address": "x", "capacity": "5"}),
        ("console:recuperation_policy", POLICY),
        ("console:recuperation_designations", {"member_number": "x", "kind": "frontline"}),
        ("console:recuperation_batch_new", {}),
    ],
)
def test_a_read_only_viewer_may_not_write_on_the_union_pages(
    tree, viewer_a, district_site, zhang, name, data
):
    if name == "console:recuperation_designations":
        data = {**data, "member_number": zhang.number}
    if name == "console:recuperation_batch_new":
        data = batch_form(district_site)
    assert logged_in(viewer_a).post(reverse(name), data).status_code == 403
    assert Site.objects.count() == 1
    assert not RecuperationPolicy.objects.exists()
    assert not Designation.objects.exists() and not Batch.objects.exists()
    assert not Application.objects.exists()


def test_a_retired_site_takes_no_new_batches_until_it_is_used_again(
    tree, district_cadre_a, district_cadre_b, viewer_a, district_site
):
    client = logged_in(district_cadre_a)
    url = reverse("console:recuperation_site_active", args=[district_site.pk])
    assert (
        f'data-testid="site-active-{district_site.pk}"'
        in client.get(reverse("console:recuperation_sites")).content.decode()
    )
    assert logged_in(viewer_a).post(url, {"active": "0"}).status_code == 403
    assert logged_in(district_cadre_b).post(url, {"active": "0"}).status_code == 404
    assert client.post(url, {"active": "0"}).status_code == 302
    district_site.refresh_from_db()
    assert not district_site.is_active
    with pytest.raises(ServiceError) as exc:
        services.batch_create(actor=district_cadre_a, site=district_site, data=batch_input())
    assert exc.value.code == "site_retired"
    assert client.post(url, {"active": "1"}).status_code == 302
    district_site.refresh_from_db()
    assert district_site.is_active
    assert services.batch_create(actor=district_cadre_a, site=district_site, data=batch_input()).pk


def test_a_batch_that_has_started_is_not_cancelled(batch, province_cadre, frozen):
    frozen.move_to(datetime.datetime.combine(batch.starts_on, datetime.time(9), tzinfo=NOW.tzinfo))
    with pytest.raises(ServiceError) as exc:
        services.batch_cancel(actor=province_cadre, batch=batch, reason="天气")
    assert exc.value.code == "started"
    batch.refresh_from_db()
    assert batch.status == "open"
