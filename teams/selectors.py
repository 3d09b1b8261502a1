"""Reads for managers: the team dashboard and one person's page, in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.conf import settings
from django.db import router, transaction
from django.db.models import Q, Sum
from django.utils import timezone

from curricula.models import Curriculum, Entry
from notes import cached, rules
from notes import selectors as notes_selectors
from notes.models import Activity, Note, Progress, ProgressTally, Status, WeekTally
from notes.progress import NO_LINE, Cell, person_progress, progress_many, read_lines
from readlist.memo import VersionedMemo
from teams import board, kept
from teams.access import team_assignments
from teams.models import Assignment, BoardVersion, Team


class State:
    DONE = "done"
    OVERDUE = "overdue"
    STALLED = "stalled"
    BEHIND = "behind"
    ON_TRACK = "on_track"
    NOT_STARTED = "not_started"

    LABELS = {
        DONE: "Done",
        OVERDUE: "Overdue",
        STALLED: "Stalled",
        BEHIND: "Behind",
        ON_TRACK: "On track",
        NOT_STARTED: "Not started yet",
    }
    # Worst first: the order a manager wants to read them in.
    RANK = {OVERDUE: 0, STALLED: 1, BEHIND: 2, ON_TRACK: 3, NOT_STARTED: 4, DONE: 5}


def expected_percent(start: dt.date, due: dt.date, today: dt.date) -> int:
    """Where a straight line from 0% at the start to 100% at the due date stands today."""
    if today < start:
        return 0
    if today >= due:
        return 100
    # Rounded half up in whole numbers, as the dashboard's SQL (teams.board) computes it.
    span = max(1, (due - start).days)
    return (200 * (today - start).days + span) // (2 * span)


def state_of(
    cell: Cell,
    assignment: Assignment,
    last_activity: dt.datetime | None,
    now: dt.datetime,
    *,
    today: dt.date | None = None,
    expected: int | None = None,
    stalled_days: int | None = None,
) -> str:
    """`today` (the local date of `now`), `expected` (expected_percent for today) and
    `stalled_days` (the setting) save a page of 600 rows from looking them up for every row."""
    today = today or timezone.localdate(now)
    if cell.complete:
        return State.DONE
    if today > assignment.due_date:
        return State.OVERDUE
    if today < assignment.start_date:
        return State.NOT_STARTED
    if stalled_days is None:
        stalled_days = settings.READLIST_STALLED_DAYS
    since = max(
        last_activity.date() if last_activity else assignment.start_date, assignment.start_date
    )
    if (today - since).days >= stalled_days:
        return State.STALLED
    if expected is None:
        expected = expected_percent(assignment.start_date, assignment.due_date, today)
    if cell.percent < expected:
        return State.BEHIND
    return State.ON_TRACK


class TierRef(NamedTuple):
    """The current tier as the dashboard's rows name it (a Tier's pk, label and title)."""

    pk: int
    label: str
    title: str

    def __str__(self) -> str:
        return f"{self.label} — {self.title}" if self.title else self.label


class Standing:
    """A row's progress as its tally line stores it (what the curriculum's rule makes of it):
    the fields of notes.progress.Cell that the dashboard shows. `tiers` only for a page's rows
    (their heatmaps), worked out when first read: the first view after a write keeps the
    heatmaps drawn from rows it does not need to draw again."""

    __slots__ = ("_tiers", "_work", "current_tier", "done", "percent", "total")

    def __init__(
        self,
        done: int,
        total: int,
        percent: int,
        current_tier: TierRef | None,
        tiers: Callable[[], tuple] | tuple = (),
    ) -> None:
        self.done, self.total, self.percent, self.current_tier = done, total, percent, current_tier
        self._work = tiers if callable(tiers) else None
        self._tiers = () if callable(tiers) else tiers

    @property
    def tiers(self) -> tuple:
        if self._work is not None:
            self._tiers, self._work = tuple(self._work()), None
        return self._tiers

    @property
    def complete(self) -> bool:
        return self.total > 0 and self.done >= self.total

    def _values(self) -> tuple:
        return (self.done, self.total, self.percent, self.current_tier, self.tiers)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Standing) and self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        done, total, percent, tier, tiers = self._values()
        return f"Standing({done=}, {total=}, {percent=}, {tier=}, {tiers=})"


@dataclass
class Row:
    """One person × one assigned curriculum."""

    person: Member
    curriculum: Curriculum
    assignment: Assignment
    cell: Cell | Standing
    last_activity: dt.datetime | None
    notes: int
    state: str
    expected: int
    # Active entries of this curriculum the person has done (optional ones too, whatever the
    # rule): the unit of the weekly chart, whose last point is the sum of this over the rows.
    finished: int = 0

    @property
    def name(self) -> str:
        return self.person.name

    @property
    def state_label(self) -> str:
        return State.LABELS[self.state]


def display_name(first_name: str, last_name: str, username: str) -> str:
    """How managers' pages name a person: their full name, else their username."""
    return f"{first_name} {last_name}".strip() or username


