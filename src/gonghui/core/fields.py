"""Model fields for personal data at rest: an encrypted column and its blind-index column (docs/crypto.md).

A model declares the pair explicitly::

    mobile = EncryptedTextField(_("mobile number"), purpose="accounts.user.mobile", kind="mobile")
    mobile_index = BlindIndexField(source="mobile", unique=True)

and looks a value up through the index::

    User.objects.filter(blind_q(User, "mobile", "13812345678"))

The Python value of the encrypted field is always the plaintext; only the database holds the ciphertext.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import FieldError, ImproperlyConfigured
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Q
from django.db.models.expressions import Expression
from django.utils.translation import gettext_lazy as _

from .crypto import Kind, blind_index, decrypt, encrypt

__all__ = ["BlindIndexField", "EncryptedTextField", "blind_q", "encrypted_fields"]


class EncryptedTextField(models.TextField):
    """Text stored as SM4-GCM ciphertext (``<kid>$<base64url>``), bound to a fixed `purpose`.

    Decryption happens in from_db_value, when a row is loaded, rather than lazily on first access: the
    Python value stays a plain ``str`` that templates, forms, serializers and ``values_list`` handle as usual,
    and a tampered row fails loudly where it is read. SM4-GCM costs microseconds per value (bench/crypto.py),
    so a list page of 50 rows does not notice; bulk exports that do not need the column should leave it out
    with ``only()`` or ``defer()``.

    The purpose is explicit rather than derived from the model and field names, because renaming a model
    must not make its stored values unreadable. Never change it once values are stored. None and the empty
    string are stored as they are (nothing to hide); everything else is encrypted.

    The database cannot compare ciphertexts (each encryption uses a fresh nonce), so every lookup except
    ``isnull`` is refused: look values up with a BlindIndexField and `blind_q`.
    """

    description = _("Encrypted text")

    def __init__(self, *args: Any, purpose: str, kind: Kind = "text", **kwargs: Any) -> None:
        if not purpose:
            raise ImproperlyConfigured(
                "EncryptedTextField needs a purpose, such as 'members.member.id_number'."
            )
        if kwargs.get("unique") or kwargs.get("db_index") or kwargs.get("primary_key"):
            raise ImproperlyConfigured(
                "An EncryptedTextField cannot be unique or indexed; put unique=True on its BlindIndexField."
            )
        self.purpose = purpose
        self.kind: Kind = kind
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["purpose"] = self.purpose
        if self.kind != "text":
            kwargs["kind"] = self.kind
        return name, path, args, kwargs

    def from_db_value(self, value: Any, expression: Expression, connection: BaseDatabaseWrapper) -> Any:
        if value is None or value == "":
            return value
        return decrypt(value, purpose=self.purpose)

    def get_db_prep_value(self, value: Any, connection: BaseDatabaseWrapper, prepared: bool = False) -> Any:
        value = super().get_db_prep_value(value, connection, prepared)
        if value is None or value == "":
            return value
        return encrypt(str(value), purpose=self.purpose)

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        raise FieldError(
            f"{self.model.__name__}.{self.name} is encrypted and cannot be searched with '{lookup_name}'; "
            f"filter on its blind index with gonghui.core.fields.blind_q()."
        )

    def get_transform(self, lookup_name: str) -> Any:
        return None

    def index(self, value: str) -> str:
        """The blind index of a plaintext for this field."""
        return blind_index(value, purpose=self.purpose, kind=self.kind)


class BlindIndexField(models.CharField):
    """The HMAC-SM3 blind index (64 hex characters) of an EncryptedTextField on the same model.

    It is recomputed from the plaintext every time the row is saved (as ``auto_now`` is), so ``save()``,
    ``create()`` and ``bulk_create()`` keep it right without service code having to remember. Three paths do
    not call it, and services that change the encrypted value through them must name the index too:
    ``save(update_fields=[...])`` (list both fields), ``bulk_update`` and ``QuerySet.update`` (set the index
    yourself with ``field.index(value)``). A missing value has a NULL index, so ``unique=True`` allows many.
    """

    description = _("Blind index")

    def __init__(self, *args: Any, source: str, **kwargs: Any) -> None:
        self.source = source
        kwargs["max_length"] = 64
        kwargs["null"] = True
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", False)
        if not kwargs.get("unique"):
            kwargs.setdefault("db_index", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        for fixed in ("max_length", "null"):
            kwargs.pop(fixed, None)
        if not getattr(self, "db_index", False) and not self.unique:
            # db_index defaults to True here (unlike Field), so an explicit False must be written out, or the
            # migration state would rebuild the field with an index it was told not to have.
            kwargs["db_index"] = False
        return name, path, args, kwargs

    def source_field(self) -> EncryptedTextField:
        field = self.model._meta.get_field(self.source)
        if not isinstance(field, EncryptedTextField):
            raise ImproperlyConfigured(
                f"{self.model.__name__}.{self.name}: source must be an EncryptedTextField."
            )
        return field

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        source = self.source_field()
        value = getattr(model_instance, source.attname)
        index = source.index(value) if value else None
        setattr(model_instance, self.attname, index)
        return index


def _index_field_for(model: type[models.Model], name: str) -> tuple[EncryptedTextField, BlindIndexField]:
    encrypted = model._meta.get_field(name)
    if not isinstance(encrypted, EncryptedTextField):
        raise ImproperlyConfigured(f"{model.__name__}.{name} is not an EncryptedTextField.")
    for field in model._meta.concrete_fields:
        if isinstance(field, BlindIndexField) and field.source == name:
            return encrypted, field
    raise ImproperlyConfigured(f"{model.__name__}.{name} has no BlindIndexField(source={name!r}).")


def blind_q(model: type[models.Model], name: str, value: str) -> Q:
    """``Q(<name>_index=...)``: the filter that finds rows whose encrypted field `name` holds `value`."""
    encrypted, index = _index_field_for(model, name)
    return Q(**{index.name: encrypted.index(value)})


def encrypted_fields(model: type[models.Model]) -> list[EncryptedTextField]:
    """The encrypted columns in a model's own table (used by `gonghui keys`).

    Only local fields count, so a proxy model or a multi-table child does not list its parent's columns twice.
    """
    return [f for f in model._meta.local_concrete_fields if isinstance(f, EncryptedTextField)]
