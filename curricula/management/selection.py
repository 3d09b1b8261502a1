"""The options check_links and fetch_arxiv share: which resources, and how many."""

from __future__ import annotations

from django.core.management.base import CommandError

from curricula.models import Curriculum


def add_selection_arguments(parser, *, noun: str) -> None:
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--stale", action="store_true", help=f"Only {noun} that are due (default).")
    which.add_argument("--all", action="store_true", help=f"Every one of the {noun}, due or not.")
    parser.add_argument("--curriculum", metavar="SLUG", help=f"Only this curriculum's {noun}.")
    parser.add_argument("--limit", type=int, default=None, help=f"At most this many {noun}.")


def checked_selection(*, curriculum: str | None, limit: int | None) -> int:
    """Refuse an unknown slug or a limit below 1 with a clear message; the limit to use."""
    if curriculum and not Curriculum.objects.filter(slug=curriculum).exists():
        raise CommandError(f"No curriculum with slug {curriculum!r}.")
    if limit is not None and limit < 1:
        raise CommandError("--limit must be at least 1.")
    return limit or 1_000_000
