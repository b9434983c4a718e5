"""A believable slice of the union tree with demo accounts for every role. Safe to run again: every node
and account has a stable code or mobile number and is only created when missing.

The enterprises are fictional but shaped like real ones (names, districts, credit codes that validate).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from gonghui.accounts.models import PrivacyNotice, User
from gonghui.core.fields import blind_q
from gonghui.core.identifiers import uscc_with_check
from gonghui.orgs.models import Org, OrgKind, OrgRequest, Role, RoleAssignment
from gonghui.orgs.services import _insert_org

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def demo_uscc(name: str, division: str, prefix: str = "91") -> str:
    """A deterministic, valid credit code for a fictional unit (91 = enterprise, 81 = union)."""
    digest = hashlib.sha256(name.encode()).digest()
    body = "".join(USCC_ALPHABET[b % len(USCC_ALPHABET)] for b in digest[:9])
    return uscc_with_check(prefix + division + body)


@dataclass
class Node:
    code: str
    name: str
    kind: str
    division: str = ""
    children: list[Node] = field(default_factory=list)
    staff: int = 0
    employer: str = ""
    platform: bool = False
    industry: str = ""  # code of the industry union this grassroots union is affiliated to
    address: str = ""


G = OrgKind.GRASSROOTS


def grassroots(
    code: str,
    employer: str,
    division: str,
    staff: int,
    *,
    platform: bool = False,
    industry: str = "",
    address: str = "",
    children: list[Node] | None = None,
) -> Node:
    return Node(
        code,
        f"{employer}工会委员会",
        G,
        division="",
        staff=staff,
        employer=employer,
        platform=platform,
        industry=industry,
        address=address,
        children=children or [],
    )


TREE = Node(
    "100000",
    "中华全国总工会",
    OrgKind.NATIONAL,
    children=[
        Node("100000-EDU", "中国教育工会", OrgKind.INDUSTRY),
        Node("100000-FIN", "中国金融工会", OrgKind.INDUSTRY),
        Node(
            "330000",
            "浙江省总工会",
            OrgKind.PROVINCE,
            division="330000",
            children=[
                Node("330000-EDU", "浙江省教育工会", OrgKind.INDUSTRY),
                Node(
                    "330100",
                    "杭州市总工会",
                    OrgKind.CITY,
                    division="330100",
                    children=[
                        Node("330100-EDU", "杭州市教育工会", OrgKind.INDUSTRY),
                        Node(
                            "330106",
                            "杭州市西湖区总工会",
                            OrgKind.DISTRICT,
                            division="330106",
                            children=[
                                Node(
                                    "330106-WX",
                                    "西湖区文新街道总工会",
                                    OrgKind.STREET,
                                    children=[
                                        grassroots(
                                            "330106-G01",
                                            "杭州西溪数智科技有限公司",
                                            "330106",
                                            420,
                                            address="西湖区文一西路 588 号",
                                        ),
                                        grassroots("330106-G02", "杭州文新物业服务有限公司", "330106", 86),
                                        grassroots(
                                            "330106-G03",
                                            "杭州市文新小学",
                                            "330106",
                                            112,
                                            industry="330100-EDU",
                                        ),
                                        grassroots("330106-G04", "浙江之江建设工程有限公司", "330106", 960),
                                    ],
                                ),
                                Node(
                                    "330106-CY",
                                    "西湖区翠苑街道总工会",
                                    OrgKind.STREET,
                                    children=[
                                        grassroots("330106-G05", "杭州翠苑大药房连锁有限公司", "330106", 238),
                                        grassroots(
                                            "330106-G06",
                                            "杭州市翠苑中学",
                                            "330106",
                                            165,
                                            industry="330100-EDU",
                                        ),
                                        grassroots("330106-G07", "杭州西湖餐饮管理有限公司", "330106", 57),
                                    ],
                                ),
                                Node(
                                    "330106-XJY",
                                    "西湖区新就业形态劳动者联合工会",
                                    OrgKind.JOINT,
                                    children=[
                                        grassroots(
                                            "330106-G08",
                                            "杭州蜂鸟即配网络科技有限公司西湖站点",
                                            "330106",
                                            310,
                                            platform=True,
                                        ),
                                        grassroots(
                                            "330106-G09", "杭州顺捷快递服务有限公司西湖分部", "330106", 145
                                        ),
                                        grassroots("330106-G10", "杭州安居家政服务有限公司", "330106", 48),
                                    ],
                                ),
                                grassroots(
                                    "330106-G11",
                                    "浙江西湖电力设备集团有限公司",
                                    "330106",
                                    3200,
                                    address="西湖区三墩镇振中路 1 号",
                                    children=[
                                        Node(
                                            "330106-G11-B1",
                                            "浙江西湖电力设备集团有限公司第一车间分工会",
                                            OrgKind.BRANCH,
                                            children=[
                                                Node("330106-G11-B1-1", "装配班组工会小组", OrgKind.GROUP),
                                            ],
                                        ),
                                        Node(
                                            "330106-G11-B2",
                                            "浙江西湖电力设备集团有限公司研发中心分工会",
                                            OrgKind.BRANCH,
                                        ),
                                    ],
                                ),
                            ],
                        ),
                        Node(
                            "330108",
                            "杭州市滨江区总工会",
                            OrgKind.DISTRICT,
                            division="330108",
                            children=[
                                Node(
                                    "330108-CH",
                                    "滨江区长河街道总工会",
                                    OrgKind.STREET,
                                    children=[
                                        grassroots("330108-G01", "杭州长河半导体有限公司", "330108", 780),
                                        grassroots(
                                            "330108-G02",
                                            "杭州江南实验学校",
                                            "330108",
                                            150,
                                            industry="330100-EDU",
                                        ),
                                        grassroots(
                                            "330108-G03", "杭州长河汽车销售服务有限公司", "330108", 66
                                        ),
                                    ],
                                ),
                                Node(
                                    "330108-IOT",
                                    "滨江物联网产业园工会联合会",
                                    OrgKind.PARK,
                                    children=[
                                        grassroots(
                                            "330108-G04",
                                            "杭州达达速送网络科技有限公司",
                                            "330108",
                                            1850,
                                            platform=True,
                                            address="滨江区网商路 699 号",
                                        ),
                                        grassroots("330108-G05", "杭州云栖软件有限公司", "330108", 530),
                                        grassroots("330108-G06", "杭州星河智能制造有限公司", "330108", 1240),
                                    ],
                                ),
                                grassroots("330108-G07", "杭州滨江城市建设投资集团有限公司", "330108", 690),
                            ],
                        ),
                    ],
                ),
                Node(
                    "330200",
                    "宁波市总工会",
                    OrgKind.CITY,
                    division="330200",
                    children=[
                        Node(
                            "330212",
                            "宁波市鄞州区总工会",
                            OrgKind.DISTRICT,
                            division="330212",
                            children=[
                                Node(
                                    "330212-SN",
                                    "鄞州区首南街道总工会",
                                    OrgKind.STREET,
                                    children=[
                                        grassroots("330212-G01", "宁波甬港物流有限公司", "330212", 640),
                                        grassroots("330212-G02", "宁波首南纺织服装有限公司", "330212", 870),
                                        grassroots("330212-G03", "宁波市鄞州区首南中学", "330212", 140),
                                        grassroots("330212-G08", "宁波首南房地产经纪有限公司", "330212", 45),
                                    ],
                                ),
                                Node(
                                    "330212-KD",
                                    "鄞州区快递物流行业联合工会",
                                    OrgKind.JOINT,
                                    children=[
                                        grassroots("330212-G04", "宁波中通快递鄞州网点", "330212", 220),
                                        grassroots(
                                            "330212-G05",
                                            "宁波美团骑手服务站鄞州区域",
                                            "330212",
                                            380,
                                            platform=True,
                                        ),
                                    ],
                                ),
                                grassroots("330212-G06", "宁波银行鄞州支行", "330212", 180),
                                grassroots("330212-G07", "宁波东方模具制造有限公司", "330212", 1320),
                            ],
                        ),
                        Node(
                            "330203",
                            "宁波市海曙区总工会",
                            OrgKind.DISTRICT,
                            division="330203",
                            children=[
                                grassroots("330203-G01", "宁波海曙商贸有限公司", "330203", 95),
                                grassroots("330203-G02", "宁波天一阁文化旅游有限公司", "330203", 75),
                                grassroots("330203-G03", "宁波鼓楼商业广场管理有限公司", "330203", 132),
                                grassroots("330203-G04", "宁波海曙顺风货运有限公司", "330203", 88),
                            ],
                        ),
                    ],
                ),
            ],
        ),
    ],
)

# Industry chains: each industry union's parent industry union.
INDUSTRY_CHAIN = {"330000-EDU": "100000-EDU", "330100-EDU": "330000-EDU"}


@dataclass(frozen=True)
class DemoAccount:
    mobile: str
    name: str
    role: str | None
    org_code: str | None
    what: str


ACCOUNTS = [
    DemoAccount("13800000001", "全总管理员", Role.ORG_ADMIN, "100000", "national administrator"),
    DemoAccount("13800000002", "钱省干", Role.ORG_ADMIN, "330000", "province cadre (Zhejiang)"),
    DemoAccount("13800000003", "孙市干", Role.ORG_ADMIN, "330100", "city cadre (Hangzhou)"),
    DemoAccount("13800000004", "李区干", Role.ORG_ADMIN, "330106", "district cadre A (Xihu)"),
    DemoAccount("13800000005", "周区干", Role.ORG_ADMIN, "330212", "district cadre B (Yinzhou, Ningbo)"),
    DemoAccount("13800000006", "吴主席", Role.ORG_ADMIN, "330106-G01", "grassroots chair in district A"),
    DemoAccount("13800000007", "郑主席", Role.ORG_ADMIN, "330212-G01", "grassroots chair in district B"),
    DemoAccount("13800000008", "王审核", Role.REVIEWER, "330106", "reviewer (Xihu)"),
    DemoAccount("13800000009", "冯专干", Role.CASE_HANDLER, "330106", "case handler (Xihu)"),
    DemoAccount("13800000010", "陈观察", Role.VIEWER, "330100", "read-only viewer (Hangzhou)"),
    DemoAccount("13900000001", "张伟", None, None, "member in district A"),
    DemoAccount("13900000002", "刘芳", None, None, "member in district B"),
    DemoAccount("13700000101", "赵站长", None, None, "station manager (文新街道户外劳动者服务站)"),
    DemoAccount("13700000088", "好又多超市", None, None, "merchant who redeems member-day vouchers"),
    DemoAccount("13900000003", "孙后勤", None, None, "department contact who answers congress proposals"),
]


def _ensure(node: Node, parent: Org | None, by_code: dict[str, Org], created: list[Org]) -> None:
    org = by_code.get(node.code)
    if org is None and node.kind == OrgKind.NATIONAL:
        from gonghui.orgs.services import org_create_root

        org = org_create_root(name=node.name, code=node.code)
        by_code[node.code] = org
        created.append(org)
    if org is None:
        division = node.division
        uscc = ""
        if node.kind == G:
            area = next((p for p in (parent,) if p), None)
            while area is not None and not area.division_code:
                area = area.parent
            uscc = demo_uscc(node.employer, area.division_code if area else "330000")
        org = _insert_org(
            parent=parent,
            name=node.name,
            kind=node.kind,
            code=node.code,
            uscc=uscc,
            division_code=division,
            industry_union=by_code.get(node.industry) if node.industry else None,
            employer_name=node.employer,
            address=node.address,
            staff_count=node.staff,
            is_platform=node.platform,
        )
        by_code[node.code] = org
        created.append(org)
    for child in node.children:
        _ensure(child, org, by_code, created)


@transaction.atomic
def seed_demo(*, worker_services: bool = True) -> dict[str, int]:
    """The demo slice; `worker_services=False` leaves out aid, medical aid, stations, benefits and recuperation
    (their own tests run those seeds themselves, with a frozen clock)."""
    by_code = {o.code: o for o in Org.objects.filter(code__in=list(_codes(TREE)))}
    created: list[Org] = []
    # Industry unions first, so grassroots unions can be affiliated to them in the same pass.
    _ensure(TREE, None, by_code, created)
    for code, parent_code in INDUSTRY_CHAIN.items():
        org = by_code[code]
        if org.industry_union_id is None:
            org.industry_union = by_code[parent_code]
            org.save(update_fields=["industry_union"])
    password = settings.GONGHUI_DEMO_PASSWORD
    users = 0
    for account in ACCOUNTS:
        user = User.objects.filter(blind_q(User, "mobile", account.mobile)).first()
        if user is None:
            user = User.objects.create_user(account.mobile, password, real_name=account.name)
            users += 1
        if account.role and account.org_code:
            RoleAssignment.objects.get_or_create(user=user, org=by_code[account.org_code], role=account.role)
        if account.role in ("org_admin", "reviewer") and not TOTPDevice.objects.filter(user=user).exists():
            # Administrators and reviewers need TOTP; `make demo` shows the current code on the verify page.
            TOTPDevice.objects.create(user=user, name="default", confirmed=True)
    if not PrivacyNotice.objects.exists():
        PrivacyNotice.objects.create(version="2026.1", title="网上职工之家个人信息处理规则", body=DEMO_NOTICE)
    if not OrgRequest.objects.exists():
        requester = User.objects.get(blind_q(User, "mobile", "13900000001"))
        for name, parent_code, staff in [
            ("杭州文新数字传媒有限公司工会委员会", "330106-WX", 64),
            ("宁波鄞州跑腿侠同城服务有限公司工会委员会", "330212-KD", 28),
        ]:
            parent = by_code[parent_code]
            OrgRequest.objects.create(
                parent=parent,
                name=name,
                staff_count=staff,
                requested_by=requester,
                employer_name=name.removesuffix("工会委员会"),
                uscc=demo_uscc(name, parent.code[:6]),
            )
    from .demo_aid import seed_aid
    from .demo_benefits import seed_benefits
    from .demo_congress import seed_congress
    from .demo_contracts import seed_contracts
    from .demo_disclosure import seed_disclosure
    from .demo_medical import seed_medical
    from .demo_members import seed_demo_members
    from .demo_proposals import seed_proposals
    from .demo_recuperation import seed_recuperation
    from .demo_rights import seed_demo_rights
    from .demo_stations import seed_stations
    from .demo_suggestions import seed_suggestions

    return {
        "orgs_created": len(created),
        "users_created": users,
        **seed_demo_members(),
        **seed_demo_rights(),
        **seed_congress(),
        **seed_suggestions(),
        **seed_proposals(),
        **seed_disclosure(),
        **seed_contracts(),
        **(seed_aid() if worker_services else {}),
        **({f"medical_{key}": n for key, n in seed_medical().items()} if worker_services else {}),
        **(seed_stations() if worker_services else {}),
        **(seed_benefits() if worker_services else {}),
        **(seed_recuperation() if worker_services else {}),
    }


def _codes(node: Node) -> list[str]:
    out = [node.code]
    for child in node.children:
        out.extend(_codes(child))
    return out


DEMO_NOTICE = """我们为办理入会、会籍管理、维权服务和帮扶救助处理您的个人信息，只收集办理所需的最少信息。

身份证号码、健康、财产等敏感个人信息，仅在您单独同意后处理，加密存储，默认脱敏显示；工会干部查看完整信息须有权限、说明理由，并留有审计记录。

您可以随时在“我的信息”中查看、下载您的个人信息，申请更正；也可以在本页撤回同意，撤回不影响撤回前已进行的处理。

个人信息保存在中国境内，保存期限为实现处理目的所必需的最短时间；日志依法保存不少于六个月。"""
