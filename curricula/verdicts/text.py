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
# Words a link's label is made of when it names no work at all ("PDF", "Link", "[arXiv]",
# "here"): with filler and stop words, nothing is left to compare with a title.
_GENERIC = """link links here click arxiv preprint source sources pdf html abs abstract article
articles page web webpage site url read reading full text download view open access version
publication manuscript report technical book chapter section code project official online
available free see also above below that these those this one"""
GENERIC = frozenset(_GENERIC.split())
_URL = re.compile(r"(?:https?://|www\.)\S+|\b[\w-]+(?:\.[\w-]+)+/\S*", re.IGNORECASE)
_ARXIV_ID = re.compile(
    r"\b(?:arxiv:)?(?:\d{4}\.\d{4,5}|[a-z][a-z.-]*/\d{7})(?:v\d+)?\b", re.IGNORECASE
)


def normalise(title: str) -> str:
    text = unicodedata.normalize("NFKD", title or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = text.replace("&", " and ")
    text = re.sub(r"[^\w\s]", " ", text)
    return " ".join(text.split())


def names_no_work(label: str) -> bool:
    """Is the label only a link's furniture ("PDF", "Link", "[arXiv]", "here", the URL or the
    arXiv id itself)? Such a label says nothing a title could contradict."""
    text = _ARXIV_ID.sub(" ", _URL.sub(" ", label or ""))
    tokens = re.findall(r"[a-z0-9]+", _fold(text).lower())
    return all(
        t in GENERIC or t in FILLER or t in STOPWORDS or t.isdigit() or re.fullmatch(r"v\d+", t)
        for t in tokens
    )


# What a page is titled while its script has not run, or on every page of a site: no work's name.
_PLACEHOLDER = """loading redirecting untitled home homepage document index welcome sign log login
in please wait just moment error app dashboard new tab"""
PLACEHOLDER = frozenset(_PLACEHOLDER.split())


def title_names_site_only(title: str, host: str) -> bool:
    """Is a page's title only its site's name or a placeholder ("YouTube" on youtube.com,
    "Google Docs" on docs.google.com, "alphaXiv", "Loading…")? Such a page names no work."""
    labels = (host or "").lower().removeprefix("www.").split(".")
    site = {w for label in labels[:-1] for w in re.split(r"[^a-z0-9]+", label) if w}
    joined = "".join(labels[:-1])
    tokens = normalise(title).split()
    return all(
        t in site or t in PLACEHOLDER or t in STOPWORDS or t == joined for t in tokens
    ) or "".join(tokens) in (joined, *site)


# LaTeX in arXiv titles ("$\\alpha$", "\\textbf{BERT}") and Greek letters typed as such ("α"):
# both spell the same word, "alpha".
_LATEX_COMMAND = re.compile(r"\\([A-Za-z]+)\s*(\{)?")
_GREEK = """alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda
mu nu
xi pi varpi rho varrho sigma varsigma tau upsilon phi varphi chi psi omega"""
_LATEX_GREEK = frozenset(_GREEK.split())


def detex(title: str) -> str:
    """The title as words: LaTeX commands that style text dropped (their argument kept), Greek
    letters named ("\\alpha" and "α" are both "alpha")."""

    def command(match: re.Match) -> str:
        name = match.group(1)
        if name.lower() in _LATEX_GREEK:
            return f" {name.lower().removeprefix('var')} " + ("{" if match.group(2) else "")
        return " "  # \\textbf{, \\emph{, \\mathcal{: the argument is the word

    text = _LATEX_COMMAND.sub(command, title or "")
    out = []
    for ch in text:
        if "GREEK" in unicodedata.name(ch, "") and ch.isalpha():
            out.append(f" {unicodedata.name(ch).split()[-1].lower()} ")
        else:
            out.append(ch)
    return "".join(out)


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
    curated, real = detex(curated), detex(real)
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


def _content(title: str, ignore: frozenset[str] = frozenset()) -> list[str]:
    """The words that say which work: no stop words, filler, years, or `ignore` (authors)."""
    return [
        w
        for w in normalise(detex(title)).split()
        if w not in STOPWORDS
        and w not in FILLER
        and w not in ignore
        and not re.fullmatch(r"(?:19|20)\d\d", w)
    ]


def _same_token(a: str, b: str) -> bool:
    """One word as two spellings: British/American ("colour"/"color"), a plural, a short form
    ("nets"/"networks"). Numbers ("3"/"4", "16x16"/"32x32") must be equal: they name versions."""
    if a == b:
        return True
    if any(ch.isdigit() for ch in a + b):
        return False
    if same_word(a, b):
        return True
    short, long_ = sorted((stem(a), stem(b)), key=len)
    return (len(short) >= 3 and long_.startswith(short)) or fuzz.ratio(a, b) >= 80


def _accounted(word: str, own: list[str], other: list[str]) -> bool:
    """Is `word` (of one title) in the other, spelt alike, written as two words there
    ("pretraining"/"pre training"), or as the initials of words there ("RL")?"""
    if any(_same_token(word, o) for o in other):
        return True
    if any(other[i] + other[i + 1] == word for i in range(len(other) - 1)):
        return True
    if word.isalpha() and 2 <= len(word) <= 6:
        from curricula.verdicts.names import initials_match  # names imports this module

        if initials_match(word, other) or initials_match(word.removesuffix("s"), other):
            return True
    return False


def _swap(a: str, b: str, ignore: frozenset[str]) -> tuple[str, str] | None:
    """(word of a, word of b) when each title has a word the other lacks."""
    left, right = _content(a, ignore), _content(b)
    only_left = [w for w in left if not _accounted(w, left, right)]
    only_right = [w for w in right if not _accounted(w, right, left)]
    # A word of one title that is two words of the other is accounted for on both sides.
    only_right = [w for w in only_right if not any(w in x and len(w) < len(x) for x in left)]
    if only_left and only_right:
        return only_left[0], only_right[0]
    return None


# A name and its number, unless a plural follows: "Llama 3", "GPT 4", "yolov3", but not the
# count of "Neural Nets: 20 Years" or "Top 10 Papers".
_VERSIONED = re.compile(r"\b([a-z]+) ?(\d+(?: \d+)*)\b(?! [a-z]*[^s\W]s\b)")


def _version_conflict(curated: str, real: str) -> tuple[str, str] | None:
    """A name with another number ("Llama 3" on "Llama 2: …", "YOLOv4" on "YOLOv3"): a
    different release, so a different work."""
    real_versions: dict[str, set[str]] = {}
    for name, number in _VERSIONED.findall(normalise(detex(real))):
        real_versions.setdefault(name, set()).add(number)
    for name, number in _VERSIONED.findall(normalise(detex(curated))):
        known = real_versions.get(name)
        if name not in STOPWORDS and known and number not in known:
            return f"{name} {number}", f"{name} {sorted(known)[0]}"
    return None


def swapped_word(
    curated: str, real: str, threshold: float, ignore: frozenset[str] = frozenset()
) -> tuple[str, str] | None:
    """Is the curated title another paper's: the real title (or its head, or the part after
    it) with a word exchanged for another ("Denoising Diffusion Implicit Models" on "… Probabilistic
    Models", "GPT-4 Technical Report" on "GPT-3 …", "Layer Normalization" on "Batch Normalization:
    …")? Returns the two words, or None when some close reading of the two has no such word.

    Close readings: a piece of one and a piece of the other that score `threshold` or more, or
    that have the same number (two or more) of content words, all but one shared. `ignore`:
    words of the curated title that are not title words (the authors' surnames)."""
    version = _version_conflict(curated, real)
    if version:
        return version
    # A parenthesis in a label holds a nickname or a note ("(ResNet)"), not a title word.
    curated = re.sub(r"\([^)]*\)|\[[^\]]*\]", " ", curated)
    curated_pieces, real_pieces = pieces(detex(curated)), pieces(detex(real))
    found: tuple[str, str] | None = None
    for a in curated_pieces:
        for b in real_pieces:
            close = max(fuzz.ratio(a, b), fuzz.token_sort_ratio(a, b)) / 100 >= threshold
            if not close:
                left, right = _content(a, ignore), _content(b)
                close = (
                    len(left) == len(right) >= 2
                    and sum(not _accounted(w, left, right) for w in left) == 1
                )
            if not close:
                continue
            swap = _swap(a, b, ignore)
            if swap is None:
                return None
            found = found or swap
    return found
