from django.urls import reverse

from gonghui.orgs.models import OrgRequest


def test_the_home_page_is_the_one_stop_entrance(client, member_a):
    anonymous = client.get("/").content.decode()
    assert 'data-tile="language"' in anonymous and 'data-tile="profile"' not in anonymous
    client.force_login(member_a)
    html = client.get("/").content.decode()
    assert 'data-tile="profile"' in html and 'data-tile="setup"' in html
    assert 'data-tile="console"' not in html  # no roles, no console tile


def test_a_cadre_sees_the_console_tile(client, district_cadre_a):
    client.force_login(district_cadre_a)
    assert 'data-tile="console"' in client.get("/").content.decode()


def test_the_ui_is_chinese_by_default_and_english_on_request(client, db):
    assert "登录" in client.get(reverse("portal:login")).content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Log in" in client.get(reverse("portal:login")).content.decode()


def test_a_worker_asks_for_a_union_by_the_parent_code(client, tree, member_a):
    client.force_login(member_a)
    response = client.post(
        reverse("portal:org_request"),
        {
            "parent_code": tree.street_a.code,
            "name": "杭州文新传媒有限公司工会",
            "staff_count": 30,
        },
    )
    req = OrgRequest.objects.get()
    assert response["Location"] == reverse("portal:org_request_done", args=[req.pk])
    assert req.parent == tree.street_a and req.requested_by == member_a
    assert "待审批" in client.get(response["Location"]).content.decode()


def test_an_unknown_parent_code_is_a_form_error(client, tree, member_a):
    client.force_login(member_a)
    response = client.post(
        reverse("portal:org_request"),
        {
            "parent_code": tree.grassroots_a.code,
            "name": "某公司工会",
            "staff_count": 3,
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["parent_code"]
    assert not OrgRequest.objects.exists()


def test_a_worker_cannot_read_someone_elses_request(client, tree, member_a, member_b):
    from gonghui.orgs.services import org_request_submit

    req = org_request_submit(actor=member_b, parent=tree.street_a, name="某公司工会")
    client.force_login(member_a)
    assert client.get(reverse("portal:org_request_done", args=[req.pk])).status_code == 404
