"""What everyone sees of a list, cached in the process under its curriculum's content_version.

The database raises Curriculum.content_version on any change of the list's entries, tiers,
topics, the papers they link, or the curriculum itself (curricula migration 0016, triggers),
however it is written. Keyed by it, a cached value is never stale: a change makes a new key
and the old value ages out. The curriculum page keeps its shape (tiers and entry counts) and
a tier's page of rows here, home its lists' shapes: three queries of the page, and its
costliest, while nothing changes. The dashboard, a member's page and a member's deadlines
read the same shapes.
"""

from __future__ import annotations

from collections.abc import Iterable

from curricula.models import Curriculum
from notes import progress as tallied
from readlist.memo import VersionedMemo

memo = VersionedMemo(512)


def version(curriculum: Curriculum) -> tuple:
    # created_at too: ids can come back (SQLite test databases), a creation time with them not.
    return (curriculum.pk, curriculum.created_at, curriculum.content_version)


def shape_of(curriculum: Curriculum) -> tallied.Shape:
    """The curriculum's tiers and entry counts (notes.progress.shapes), by version."""
    return shapes_of([curriculum])[curriculum.pk]


def shapes_of(curricula: Iterable[Curriculum]) -> dict[int, tallied.Shape]:
    """Curriculum id → shape_of(); when any is not kept, they are made together (two queries
    for any number). The curricula need their created_at and content_version loaded."""
    curricula = list(curricula)
    made: dict[int, tallied.Shape] = {}

    def make(curriculum: Curriculum) -> tallied.Shape:
        if not made:
            made.update(tallied.shapes(curricula))
        return made[curriculum.pk]

    return {
        c.pk: memo.get(("shape", *version(c), c.completion_rule), lambda c=c: make(c))
        for c in curricula
    }