class Member(NamedTuple):
    """A person as managers' rows show them (Row.person). The dashboard reads hundreds as
    values; pk, email and get_username() answer as a user's do."""

    pk: int
    username: str
    email: str
    name: str

    @classmethod
    def of(cls, user: Any) -> Member:
        username = user.get_username()
        return cls(
            user.pk, username, user.email, display_name(user.first_name, user.last_name, username)
        )

    def get_username(self) -> str:
        return self.username


# The dashboard's sorts (SQL in teams.board.ORDERS).
SORTS = tuple(board.ORDERS)


@dataclass
class Filters:
    state: str = ""
    curriculum: str = ""
    q: str = ""
    sort: str = "state"
    descending: bool = False

    @classmethod
    def from_query(cls, params: Any) -> Filters:
        """Unknown values fall back to the defaults: a bad link shows the whole team."""
        sort = params.get("sort", "state")
        descending = sort.startswith("-")
        sort = sort.lstrip("-")
        state = params.get("state", "")
        return cls(
            state=state if state in State.LABELS else "",
            curriculum=params.get("curriculum", "")[:100],
            q=params.get("q", "").strip()[:100],
            sort=sort if sort in SORTS else "state",
            descending=descending and sort in SORTS,
        )

    def sort_link(self, column: str) -> str:
        """The query string that sorts by `column` (flipping direction when already sorted)."""
        from django.utils.http import urlencode

        flip = column == self.sort and not self.descending
        params = {"sort": ("-" if flip else "") + column}
        params.update({k: v for k, v in self.as_params().items() if k != "sort"})
        return "?" + urlencode(params)

    def as_params(self) -> dict[str, str]:
        params = {"state": self.state, "curriculum": self.curriculum, "q": self.q}
        params["sort"] = ("-" if self.descending else "") + self.sort
        return {k: v for k, v in params.items() if v}


class Selection:
    """The rows of a team's dashboard under one filter and order, read from the database as
    needed: sliced (a page: `Paginator` and the API take it as a sequence), or iterated whole
    (the CSV, the digests), never all held at once."""

    def __init__(
        self,
        board: Dashboard,
        filters: Filters,
        count: int,
        read: tuple[int, Sequence[Row]] | None = None,
    ) -> None:
        self.board, self.filters, self._count = board, filters, count
        # A page read with the counts (offset, its rows): asked for, it costs no query.
        self._read = read

    def count(self) -> int:
        return self._count

    def __len__(self) -> int:
        return self._count

    def __bool__(self) -> bool:
        return self._count > 0

    def __getitem__(self, index: slice) -> Sequence[Row]:
        if not isinstance(index, slice) or index.step not in (None, 1):
            raise TypeError("A dashboard's rows are read a page at a time (a slice).")
        start, stop, _ = index.indices(self._count)
        if stop <= start:
            return []
        if self._read is not None and self._read[0] == start and len(self._read[1]) == stop - start:
            return self._read[1]
        found = board.page_rows(self.board.query(), self.filters, start, stop - start)
        memo: dict = {}
        return [self.board.row(values, memo) for values in found]

    def __iter__(self) -> Iterator[Row]:
        # The query (and the database it reads) is chosen now, while the request's routing
        # holds: a streamed CSV reads its rows after the view has returned.
        query = self.board.query()
        return self._rows(query, chunked=self._count > board.CHUNK)

    def _rows(self, query: board.Query, *, chunked: bool) -> Iterator[Row]:
        for values in board.all_rows(query, self.filters, chunked=chunked):
            yield self.board.row(values, None)


