"""Disclosure through the console, the portal and the API: the journeys work, and every page and endpoint
answers 404 to another union and 403 to a role that may not do it."""

import datetime
import json
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gonghui.disclosure import services
from gonghui.disclosure.models import Acknowledgement, Item, ItemStatus, Question, ScheduleEntry
from gonghui.orgs.models import Role
from tests.conftest import make_user
from tests.test_disclosure import join, logged_in, pdf

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime.datetime(2026, 3, 10, 10, 0, tzinfo=SHANGHAI)
API = "/api/v1/disclosure"


def call(client, method, path, data=None):
    return client.generic(method, API + path, json.dumps(data or {}), content_type="application/json")


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def handler_a(tree):
    """A case handler at union A: sees the union in the tree, but not its democratic management."""
    return make_user("13800000021", "孙专员", Role.CASE_HANDLER, tree.grassroots_a)


@pytest.fixture
def world(tree, chair_a, chair_b, member_a, member_b):
    join(chair_a, tree.grassroots_a, member_a, n=1)
    join(chair_b, tree.grassroots_b, member_b, n=2, name="刘芳")
    entry = services.schedule_add(
        actor=chair_a,
        org=tree.grassroots_a,
        category="wages",
        title="月度工资发放",
        frequency="monthly",
        next_due=datetime.date(2026, 3, 31),
    )
    item = services.item_create(
        actor=chair_a,
        org=tree.grassroots_a,
        category="wages",
        title="二月工资发放情况",
        body="二月工资已于3月5日足额发放。",
        schedule=entry,
        files=[pdf()],
    )
    services.item_publish(actor=chair_a, item=item)
    draft = services.item_create(
        actor=chair_a, org=tree.grassroots_a, category="safety", title="安全检查", body="……"
    )
    question = services.question_ask(user=member_a, item_id=item.pk, text="加班费怎么算？")
    return {
        "entry": entry,
        "item": item,
        "draft": draft,
        "question": question,
        "file": item.attachments.get(),
    }


# --- console ----------------------------------------------------------------------------------------------


def test_the_chair_publishes_a_disclosure_through_the_console(tree, chair_a, world):
    client = logged_in(chair_a)
    response = client.post(
        reverse("console:disclosure_new") + f"?schedule={world['entry'].pk}",
        {
            "category": "wages",
            "schedule": world["entry"].pk,
            "title": "三月工资发放情况",
            "body": "三月工资将于4月5日发放。",
            "channel": "notice_board",
            "documents": [pdf("march.pdf")],
        },
    )
    item = Item.objects.get(title="三月工资发放情况")
    assert response.status_code == 302 and response.url == reverse("console:disclosure_item", args=[item.pk])
    assert item.attachments.count() == 1
    assert client.post(reverse("console:disclosure_publish", args=[item.pk])).status_code == 302
    item.refresh_from_db()
    assert item.status == ItemStatus.PUBLISHED and item.audience == 1
    page = client.get(reverse("console:disclosure_item", args=[item.pk]))
    assert page.status_code == 200 and "三月工资将于4月5日发放" in page.content.decode()


def test_the_console_list_shows_the_acknowledgement_rate_and_overdue_entries(
    tree, chair_a, member_a, world, frozen
):
    services.item_acknowledge(user=member_a, item_id=world["item"].pk)
    frozen.move_to(datetime.datetime(2026, 4, 2, 9, tzinfo=SHANGHAI))
    client = logged_in(chair_a)
    html = client.get(reverse("console:disclosure_list")).content.decode()
    assert "1 / 1 (100%)" in html
    assert 'data-testid="disclosure-overdue"' not in html
    plan = client.get(reverse("console:disclosure_plan")).content.decode()
    # The entry's March period was settled by the February item: due 30 April, not overdue.
    assert f'data-testid="overdue-{world["entry"].pk}"' not in plan


def test_the_plan_page_flags_an_overdue_entry(tree, chair_a, frozen):
    entry = services.schedule_add(
        actor=chair_a,
        org=tree.grassroots_a,
        category="welfare",
        title="福利费使用",
        frequency="yearly",
        next_due=datetime.date(2026, 3, 15),
    )
    frozen.move_to(datetime.datetime(2026, 3, 20, 9, tzinfo=SHANGHAI))
    html = logged_in(chair_a).get(reverse("console:disclosure_plan")).content.decode()
    assert f'data-testid="overdue-{entry.pk}"' in html
    html = logged_in(chair_a).get(reverse("console:disclosure_list")).content.decode()
    assert 'data-testid="disclosure-overdue"' in html and "福利费使用" in html


