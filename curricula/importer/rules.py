"""What a heading, a bold line or a legend means: the few words reading lists share."""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from curricula.importer.model import ParsedCurriculum

GUIDANCE = re.compile(
    r"^(purpose|about(\s+this(\s+\w+)?)?|introduction|overview|preface|foreword"
    r"|how\s+to\s+(read|use|study)\b.*|reading\s+(order|guide|instructions)\b.*"
    r"|what\s+(you\s+)?(can\s+)?(safely\s+)?skip\b.*|things\s+to\s+skip\b.*|legend"
    r"|acknowledge?ments?|licen[cs]e|contributing|changelog)$",
    re.I,
)
TOC = re.compile(
    r"^(?:\W+\s*)?(table\s+of\s+contents?|contents?|toc|index|outline|navigation|sections?"
    r"|quick\s+links|jump\s+to|目录|目錄|目次|목차|índice|indice|inhalt|inhaltsverzeichnis"
    r"|sommaire|table\s+des\s+matières|contenidos?|содержание|оглавление)\s*[:：]?$",
    re.I,
)
# Link texts that lead somewhere around the list, not to a reading.
NAVIGATION = re.compile(
    r"^(?:\W+\s*)?(join\b.*|follow\b.*|subscribe\b.*|sign\s*up\b.*|star\b.*|back\s+to\s+top"
    r"|(?:go\s+)?to\s+top|contribut\w*\b.*|discord|slack|telegram|wechat|newsletter|sponsor\w*"
    r"|donate|buy\s+me\s+a\s+coffee|edit\s+this\s+page|license)\W*$",
    re.I,
)
IMAGE = re.compile(
    r"(?:img\.shields\.io|badgen\.net|/badges?[/.]|\.svg(?:\?|$)|\.(?:png|jpe?g|gif|webp)(?:\?|$)"
    r"|awesome\.re/badge)",
    re.I,
)
_OPTIONAL_SUMMARY = re.compile(
    r"\b(optional|bonus|extras?|advanced|further\s+reading|if\s+you\s+(?:have|get)\s+time"
    r"|nice\s+to\s+have|deep\s*[- ]?dives?|going\s+further|appendix|supplementa\w+)\b"
    r"|(?:tier|level|stage)\s*\d+\s*\+",
    re.I,
)


def optional_summary(label: str) -> bool:
    """A <details> summary that says its readings are optional ("Tier 4+", "Bonus", …)."""
    return bool(_OPTIONAL_SUMMARY.search(label))


TIER = re.compile(
    r"^(?P<label>(?:tier|level|stage|phase)\s*(?P<number>\d{1,3})\s*(?P<plus>\+)?)"
    r"\s*(?:[—–:.\-]+\s*(?P<title>.*?))?\s*$",
    re.I,
)
TOPIC_NUMBER = re.compile(r"^(?P<number>\d{1,3})[.)]\s+(?P<title>.+)$")
_CORE = re.compile(r"\b(primary|core|must[\s-]?reads?|essential|required|mandatory)\b", re.I)
_PRACTITIONER = re.compile(r"\b(supporting|practitioner|practical|practice)\b", re.I)
_OPTIONAL = re.compile(r"\b(optional|bonus|extras?|further\s+reading)\b", re.I)
NOTE_PROMPT = re.compile(r"\b(write|summar|notes?\b|reflect|answer)", re.I)
LEGEND = re.compile(
    r"✨\s*(?:[=:\-–—]\s*|(?:marks?|means?|is)\s+)?(?:(?:entries|items|papers)\s+)?"
    r"(?:were\s+)?(?:added|new)\s+(?:after|since|on|from)\s+"
    r"(?P<date>\d{4}[/.\-]\d{1,2}[/.\-]\d{1,2}|\d{1,2}[/.\-]\d{1,2}[/.\-]\d{4}|[A-Za-z]+\.?\s+\d{1,2},?\s+\d{4}|\d{1,2}\s+[A-Za-z]+\.?\s+\d{4})",
    re.I,
)
DANGEROUS = re.compile(
    r"(?:\]\(\s*<?|href\s*=\s*[\"']?|src\s*=\s*[\"']?|<)\s*(?P<url>(?:java|vb)script\s*:|data\s*:|file\s*:)",
    re.I,
)
DANGEROUS_SCHEMES = ("javascript:", "vbscript:", "data:", "file:")


def role_of(label: str) -> str:
    """core / practitioner / optional from a group's label, or "" when it says nothing."""
    if _CORE.search(label):
        return "core"
    if _PRACTITIONER.search(label):
        return "practitioner"
    if _OPTIONAL.search(label):
        return "optional"
    return ""


def is_group_label(label: str) -> bool:
    return bool(role_of(label))


def parse_legend_date(text: str) -> dt.date | None:
    """The ✨ legend's date: 2024/4/1, 2024-04-01, April 1, 2024 or 1 April 2024."""
    text = " ".join(text.replace(",", " ").split())
    numeric = re.fullmatch(r"(\d{4})[/.\-](\d{1,2})[/.\-](\d{1,2})", text)
    day_first = re.fullmatch(r"(\d{1,2})([/.\-])(\d{1,2})[/.\-](\d{4})", text)
    try:
        if numeric:
            return dt.date(int(numeric[1]), int(numeric[2]), int(numeric[3]))
        if day_first:
            a, b, year = int(day_first[1]), int(day_first[3]), int(day_first[4])
            # 26/11/2025 or 11/26/2025: the part above 12 is the day; else "/" is US order.
            if a > 12 or (b <= 12 and day_first[2] != "/"):
                return dt.date(year, b, a)
            return dt.date(year, a, b)
    except ValueError:
        return None
    for fmt in ("%B %d %Y", "%b %d %Y", "%d %B %Y", "%d %b %Y"):
        try:
            return dt.datetime.strptime(text.replace(".", ""), fmt).date()
        except ValueError:
            continue
    return None


def infer(out: ParsedCurriculum, *, grid: bool) -> None:
    """Roles, completion rule and reading order the document implies."""
    if any(t.optional for t in out.tiers):
        # A list that marks some tiers optional makes the others required.
        optional = {t.number for t in out.tiers if t.optional}
        for entry in out.entries:
            if (
                not entry.role
                and not entry.role_given
                and entry.tier is not None
                and entry.tier not in optional
            ):
                entry.role = "core"
    roles = {e.role for e in out.entries}
    if {"core", "practitioner"} <= roles:
        out.completion_rule = "core_practitioner_summary"
    elif "core" in roles:
        out.completion_rule = "all_core"
    else:
        out.completion_rule = "all"
    out.reading_order = "by_tier" if grid else "listed"
