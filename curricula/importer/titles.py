"""What makes text a title: generic link texts, leading dates and emoji, long summaries."""

from __future__ import annotations

import re
import unicodedata

# Link texts that name a kind of link rather than the work ("[paper](…)", "[PDF](…)").
GENERIC = re.compile(
    r"^(?:the\s+)?(?:paper|papers|pdf|code|codes|arxiv|link|links|here|this|url|web|website|site"
    r"|homepage|home\s*page|blog|blog\s*post|post|article|tweet|thread|x|twitter|video|videos"
    r"|youtube|slides?|notebook|colab|github|git\s*hub|repo|repository|project(?:\s+page)?|page"
    r"|html|abs|abstract|openreview|demo|data|dataset|model|models|weights|hf|hugging\s*face"
    r"|docs?|documentation|read(?:\s+more)?|more|source|official|download|text|lab|chat|talk"
    r"|lecture|lecture\s+notes|notes|podcast|transcript|summary|review|poster|bib|bibtex"
    r"|proceedings|preprint|full\s+text|pdf\s+link|paper\s+link|code\s+link|website\s+link)"
    r"[.:!]?$",
    re.I,
)
_NUMBERING = re.compile(r"^\s*(?:#?\d{1,4}[.):]|\(\d{1,4}\)|[ivxlc]{1,6}[.)])\s+", re.I)
_DATE_TOKEN = re.compile(
    r"^\s*[\(\[]?(?:\d{4}[/.\-]\d{1,2}(?:[/.\-]\d{1,2})?|\d{1,2}[/.\-]\d{4}|\d{1,2}[/.\-]\d{1,2}"
    r"[/.\-]\d{2,4}|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{4}"
    r"|\d{1,2}(?:st|nd|rd|th)?\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*"
    r"\.?\s+\d{4}|\d{4})[\)\]]?\s*[:\-–—|,.]?\s*",
    re.I,
)
_EDGE = " \t,.;:|—–-•·*_"
_SENTENCE = re.compile(r"(?<=[a-z0-9\)\]”\"])[.!?](?=\s+[A-Z“\"(])")
_STATEMENT = re.compile(r"(?<=[a-z0-9\)\]”\"])\.(?=\s+[A-Z“\"(])")
_SEPARATORS = (" - ", " – ", " — ", ": ")
LONG = 150
_IMPERATIVE = {
    "be", "run", "look", "pay", "make", "do", "don't", "dont", "try", "use", "take", "visit",
    "start", "skip", "avoid", "remember", "note", "consider", "keep", "ask", "join", "follow",
    "check", "see", "go", "get", "please", "feel", "choose", "pick", "install", "complete",
}  # fmt: skip


def is_symbolic(text: str) -> bool:
    """Nothing but emoji, punctuation, digits and spaces ("⭐ 01/2023", "🔥", "12")."""
    for char in text:
        if char.isspace():
            continue
        category = unicodedata.category(char)
        if category[0] == "L":
            return False
    return True


def is_dateish(text: str) -> bool:
    text = text.strip()
    if not text:
        return False
    match = _DATE_TOKEN.match(text)
    return bool(match and match.end() >= len(text.rstrip()))


def is_generic(label: str) -> bool:
    """A link text that does not name the work: a kind of link, a date, an emoji, a number."""
    label = " ".join(label.split()).strip(_EDGE + "[]()")
    if not label:
        return True
    if label.lower().startswith(("http://", "https://", "www.")):
        return True
    return bool(GENERIC.match(label)) or is_symbolic(label) or is_dateish(label)


def strip_lead(text: str) -> tuple[str, str]:
    """(text without leading numbering, emoji and date, the date found) — "⭐ 01/2023: X" → X."""
    date = ""
    text = text.strip()
    for _ in range(4):
        before = text
        text = _NUMBERING.sub("", text)
        match = _DATE_TOKEN.match(text)
        if match and match.group(0).strip():
            date = date or match.group(0).strip(" ()[]:-–—|,.")
            text = text[match.end() :]
        while text and not text[0].isalnum() and text[0] not in "\"“'(«[":
            text = text[1:]
        text = text.strip()
        if text == before:
            break
    return text.strip(_EDGE), date


def split_long(title: str) -> tuple[str, str]:
    """A summary written where a title goes: (its first sentence or lead phrase, the rest)."""
    title = " ".join(title.split())
    if len(title) <= LONG or (len(title) <= 2 * LONG and not _STATEMENT.search(title)):
        # A paper's long title ("HallusionBench: You See What You Think? Or …, 177 characters)
        # has no full stop; a summary has.
        return title, ""
    cut = None
    for sep in _SEPARATORS:
        at = title.find(sep)
        if 3 <= at <= LONG and (cut is None or at < cut[0]):
            cut = (at, at + len(sep))
    sentence = _SENTENCE.search(title)
    if sentence and sentence.start() <= LONG and (cut is None or sentence.start() < cut[0]):
        cut = (sentence.start() + 1, sentence.end())
    if cut is None:
        words = title[:LONG].rsplit(" ", 1)[0]
        return words.strip(_EDGE), title
    return title[: cut[0]].strip(_EDGE), title[cut[1] :].strip()


_FOOTNOTE_MARK = re.compile(r"\[\^[^\]\s]+\]")
_TIDY_EDGE = " \t,;:|—–-：，；、"
_QUOTE_PAIRS = {'"': '"', "“": "”", "„": "“", "«": "»", "'": "'"}


def tidy_title(title: str) -> str:
    """The name without what only frames it: a colon of any width before the entry's sub-items
    ("ChatGLM："), quotes around the whole title, a bracket left open by a "[[code](…)]" run."""
    title = " ".join(_FOOTNOTE_MARK.sub("", title).split())
    for _ in range(3):
        before = title
        title = title.strip(_TIDY_EDGE)
        if title.count("[") > title.count("]"):
            title = title.rstrip("[ ")
        if title.count("(") > title.count(")"):
            title = title.rstrip("( ")
        close = _QUOTE_PAIRS.get(title[:1])
        if close and len(title) > 2 and title.endswith(close) and close not in title[1:-1]:
            title = title[1:-1].rstrip(".")  # '"Title."': the period goes as it does unquoted
        if title == before:
            break
    return title


def reads_like_title(text: str) -> bool:
    """A link-less bullet that names something, not a sentence of guidance."""
    text = " ".join(text.split()).strip()
    if not text or len(text) > 120 or is_symbolic(text):
        return False
    words = text.split()
    if words[0].lower().strip(",.:") in _IMPERATIVE:
        return False  # "Be open for enrollment", "Make sure you …": advice, not a reading
    if len(words) > 14:
        return False
    if _SENTENCE.search(text):
        return False  # two sentences
    return not (text.endswith(".") and len(words) > 8)
