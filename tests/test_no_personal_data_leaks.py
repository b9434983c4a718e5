"""No view or endpoint hands a cadre a full mobile or ID number: everything personal is masked by default."""

import re

from django.urls import reverse

from gonghui.core.logsafety import find_personal_data
from gonghui.orgs.services import org_request_submit


def fill(path: str, ids: dict[str, int]) -> str:
    """The path with its parameters filled in; one this test does not know gets 1 (most likely a 404; the
    domain's own API tests walk their endpoints with real records)."""
    return re.sub(r"\{(\w+)\}", lambda m: str(ids.get(m.group(1), 1)), path)


def test_every_get_endpoint_in_the_openapi_schema_masks_personal_data(
    client, tree, district_cadre_a, viewer_a, member_a
):
    req = org_request_submit(actor=member_a, parent=tree.street_a, name="某公司工会")
    client.force_login(district_cadre_a)
    token = client.get("/api/v1/auth/tokens")  # the session works
    assert token.status_code == 200
    schema = client.get("/api/v1/openapi.json").json()
    ids = {"org_id": tree.district_a.pk, "request_id": req.pk, "token_id": 1, "assignment_id": 1}
    walked = 0
    for path, operations in schema["paths"].items():
        if "get" not in operations:
            continue
        response = client.get(fill(path, ids))
        assert response.status_code < 500, path
        leaks = find_personal_data(response.content.decode())
        assert leaks == [], (path, leaks)
        walked += 1
    assert walked >= 8


def test_console_pages_show_masked_numbers_only(client, tree, district_cadre_a, viewer_a, member_a):
    org_request_submit(actor=member_a, parent=tree.street_a, name="某公司工会")
    client.force_login(district_cadre_a)
    pages = [
        reverse("console:dashboard"),
        reverse("console:org_tree") + "?q=工会",
        reverse("console:org_detail", args=[tree.grassroots_a.pk]),
        reverse("console:request_list"),
        reverse("console:role_list"),
        reverse("portal:profile"),
    ]
    for url in pages:
        html = client.get(url).content.decode()
        assert find_personal_data(html) == [], url
    assert "138****0010" in client.get(reverse("console:role_list")).content.decode()  # the viewer, masked
