import pytest
from django.core.management import call_command

from gonghui.core.errors import NotFound, PermissionDenied, ServiceError
from gonghui.core.models import AuditRecord
from gonghui.core.seed.demo import demo_uscc
from gonghui.orgs import selectors, services
from gonghui.orgs.models import Org, OrgKind, OrgRequest, OrgRollup
from gonghui.orgs.paths import minimal_cover, successor
from gonghui.orgs.rollups import find_drift


def rollup(org):
    return OrgRollup.objects.get(org=org)


def test_successor_bounds_a_subtree_and_nothing_else():
    assert successor("000000001000000005") == "000000001000000006"
    assert successor("000000009") == "000000010"
    assert minimal_cover(["0001", "00010002", "0003"]) == ["0001", "0003"]


def test_the_path_encodes_every_ancestor(tree):
    assert tree.grassroots_a.ancestor_ids() == [
        tree.national.pk,
        tree.province.pk,
        tree.city.pk,
        tree.district_a.pk,
        tree.street_a.pk,
    ]
    assert tree.grassroots_a.depth == 5


def test_ancestors_are_read_in_one_query(tree, django_assert_num_queries):
    with django_assert_num_queries(1):
        names = [o.name for o in selectors.org_ancestors(org=tree.grassroots_a)]
    assert names == ["中华全国总工会", "浙江省总工会", "杭州市总工会", "西湖区总工会", "文新街道总工会"]


def test_subtree_counts_are_kept_by_services(tree):
    assert rollup(tree.district_a).orgs == 3  # district, street, grassroots
    assert rollup(tree.district_a).grassroots == 1
    assert rollup(tree.city).staff == 420
    assert rollup(tree.national).orgs == Org.objects.count()
    assert find_drift() == []


def test_a_district_admin_creates_a_street_union_and_it_is_audited(tree, district_cadre_a):
    street = services.org_create(
        actor=district_cadre_a, parent=tree.district_a, name="翠苑街道总工会", kind=OrgKind.STREET
    )
    assert street.path.startswith(tree.district_a.path)
    assert rollup(tree.district_a).orgs == 4
    assert AuditRecord.objects.filter(action="gonghui.org.created", object_id=str(street.pk)).exists()


def test_a_grassroots_union_cannot_be_created_directly(tree, district_cadre_a):
    with pytest.raises(ServiceError) as exc:
        services.org_create(
            actor=district_cadre_a, parent=tree.street_a, name="某公司工会", kind=OrgKind.GRASSROOTS
        )
    assert exc.value.code == "use_request"


def test_it_refuses_a_kind_in_the_wrong_place(tree, national_admin):
    with pytest.raises(ServiceError) as exc:
        services.org_create(
            actor=national_admin,
            parent=tree.street_a,
            name="某市总工会",
            kind=OrgKind.CITY,
            division_code="330200",
        )
    assert exc.value.code == "invalid_parent"
    assert not Org.objects.filter(name="某市总工会").exists()


def test_a_territorial_union_needs_a_division_code_inside_its_parents_area(tree, province_cadre):
    with pytest.raises(ServiceError) as exc:
        services.org_create(
            actor=province_cadre, parent=tree.province, name="宁波市总工会", kind=OrgKind.CITY
        )
    assert exc.value.code == "division_code_required"
    with pytest.raises(ServiceError) as exc:
        services.org_create(
            actor=province_cadre,
            parent=tree.province,
            name="宁波市总工会",
            kind=OrgKind.CITY,
            division_code="320200",
        )
    assert exc.value.code == "invalid_division_code"
    with pytest.raises(ServiceError):
        services.org_create(
            actor=province_cadre,
            parent=tree.province,
            name="宁波市总工会",
            kind=OrgKind.CITY,
            division_code="330201",
        )  # a district code, not a city code
    city = services.org_create(
        actor=province_cadre,
        parent=tree.province,
        name="宁波市总工会",
        kind=OrgKind.CITY,
        division_code="330200",
    )
    assert city.division_code == "330200"


def test_a_viewer_cannot_change_the_tree(tree, viewer_a):
    with pytest.raises(PermissionDenied):
        services.org_create(actor=viewer_a, parent=tree.district_a, name="某街道工会", kind=OrgKind.STREET)


def test_a_cadre_cannot_act_above_their_scope(tree, district_cadre_a):
    with pytest.raises(NotFound):
        services.org_create(
            actor=district_cadre_a,
            parent=tree.city,
            name="某区总工会",
            kind=OrgKind.DISTRICT,
            division_code="330110",
        )
    with pytest.raises(NotFound):
        services.org_create(
            actor=district_cadre_a, parent=tree.district_b, name="某街道工会", kind=OrgKind.STREET
        )


def test_a_setup_request_is_approved_by_the_union_one_level_up(tree, district_cadre_a, member_a):
    uscc = demo_uscc("杭州文新传媒有限公司", "330106")
    req = services.org_request_submit(
        actor=member_a, parent=tree.street_a, name="杭州文新传媒有限公司工会", uscc=uscc, staff_count=40
    )
    assert req.status == OrgRequest.Status.PENDING
    org = services.org_request_approve(actor=district_cadre_a, request=req, note="材料齐全")
    req.refresh_from_db()
    assert req.status == OrgRequest.Status.APPROVED and req.created_org == org
    assert org.parent == tree.street_a and org.uscc == uscc and org.established_on is not None
    assert rollup(tree.street_a).grassroots == 2
    assert rollup(tree.province).staff == 460
    assert AuditRecord.objects.filter(action="gonghui.org.request.approved").count() == 1
    with pytest.raises(ServiceError) as exc:
        services.org_request_approve(actor=district_cadre_a, request=req)
    assert exc.value.code == "not_pending"