@dataclass
class Dashboard:
    """A team's dashboard: the whole team's counts by state, and the selection `filters` keeps
    (its rows, their weekly chart) — one selection, so that no figure disagrees with another."""

    team: Team
    filters: Filters
    curricula: list[Curriculum]
    assignments: list[Assignment]
    shapes: dict[int, Any]
    counts: dict[str, int] = field(default_factory=dict)
    total: int = 0  # rows, whole team
    people: int = 0  # members
    weekly: list[tuple[dt.date, int]] = field(default_factory=list)
    rows: Selection = field(init=False)
    now: dt.datetime = field(default_factory=timezone.now)
    # What it is kept under in `memo` (None when it is not): the view keeps its rendered
    # parts under it too.
    key: tuple | None = None
    # The team's rows kept (teams.kept; a function that brings them, None when they are not
    # used) and the page's rows as read (board.Values): the view keeps the table it draws
    # from them there, for as long as nothing but tally lines changes.
    live: Any = None
    page_values: tuple = ()

    def query(self) -> board.Query:
        return board.Query(self.team.pk, self.shapes, self.now)

    @property
    def all_rows(self) -> Selection:
        """Every row, whatever the filter (the managers' digest, the team's events)."""
        if not (self.filters.state or self.filters.curriculum or self.filters.q):
            return self.rows
        return Selection(self, Filters(), self.total)

    def row(self, values: tuple, memo: dict | None) -> Row:
        """A Row from the page query's columns (board.COLUMNS); with `memo`, its Cell's tiers
        too (for the heatmaps)."""
        v = board.Values(*values)
        assignment = self._assignments[v.assignment_id]
        tier = None
        if v.tier_id is not None and v.tier_label is not None:
            tier = TierRef(v.tier_id, v.tier_label, v.tier_title or "")
        tiers: Callable[[], tuple] | tuple = ()
        if memo is not None:
            shape = self.shapes[assignment.curriculum_id]

            def tiers() -> tuple:
                line = board.line_of(v.done_json, v.summaries_json)
                return board.cell_of(shape, line, memo).tiers

        return Row(
            person=Member(v.user_id, v.username, v.email, v.name),
            curriculum=assignment.curriculum,
            assignment=assignment,
            cell=Standing(v.steps_done, v.steps_total, v.percent, tier, tiers),
            last_activity=board.when(v.last_activity),
            notes=v.notes,
            state=v.state,
            expected=v.expected,
            finished=v.finished,
        )

    def __post_init__(self) -> None:
        self._assignments = {a.pk: a for a in self.assignments}


def _effective(
    assignments: list[Assignment], team: Team, member_ids: set[int]
) -> dict[tuple[int, int], Assignment]:
    """(person, curriculum) → assignment on this team's page: personal beats the team's."""
    out: dict[tuple[int, int], Assignment] = {}
    for a in assignments:
        if a.team_id == team.pk:
            for user_id in member_ids:
                out.setdefault((user_id, a.curriculum_id), a)
    for a in assignments:
        if a.user_id in member_ids:
            out[(a.user_id, a.curriculum_id)] = a
    return out


def _series(where: Q, since: dt.date, finished: int | None = None) -> list[tuple[dt.date, int]]:
    """Cumulative entries done per week from `since` to this week for the WeekTally rows
    `where` selects (see _cumulative)."""
    rows = WeekTally.objects.filter(where).values_list("week").annotate(n=Sum("done")).order_by()
    return _cumulative(list(rows), since, finished)


def _cumulative(
    rows: list[tuple[dt.date, int]], since: dt.date, finished: int | None = None
) -> list[tuple[dt.date, int]]:
    """Cumulative entries done per week from `since` to this week, from (week, entries) rows.
    With `finished` (the same people's done entries now, from their tally lines), entries done
    with no finishing date count from the first week, so the last point is that figure
    exactly."""
    start = since - dt.timedelta(days=since.weekday())
    before = 0
    per_week: dict[dt.date, int] = defaultdict(int)
    for day, n in rows:
        if day < start:
            before += n
        else:
            per_week[day] += n
    today = timezone.localdate()
    this_week = today - dt.timedelta(days=today.weekday())
    series: list[tuple[dt.date, int]] = []
    total = before
    week = start
    while week <= this_week and len(series) < 520:
        total += per_week.get(week, 0)
        series.append((week, total))
        week += dt.timedelta(days=7)
    if finished is not None and series and series[-1][1] != finished:
        undated = finished - series[-1][1]
        series = [(week, max(0, n + undated)) for week, n in series]
    return series


def weekly_done(
    user_ids: Any, curriculum_ids: list[int], since: dt.date
) -> list[tuple[dt.date, int]]:
    """Cumulative entries done per week from `since` to this week, for these people in these
    curricula (a paper listed by two of them counts in both, as on the dashboard); read from
    notes' WeekTally."""
    return _series(Q(user_id__in=user_ids, curriculum_id__in=curriculum_ids), since)


