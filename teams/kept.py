"""A team's dashboard figures kept per process and brought up to date, after a write, by
reading again only the rows of the people it changed (PostgreSQL).

board.summary counts the whole team on every view: at 1,000 people, 3,000 rows and 20,000
week lines, sorted and summed, several times the cost of the page around them. Most writes
are one person's (a status click, a note), and teams migration 0009 logs whose tally lines
each new BoardVersion is about. So a team's rows are read whole once (per process, day and
change of anything else: memberships, assignments, names, curricula), as Facts: what each is
counted, filtered and sorted by; after that, a view reads the log since its figures, those
people's rows and week lines, and the page's 50 rows, whatever the team's size. Each filter
and order seen keeps its rows sorted (a list of board.sort_key, kept in order by bisect) and
its sums, changed row by row.

Every figure equals board.summary's (tests/teams/test_dashboard_kept.py, after every kind of
write and through runs of random ones).
"""

from __future__ import annotations

import bisect
import datetime as dt
import threading
from collections import Counter, OrderedDict
from typing import Any

from django.db import connections

from readlist.memo import VersionedMemo
from readlist.sql import cursor as sql_cursor
from teams import board

# More people changed than this since the figures were read: read the team again.
MOST_CHANGED = 200
# Filters and orders kept per team (each a sorted list of its rows).
PICKS = 16
# Page rows kept per team (a page is 50).
MOST_SHOWN = 2000

Key = tuple[int, int]  # (user, curriculum)


class Picked:
    """The rows one filter keeps, in its order, and their sums."""

    def __init__(self, kept: Kept, filters: Any) -> None:
        self.sort = filters.sort
        self.state = filters.state
        self.curriculum = (
            kept.query.slugs.get(filters.curriculum, -1) if filters.curriculum else None
        )
        self.q = filters.q.lower() if filters.q else ""
        self.order: list[tuple] = []
        self.finished = 0
        self.starts: Counter[dt.date] = Counter()
        self.weeks: Counter[int] = Counter()  # by days since board.EPOCH
        rows = [f for f in kept.facts.values() if self.keeps(f)]
        self.order = sorted(board.sort_key(f, self.sort) for f in rows)
        for f in rows:
            self._count(kept, f, 1)

    def keeps(self, f: board.Facts) -> bool:
        return (
            (not self.state or f.state == self.state)
            and (self.curriculum is None or f.curriculum_id == self.curriculum)
            and (not self.q or self.q in f.haystack)
        )

    def _count(self, kept: Kept, f: board.Facts, sign: int) -> None:
        self.finished += sign * f.finished
        self.starts[f.start_date] += sign
        lines = iter(kept.weeks.get((f.user_id, f.curriculum_id), ()))
        for week, n in zip(lines, lines, strict=True):
            self.weeks[week] += sign * n

    def remove(self, kept: Kept, f: board.Facts) -> None:
        if self.keeps(f):
            key = board.sort_key(f, self.sort)
            del self.order[bisect.bisect_left(self.order, key)]
            self._count(kept, f, -1)

    def add(self, kept: Kept, f: board.Facts) -> None:
        if self.keeps(f):
            bisect.insort(self.order, board.sort_key(f, self.sort))
            self._count(kept, f, 1)

    def page(self, descending: bool, offset: int, limit: int) -> list[Key]:
        n = len(self.order)
        if descending:
            # Every term descending: the same total order, reversed.
            chosen = self.order[max(0, n - offset - limit) : max(0, n - offset)][::-1]
        else:
            chosen = self.order[offset : offset + limit]
        return [(k[-2], k[-1]) for k in chosen]


