from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gonghui.accounts.models import User
from gonghui.core.fields import blind_q
from gonghui.core.models import AuditRecord
from gonghui.orgs import services
from gonghui.orgs.models import Org, OrgKind, OrgRequest, RoleAssignment


def test_the_dashboard_shows_the_current_org_and_its_children(client, tree, district_cadre_a):
    client.force_login(district_cadre_a)
    response = client.get(reverse("console:dashboard"))
    assert response.context["org"] == tree.district_a
    assert [o.name for o in response.context["children"]] == ["文新街道总工会"]
    assert 'data-stat="orgs">3<' in response.content.decode()


def test_the_tree_browser_expands_children_on_demand(client, tree, district_cadre_a):
    client.force_login(district_cadre_a)
    response = client.get(reverse("console:org_children", args=[tree.street_a.pk]), HTTP_HX_REQUEST="true")
    assert "西溪科技有限公司工会" in response.content.decode()


def test_the_tree_page_makes_a_fixed_number_of_queries(client, tree, national_admin):
    client.force_login(national_admin)

    def queries_for_search():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("console:org_tree"), {"q": "工会"})
        return len(captured), response

    queries_for_search()  # the session's first request also stores the activity time: not part of the page
    few, _ = queries_for_search()
    for index in range(30):
        services.org_create(
            actor=national_admin, parent=tree.street_a, name=f"第{index}联合工会", kind=OrgKind.JOINT
        )
    many, response = queries_for_search()
    assert response.context["page"].paginator.count == 39
    assert many == few


def test_a_cadre_approves_a_setup_request_in_the_console(client, tree, district_cadre_a, member_a):
    req = services.org_request_submit(actor=member_a, parent=tree.street_a, name="文新传媒有限公司工会")
    client.force_login(district_cadre_a)
    assert "文新传媒有限公司工会" in client.get(reverse("console:request_list")).content.decode()
    response = client.post(
        reverse("console:request_detail", args=[req.pk]), {"action": "approve", "note": "同意"}
    )
    org = Org.objects.get(name="文新传媒有限公司工会")
    assert response["Location"] == reverse("console:org_detail", args=[org.pk])
    assert org.parent == tree.street_a


def test_a_rejection_without_a_reason_is_a_form_error(client, tree, district_cadre_a, member_a):
    req = services.org_request_submit(actor=member_a, parent=tree.street_a, name="某公司工会")
    client.force_login(district_cadre_a)
    response = client.post(
        reverse("console:request_detail", args=[req.pk]), {"action": "reject", "reason": ""}
    )
    assert response.status_code == 200 and response.context["reject_form"].errors
    req.refresh_from_db()
    assert req.status == OrgRequest.Status.PENDING
    client.post(reverse("console:request_detail", args=[req.pk]), {"action": "reject", "reason": "重复申请"})
    req.refresh_from_db()
    assert req.status == OrgRequest.Status.REJECTED and req.decision_note == "重复申请"


def test_a_cadre_files_a_request_under_the_current_org(client, tree, district_cadre_a):
    client.force_login(district_cadre_a)
    client.post(reverse("console:switch"), {"org": tree.street_a.pk})
    response = client.post(reverse("console:request_new"), {"name": "某物流公司工会", "staff_count": 12})
    req = OrgRequest.objects.get()
    assert response["Location"] == reverse("console:request_detail", args=[req.pk])
    assert req.parent == tree.street_a


def test_an_administrator_grants_a_role_to_a_new_person(client, tree, district_cadre_a):
    client.force_login(district_cadre_a)
    response = client.post(
        reverse("console:role_list"), {"mobile": "13711112222", "real_name": "赵审核", "role": "reviewer"}
    )
    assert response.status_code == 302
    user = User.objects.get(blind_q(User, "mobile", "13711112222"))
    assert not user.has_usable_password()  # the new cadre logs in by SMS code first
    assert RoleAssignment.objects.filter(user=user, org=tree.district_a, role="reviewer").exists()
    html = client.get(reverse("console:role_list")).content.decode()
    assert "赵审核" in html and "137****2222" in html


def test_a_new_account_needs_a_real_name(client, tree, district_cadre_a):
    client.force_login(district_cadre_a)
    response = client.post(
        reverse("console:role_list"), {"mobile": "13711112222", "real_name": "", "role": "viewer"}
    )
    assert response.status_code == 200 and response.context["form"].errors
    assert not User.objects.filter(blind_q(User, "mobile", "13711112222")).exists()


