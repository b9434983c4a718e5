"""Collective contracts through the console, the portal and the API: the workflow end to end, and every page
and endpoint answers 404 to another union and 403 to a role that may not do it."""

import json

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gonghui.contracts import services
from gonghui.contracts.models import CollectiveContract, Status
from gonghui.orgs.models import Role
from tests.conftest import make_user
from tests.test_contracts import D, at, data, effective, negotiated
from tests.test_disclosure import join, logged_in, pdf

pytestmark = pytest.mark.django_db

API = "/api/v1/contracts"


def call(client, method, path, body=None):
    return client.generic(method, API + path, json.dumps(body or {}), content_type="application/json")


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(at(D(2026, 3, 2)), tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def handler_a(tree):
    return make_user("13800000021", "孙专员", Role.CASE_HANDLER, tree.grassroots_a)


@pytest.fixture
def world(tree, chair_a, chair_b, member_a, member_b):
    join(chair_a, tree.grassroots_a, member_a, n=1)
    join(chair_b, tree.grassroots_b, member_b, n=2, name="刘芳")
    live = effective(chair_a, tree.grassroots_a)
    doc = services.contract_document_add(actor=chair_a, contract=live, file=pdf("合同文本.pdf"), kind="text")
    talks = negotiated(chair_a, tree.grassroots_a, kind="wages", title="工资专项集体合同")
    return {"live": live, "doc": doc, "talks": talks}


def test_the_chair_runs_the_workflow_in_the_console(tree, chair_a, world, frozen):
    client = logged_in(chair_a)
    r = client.post(
        reverse("console:contract_new"),
        {
            "title": "女职工权益保护专项集体合同",
            "kind": "women",
            "union_party": "西溪科技有限公司工会",
            "union_representative": "吴主席",
            "employer_party": "西溪科技有限公司",
            "employer_representative": "赵总经理",
        },
    )
    c = CollectiveContract.objects.get(kind="women")
    assert r.status_code == 302
    client.post(
        reverse("console:contract_round", args=[c.pk]),
        {
            "held_on": "2026-03-01",
            "union_participants": "吴主席",
            "employer_participants": "赵总",
            "minutes": "产假与哺乳期",
        },
    )
    client.post(
        reverse("console:contract_sign", args=[c.pk]),
        {"signed_on": "2026-03-02", "term_start": "2026-03-02", "term_end": "2028-03-01"},
    )
    client.post(reverse("console:contract_step", args=[c.pk, "submit"]), {"on": "2026-03-02"})
    client.post(reverse("console:contract_step", args=[c.pk, "receipt"]), {"on": "2026-03-02"})
    c.refresh_from_db()
    assert c.status == Status.SUBMITTED and c.review_ends_on == D(2026, 3, 17)
    page = client.get(reverse("console:contract", args=[c.pk])).content.decode()
    assert 'data-testid="review-countdown"' in page
    pdf_response = client.get(reverse("console:contract_pdf", args=[c.pk]))
    assert pdf_response.status_code == 200 and pdf_response.content.startswith(b"%PDF")


def test_a_bad_term_in_the_console_shows_the_error_and_changes_nothing(tree, chair_a, world):
    c = world["talks"]
    r = logged_in(chair_a).post(
        reverse("console:contract_sign", args=[c.pk]),
        {"signed_on": "2026-03-01", "term_start": "2026-03-01", "term_end": "2030-03-01"},
        follow=True,
    )
    assert "three years" in r.content.decode() or "三年" in r.content.decode()
    c.refresh_from_db()
    assert c.status == Status.NEGOTIATING and c.signed_on is None


def test_the_coverage_page_draws_a_chart_per_child_union(tree, national_admin, world):
    client = logged_in(national_admin)
    html = client.get(reverse("console:contract_coverage")).content.decode()
    assert 'data-chart="contract-coverage"' in html and 'id="contract-coverage"' in html


def test_the_contract_list_costs_the_same_queries_for_few_or_many(
    tree, chair_a, world, django_assert_max_num_queries
):
    client = logged_in(chair_a)
    url = reverse("console:contract_list")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(5):
        services.contract_create(actor=chair_a, org=tree.grassroots_a, data=data(title=f"合同{n}"))
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


CONSOLE = {
    # name: (args key, method, needs manage)
    "contract": ("live", "get", False),
    "contract_pdf": ("live", "get", False),
    "contract_document": ("doc", "get", False),
    "contract_edit": ("talks", "get", True),
    "contract_round": ("talks", "post", True),
    "contract_sign": ("talks", "post", True),
    "contract_step": ("talks", "post", True),
    "contract_object": ("talks", "post", True),
    "contract_reopen": ("talks", "post", True),
    "contract_renew": ("live", "post", True),
    "contract_document_add": ("talks", "post", True),
}


def _url(name, world):
    key = CONSOLE[name][0]
    if key == "doc":
        return reverse("console:contract_document", args=[world["live"].pk, world["doc"].pk])
    if name == "contract_step":
        return reverse("console:contract_step", args=[world[key].pk, "submit"])
    return reverse(f"console:{name}", args=[world[key].pk])


@pytest.mark.parametrize("name", list(CONSOLE))
def test_another_district_gets_404_on_every_console_page(tree, district_cadre_b, world, name):
    client = logged_in(district_cadre_b)
    assert getattr(client, CONSOLE[name][1])(_url(name, world), {"on": "2026-03-01"}).status_code == 404


@pytest.mark.parametrize("name", [n for n, v in CONSOLE.items() if v[2]])
def test_a_viewer_gets_403_on_every_console_write(tree, viewer_a, world, name):
    client = logged_in(viewer_a)
    assert getattr(client, CONSOLE[name][1])(_url(name, world), {"on": "2026-03-01"}).status_code == 403
    world["talks"].refresh_from_db()
    assert world["talks"].status == Status.NEGOTIATING and CollectiveContract.objects.count() == 2


@pytest.mark.parametrize("name", [n for n, v in CONSOLE.items() if not v[2]])
def test_a_role_without_democracy_view_gets_403_on_console_reads(tree, handler_a, world, name):
    assert logged_in(handler_a).get(_url(name, world)).status_code == 403


@pytest.mark.parametrize("name", ["contract_list", "contract_coverage", "contract_policy", "contract_new"])
def test_console_pages_refuse_the_wrong_role(tree, handler_a, viewer_a, world, name):
    assert logged_in(handler_a).get(reverse(f"console:{name}")).status_code == 403
    if name == "contract_new":
        assert logged_in(viewer_a).get(reverse(f"console:{name}")).status_code == 403


def test_a_viewer_may_not_change_the_reminder(tree, viewer_a, world):
    r = logged_in(viewer_a).post(reverse("console:contract_policy"), {"remind_days_before": 10})
    assert r.status_code == 403


# --- portal -----------------------------------------------------------------------------------------------


def test_a_member_reads_the_contract_in_the_portal(tree, member_a, world):
    client = logged_in(member_a)
    home = client.get(reverse("portal:contracts")).content.decode()
    assert world["live"].title in home and "工资专项集体合同" not in home
    detail = client.get(reverse("portal:contract", args=[world["live"].pk]))
    assert detail.status_code == 200 and "增幅不低于5%" in detail.content.decode()
    doc = client.get(reverse("portal:contract_document", args=[world["live"].pk, world["doc"].pk]))
    assert doc.status_code == 200


@pytest.mark.parametrize("name", ["contract", "contract_document"])
def test_a_member_of_another_union_gets_404_in_the_portal(tree, member_b, world, name):
    args = [world["live"].pk, world["doc"].pk] if name == "contract_document" else [world["live"].pk]
    assert logged_in(member_b).get(reverse(f"portal:{name}", args=args)).status_code == 404


def test_a_contract_not_in_effect_is_404_for_a_member(tree, member_a, world):
    assert logged_in(member_a).get(reverse("portal:contract", args=[world["talks"].pk])).status_code == 404


# --- API --------------------------------------------------------------------------------------------------


def test_the_api_walks_a_contract_to_effect_on_day_15(tree, chair_a, member_a, world, frozen):
    chair = logged_in(chair_a)
    org = tree.grassroots_a.pk
    body = {
        "title": "劳动安全卫生专项集体合同",
        "kind": "safety",
        "union_party": "西溪科技有限公司工会",
        "union_representative": "吴主席",
        "employer_party": "西溪科技有限公司",
        "employer_representative": "赵总经理",
    }
    r = call(chair, "post", f"?org_id={org}", body)
    assert r.status_code == 201, r.content
    cid = r.json()["id"]
    assert (
        call(
            chair,
            "post",
            f"/{cid}/rounds",
            {
                "held_on": "2026-03-01",
                "union_participants": "甲",
                "employer_participants": "乙",
                "minutes": "纪要",
            },
        ).status_code
        == 201
    )
    r = call(
        chair,
        "post",
        f"/{cid}/sign",
        {"signed_on": "2026-03-01", "term_start": "2026-03-01", "term_end": "2030-03-01"},
    )
    assert r.status_code == 400 and r.json()["error"]["code"] == "term_too_long"
    r = call(
        chair,
        "post",
        f"/{cid}/sign",
        {"signed_on": "2026-03-01", "term_start": "2026-03-01", "term_end": "2029-02-28"},
    )
    assert r.json()["status"] == "signed"
    call(chair, "post", f"/{cid}/submit", {"on": "2026-03-02"})
    r = call(chair, "post", f"/{cid}/receipt", {"on": "2026-03-02"})
    assert r.json()["review_ends_on"] == "2026-03-17"
    frozen.move_to(at(D(2026, 3, 16)))
    services.contracts_sweep()
    chair = logged_in(chair_a)  # a new session: the cadre's idle timeout ended the old one
    assert call(chair, "get", f"/{cid}").json()["status"] == "submitted"
    frozen.move_to(at(D(2026, 3, 17)))
    services.contracts_sweep()
    chair = logged_in(chair_a)
    assert call(chair, "get", f"/{cid}").json()["status"] == "effective"
    mine = call(logged_in(member_a), "get", "/mine").json()
    assert {c["id"] for c in mine} == {world["live"].pk, cid}
    cov = call(chair, "get", f"/coverage?org_id={org}").json()
    assert cov["total"]["units"] == 1 and cov["total"]["staff"] == 120
    r = call(chair, "put", f"/policy?org_id={org}", {"remind_days_before": 90})
    assert r.json()["remind_days_before"] == 90 and r.json()["review_days"] == 15
    r = call(chair, "post", f"/{world['live'].pk}/renew")
    assert r.status_code == 201 and r.json()["renews_id"] == world["live"].pk


API_CADRE = [
    ("get", "?org_id={org}"),
    ("post", "?org_id={org}"),
    ("get", "/coverage?org_id={org}"),
    ("get", "/policy?org_id={org}"),
    ("put", "/policy?org_id={org}"),
    ("get", "/{live}"),
    ("put", "/{talks}"),
    ("post", "/{talks}/rounds"),
    ("get", "/{live}/documents/{doc}"),
    ("get", "/{live}/summary.pdf"),
    ("post", "/{talks}/sign"),
    ("post", "/{talks}/submit"),
    ("post", "/{talks}/receipt"),
    ("post", "/{talks}/confirm"),
    ("post", "/{talks}/object"),
    ("post", "/{talks}/reopen"),
    ("post", "/{live}/renew"),
]
CONTRACT = {
    "title": "x",
    "kind": "wages",
    "union_party": "x",
    "union_representative": "x",
    "employer_party": "x",
    "employer_representative": "x",
}
BODIES = {
    "?org_id={org}": CONTRACT,
    "/{talks}": CONTRACT,
    "/policy?org_id={org}": {"remind_days_before": 30},
    "/{talks}/rounds": {
        "held_on": "2026-03-01",
        "union_participants": "x",
        "employer_participants": "x",
        "minutes": "x",
    },
    "/{talks}/sign": {"signed_on": "2026-03-01", "term_start": "2026-03-01", "term_end": "2027-02-28"},
    "/{talks}/submit": {"on": "2026-03-01"},
    "/{talks}/receipt": {"on": "2026-03-01"},
    "/{talks}/confirm": {"on": "2026-03-01"},
    "/{talks}/object": {"on": "2026-03-01", "objection": "x"},
}


def _path(path, tree, world):
    return path.format(
        org=tree.grassroots_a.pk, live=world["live"].pk, talks=world["talks"].pk, doc=world["doc"].pk
    )


@pytest.mark.parametrize("method,path", API_CADRE)
def test_another_district_gets_404_on_every_endpoint(tree, district_cadre_b, world, method, path):
    r = call(logged_in(district_cadre_b), method, _path(path, tree, world), BODIES.get(path))
    assert r.status_code == 404, r.content


@pytest.mark.parametrize("method,path", [(m, p) for m, p in API_CADRE if m != "get"])
def test_a_viewer_gets_403_on_every_write_endpoint(tree, viewer_a, world, method, path):
    r = call(logged_in(viewer_a), method, _path(path, tree, world), BODIES.get(path))
    assert r.status_code == 403, r.content
    assert CollectiveContract.objects.count() == 2


@pytest.mark.parametrize("method,path", [(m, p) for m, p in API_CADRE if m == "get"])
def test_a_role_without_democracy_view_gets_403_on_every_read_endpoint(tree, handler_a, world, method, path):
    assert call(logged_in(handler_a), method, _path(path, tree, world)).status_code == 403


@pytest.mark.parametrize("path", ["/mine/{live}", "/mine/{live}/documents/{doc}"])
def test_a_member_of_another_union_gets_404_on_member_endpoints(tree, member_b, world, path):
    assert call(logged_in(member_b), "get", _path(path, tree, world)).status_code == 404


def test_the_document_endpoint_refuses_a_fake_file_and_keeps_nothing(tree, chair_a, world):
    r = logged_in(chair_a).post(
        f"{API}/{world['talks'].pk}/documents", {"file": SimpleUploadedFile("a.pdf", b"nope"), "kind": "text"}
    )
    assert r.status_code == 400 and r.json()["error"]["code"] == "upload_type"
    assert world["talks"].documents.count() == 0