class Kept:
    """Every row of one team for one day, as Facts, with their week lines and the counts."""

    def __init__(
        self, team_id: int, parts: Any, now: dt.datetime, version: int, alias: str
    ) -> None:
        """`alias`: the database everything is read from, always the same one (a replica
        behind the primary must not give older rows than the version they are kept under)."""
        self.team_id, self.parts, self.now, self.version = team_id, parts, now, version
        self.alias = alias
        self.lock = threading.Lock()
        self.query = board.Query(team_id, parts.shapes, now, alias=alias)
        found, self.weeks = board.facts(self.query, ranked=True)
        self.facts: dict[Key, board.Facts] = {(f.user_id, f.curriculum_id): f for f in found}
        # Each person's keys: a write's rows are found without a pass over the whole team.
        self.keys_of: dict[int, set[Key]] = {}
        for key in self.facts:
            self.keys_of.setdefault(key[0], set()).add(key)
        self.people = board.members(self.query)
        self.counts: Counter[str] = Counter(f.state for f in self.facts.values())
        self.picks: OrderedDict[tuple, Picked] = OrderedDict()
        # Page rows read (board.Values) by key, until their person's lines change: a write
        # by someone not on the page reads no row of it again.
        self.shown: dict[Key, tuple] = {}
        # The table a view draws from a page's rows (teams.views.dashboard), by those rows.
        self.drawn = VersionedMemo(32)

    def catch_up(self, version: int) -> bool:
        """Bring the rows up to `version` (or later) from the log; False when that cannot be
        done (anything but tally lines changed, or too many people, or the log was trimmed):
        the caller reads the team again."""
        if version <= self.version:
            return True
        sql = """SELECT version, user_id FROM teams_board_change
          WHERE team_id = %s AND version > %s
          UNION ALL SELECT version, -1 FROM teams_board_logfloor
          WHERE team_id = %s AND version > %s"""
        with sql_cursor(self.alias) as cursor:
            cursor.execute(sql, [self.team_id, self.version, self.team_id, self.version])
            log = cursor.fetchall()
        people = {user_id for _, user_id in log}
        if None in people or -1 in people or len(people) > MOST_CHANGED:
            return False
        if people and not self._reread(sorted(people)):
            return False
        self.version = max([version, *(v for v, _ in log)])
        return True

    def _reread(self, people: list[int]) -> bool:
        some = board.Query(self.team_id, self.parts.shapes, self.now, people, self.alias)
        found, weeks = board.facts(some, ranked=False)
        wanted = set().union(*(self.keys_of.get(user_id, ()) for user_id in people))
        if {(f.user_id, f.curriculum_id) for f in found} != wanted:
            return False  # rows came or went: more than tally lines changed
        for new in found:
            key = (new.user_id, new.curriculum_id)
            old = self.facts[key]
            # A name changes only with a logged NULL: the rank and the search text stand.
            new = new._replace(name_rank=old.name_rank, haystack=old.haystack)
            for pick in self.picks.values():
                pick.remove(self, old)
            self.counts[old.state] -= 1
            self.shown.pop(key, None)
            self.facts[key] = new
            if key in weeks:
                self.weeks[key] = weeks[key]
            else:
                self.weeks.pop(key, None)
            self.counts[new.state] += 1
            for pick in self.picks.values():
                pick.add(self, new)
        return True

    def pick(self, filters: Any) -> Picked:
        key = (filters.state, filters.curriculum, filters.q, filters.sort)
        found = self.picks.get(key)
        if found is None:
            found = self.picks[key] = Picked(self, filters)
            while len(self.picks) > PICKS:
                self.picks.popitem(last=False)
        self.picks.move_to_end(key)
        return found

    def summary(self, filters: Any, page: tuple[int, int] | None) -> board.Summary:
        """board.summary's figures, from what is kept; the page's rows read by their keys."""
        pick = self.pick(filters)
        counts = dict.fromkeys(board.STATES, 0)
        counts.update({s: n for s, n in self.counts.items() if n})
        since = min((d for d, n in pick.starts.items() if n > 0), default=None)
        weeks = sorted((board.week_of(week), n) for week, n in pick.weeks.items() if n)
        rows = None
        if page is not None:
            keys = pick.page(filters.descending, *page)
            missing = [key for key in keys if key not in self.shown]
            if missing:
                users = sorted({user_id for user_id, _ in missing})
                some = board.Query(self.team_id, self.parts.shapes, self.now, users, self.alias)
                self.shown.update(board.rows_of(some, missing))
                if len(self.shown) > MOST_SHOWN:
                    self.shown = {key: self.shown[key] for key in keys if key in self.shown}
            rows = [self.shown[key] for key in keys if key in self.shown]
        return board.Summary(
            counts,
            len(self.facts),
            len(pick.order),
            pick.finished,
            since,
            weeks,
            self.people,
            rows,
        )


def usable(alias: str) -> bool:
    """The log is PostgreSQL's (migration 0009)."""
    return connections[alias].vendor == "postgresql"
