"""Recuperation pages: the console (batches, one batch with quotas and applications, allocation, taking a place
back, figures) and the portal (batches, apply in a tap or see why not, my application, cancel). Every page keeps
to scope: another union's batch is a 404, the wrong role a 403."""

from __future__ import annotations

import pytest
from django.urls import reverse

from gonghui.recuperation import services
from gonghui.recuperation.models import Application, ApplicationStatus, Quota
from tests.recuperation_support import CLOSED, batch, crowd, frozen, join, liu, logged_in, site, zhang

pytestmark = pytest.mark.django_db
__all__ = ["batch", "frozen", "liu", "site", "zhang"]


def test_a_member_applies_in_a_tap_and_sees_the_result(batch, zhang, member_a, district_cadre_a, frozen):
    client = logged_in(member_a)
    home = client.get(reverse("portal:recuperation")).content.decode()
    assert batch.title in home
    page = client.get(reverse("portal:recuperation_batch", args=[batch.pk])).content.decode()
    assert 'data-testid="apply"' in page
    response = client.post(reverse("portal:recuperation_apply", args=[batch.pk]))
    app = Application.objects.get(member=zhang)
    assert response.url == reverse("portal:recuperation_application", args=[app.pk])
    frozen.move_to(CLOSED)
    services.quota_allocate(actor=district_cadre_a, quota=app.quota)
    client = logged_in(member_a)
    mine = client.get(reverse("portal:recuperation_application", args=[app.pk])).content.decode()
    assert 'data-testid="result-placed"' in mine
    client.post(reverse("portal:recuperation_cancel", args=[app.pk]))
    assert Application.objects.get(pk=app.pk).status == ApplicationStatus.CANCELLED


def test_the_batch_page_says_why_a_member_may_not_apply(batch, tree, chair_a, member_a):
    join(chair_a, tree.grassroots_a, member_a, n=1, years=0)
    page = logged_in(member_a).get(reverse("portal:recuperation_batch", args=[batch.pk])).content.decode()
    assert 'data-testid="not-eligible"' in page and 'data-testid="apply"' not in page


def test_another_members_application_is_not_found(batch, zhang, member_a, liu, member_b):
    app = services.application_submit(user=member_a, batch_id=batch.pk)
    client = logged_in(member_b)
    assert client.get(reverse("portal:recuperation_application", args=[app.pk])).status_code == 404
    assert client.post(reverse("portal:recuperation_cancel", args=[app.pk])).status_code == 404


def test_the_cadre_allocates_takes_a_place_back_and_sees_the_figures(
    batch, tree, chair_a, district_cadre_a, frozen
):
    users = crowd(chair_a, tree.grassroots_a, 7)
    apps = [services.application_submit(user=u, batch_id=batch.pk) for u in users]
    frozen.move_to(CLOSED)
    client = logged_in(district_cadre_a)
    assert batch.title in client.get(reverse("console:recuperation_list")).content.decode()
    quota = Quota.objects.get(batch=batch, org=tree.district_a)
    client.post(
        reverse("console:recuperation_quota_set", args=[batch.pk]), {"org": tree.street_a.pk, "places": "1"}
    )
    assert Quota.objects.get(batch=batch, org=tree.street_a).places == 1
    client.post(reverse("console:recuperation_allocate", args=[quota.pk]))
    assert Application.objects.filter(status="allocated").count() == 5
    page = client.get(reverse("console:recuperation_batch", args=[batch.pk])).content.decode()
    assert 'data-testid="recup-quotas"' in page and "quota-form" in page
    client.post(reverse("console:recuperation_withdraw", args=[apps[0].pk]), {"reason": "生产任务"})
    assert Application.objects.get(pk=apps[5].pk).status == ApplicationStatus.ALLOCATED
    stats = client.get(reverse("console:recuperation_stats") + "?year=2026").content.decode()
    assert 'data-chart="recup-union"' in stats and "文新街道总工会" in stats


def test_the_batch_list_costs_the_same_queries_for_one_batch_or_many(
    batch, site, province_cadre, district_cadre_a, tree, django_assert_max_num_queries
):
    from tests.recuperation_support import make_batch

    client = logged_in(province_cadre)
    client.get(reverse("console:recuperation_list"))
    with django_assert_max_num_queries(20) as one:
        client.get(reverse("console:recuperation_list"))
    for i in range(4):
        make_batch(province_cadre, site, title=f"第{i}期")
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(reverse("console:recuperation_list"))
    assert response.content.decode().count('data-testid="batch-') == 5


@pytest.mark.parametrize(
    "name,method,arg",
    [
        ("console:recuperation_batch", "get", "batch"),
        ("console:recuperation_quota_set", "post", "batch"),
        ("console:recuperation_allocate", "post", "quota"),
        ("console:recuperation_withdraw", "post", "app"),
        ("console:recuperation_attendance", "post", "app"),
    ],
)
def test_another_districts_batch_is_not_found_in_the_console(
    batch, zhang, member_a, district_cadre_b, viewer_a, tree, name, method, arg
):
    app = services.application_submit(user=member_a, batch_id=batch.pk)
    quota = Quota.objects.get(batch=batch, org=tree.district_a)
    pk = {"batch": batch.pk, "quota": quota.pk, "app": app.pk}[arg]
    data = {"reason": "x", "org": tree.grassroots_a.pk, "places": "1"}
    response = getattr(logged_in(district_cadre_b), method)(reverse(name, args=[pk]), data)
    assert response.status_code == 404
    if method == "post":
        assert getattr(logged_in(viewer_a), method)(reverse(name, args=[pk]), data).status_code == 403


def test_a_member_without_a_role_has_no_recuperation_console(batch, member_a, viewer_a):
    assert logged_in(member_a).get(reverse("console:recuperation_list")).status_code in (302, 403)
    assert logged_in(viewer_a).get(reverse("console:recuperation_batch", args=[batch.pk])).status_code == 200