def weekly_of_rows(
    rows: list[Row], everyone: Any, member_ids: set[int]
) -> list[tuple[dt.date, int]]:
    """The weekly chart of exactly these rows (one person's page): each person counts only in
    the curricula their row is for (not what they read elsewhere). `everyone` stands for the
    ids of `member_ids` when a curriculum's rows are all of them."""
    if not rows:
        return []
    by_curriculum: dict[int, set[int]] = defaultdict(set)
    for r in rows:
        by_curriculum[r.curriculum.pk].add(r.person.pk)
    where = Q()
    for curriculum_id, users in sorted(by_curriculum.items()):
        people = everyone if users == member_ids else sorted(users)
        where |= Q(curriculum_id=curriculum_id, user_id__in=people)
    since = min(r.assignment.start_date for r in rows)
    return _series(where, since, finished=sum(r.finished for r in rows))


# What a team's dashboard is made of, by everything it depends on: the team's BoardVersion
# (changed by the database with every write to its people, their names, its assignments, the
# curricula assigned or its people's tally lines: teams migration 0008), the day (states and
# the expected share move with it), the filters and the page. A write makes a new key, so a
# value is never stale, only unused; per process, like notes.cached (a hit costs microseconds
# and no pickling). The view keeps its drawn parts here too (teams.views.dashboard).
memo = VersionedMemo(256)


def _keeping(model: Any) -> bool:
    """Whether what is read now may be kept: not inside a transaction, whose own writes are
    seen before their version changes (PostgreSQL changes it at commit) and may yet roll
    back. Views run in autocommit (ATOMIC_REQUESTS is off)."""
    return not transaction.get_connection(router.db_for_read(model)).in_atomic_block


class Parts(NamedTuple):
    assignments: list[Assignment]
    curricula: list[Curriculum]
    shapes: dict[int, Any]


def _parts(team: Team) -> Parts:
    """The team's assignments (team_assignments) and their curricula's shapes (notes.cached,
    by content_version, shared with the curriculum page and home; missing ones are made
    together, in two queries)."""
    assignments = list(team_assignments(team))
    curricula = sorted({a.curriculum for a in assignments}, key=lambda c: c.title)
    return Parts(assignments, curricula, cached.shapes_of(curricula))


def board_version(team_id: int) -> int:
    """The team's BoardVersion now (0 before its first write)."""
    found = BoardVersion.objects.filter(team_id=team_id).values_list("version", flat=True)
    return next(iter(found), 0)


def _figures(
    board_: Dashboard, page: tuple[int, int] | None, live: kept.Kept | None = None
) -> tuple[board.Summary, list]:
    """The counts, the chart's weeks and the page's rows: in one query (board.summary), or
    from what `live` keeps of the team."""
    if live is None:
        found = board.summary(board_.query(), board_.filters, page)
    else:
        with live.lock:
            found = live.summary(board_.filters, page)
    return found, PageRows(board_, tuple(found.page or ()))


class PageRows(Sequence):
    """A page's Rows, made when first read: after a write by someone not on the page, the
    view draws nothing from them (teams.kept keeps the table drawn from the same rows)."""

    def __init__(self, board_: Dashboard, values: tuple) -> None:
        self._board, self._values, self._rows = board_, values, None

    def _made(self) -> list[Row]:
        if self._rows is None:
            memo: dict = {}
            self._rows = [self._board.row(values, memo) for values in self._values]
        return self._rows

    def __len__(self) -> int:
        return len(self._values)

    def __getitem__(self, index: Any) -> Any:
        return self._made()[index]

    def __iter__(self) -> Iterator[Row]:
        return iter(self._made())


def _kept(team: Team, version: int, now: dt.datetime) -> kept.Kept:
    """The team's rows kept for today (teams.kept), brought up to `version`; read again when
    more than tally lines changed since."""
    # Per database: the version was read from the router's choice for this request, and a
    # replica's rows must be read from it alone.
    alias = router.db_for_read(ProgressTally)
    day = timezone.localdate(now)
    key = ("kept", team.pk, team.created_at, day, settings.READLIST_STALLED_DAYS, alias)
    live = memo.get(key, lambda: kept.Kept(team.pk, _parts(team), now, version, alias))
    with live.lock:
        if live.catch_up(version):
            return live
    live = kept.Kept(team.pk, _parts(team), now, version, alias)
    memo.put(key, live)
    return live


