"""Text helpers for verdicts: normalised titles, the fuzzy title score, words and their stems."""

from __future__ import annotations

import re
import unicodedata

from rapidfuzz import fuzz

# "Org — Title" or "Title: subtitle" or "Title | Site": the pieces either side may stand alone.
_SEPARATORS = re.compile(r"\s+[—–|·-]\s+|:\s+|\s+\|\s*")

_STOP = """a an and are as at be by can do does for from how in into is it its of on or our the
their this to towards toward via vs versus we what when where which who why with without you
your all not no more less than"""
STOPWORDS = frozenset(_STOP.split())
# Words a curator adds to a label that say nothing about which work it is.
_FILLER = """lesson lessons note notes paper papers original classic intro introduction overview
primer guide explained explainer revisited review key idea ideas part deep dive summary tldr
ml ai dl nn documentation docs doc tutorial tutorials course blog post
website homepage repo github video talk lecture slides pdf"""
FILLER = frozenset(_FILLER.split())


def normalise(title: str) -> str:
    text = unicodedata.normalize("NFKD", title or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = text.replace("&", " and ")
    text = re.sub(r"[^\w\s]", " ", text)
    return " ".join(text.split())


def pieces(title: str) -> list[str]:
    raw = (title or "").strip()
    parts = [p for p in _SEPARATORS.split(raw) if p.strip()]
    found = [normalise(raw)]
    if len(parts) > 1:
        found += [normalise(p) for p in parts]
        found.append(normalise(" ".join(parts[1:])))
    return [p for p in dict.fromkeys(found) if p]


def title_score(curated: str, real: str) -> float:
    """0..1: how well the curated title names the real one. Case, punctuation, accents, a
    subtitle, a site name or an "Org — " prefix on either side do not count against it."""
    if not normalise(curated) or not normalise(real):
        return 0.0
    whole = fuzz.token_sort_ratio(normalise(curated), normalise(real)) / 100
    best = whole
    real_words = set(normalise(real).split())
    leftover = [w for w in normalise(curated).split() if w not in real_words]
    for a in pieces(curated):
        for b in pieces(real):
            score = fuzz.ratio(a, b) / 100
            if len(a.split()) >= 3 and b.startswith(a + " "):
                score = max(score, 0.92)  # a shortened title: "Red Teaming Language Models"
            # A piece standing for the whole is weaker evidence than the whole title.
            score *= 0.97
            if len(a.split()) <= 2 and leftover:
                # Two common words ("Beyond Accuracy") are not enough when the rest of the
                # curated title ("Google —") appears nowhere in the real one.
                score *= 0.75
            best = max(best, score)
    return round(best, 3)


def search_phrase(title: str) -> str:
    """What to search arXiv for: the longest piece, so "Org — Title" searches for the title."""
    found = [p for p in pieces(title)[1:] if len(p.split()) >= 2]
    return max(found, key=len) if found else title


def stem(word: str) -> str:
    """A light stemmer: enough that "laws"/"law", "scaling"/"scaled", "biases"/"bias" meet."""
    w = word.lower()
    for suffix, keep in (("ies", "y"), ("sses", "ss"), ("es", ""), ("s", ""), ("ing", ""),
                         ("ed", ""), ("ly", "")):  # fmt: skip
        if w.endswith(suffix) and len(w) - len(suffix) >= 3 and not w.endswith("ss"):
            return w[: -len(suffix)] + keep
    return w


def words(text: str) -> list[str]:
    """Lower-case word tokens; "GPT-3" stays one token ("gpt-3") as well as its parts."""
    out: list[str] = []
    for raw in re.findall(r"[A-Za-z0-9][A-Za-z0-9\-.']*[A-Za-z0-9]|[A-Za-z0-9]", _fold(text)):
        token = raw.lower().strip("'.").removesuffix("'s")
        out.append(token)
        if "-" in token or "." in token:
            out.extend(p for p in re.split(r"[-.]", token) if p)
    return out


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text or "")
    return "".join(ch for ch in text if not unicodedata.combining(ch))


# Adjective and noun endings over one root: "social"/"society"/"societal", "normal"/"normality".
_DERIVED = ("ieties", "iety", "etal", "ety", "ities", "ity", "ial", "al")


def _roots(word: str) -> set[str]:
    found = {word}
    for suffix in _DERIVED:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            found.add(word[: -len(suffix)])
            break
    return found


# Words a curator's description uses for what an abstract says otherwise ("social biases" of
# a paper on "left-leaning tendencies", the "risks" of one on "harms"). Each entry
# starts the words it stands for. Kept small: a related word only counts as one found word of the
# label, and the judge asks for more than one.
_RELATED = (
    ("bias", "leaning", "skew", "stereotyp", "prejudic", "unfair", "fairness", "disparit",
     "discriminat"),
    ("cost", "expens", "price"),
    ("risk", "harm", "hazard", "danger"),
    ("memory", "memoriz", "memoris"),
    ("safe",),
    ("efficien",),
    ("privac", "privat"),
    ("fail",),
    ("deceiv", "decept"),
    ("speed", "fast", "accelerat"),
)  # fmt: skip


def _related(a: str, b: str) -> bool:
    a, b = a.lower(), b.lower()
    return any(
        any(a.startswith(e) for e in group) and any(b.startswith(e) for e in group)
        for group in _RELATED
    )


def same_word(a: str, b: str) -> bool:
    """Equal after stemming, one a long prefix of the other ("optimal"/"optimally"), one root
    with another adjective or noun ending ("social"/"society"), or related (_RELATED)."""
    if a == b:
        return True
    sa, sb = stem(a), stem(b)
    if sa == sb:
        return True
    short, long_ = sorted((sa, sb), key=len)
    if len(short) >= 5 and long_.startswith(short):
        return True
    return bool(_roots(a.lower()) & _roots(b.lower())) or _related(a, b)