def test_the_chair_answers_a_question_in_the_console(tree, chair_a, member_a, world):
    q = world["question"]
    response = logged_in(chair_a).post(
        reverse("console:disclosure_answer", args=[q.pk]),
        {f"q{q.pk}-answer": "按劳动法规定的倍数计算。", f"q{q.pk}-public": "on"},
    )
    assert response.status_code == 302
    q.refresh_from_db()
    assert q.answer == "按劳动法规定的倍数计算。" and q.public


def test_a_plan_entry_with_a_bad_date_shows_the_error_and_saves_nothing(tree, chair_a):
    response = logged_in(chair_a).post(
        reverse("console:disclosure_plan"),
        {"category": "wages", "title": "工资", "frequency": "monthly", "next_due": "2040-01-01"},
    )
    assert response.status_code == 200 and "has-error" in response.content.decode()
    assert not ScheduleEntry.objects.exists()


def test_the_item_list_costs_the_same_queries_for_two_or_eight_items(tree, chair_a, world):
    client = logged_in(chair_a)
    url = reverse("console:disclosure_list")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(6):
        services.item_create(
            actor=chair_a, org=tree.grassroots_a, category="other", title=f"事项{n}", body="……"
        )
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)


CONSOLE_READ = ["disclosure_item", "disclosure_file"]
CONSOLE_WRITE_GET = ["disclosure_edit", "disclosure_plan_entry"]
CONSOLE_WRITE_POST = ["disclosure_publish", "disclosure_withdraw", "disclosure_file_add", "disclosure_answer"]


def _url(name, world):
    args = {
        "disclosure_item": [world["item"].pk],
        "disclosure_file": [world["item"].pk, world["file"].pk],
        "disclosure_edit": [world["draft"].pk],
        "disclosure_plan_entry": [world["entry"].pk],
        "disclosure_publish": [world["draft"].pk],
        "disclosure_withdraw": [world["item"].pk],
        "disclosure_file_add": [world["draft"].pk],
        "disclosure_answer": [world["question"].pk],
    }[name]
    return reverse(f"console:{name}", args=args)


@pytest.mark.parametrize("name", CONSOLE_READ + CONSOLE_WRITE_GET + CONSOLE_WRITE_POST)
def test_another_district_gets_404_on_every_console_page(tree, district_cadre_b, world, name):
    client = logged_in(district_cadre_b)
    method = client.post if name in CONSOLE_WRITE_POST else client.get
    assert method(_url(name, world), {"reason": "x", "q1-answer": "x"}).status_code == 404


@pytest.mark.parametrize("name", CONSOLE_WRITE_GET + CONSOLE_WRITE_POST)
def test_a_viewer_gets_403_on_every_console_write(tree, viewer_a, world, name):
    client = logged_in(viewer_a)
    method = client.post if name in CONSOLE_WRITE_POST else client.get
    assert method(_url(name, world), {"reason": "x"}).status_code == 403
    assert Item.objects.get(pk=world["draft"].pk).status == ItemStatus.DRAFT
    assert Item.objects.get(pk=world["item"].pk).status == ItemStatus.PUBLISHED


@pytest.mark.parametrize("name", CONSOLE_READ)
def test_a_role_without_democracy_view_gets_403_on_console_reads(tree, handler_a, world, name):
    assert logged_in(handler_a).get(_url(name, world)).status_code == 403


@pytest.mark.parametrize("name", ["disclosure_list", "disclosure_plan", "disclosure_questions"])
def test_console_lists_refuse_a_role_without_democracy_view(tree, handler_a, member_a, world, name):
    assert logged_in(handler_a).get(reverse(f"console:{name}")).status_code == 403
    assert logged_in(member_a).get(reverse(f"console:{name}")).status_code == 403  # no console at all


def test_a_viewer_may_not_add_to_the_plan_or_draft(tree, viewer_a, world):
    client = logged_in(viewer_a)
    assert client.get(reverse("console:disclosure_new")).status_code == 403
    assert (
        client.post(
            reverse("console:disclosure_plan"),
            {"category": "wages", "title": "x", "frequency": "monthly", "next_due": "2026-04-01"},
        ).status_code
        == 403
    )
    assert ScheduleEntry.objects.count() == 1