def dashboard(
    team: Team,
    filters: Filters | None = None,
    *,
    page: tuple[int, int] | None = None,
    version: int | None = None,
) -> Dashboard:
    """Members × assigned curricula with progress by each curriculum's rule and a state, as one
    selection in the database (teams.board): the counts, the chart's weeks and the number of
    rows now, in one query after the assignments and the curricula's shapes; the rows when
    read (a page, or all of them).

    With `version`, the team's BoardVersion read before anything else of this request (with
    the team: teams.access.get_team_for_manager), all of that but the rows of other pages is
    kept in `memo` under it (outside transactions): a view of an unchanged team costs no query
    here. On PostgreSQL a new version's figures come from the team's rows kept per process
    (teams.kept), which read again only the people the writes since were about."""
    filters = filters or Filters()
    key = None
    if version is not None and not _keeping(BoardVersion):
        version = None
    now = timezone.now()
    live_: list[kept.Kept] = []

    def live() -> kept.Kept:
        if not live_:
            live_.append(_kept(team, version or 0, now))
        return live_[0]

    use_live = version is not None and kept.usable(router.db_for_read(ProgressTally))
    if version is None:
        parts = _parts(team)
    else:
        base = (team.pk, team.created_at, version)
        parts = memo.get(("parts", *base), lambda: live().parts if use_live else _parts(team))
    board_ = Dashboard(team, filters, parts.curricula, parts.assignments, parts.shapes, now=now)
    if version is not None:
        key = (
            "figures",
            *base,
            timezone.localdate(board_.now),
            settings.READLIST_STALLED_DAYS,
            (filters.state, filters.curriculum, filters.q, filters.sort, filters.descending),
            page,
        )
        found, rows = memo.get(key, lambda: _figures(board_, page, live() if use_live else None))
    else:
        found, rows = _figures(board_, page)
    board_.key = key
    board_.live = live if use_live else None
    board_.page_values = tuple(found.page or ())
    board_.counts, board_.total, board_.people = dict(found.counts), found.total, found.people
    read = (page[0], rows) if page is not None and found.page is not None else None
    board_.rows = Selection(board_, filters, found.shown, read)
    if found.shown and found.since is not None:
        # The chart is drawn from the rows shown, like the table, heatmaps and CSV.
        board_.weekly = _cumulative(found.weeks, found.since, finished=found.finished)
    return board_


def member_deadlines(person: Any, curriculum_ids: list[int]) -> dict[int, Any]:
    """Curriculum id → where `person` stands on it (notes.deadlines.Deadline), for the ones
    assigned to them: the assignment that sets their due date (teams.services), progress by
    the rule from the tallies and state_of, as on the dashboard. Three queries, and two more
    when the lists' shapes are not kept yet (notes.cached)."""
    from notes.deadlines import Deadline
    from teams.services import effective_assignments

    effective = effective_assignments([person.pk], curriculum_ids)
    if not effective:
        return {}
    curricula = {
        c.pk: c
        for c in Curriculum.objects.filter(pk__in={c for _, c in effective}).only(
            "pk", "completion_rule", "created_at", "content_version"
        )
    }
    lines = read_lines([person.pk], list(curricula))
    shape_of = cached.shapes_of(curricula.values())
    cells = progress_many([person.pk], curricula.values(), lines=lines, shape_of=shape_of)
    now = timezone.now()
    today = timezone.localdate(now)
    out = {}
    for (_, curriculum_id), a in effective.items():
        cell = cells[(person.pk, curriculum_id)]
        last = lines.get((person.pk, curriculum_id), NO_LINE).last_activity
        state = state_of(cell, a, last, now, today=today)
        out[curriculum_id] = Deadline(
            state,
            State.LABELS[state],
            cell.percent,
            expected_percent(a.start_date, a.due_date, today),
            a.start_date,
            a.due_date,
        )
    return out


@dataclass
class NextUp:
    curriculum: Curriculum
    entries: list[notes_selectors.NextEntry]


def _person_assignments(
    team: Team, person: Any
) -> tuple[list[Assignment], dict[tuple[int, int], Assignment]]:
    assignments = [
        a for a in team_assignments(team) if a.team_id == team.pk or a.user_id == person.pk
    ]
    return assignments, _effective(assignments, team, {person.pk})