def test_the_requesting_worker_cannot_approve_their_own_request(tree, member_a):
    req = services.org_request_submit(actor=member_a, parent=tree.street_a, name="某公司工会")
    with pytest.raises(NotFound):
        services.org_request_approve(actor=member_a, request=req)


def test_a_rejection_needs_a_reason_and_creates_nothing(tree, district_cadre_a, member_a):
    req = services.org_request_submit(actor=member_a, parent=tree.street_a, name="某公司工会")
    before = Org.objects.count()
    with pytest.raises(ServiceError):
        services.org_request_reject(actor=district_cadre_a, request=req, reason="  ")
    services.org_request_reject(actor=district_cadre_a, request=req, reason="单位不存在")
    req.refresh_from_db()
    assert req.status == OrgRequest.Status.REJECTED
    assert Org.objects.count() == before


def test_an_invalid_credit_code_is_refused_with_a_clear_error(tree, member_a):
    with pytest.raises(ServiceError) as exc:
        services.org_request_submit(
            actor=member_a, parent=tree.street_a, name="某公司工会", uscc="91330106MA2B3C4D5X"
        )
    assert exc.value.code == "invalid_uscc" and exc.value.field == "uscc"
    assert not OrgRequest.objects.exists()


def test_a_credit_code_is_unique_across_unions_and_pending_requests(tree, member_a, district_cadre_a):
    uscc = demo_uscc("重复公司", "330106")
    req = services.org_request_submit(actor=member_a, parent=tree.street_a, name="重复公司工会", uscc=uscc)
    with pytest.raises(ServiceError) as exc:
        services.org_request_submit(
            actor=member_a, parent=tree.street_a, name="重复公司工会二", uscc=uscc.lower()
        )
    assert exc.value.code == "duplicate_uscc"
    services.org_request_approve(actor=district_cadre_a, request=req)
    with pytest.raises(ServiceError):
        services.org_request_submit(actor=member_a, parent=tree.street_a, name="重复公司工会三", uscc=uscc)


def test_moving_a_subtree_rewrites_paths_and_shifts_rollups(tree, province_cadre):
    branch = services.org_create(
        actor=province_cadre, parent=tree.grassroots_a, name="研发分工会", kind=OrgKind.BRANCH
    )
    services.org_move(actor=province_cadre, org=tree.street_a, new_parent=tree.district_b, reason="区划调整")
    for org in (tree.street_a, tree.grassroots_a, branch):
        org.refresh_from_db()
        assert org.path.startswith(tree.district_b.path)
    assert branch.depth == 6
    assert rollup(tree.district_a).orgs == 1
    assert rollup(tree.district_b).orgs == 5
    assert rollup(tree.district_b).staff == 420
    assert rollup(tree.city).orgs == 7
    assert find_drift() == []
    record = AuditRecord.objects.get(action="gonghui.org.moved")
    assert record.data["reason"] == "区划调整" and record.data["subtree_orgs"] == 3


def test_a_union_cannot_be_moved_into_its_own_subtree(tree, province_cadre):
    with pytest.raises(ServiceError) as exc:
        services.org_move(actor=province_cadre, org=tree.district_a, new_parent=tree.street_a, reason="x")
    assert exc.value.code == "move_into_itself"


def test_a_district_cadre_cannot_move_a_union_out_of_their_district(tree, district_cadre_a):
    with pytest.raises(NotFound):
        services.org_move(actor=district_cadre_a, org=tree.street_a, new_parent=tree.district_b, reason="x")
    tree.street_a.refresh_from_db()
    assert tree.street_a.path.startswith(tree.district_a.path)


def test_industry_affiliation_gives_a_second_line_of_statistics(tree, national_admin, province_cadre):
    city_edu = services.org_create(
        actor=province_cadre,
        parent=tree.city,
        name="杭州市教育工会",
        kind=OrgKind.INDUSTRY,
        industry_union=tree.industry,
    )
    services.org_update(actor=province_cadre, org=tree.grassroots_b, staff_count=310)
    tree.grassroots_b.industry_union = city_edu
    tree.grassroots_b.save()
    names = {
        o.name for o in selectors.industry_affiliates(actor=national_admin, industry_union=tree.industry)
    }
    assert names == {"西溪科技有限公司工会", "长河半导体有限公司工会"}


def test_reconcile_reports_and_repairs_drift(tree, capsys):
    OrgRollup.objects.filter(org=tree.city).update(orgs=99)
    assert {(d.org_id, d.field) for d in find_drift()} == {(tree.city.pk, "orgs")}
    with pytest.raises(SystemExit):
        call_command("reconcile")
    assert "stored=99 expected=6" in capsys.readouterr().out
    call_command("reconcile", "--fix")
    assert rollup(tree.city).orgs == 6
    assert find_drift() == []


def test_search_finds_by_name_pinyin_initials_and_code(tree, national_admin):
    def names(term):
        return {o.name for o in selectors.org_list(actor=national_admin, search=term)}

    assert names("西湖") == {"西湖区总工会"}
    assert names("xhq") == {"西湖区总工会"}
    assert names("binjiang") == {"滨江区总工会"}
    assert names("330106-WX") == {"文新街道总工会"}


def test_staff_count_change_updates_every_ancestor(tree, district_cadre_a):
    services.org_update(actor=district_cadre_a, org=tree.grassroots_a, staff_count=200)
    assert rollup(tree.national).staff == 500
    with pytest.raises(ServiceError):
        services.org_update(actor=district_cadre_a, org=tree.grassroots_a, staff_count=-1)
    assert rollup(tree.national).staff == 500
