"""readlist.sql.in_ids: a list of ids as SQL, the same text whatever their number on PostgreSQL
(psycopg caches a query's parsing only up to 50 parameters)."""

from __future__ import annotations

import pytest
from django.db import connection

from readlist.sql import in_ids
from tests import factories

pytestmark = pytest.mark.django_db


def matching(ids: list[int]) -> list[int]:
    test, params = in_ids("id", ids)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM auth_user WHERE {test} ORDER BY id", params)  # noqa: S608
        return [row[0] for row in cursor.fetchall()]


def test_it_matches_exactly_the_ids_given_and_nothing_for_none():
    people = [factories.make_user(f"p{i}").pk for i in range(3)]
    assert matching(people[:2]) == people[:2]
    assert matching([]) == []
    assert matching([*people, max(people) + 1000]) == people


@pytest.mark.skipif(connection.vendor != "postgresql", reason="one array parameter on PostgreSQL")
def test_on_postgresql_the_text_and_parameter_count_do_not_grow_with_the_ids():
    few, many = in_ids("id", [1, 2]), in_ids("id", list(range(200)))
    assert few[0] == many[0]
    assert len(many[1]) == 1