def assigned_curricula(team: Team, person: Any) -> list[Curriculum]:
    _, effective = _person_assignments(team, person)
    return sorted({a.curriculum for a in effective.values()}, key=lambda c: c.title)


def member_page(team: Team, person: Any, *, timeline: int = 50) -> dict[str, Any]:
    """One person on a team's page: tier grid, timeline, team-shared notes, what is next."""
    _, effective = _person_assignments(team, person)
    curricula = sorted({a.curriculum for a in effective.values()}, key=lambda c: c.title)
    ids = [c.pk for c in curricula]
    lines = read_lines([person.pk], ids)
    shape_of = cached.shapes_of(curricula)
    cells = progress_many([person.pk], curricula, lines=lines, shape_of=shape_of)
    now = timezone.now()
    member = Member.of(person)
    rows = []
    for c in curricula:
        a = effective[(person.pk, c.pk)]
        cell = cells[(person.pk, c.pk)]
        line = lines.get((person.pk, c.pk), NO_LINE)
        last = line.last_activity
        rows.append(
            Row(
                member,
                c,
                a,
                cell,
                last,
                line.notes,
                state_of(cell, a, last, now),
                expected_percent(a.start_date, a.due_date, timezone.localdate(now)),
                sum(line.done.values()),
            )
        )
    events = list(
        Activity.objects.filter(user=person, curriculum_id__in=ids)
        # A private note's existence is the writer's business too: only shared ones show.
        .exclude(
            Q(verb__in=[Activity.Verb.NOTE_SAVED, Activity.Verb.NOTE_RESTORED])
            & ~Q(note__visibility=Note.Visibility.TEAM)
        )
        .select_related("curriculum", "entry")
        .only(
            "verb",
            "from_status",
            "to_status",
            "detail",
            "created_at",
            "note_id",
            "curriculum__title",
            "curriculum__slug",
            "entry__title",
        )[:timeline]
    )
    shared = list(
        Note.objects.filter(user=person, visibility=Note.Visibility.TEAM)
        .exclude(body="")
        .select_related("entry", "resource", "tier", "topic", "curriculum")
        .defer("resource__abstract", "entry__excerpt", "curriculum__guidance")
        .order_by("-updated_at")[:50]
    )
    # "What is next" as the member's own home gives it: by the curriculum's completion rule.
    wanted = {
        c.pk: rules.missing(person_progress(shape_of[c.pk], lines.get((person.pk, c.pk), NO_LINE)))
        for c in curricula
    }
    upcoming = notes_selectors.next_entries(person, ids, wanted=wanted) if ids else {}
    next_up = [NextUp(c, upcoming.get(c.pk, [])) for c in curricula]
    return {
        "person": person,
        "rows": rows,
        "events": events,
        "shared_notes": shared,
        "next_up": next_up,
        "weekly": weekly_of_rows(rows, [person.pk], {person.pk}),
    }


class EntryLine(NamedTuple):
    """One entry of a member's detail, as text: built from values, not model instances, as a
    member of three 500-entry curricula has 1,500 of them."""

    curriculum: str
    tier: str
    topic: str
    title: str
    role: str
    status: str
    finished: dt.datetime | None


def member_entries(person: Any, curricula: list[Curriculum]) -> list[EntryLine]:
    """Every active entry of these curricula with the person's status and when it was done."""
    active = Entry.objects.active().filter(curriculum_id__in=[c.pk for c in curricula])
    rows = active.order_by("curriculum__title", "position").values_list(
        "pk", "resource_id", "curriculum__title", "tier__label", "topic__title", "title", "role"
    )
    progress = Progress.objects.filter(user=person).filter(
        Q(resource_id__in=active.filter(resource__isnull=False).values("resource_id"))
        | Q(entry_id__in=active.values("pk"))
    )
    by_resource: dict[int, tuple[str, Any]] = {}
    by_entry: dict[int, tuple[str, Any]] = {}
    for resource_id, entry_id, status, finished_at in progress.values_list(
        "resource_id", "entry_id", "status", "finished_at"
    ):
        if resource_id:
            by_resource[resource_id] = (status, finished_at)
        else:
            by_entry[entry_id] = (status, finished_at)
    out = []
    for pk, resource_id, curriculum, tier, topic, title, role in rows:
        status, finished = (by_resource.get(resource_id) if resource_id else by_entry.get(pk)) or (
            Status.TO_READ,
            None,
        )
        out.append(EntryLine(curriculum, tier or "", topic or "", title, role, status, finished))
    return out
