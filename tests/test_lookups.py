"""The `__any` lookup (core.lookups): the same rows as `__in`, on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest

from gonghui.orgs.models import Org

pytestmark = pytest.mark.django_db


def test_any_finds_the_same_rows_as_in(tree):
    codes = [tree.grassroots_a.code, tree.grassroots_b.code, "no-such-code"]
    assert (
        set(Org.objects.filter(code__any=codes))
        == set(Org.objects.filter(code__in=codes))
        == {
            tree.grassroots_a,
            tree.grassroots_b,
        }
    )


def test_any_takes_integers_and_thousands_of_values(tree):
    ids = [tree.grassroots_a.pk, *range(10**6, 10**6 + 5000)]
    assert list(Org.objects.filter(pk__any=ids)) == [tree.grassroots_a]


def test_any_of_nothing_matches_nothing(tree):
    assert not Org.objects.filter(code__any=[]).exists()
    assert Org.objects.exclude(code__any=[]).count() == Org.objects.count()