# --- portal -----------------------------------------------------------------------------------------------


def test_a_member_reads_acknowledges_and_asks_in_the_portal(tree, member_a, world):
    client = logged_in(member_a)
    item = world["item"]
    home = client.get(reverse("portal:disclosure")).content.decode()
    assert "二月工资发放情况" in home and "安全检查" not in home
    assert client.get(reverse("portal:disclosure_item", args=[item.pk])).status_code == 200
    assert client.post(reverse("portal:disclosure_ack", args=[item.pk])).status_code == 302
    assert (
        client.post(reverse("portal:disclosure_ack", args=[item.pk])).status_code == 302
    )  # told, not counted
    assert Acknowledgement.objects.filter(item=item).count() == 1
    client.post(reverse("portal:disclosure_ask", args=[item.pk]), {"text": "年终奖什么时候公布？"})
    assert Question.objects.filter(item=item, asker=member_a).count() == 2
    download = client.get(reverse("portal:disclosure_file", args=[item.pk, world["file"].pk]))
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")


@pytest.mark.parametrize(
    "name,method",
    [
        ("disclosure_item", "get"),
        ("disclosure_ack", "post"),
        ("disclosure_ask", "post"),
        ("disclosure_file", "get"),
    ],
)
def test_a_member_of_another_union_gets_404_in_the_portal(tree, member_b, world, name, method):
    args = [world["item"].pk, world["file"].pk] if name == "disclosure_file" else [world["item"].pk]
    response = getattr(logged_in(member_b), method)(reverse(f"portal:{name}", args=args), {"text": "?"})
    assert response.status_code == 404
    assert not Acknowledgement.objects.exists() and Question.objects.count() == 1


def test_a_draft_is_404_for_a_member(tree, member_a, world):
    assert (
        logged_in(member_a).get(reverse("portal:disclosure_item", args=[world["draft"].pk])).status_code
        == 404
    )


def test_the_portal_asks_to_log_in(tree, client, world):
    assert client.get(reverse("portal:disclosure")).status_code == 302


# --- API --------------------------------------------------------------------------------------------------


def test_the_api_walks_plan_item_publish_acknowledge_question_answer(tree, chair_a, member_a, world):
    chair = logged_in(chair_a)
    org = tree.grassroots_a.pk
    r = call(
        chair,
        "post",
        f"/schedule?org_id={org}",
        {"category": "safety", "title": "安全生产", "frequency": "half_yearly", "next_due": "2026-06-30"},
    )
    assert r.status_code == 201, r.content
    entry_id = r.json()["id"]
    r = call(
        chair,
        "post",
        f"/items?org_id={org}",
        {"category": "safety", "title": "上半年安全生产", "body": "无事故。", "schedule_id": entry_id},
    )
    assert r.status_code == 201
    item_id = r.json()["id"]
    f = chair.post(f"{API}/items/{item_id}/attachments", {"file": pdf()})
    assert f.status_code == 201 and len(f.json()["attachments"]) == 1
    r = call(chair, "post", f"/items/{item_id}/publish")
    assert r.json()["status"] == "published" and r.json()["audience"] == 1
    me = logged_in(member_a)
    assert {i["id"] for i in call(me, "get", "/mine").json()} == {world["item"].pk, item_id}
    r = call(me, "post", f"/mine/{item_id}/acknowledge")
    assert r.status_code == 200 and r.json()["acknowledged"] is True
    r = call(me, "post", f"/mine/{item_id}/acknowledge")
    assert r.status_code == 409 and r.json()["error"]["code"] == "already_acknowledged"
    r = call(me, "post", f"/mine/{item_id}/questions", {"text": "防护用品何时发放？"})
    assert r.status_code == 201
    qid = r.json()["my_questions"][0]["id"]
    r = call(chair, "post", f"/questions/{qid}/answer", {"answer": "下周一发放。", "public": True})
    assert r.status_code == 200 and r.json()["public"] is True
    r = call(me, "get", f"/mine/{item_id}").json()
    assert r["my_questions"][0]["answer"] == "下周一发放。"
    assert r["public_qa"] == [{"text": "防护用品何时发放？", "answer": "下周一发放。"}]
    listed = call(chair, "get", f"/items?org_id={org}").json()
    row = next(i for i in listed["items"] if i["id"] == item_id)
    assert row["acknowledged"] == 1 and row["ack_rate"] == 100
    assert call(chair, "get", f"/schedule?org_id={org}&overdue=true").json() == []


