"""Uploads (security issue, item 9): checked by content and size, stored outside the static root under a
random name, served only through views that check scope, every download audited."""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gonghui.core.errors import NotFound, PermissionDenied, ServiceError
from gonghui.core.models import AuditRecord
from gonghui.core.uploads import DOCUMENT_TYPES, check_upload, safe_name, store_upload
from gonghui.orgs import services
from gonghui.orgs.models import OrgRequestDocument
from gonghui.orgs.selectors import org_request_document_get

Kind = OrgRequestDocument.Kind


# --- small real files, built here ----------------------------------------------------------------------------
def pdf_bytes() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )


def png_bytes() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)  # 1x1, 8-bit greyscale
    idat = zlib.compress(b"\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def jpeg_bytes() -> bytes:
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"


def xlsx_bytes(extra: dict[str, bytes] | None = None, *, stored: bool = False) -> bytes:
    buffer = io.BytesIO()
    method = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(buffer, "w", method) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships/>')
        archive.writestr("xl/workbook.xml", '<?xml version="1.0"?><workbook/>')
        archive.writestr("xl/worksheets/sheet1.xml", '<?xml version="1.0"?><worksheet/>')
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def request_a(tree, member_a):
    """member_a asks the street union in district A to approve a union for her employer."""
    return services.org_request_submit(actor=member_a, parent=tree.street_a, name="文新传媒有限公司工会")


# --- the check ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("申请书.pdf", pdf_bytes(), "application/pdf"),
        ("licence.png", png_bytes(), "image/png"),
        ("licence.jpg", jpeg_bytes(), "image/jpeg"),
        ("licence.JPEG", jpeg_bytes(), "image/jpeg"),
        ("staff.xlsx", xlsx_bytes(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("no-extension", pdf_bytes(), "application/pdf"),
    ],
)
def test_real_documents_are_accepted_by_their_content(name, content, expected):
    assert check_upload(upload(name, content, "application/octet-stream"), allowed=DOCUMENT_TYPES) == expected


def test_an_html_page_renamed_pdf_is_refused_whatever_the_browser_says():
    html = b"<!doctype html><script>alert(document.cookie)</script>"
    with pytest.raises(ServiceError) as exc:
        check_upload(upload("letter.pdf", html, "application/pdf"), allowed=DOCUMENT_TYPES)
    assert exc.value.code == "upload_type"
    assert exc.value.field == "file"


def test_an_executable_is_refused():
    with pytest.raises(ServiceError) as exc:
        check_upload(upload("setup.pdf", b"MZ\x90\x00" + b"\x00" * 200), allowed=DOCUMENT_TYPES)
    assert exc.value.code == "upload_type"


def test_an_empty_file_is_refused():
    with pytest.raises(ServiceError) as exc:
        check_upload(upload("empty.pdf", b""), allowed=DOCUMENT_TYPES)
    assert exc.value.code == "upload_empty"


def test_a_file_over_the_configured_limit_is_refused(settings):
    settings.GONGHUI_UPLOAD_MAX_MB = 1
    big = pdf_bytes() + b"0" * (1024 * 1024)
    with pytest.raises(ServiceError) as exc:
        check_upload(upload("big.pdf", big), allowed=DOCUMENT_TYPES)
    assert exc.value.code == "upload_too_large"
    assert exc.value.status == 413


def test_a_name_that_contradicts_the_content_is_refused():
    with pytest.raises(ServiceError) as exc:
        check_upload(upload("licence.pdf", png_bytes()), allowed=DOCUMENT_TYPES)
    assert exc.value.code == "upload_extension"


def test_a_type_that_is_not_allowed_here_is_refused():
    with pytest.raises(ServiceError) as exc:
        check_upload(upload("staff.xlsx", xlsx_bytes()), allowed={"pdf", "png"})
    assert exc.value.code == "upload_type"


def test_a_plain_zip_is_not_an_office_document():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(ServiceError) as exc:
        check_upload(upload("staff.xlsx", buffer.getvalue()), allowed=DOCUMENT_TYPES)
    assert exc.value.code == "upload_type"


def test_a_zip_bomb_is_refused_by_its_compression_ratio():
    bomb = xlsx_bytes({"xl/worksheets/sheet2.xml": b"\x00" * (20 * 1024 * 1024)})
    assert len(bomb) < 100 * 1024  # small on the wire, 20 MB once expanded
    with pytest.raises(ServiceError) as exc:
        check_upload(upload("staff.xlsx", bomb), allowed=DOCUMENT_TYPES)
    assert exc.value.code == "upload_zip_bomb"


def test_a_zip_that_expands_beyond_the_total_limit_is_refused(settings):
    settings.GONGHUI_UPLOAD_ZIP_MAX_MB = 1
    stored = xlsx_bytes({"xl/media/image1.bin": b"x" * (2 * 1024 * 1024)}, stored=True)
    with pytest.raises(ServiceError) as exc:
        check_upload(upload("staff.xlsx", stored), allowed=DOCUMENT_TYPES)
    assert exc.value.code == "upload_zip_bomb"


def test_the_client_file_name_is_kept_only_as_harmless_metadata():
    assert safe_name("../../etc/passwd.pdf") == "passwd.pdf"
    assert safe_name("C:\\Users\\张伟\\申请书.pdf") == "申请书.pdf"
    assert safe_name("a\x00b\r\n.pdf") == "ab.pdf"
    assert safe_name("") == "file"
    long = safe_name("名" * 300 + ".pdf")
    assert len(long) == 200 and long.endswith(".pdf")


def test_files_land_under_media_root_with_a_random_name_never_in_the_static_root(media_root):
    relative = store_upload(upload("../../申请书.pdf", pdf_bytes()), folder="org_requests/7")
    assert re.fullmatch(r"org_requests/7/[0-9a-f]{32}\.pdf", relative)
    on_disk = media_root / relative
    assert on_disk.read_bytes() == pdf_bytes()
    static_root = Path(django_settings.STATIC_ROOT).resolve()
    assert not on_disk.resolve().is_relative_to(static_root)
    assert not list(media_root.rglob("申请书*"))


def test_the_media_root_of_a_deployment_is_outside_the_static_root():
    from gonghui import settings as deployment

    media, static = Path(deployment.MEDIA_ROOT).resolve(), Path(deployment.STATIC_ROOT).resolve()
    assert not media.is_relative_to(static) and not static.is_relative_to(media)
    assert media.is_relative_to(Path(deployment.VAR_DIR).resolve())


# --- the service and the selector --------------------------------------------------------------------------
def test_the_requester_attaches_documents_while_pending_and_it_is_audited(request_a, member_a, media_root):
    doc = services.org_request_document_add(
        actor=member_a, request=request_a, file=upload("申请书.pdf", pdf_bytes()), kind=Kind.APPLICATION
    )
    assert doc.original_name == "申请书.pdf"
    assert doc.content_type == "application/pdf"
    assert doc.size == len(pdf_bytes())
    assert len(doc.sha256) == 64
    assert (media_root / doc.stored_path).is_file()
    record = AuditRecord.objects.get(action="gonghui.org.request.document_added")
    assert record.actor == member_a
    assert record.data["request"] == request_a.pk
    assert "content" not in record.data and pdf_bytes().decode("latin-1") not in str(record.data)


def test_the_requester_cannot_add_documents_after_the_decision(request_a, member_a, district_cadre_a):
    services.org_request_reject(actor=district_cadre_a, request=request_a, reason="材料不全")
    request_a.refresh_from_db()
    with pytest.raises(ServiceError) as exc:
        services.org_request_document_add(
            actor=member_a, request=request_a, file=upload("a.pdf", pdf_bytes()), kind=Kind.OTHER
        )
    assert exc.value.code == "not_pending"
    # The cadre who decides may still attach, for instance the signed decision.
    services.org_request_document_add(
        actor=district_cadre_a, request=request_a, file=upload("decision.pdf", pdf_bytes()), kind=Kind.OTHER
    )


def test_a_refused_upload_leaves_no_file_behind(request_a, member_a, media_root):
    with pytest.raises(ServiceError):
        services.org_request_document_add(
            actor=member_a, request=request_a, file=upload("x.pdf", b"<html>"), kind=Kind.OTHER
        )
    assert not OrgRequestDocument.objects.exists()
    assert not media_root.exists() or not any(p.is_file() for p in media_root.rglob("*"))


def test_a_request_holds_at_most_ten_documents(request_a, member_a):
    for index in range(10):
        services.org_request_document_add(
            actor=member_a, request=request_a, file=upload(f"{index}.png", png_bytes()), kind=Kind.OTHER
        )
    with pytest.raises(ServiceError) as exc:
        services.org_request_document_add(
            actor=member_a, request=request_a, file=upload("11.png", png_bytes()), kind=Kind.OTHER
        )
    assert exc.value.code == "too_many_documents"


def test_only_the_requester_or_a_deciding_cadre_may_add(request_a, viewer_a, district_cadre_b, member_b):
    file = upload("a.pdf", pdf_bytes())
    with pytest.raises(PermissionDenied):  # in scope, but a viewer decides nothing
        services.org_request_document_add(actor=viewer_a, request=request_a, file=file, kind=Kind.OTHER)
    for stranger in (district_cadre_b, member_b):
        with pytest.raises(NotFound):
            services.org_request_document_add(actor=stranger, request=request_a, file=file, kind=Kind.OTHER)


def test_a_document_is_found_by_the_requester_and_in_scope_only(
    request_a, member_a, viewer_a, district_cadre_a, district_cadre_b, chair_a, member_b
):
    doc = services.org_request_document_add(
        actor=member_a, request=request_a, file=upload("a.pdf", pdf_bytes()), kind=Kind.OTHER
    )
    for reader in (member_a, viewer_a, district_cadre_a):
        assert org_request_document_get(actor=reader, document_id=doc.pk) == doc
    for stranger in (district_cadre_b, chair_a, member_b):
        with pytest.raises(NotFound):
            org_request_document_get(actor=stranger, document_id=doc.pk)


# --- the faces ---------------------------------------------------------------------------------------------
def test_the_requester_uploads_and_downloads_in_the_portal(client, request_a, member_a):
    client.force_login(member_a)
    page = client.get(reverse("portal:org_request_done", args=[request_a.pk])).content.decode()
    assert 'enctype="multipart/form-data"' in page
    response = client.post(
        reverse("portal:org_request_document_upload", args=[request_a.pk]),
        {"kind": Kind.STAFF_LIST, "file": upload("职工名册.xlsx", xlsx_bytes(), "text/html")},
    )
    assert response.status_code == 302
    doc = OrgRequestDocument.objects.get()
    assert doc.kind == Kind.STAFF_LIST
    page = client.get(reverse("portal:org_request_done", args=[request_a.pk])).content.decode()
    assert "职工名册.xlsx" in page

    response = client.get(reverse("portal:org_request_document_download", args=[request_a.pk, doc.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == xlsx_bytes()
    assert response["Content-Type"] == doc.content_type
    assert response["X-Content-Type-Options"] == "nosniff"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''%E8%81%8C%E5%B7%A5%E5%90%8D%E5%86%8C.xlsx" in disposition
    record = AuditRecord.objects.get(action="gonghui.org.request.document_downloaded")
    assert record.actor == member_a
    assert record.object_id == str(doc.pk)
    assert record.org_path == request_a.parent.path


def test_a_refused_file_is_a_message_in_the_portal_not_an_error_page(client, request_a, member_a):
    client.force_login(member_a)
    response = client.post(
        reverse("portal:org_request_document_upload", args=[request_a.pk]),
        {"kind": Kind.OTHER, "file": upload("letter.pdf", b"<!doctype html>")},
        follow=True,
    )
    assert response.status_code == 200
    assert [m.message for m in response.context["messages"]]
    assert not OrgRequestDocument.objects.exists()


def test_the_requester_sees_no_upload_form_after_the_decision(client, request_a, member_a, district_cadre_a):
    services.org_request_reject(actor=district_cadre_a, request=request_a, reason="材料不全")
    client.force_login(member_a)
    page = client.get(reverse("portal:org_request_done", args=[request_a.pk])).content.decode()
    assert 'data-testid="upload-document"' not in page
    client.post(
        reverse("portal:org_request_document_upload", args=[request_a.pk]),
        {"kind": Kind.OTHER, "file": upload("late.pdf", pdf_bytes())},
    )
    assert not OrgRequestDocument.objects.exists()


def test_the_parent_unions_cadre_uploads_and_downloads_in_the_console(
    client, request_a, member_a, district_cadre_a
):
    services.org_request_document_add(
        actor=member_a, request=request_a, file=upload("licence.jpg", jpeg_bytes()), kind=Kind.LICENCE
    )
    client.force_login(district_cadre_a)
    page = client.get(reverse("console:request_detail", args=[request_a.pk])).content.decode()
    assert "licence.jpg" in page and 'enctype="multipart/form-data"' in page
    response = client.post(
        reverse("console:request_document_upload", args=[request_a.pk]),
        {"kind": Kind.OTHER, "file": upload("note.png", png_bytes())},
    )
    assert response.status_code == 302
    assert OrgRequestDocument.objects.count() == 2
    doc = OrgRequestDocument.objects.get(original_name="licence.jpg")
    response = client.get(reverse("console:request_document_download", args=[doc.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == jpeg_bytes()
    assert response["Content-Disposition"] == 'attachment; filename="licence.jpg"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert AuditRecord.objects.filter(
        action="gonghui.org.request.document_downloaded", actor=district_cadre_a, object_id=str(doc.pk)
    ).exists()


def test_the_wrong_district_gets_404_for_a_document(
    client, tree, request_a, member_a, district_cadre_b, member_b
):
    doc = services.org_request_document_add(
        actor=member_a, request=request_a, file=upload("a.pdf", pdf_bytes()), kind=Kind.OTHER
    )
    client.force_login(district_cadre_b)
    assert client.get(reverse("console:request_document_download", args=[doc.pk])).status_code == 404
    assert (
        client.get(reverse("portal:org_request_document_download", args=[request_a.pk, doc.pk])).status_code
        == 404
    )
    response = client.post(
        reverse("console:request_document_upload", args=[request_a.pk]),
        {"kind": Kind.OTHER, "file": upload("b.pdf", pdf_bytes())},
    )
    assert response.status_code == 404
    client.force_login(member_b)
    assert (
        client.get(reverse("portal:org_request_document_download", args=[request_a.pk, doc.pk])).status_code
        == 404
    )
    assert not AuditRecord.objects.filter(action="gonghui.org.request.document_downloaded").exists()
    assert OrgRequestDocument.objects.count() == 1


def test_a_document_is_not_reachable_through_another_requests_address(client, tree, request_a, member_a):
    other = services.org_request_submit(actor=member_a, parent=tree.street_a, name="另一家公司工会")
    doc = services.org_request_document_add(
        actor=member_a, request=request_a, file=upload("a.pdf", pdf_bytes()), kind=Kind.OTHER
    )
    client.force_login(member_a)
    url = reverse("portal:org_request_document_download", args=[other.pk, doc.pk])
    assert client.get(url).status_code == 404