def test_an_administrator_cannot_remove_their_own_admin_role(client, tree, district_cadre_a):
    client.force_login(district_cadre_a)
    own = RoleAssignment.objects.get(user=district_cadre_a)
    client.post(reverse("console:role_revoke", args=[own.pk]))
    assert RoleAssignment.objects.filter(pk=own.pk).exists()


def test_a_role_outside_scope_cannot_be_revoked(client, tree, district_cadre_a, district_cadre_b):
    client.force_login(district_cadre_a)
    other = RoleAssignment.objects.get(user=district_cadre_b)
    assert client.post(reverse("console:role_revoke", args=[other.pk])).status_code == 404
    assert RoleAssignment.objects.filter(pk=other.pk).exists()


def test_a_union_is_moved_from_the_console_with_a_reason(client, tree, province_cadre):
    client.force_login(province_cadre)
    page = client.get(reverse("console:org_move", args=[tree.street_a.pk]))
    choices = dict(page.context["form"].fields["new_parent"].widget.choices)
    assert tree.district_b.pk in choices and tree.grassroots_a.pk not in choices
    response = client.post(
        reverse("console:org_move", args=[tree.street_a.pk]),
        {"new_parent": tree.district_b.pk, "reason": "区划调整"},
    )
    assert response.status_code == 302
    tree.street_a.refresh_from_db()
    assert tree.street_a.parent == tree.district_b
    assert AuditRecord.objects.filter(action="gonghui.org.moved").exists()


def test_the_org_detail_shows_the_breadcrumb_within_scope(client, tree, district_cadre_a):
    client.force_login(district_cadre_a)
    response = client.get(reverse("console:org_detail", args=[tree.grassroots_a.pk]))
    assert [o.name for o in response.context["breadcrumb"]] == ["西湖区总工会", "文新街道总工会"]
    assert "杭州市总工会" not in response.content.decode()


def test_the_org_switcher_never_redirects_off_site(client, tree, district_cadre_a):
    client.force_login(district_cadre_a)
    response = client.post(
        reverse("console:switch"), {"org": tree.street_a.pk, "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("console:dashboard")


def test_an_administrator_creates_a_street_union_from_the_console(client, tree, district_cadre_a):
    client.force_login(district_cadre_a)
    page = client.get(reverse("console:org_new", args=[tree.district_a.pk]))
    kinds = [value for value, _ in page.context["form"].fields["kind"].choices]
    assert "street" in kinds and "grassroots" not in kinds and "city" not in kinds
    response = client.post(
        reverse("console:org_new", args=[tree.district_a.pk]), {"kind": "street", "name": "翠苑街道总工会"}
    )
    org = Org.objects.get(name="翠苑街道总工会")
    assert response["Location"] == reverse("console:org_detail", args=[org.pk])
    assert org.parent == tree.district_a


def test_a_bad_division_code_is_shown_on_the_field(client, tree, province_cadre):
    client.force_login(province_cadre)
    response = client.post(
        reverse("console:org_new", args=[tree.province.pk]),
        {"kind": "city", "name": "宁波市总工会", "division_code": "3302"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["division_code"]
    assert not Org.objects.filter(name="宁波市总工会").exists()


def test_an_administrator_edits_a_union_and_the_rollups_follow(client, tree, district_cadre_a):
    client.force_login(district_cadre_a)
    response = client.post(
        reverse("console:org_edit", args=[tree.grassroots_a.pk]),
        {
            "name": "西溪科技有限公司工会委员会",
            "short_name": "西溪科技",
            "staff_count": 150,
            "address": "文一西路",
        },
    )
    assert response.status_code == 302
    tree.grassroots_a.refresh_from_db()
    assert tree.grassroots_a.name == "西溪科技有限公司工会委员会" and tree.grassroots_a.staff_count == 150
    assert tree.district_a.rollup.__class__.objects.get(org=tree.district_a).staff == 150


def test_a_viewer_cannot_edit_or_create(client, tree, viewer_a):
    client.force_login(viewer_a)
    assert client.get(reverse("console:org_edit", args=[tree.district_a.pk])).status_code == 403
    assert client.get(reverse("console:org_new", args=[tree.district_a.pk])).status_code == 403
    assert client.get(reverse("console:org_edit", args=[tree.district_b.pk])).status_code == 404
