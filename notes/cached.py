"""What everyone sees of a list, cached in the process under its curriculum's content_version.

The database raises Curriculum.content_version on any change of the list's entries, tiers,
topics, the papers they link, or the curriculum itself (curricula migration 0016, triggers),
however it is written. Keyed by it, a cached value is never stale: a change makes a new key
and the old value ages out. The curriculum page keeps its shape (tiers and entry counts) and
a tier's page of rows here, home its lists' shapes: three queries of the page, and its
costliest, while nothing changes.
"""

from __future__ import annotations

from curricula.models import Curriculum
from notes import progress as tallied
from readlist.memo import VersionedMemo

memo = VersionedMemo(512)


def version(curriculum: Curriculum) -> tuple:
    # created_at too: ids can come back (SQLite test databases), a creation time with them not.
    return (curriculum.pk, curriculum.created_at, curriculum.content_version)


def shape_of(curriculum: Curriculum) -> tallied.Shape:
    """The curriculum's tiers and entry counts (notes.progress.shapes), by version."""
    key = ("shape", *version(curriculum), curriculum.completion_rule)
    return memo.get(key, lambda: tallied.shapes([curriculum])[curriculum.pk])