def test_the_api_refuses_bad_input_with_the_field_and_changes_nothing(tree, chair_a, world):
    r = call(
        logged_in(chair_a),
        "post",
        f"/items?org_id={tree.grassroots_a.pk}",
        {"category": "wages", "title": "", "body": "x"},
    )
    assert r.status_code == 400 and r.json()["error"]["field"] == "title"
    assert Item.objects.count() == 2


API_CADRE = [
    ("get", "/schedule?org_id={org}"),
    ("post", "/schedule?org_id={org}"),
    ("put", "/schedule/{entry}"),
    ("get", "/items?org_id={org}"),
    ("post", "/items?org_id={org}"),
    ("get", "/items/{item}"),
    ("put", "/items/{draft}"),
    ("post", "/items/{draft}/publish"),
    ("post", "/items/{item}/withdraw"),
    ("get", "/items/{item}/attachments/{file}"),
    ("get", "/questions?org_id={org}"),
    ("post", "/questions/{question}/answer"),
]
BODIES = {
    "/schedule?org_id={org}": {
        "category": "wages",
        "title": "x",
        "frequency": "monthly",
        "next_due": "2026-04-01",
    },
    "/schedule/{entry}": {"title": "x", "frequency": "monthly", "next_due": "2026-04-01"},
    "/items?org_id={org}": {"category": "wages", "title": "x", "body": "x"},
    "/items/{draft}": {"category": "wages", "title": "x", "body": "x"},
    "/items/{item}/withdraw": {"reason": "x"},
    "/questions/{question}/answer": {"answer": "x"},
}


def _api_path(path, tree, world):
    return path.format(
        org=tree.grassroots_a.pk,
        entry=world["entry"].pk,
        item=world["item"].pk,
        draft=world["draft"].pk,
        file=world["file"].pk,
        question=world["question"].pk,
    )


@pytest.mark.parametrize("method,path", API_CADRE)
def test_another_district_gets_404_on_every_endpoint(tree, district_cadre_b, world, method, path):
    r = call(logged_in(district_cadre_b), method, _api_path(path, tree, world), BODIES.get(path))
    assert r.status_code == 404, r.content


@pytest.mark.parametrize("method,path", [(m, p) for m, p in API_CADRE if m != "get"])
def test_a_viewer_gets_403_on_every_write_endpoint(tree, viewer_a, world, method, path):
    r = call(logged_in(viewer_a), method, _api_path(path, tree, world), BODIES.get(path))
    assert r.status_code == 403, r.content
    assert Item.objects.count() == 2 and ScheduleEntry.objects.count() == 1


@pytest.mark.parametrize("method,path", [(m, p) for m, p in API_CADRE if m == "get"])
def test_a_role_without_democracy_view_gets_403_on_every_read_endpoint(tree, handler_a, world, method, path):
    assert call(logged_in(handler_a), method, _api_path(path, tree, world)).status_code == 403


@pytest.mark.parametrize(
    "method,path",
    [
        ("get", "/mine/{item}"),
        ("post", "/mine/{item}/acknowledge"),
        ("post", "/mine/{item}/questions"),
        ("get", "/mine/{item}/attachments/{file}"),
    ],
)
def test_a_member_of_another_union_gets_404_on_every_member_endpoint(tree, member_b, world, method, path):
    r = call(logged_in(member_b), method, _api_path(path, tree, world), {"text": "?"})
    assert r.status_code == 404
    assert not Acknowledgement.objects.exists() and Question.objects.count() == 1


def test_the_upload_endpoint_refuses_a_fake_pdf(tree, chair_a, world):
    r = logged_in(chair_a).post(
        f"{API}/items/{world['draft'].pk}/attachments",
        {"file": SimpleUploadedFile("a.pdf", b"not a pdf at all")},
    )
    assert r.status_code == 400 and r.json()["error"]["code"] == "upload_type"
    assert world["draft"].attachments.count() == 0
