"""Uploaded files: checked by their content and size, stored outside anything the web server serves.

A file's type is decided from its first bytes (magic numbers), never from its name or the Content-Type the
browser sent, since both are chosen by the client. Office files are zip containers: they must hold
``[Content_Types].xml``, and the uncompressed size of their entries is limited so that a zip bomb is refused
before anything (a spreadsheet reader, a virus scanner) expands it.

Files land under ``settings.MEDIA_ROOT`` (``var/media``), which is neither ``STATIC_ROOT`` nor inside it, and
which nothing serves: there is no ``MEDIA_URL`` route and whitenoise serves only collected static files. They
are read back only by views that check the reader's scope and send them as attachments. On disk a file is
named by a random UUID; the client's file name is kept only as metadata.
"""

from __future__ import annotations

import codecs
import contextlib
import hashlib
import unicodedata
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.conf import settings
from django.db import transaction
from django.http import FileResponse
from django.utils.translation import gettext_lazy as _

from .audit import log_action
from .errors import NotFound, ServiceError

HEAD_BYTES = 16
CHUNK = 64 * 1024
MAX_NAME = 200
# Office documents compress well, but not a thousandfold: a larger ratio on a big entry is a bomb.
MAX_ZIP_RATIO = 100
MAX_ZIP_ENTRIES = 10_000


@dataclass(frozen=True)
class FileType:
    key: str
    content_type: str
    extensions: tuple[str, ...]  # the first one is used on disk


TYPES: dict[str, FileType] = {
    t.key: t
    for t in (
        FileType("pdf", "application/pdf", (".pdf",)),
        FileType("png", "image/png", (".png",)),
        FileType("jpeg", "image/jpeg", (".jpg", ".jpeg")),
        FileType("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",)),
        FileType(
            "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",)
        ),
        # Plain text with no magic number: accepted only where a caller allows it (member imports).
        FileType("csv", "text/csv", (".csv",)),
    )
}
DOCUMENT_TYPES = frozenset({"pdf", "png", "jpeg", "xlsx", "docx"})
TEXT_ENCODINGS = ("utf-8", "gb18030")


def default_max_bytes() -> int:
    return upload_max_mb() * 1024 * 1024


def upload_max_mb() -> int:
    return int(getattr(settings, "GONGHUI_UPLOAD_MAX_MB", 10))


def zip_max_bytes() -> int:
    return int(getattr(settings, "GONGHUI_UPLOAD_ZIP_MAX_MB", 100)) * 1024 * 1024


def _size_of(file: Any) -> int:
    size = getattr(file, "size", None)
    if size is None:
        file.seek(0, 2)
        size = file.tell()
    file.seek(0)
    return int(size)


def _zip_kind(file: IO[bytes]) -> str | None:
    """xlsx or docx for a well-formed Office container; None for any other zip; refuses bombs."""
    try:
        with zipfile.ZipFile(file) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    finally:
        file.seek(0)
    if len(entries) > MAX_ZIP_ENTRIES or sum(e.file_size for e in entries) > zip_max_bytes():
        raise ServiceError("upload_zip_bomb", _("The file expands to too much data."), field="file")
    for entry in entries:
        if entry.file_size > 1024 * 1024 and entry.file_size > MAX_ZIP_RATIO * max(entry.compress_size, 1):
            raise ServiceError("upload_zip_bomb", _("The file expands to too much data."), field="file")
    names = {e.filename for e in entries}
    if "[Content_Types].xml" not in names:
        return None
    if any(n.startswith("xl/") for n in names):
        return "xlsx"
    if any(n.startswith("word/") for n in names):
        return "docx"
    return None


def sniff(file: IO[bytes]) -> str | None:
    """The type key decided from the content, or None when it is none of the known types."""
    file.seek(0)
    head = file.read(HEAD_BYTES)
    file.seek(0)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(file)
    if _looks_like_text(file):
        return "csv"
    return None


def _looks_like_text(file: IO[bytes]) -> bool:
    """Whether the first block is text in UTF-8 (with or without a byte order mark) or GB18030, without the
    NUL bytes of binary files. Only the start is read; the importer decodes the whole file later."""
    block = file.read(CHUNK)
    file.seek(0)
    if not block or b"\x00" in block:
        return False
    for encoding in TEXT_ENCODINGS:
        try:
            # A multi-byte character may be cut at the end of the block: decode incrementally, not final.
            codecs.getincrementaldecoder(encoding)().decode(block, final=False)
        except UnicodeDecodeError:
            continue
        return True
    return False


def safe_name(name: str) -> str:
    """The client's file name as harmless metadata: no directories, no control characters, at most 200
    characters (the extension kept)."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().lstrip(".")
    if not name:
        return "file"
    if len(name) > MAX_NAME:
        suffix = PurePosixPath(name).suffix[:16]
        name = name[: MAX_NAME - len(suffix)] + suffix
    return name


def check_upload(file: Any, *, allowed: set[str] | frozenset[str], max_bytes: int | None = None) -> str:
    """Check an uploaded file and return its real content type (a MIME type).

    Refused, each with a ServiceError on the field ``file``: an empty file, one over ``max_bytes`` (by default
    ``GONGHUI_UPLOAD_MAX_MB``, 10), a content that is not one of the ``allowed`` type keys (``pdf``, ``png``,
    ``jpeg``, ``xlsx``, ``docx``), a zip bomb, and a name whose extension says another type than the content.
    """
    limit = default_max_bytes() if max_bytes is None else max_bytes
    size = _size_of(file)
    if size == 0:
        raise ServiceError("upload_empty", _("The file is empty."), field="file")
    if size > limit:
        raise ServiceError(
            "upload_too_large",
            _("The file is larger than %(mb)s MB.") % {"mb": round(limit / (1024 * 1024), 1)},
            field="file",
            status=413,
        )
    kind = sniff(file)
    if kind is None or kind not in allowed:
        names = ", ".join(sorted(TYPES[k].extensions[0].lstrip(".").upper() for k in allowed if k in TYPES))
        raise ServiceError(
            "upload_type",
            _("This kind of file is not accepted. Accepted: %(types)s.") % {"types": names},
            field="file",
        )
    suffix = PurePosixPath(safe_name(getattr(file, "name", "") or "")).suffix.lower()
    if suffix and suffix not in TYPES[kind].extensions:
        raise ServiceError(
            "upload_extension",
            _("The file name ends in %(ext)s, but the file is a %(kind)s.")
            % {"ext": suffix, "kind": kind.upper()},
            field="file",
        )
    return TYPES[kind].content_type


def _extension_for(file: IO[bytes]) -> str:
    kind = sniff(file)
    return TYPES[kind].extensions[0] if kind else ".bin"


def media_path(relative: str) -> Path:
    """The absolute path of a stored file, refusing anything that would leave MEDIA_ROOT."""
    root = Path(settings.MEDIA_ROOT).resolve()
    target = (root / relative).resolve()
    if not target.is_relative_to(root) or target == root:
        raise ValueError("path outside MEDIA_ROOT")
    return target


def store_upload(file: Any, *, folder: str) -> str:
    """Write a checked file to MEDIA_ROOT/folder/<random uuid><ext> and return that path relative to
    MEDIA_ROOT. The extension comes from the content, never from the client's name."""
    rel_folder = PurePosixPath(folder)
    if rel_folder.is_absolute() or ".." in rel_folder.parts:
        raise ValueError("folder must be relative and stay inside MEDIA_ROOT")
    relative = str(rel_folder / f"{uuid.uuid4().hex}{_extension_for(file)}")
    target = media_path(relative)
    target.parent.mkdir(parents=True, exist_ok=True)
    file.seek(0)
    with open(target, "xb") as out:
        chunks = file.chunks(CHUNK) if hasattr(file, "chunks") else iter(lambda: file.read(CHUNK), b"")
        for chunk in chunks:
            out.write(chunk)
    file.seek(0)
    return relative


def attachment_response(handle: IO[bytes], *, filename: str, content_type: str) -> FileResponse:
    """Send a stored file as a download, never for display: ``Content-Disposition: attachment`` with the
    original name (``filename*`` in RFC 5987 form when it is not ASCII) and ``nosniff``, so that a browser
    never renders it as a page of this site."""
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


def open_audited(
    stored_path: str, *, actor: Any, action: str, obj: Any, org_path: str, data: dict[str, Any] | None = None
) -> IO[bytes]:
    """Open a stored personal document for a cadre who may read it, recording the download in the audit log
    first (a file that cannot be opened is a 404 and records nothing). The caller hands the handle to
    `attachment_response`, which closes it."""
    try:
        handle = open(media_path(stored_path), "rb")  # noqa: SIM115  # closed by the response
    except (OSError, ValueError) as exc:
        raise NotFound(_("The file of this document is missing.")) from exc
    try:
        with transaction.atomic():
            log_action(actor=actor, action=action, obj=obj, org_path=org_path, data=data or {})
    except BaseException:
        handle.close()
        raise
    return handle


def delete_stored(relative: str) -> None:
    """Remove a stored file, for instance when the database row that named it was not written."""
    with contextlib.suppress(OSError, ValueError):
        media_path(relative).unlink(missing_ok=True)


def sha256_of(file: Any) -> str:
    digest = hashlib.sha256()
    file.seek(0)
    chunks = file.chunks(CHUNK) if hasattr(file, "chunks") else iter(lambda: file.read(CHUNK), b"")
    for chunk in chunks:
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()
