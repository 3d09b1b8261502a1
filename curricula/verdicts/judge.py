"""One verdict on one label against one work: matches, right paper with a descriptive label, or
wrong paper?, with the evidence for it.

A curator's label is often not the title: a nickname ("Chinchilla Scaling Laws"), an acronym
the abstract defines ("GRPO"), an author ("McCandlish et al."). So the title is only the first
witness; the abstract, the authors, the alias and the year are asked too. A label that reads
like a title (five words or more) must match the title, because another paper's title is easily
covered by an abstract on the same topic. Contrary evidence (a named author who did not write
it, a year two or more off) makes it wrong whatever else agrees."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from curricula.verdicts.acronyms import BROAD, discussed, field_acronym
from curricula.verdicts.acronyms import expansion as field_expansion
from curricula.verdicts.names import camel_match as _camel_match
from curricula.verdicts.names import initials_match as _initials_match
from curricula.verdicts.text import (
    FILLER,
    STOPWORDS,
    names_no_work,
    normalise,
    same_word,
    search_phrase,
    swapped_word,
)
from curricula.verdicts.text import title_score as _title_score
from curricula.verdicts.text import words as _words

MATCHES = "ok"
DESCRIPTIVE = "descriptive"
WRONG = "mismatch"
TITLE_LIKE_WORDS = 5
_YEAR = re.compile(r"\b(19[5-9]\d|20\d\d)\b")
_ET_AL = re.compile(r"([A-Z][\w'\-]+)\s+(?:et\s+al|and\s+colleagues)", re.UNICODE)
# A name rather than a word: capitals inside ("InstructGPT"), a number ("GPT-3"), or a code
# identifier ("torch.compile", "nn_utils") as docs pages are titled.
_DISTINCTIVE = re.compile(r"^(?=.*[A-Za-z])(?:.+[A-Z].*|.*[A-Za-z]-?\d.*|.*[a-z][._][a-z].*)$")


@dataclass
class Work:
    """What is known about the linked work."""

    title: str
    abstract: str = ""
    authors: list[str] = field(default_factory=list)
    year: int | None = None
    # What `abstract` is, as the evidence names it: a web page's description plays the part.
    abstract_name: str = "abstract"

    @property
    def is_page(self) -> bool:
        return self.abstract_name != "abstract"


PAGE_DESCRIPTION = "page's description"


def page_work(title: str, description: str = "") -> Work:
    """A web page as the judge reads it: its title, and its description as the abstract."""
    return Work(title, description, abstract_name=PAGE_DESCRIPTION if description else "abstract")


@dataclass
class Verdict:
    status: str  # MATCHES, DESCRIPTIVE or WRONG
    score: float  # the title score for MATCHES, how much of the label is supported otherwise
    evidence: list[str]
    title_score: float = 0.0
    # Descriptive on word overlap alone: worth asking arXiv whether the label is another
    # paper's title (then it is wrong after all).
    weak: bool = False

    def __post_init__(self) -> None:
        self.evidence = list(dict.fromkeys(self.evidence))[:4]

    @property
    def supported(self) -> bool:
        return self.status != WRONG


def _surname(author: str) -> str:
    parts = [p for p in re.split(r"\s+", author.strip()) if p]
    if not parts:
        return ""
    last = parts[-1]
    if last.rstrip(".").lower() in {"jr", "sr", "ii", "iii"} and len(parts) > 1:
        last = parts[-2]
    return normalise(last)


def _capitalised_midsentence(text: str) -> set[str]:
    """Names the abstract uses: words capitalised after the first word of a sentence."""
    names: set[str] = set()
    for sentence in re.split(r"(?<=[.!?])\s+", text):
        for token in re.findall(r"[A-Za-z][\w\-]*", sentence)[1:]:
            if token[0].isupper():
                names.add(token.lower())
                names.update(p.lower() for p in token.split("-") if p)
    # A word also written in lower case ("language models") is a common word, not a name.
    lower = set(re.findall(r"\b[a-z][\w\-]*", text))
    return names - lower


_INTRO = re.compile(
    r"\b(?:we|our|this (?:paper|work|report))\b.*\b(?:introduc|present|propos|train|call|nam|"
    r"releas|develop|build|buil|dub|term|creat|describ)\w*",
    re.IGNORECASE,
)


_VERB = re.compile(
    r"\b(?:introduc|present|propos|train|call|nam|releas|develop|buil|dub|term|creat|describ)\w*",
    re.IGNORECASE,
)


def introduced(name: str, text: str) -> bool:
    """Does the text introduce `name` ("we introduce X", "a model called X", "X (ACR)" in a
    sentence where the authors present it), rather than mention it in passing ("e.g., GPT-3")?"""
    pattern = re.compile(rf"(?<![\w-]){re.escape(name)}(?![\w]|-[A-Za-z])", re.IGNORECASE)
    for sentence in re.split(r"(?<=[.!?])\s+", text):
        found = pattern.search(sentence)
        if not found:
            continue
        before = sentence[: found.start()]
        if re.search(r"\b(?:called|named|dubbed|termed|coined)\s+(?:the\s+|it\s+)?$", before):
            return True
        if re.search(r"\be\.g\.|\bsuch as\b|\bincluding\b|\bthan\b|\blike\b", before[-40:]):
            continue
        # The name is what the authors introduce: close after the verb, not somewhere later in
        # the sentence ("we introduce a new parameterization of the reward model in RLHF").
        near = " ".join(before.split()[-7:])
        if _INTRO.search(before) and _VERB.search(near):
            return True
    return False


def judge(
    label: str,
    work: Work,
    *,
    alias: str = "",
    date_text: str = "",
    threshold: float = 0.8,
    site: str = "",
) -> Verdict:
    evidence: list[str] = []
    tscore = _title_score(label, work.title) if work.title else 0.0
    if names_no_work(label) and tscore < threshold:
        if not alias or names_no_work(alias):
            said = " ".join(label.split())[:80]
            why = f"the label '{said}' names no work: nothing to compare with the title"
            return Verdict(DESCRIPTIVE, 0.0, [why], 0.0)
        label, alias = alias, ""  # "[PDF] (GPT-3)": the alias is the name
        tscore = _title_score(label, work.title) if work.title else 0.0
    if alias and work.title:
        tscore = max(tscore, _title_score(f"{label}: {alias}", work.title))

    title_tokens = _words(work.title)
    abstract_tokens = _words(work.abstract)
    raw_tokens = [t.lower() for t in re.findall(r"[A-Za-z0-9][\w\-]*", work.abstract)]
    names = _capitalised_midsentence(work.abstract)
    contrary: list[str] = []
    about = work.abstract_name

    # Authors: a label naming an author must name one of them.
    surnames = [_surname(a) for a in work.authors]
    surnames = [s for s in surnames if s]
    author_named = ""
    not_first = ""  # a co-author named: curators name a paper by its first author
    label_caps = [normalise(t) for t in re.findall(r"[A-Z][\w'\-]+", label)]
    for position, surname in enumerate(surnames):
        if surname and surname in label_caps:
            who = "first author" if position == 0 else "author"
            author_named = f"{who} {work.authors[position].split()[-1]} named in the label"
            not_first = work.authors[position].split()[-1] if position else ""
            break
    claimed = _ET_AL.search(label)
    if claimed and not author_named and surnames:
        listed = ", ".join(a.split()[-1] for a in work.authors[:3])
        more = " …" if len(work.authors) > 3 else ""
        contrary.append(f"label names {claimed.group(1)} et al.; the authors are {listed}{more}")
    elif claimed and not_first and normalise(claimed.group(1)) == normalise(not_first):
        first = work.authors[0].split()[-1]
        contrary.append(f"label names {claimed.group(1)} et al.; the first author is {first}")

    # The year: the label's (or the entry's date) against the paper's first version.
    label_years = [int(y) for y in _YEAR.findall(f"{label} {date_text}")]
    if label_years and work.year:
        closest = min(label_years, key=lambda y: abs(y - work.year))  # type: ignore[operator]
        if abs(closest - work.year) >= 2:
            contrary.append(f"year {work.year} vs label {closest}")
        else:
            evidence.append(f"year {work.year} as in the label")

    # Another paper's title: this one with a word exchanged ("Implicit" for "Probabilistic",
    # "GPT-4" for "GPT-3"), however similar the two read.
    swap = None
    if work.title:
        authors = frozenset(surnames)
        swap = swapped_word(label, work.title, threshold, authors)
        if swap and alias:
            swap = swapped_word(f"{label}: {alias}", work.title, threshold, authors) and swap
    if swap:
        said, real_word = swap
        contrary.append(
            f"the label has '{said}' where the title has '{real_word}' "
            f"(similarity {tscore:.2f}): another paper's title"
        )
    if tscore >= threshold:
        # The entry's date alone does not outweigh the title: a list may date when it was added.
        against = [c for c in contrary if not c.startswith("year ") or _YEAR.search(label)]
        if not against:
            found = [f"title similarity {tscore:.2f}", *evidence, *contrary]
            return Verdict(MATCHES, tscore, found, tscore)
        return Verdict(WRONG, 0.0, against, tscore)

    # The label's own words, without an "Org — " prefix, years, filler and stop words.
    core = search_phrase(label) if len(normalise(label).split()) > 1 else label
    core_raw = [t for t in re.findall(r"[A-Za-z0-9][\w\-.]*[A-Za-z0-9]|[A-Za-z0-9]", core)]
    surname_set = set(surnames)
    content: list[tuple[str, str]] = []  # (lower token, as written)
    for raw in core_raw:
        low = raw.lower()
        if low in STOPWORDS or low in FILLER or _YEAR.fullmatch(low) or low in ("et", "al"):
            continue
        if normalise(low) in surname_set:
            continue
        broad = field_acronym(raw)
        if broad in BROAD and not discussed(broad, work.title, work.abstract):
            continue  # "… for LLMs" on a paper that never says language model: filler
        if site and _names_site(low, core_raw, site):
            continue  # "Hugging Face" on huggingface.co: the site, not the work
        if all(low != seen for seen, _ in content):
            content.append((low, raw))

    def found_in(token: str, tokens: list[str]) -> bool:
        if "-" in token:
            parts = [p for p in token.split("-") if p]
            if token in tokens:
                return True
            return any(
                all(
                    same_word(p, t) for p, t in zip(parts, tokens[i : i + len(parts)], strict=False)
                )
                and len(tokens[i : i + len(parts)]) == len(parts)
                for i in range(len(tokens))
            )
        return any(
            same_word(token, other) if "-" not in other else token == other.replace("-", "")
            for other in tokens
        )  # "pretraining" is "pre-training"

    strong: list[str] = []
    missing_distinctive: list[str] = []
    weight_total = weight_found = 0.0
    found_words: list[str] = []
    # Field acronyms ("RLHF") the paper discusses without defining: one plain word each.
    field_found: list[str] = []
    field_evidence: list[str] = []
    in_title = 0
    for low, raw in content:
        distinctive = bool(_DISTINCTIVE.match(raw)) and not raw.istitle()
        weight = 2.0 if distinctive else 1.0
        weight_total += weight
        hit = ""
        if found_in(low, title_tokens):
            hit = "title"
            in_title += 1
        elif found_in(low, abstract_tokens):
            hit = "abstract"
        if distinctive and raw.replace("-", "").isalpha() and raw.isupper():
            expansion = _initials_match(raw, raw_tokens) or _initials_match(
                raw, [t.lower() for t in re.findall(r"[A-Za-z][\w\-]*", work.title)]
            )
            defined = re.search(rf"\(\s*{re.escape(raw)}s?\s*\)", work.abstract)
            # A page's description that spells an acronym out is the page saying what it is on.
            page_defined = work.is_page and defined and not field_acronym(raw)
            if expansion and (hit == "title" or introduced(raw, work.abstract) or page_defined):
                where = f"defined in the {about} as" if defined else "stands for"
                strong.append(f"'{raw}' is {where} {expansion.title()}")
                hit = hit or "abstract"
            elif expansion:
                hit = hit or "abstract"  # defined in passing: the paper uses it, is not it
        elif distinctive and not hit and not raw.isupper():
            # A made-up name read from its parts: "ResNet" is residual nets, "LoRA" low-rank
            # adaptation, when the paper says those words in a row.
            reading = _camel_match(raw, raw_tokens) or _camel_match(
                raw, [t.lower() for t in re.findall(r"[A-Za-z][\w\-]*", work.title)]
            )
            if reading:
                strong.append(f"'{raw}' reads as {reading} in the paper")
                hit = "abstract"
        key = field_acronym(raw) if distinctive else ""
        if hit and not strong_mentions(strong, raw):
            if hit == "title" and not key and (distinctive or _is_title_name(raw, work.title)):
                strong.append(f"'{raw}' is named in the title")
            elif (distinctive or low in names) and introduced(raw, work.abstract):
                strong.append(f"'{raw}' is introduced in the {about}")
            elif (
                work.is_page
                and hit == "abstract"
                and distinctive  # "InstructGPT", not a capitalised word ("the Transformer")
                and not key  # a field acronym ("RLHF") names a subject, not a work
                and _named_as_subject(raw, work.abstract)
            ):
                # A page's description is its own summary: a model named there, not in passing
                # ("better than GPT-3"), is what the page is about.
                strong.append(f"'{raw}' is named in the {about}")
        if key and not strong_mentions(strong, raw):
            where = "title" if hit == "title" else discussed(key, work.title, work.abstract) or hit
            if where:
                in_title += where == "title" and hit != "title"
                hit = where
                weight_total -= weight - 1.0
                weight = 1.0
                field_found.append(raw)
                meaning = field_expansion(key)
                said = about if where == "abstract" else where
                field_evidence.append(
                    f"'{raw}' is a field acronym for {meaning}, which the {said} discusses"
                )
        if hit:
            weight_found += weight
            found_words.append(raw)
        elif distinctive:
            missing_distinctive.append(raw)

    alias_named = ""
    if alias:
        alias_norm = normalise(alias)
        text_norm = f" {normalise(work.title)} {normalise(work.abstract)} "
        alias_in_title = f" {alias_norm} " in f" {normalise(work.title)} "
        if (
            alias_norm
            and f" {alias_norm} " in text_norm
            and (alias_in_title or introduced(alias, work.abstract))
        ):
            alias_named = f"alias '{alias}' is introduced in the paper"

    support = weight_found / weight_total if weight_total else 0.0
    if not_first and support < 0.5:
        # "Kaplan Scaling Laws" on a paper Kaplan co-wrote: the name alone does not carry it.
        evidence.append(f"{not_first} is a co-author, and little else of the label is here")
        author_named = ""
    # The most telling evidence first: a definition or a phrase beats a word named in passing.
    strong.sort(key=lambda s: ("named in the" in s or "introduced" in s, s))
    if author_named:
        strong.insert(0, author_named)

    if contrary:
        return Verdict(WRONG, round(support, 3), contrary + strong, tscore)
    if content and in_title == len(content) and (len(content) >= 2 or strong):
        return Verdict(MATCHES, max(tscore, 0.8), ["label words all in the title"], tscore)
    plain = [raw for _, raw in content if not (_DISTINCTIVE.match(raw) and not raw.istitle())]
    phrase = normalise(core.split("(")[0])
    # Two words, not a name and its number ("GPT-3" is a name: the rules for names apply).
    phrase_words = [w for w in phrase.split() if not w.isdigit()]
    if len(phrase_words) >= 2 and f" {phrase} " in f" {normalise(work.abstract)} ":
        strong.insert(0, f"'{core.split('(')[0].strip()}' is in the {about}")
        return Verdict(DESCRIPTIVE, round(max(support, 0.75), 3), [*strong, *evidence], tscore)
    title_like = len(plain) >= TITLE_LIKE_WORDS
    if title_like:
        share = in_title / len(content)
        if share >= 0.75 or author_named:
            reason = author_named or f"{in_title} of {len(content)} label words in the title"
            return Verdict(
                DESCRIPTIVE, round(share, 3), [reason, *evidence], tscore, weak=not author_named
            )
        return Verdict(
            WRONG,
            round(share, 3),
            [
                f"the label reads like a title, and only {in_title} of its {len(content)} "
                f"words are in this one (similarity {tscore:.2f})",
                *evidence,
            ],
            tscore,
        )
    if author_named or alias_named:
        reasons = [r for r in (author_named, alias_named) if r]
        return Verdict(
            DESCRIPTIVE, round(max(support, 0.5), 3), [*reasons, *strong, *evidence], tscore
        )
    if _withdrawal_note(work) and not strong:
        # Nothing to read the label against but the title: not evidence of another paper.
        # Weak, so that arXiv is asked whether the label is another paper's title.
        note = "the paper is withdrawn and its abstract is only the withdrawal note"
        return Verdict(DESCRIPTIVE, round(support, 3), [note, *evidence], tscore, weak=True)
    if missing_distinctive and not strong:
        names_missing = ", ".join(f"'{m}'" for m in missing_distinctive)
        return Verdict(
            WRONG,
            round(support, 3),
            [f"{names_missing} appears nowhere in the title or {about}", *evidence],
            tscore,
        )
    if strong and support >= 0.5:
        return Verdict(DESCRIPTIVE, round(support, 3), [*strong, *evidence], tscore)
    if field_found:
        # A field acronym says what the paper is about, not which paper: the label's other
        # words must be found too ("Social Biases of RLHF": society, left-leaning, human
        # feedback-tuned LMs), or it alone names what the title is about.
        others = [w for w in found_words if w not in field_found]
        rest = len(content) - len(field_found)
        alone = rest == 0
        if (others and len(others) >= 0.75 * rest) or (alone and in_title == len(content)):
            also = f"label words also found: {', '.join(others)}" if others else ""
            reasons = [*field_evidence, also] if also else field_evidence
            return Verdict(DESCRIPTIVE, round(support, 3), [*reasons, *evidence], tscore, weak=True)
    if support >= 0.75 and len(found_words) >= 2 and _together(found_words, work):
        where = f"title and {about}" if in_title else about
        reason = f"label words together in the {where}: {', '.join(found_words)}"
        return Verdict(DESCRIPTIVE, round(support, 3), [reason, *evidence], tscore, weak=True)
    if found_words:
        why = f"only {', '.join(found_words)} of the label found in the title or {about}"
        if field_found:
            why += f" ({', '.join(field_found)}: a field acronym, which names no one paper)"
    else:
        why = f"no overlap with title or {about}"
    return Verdict(WRONG, round(support, 3), [why, *evidence], tscore)


_IN_PASSING = re.compile(
    r"(?:\be\.g\.|\bsuch as|\bincluding|\bthan|\blike|\bunlike|\bcompared (?:to|with)|"
    r"\bvs\.?|\bversus|\bover|\bbeyond|\bsuccessor to|\bbuilt on|\bbased on|\bagainst|"
    r"\boutperform\w*|(?<!known )(?<!referred to )(?<!described )\bas)\s+"
    r"(?:the\s+|a\s+|an\s+)?[\w\-]*\s*$",
    re.IGNORECASE,
)


def _named_as_subject(name: str, text: str) -> bool:
    """Is `name` in the text other than in passing ("than GPT-3", "such as BERT", "based on
    LLaMA")? A page's description names the thing the page is about that way."""
    pattern = re.compile(rf"(?<![\w-]){re.escape(name)}(?![\w]|-[A-Za-z])", re.IGNORECASE)
    for found in pattern.finditer(text):
        if not _IN_PASSING.search(text[max(0, found.start() - 40) : found.start()]):
            return True
    return False


_WITHDRAWN = re.compile(r"\b(?:withdrawn|retracted)\b", re.IGNORECASE)


def _withdrawal_note(work: Work) -> bool:
    """Is the abstract arXiv's short note that the paper was withdrawn, not the paper's own?"""
    return not work.is_page and len(work.abstract) < 500 and bool(_WITHDRAWN.search(work.abstract))


def _names_site(low: str, tokens: list[str], site: str) -> bool:
    """Is this label word (alone or with a neighbour) the site's name ("openai.com")?"""
    host = site.lower().removeprefix("www.")
    name = host.split(".")[-2] if host.count(".") >= 1 else host
    if len(low) >= 3 and low == name:
        return True
    lows = [t.lower() for t in tokens]
    for i in range(len(lows) - 1):
        if low in (lows[i], lows[i + 1]) and lows[i] + lows[i + 1] == name:
            return True
    return False


def _together(found: list[str], work: Work) -> bool:
    """Do the label's words meet in the title or in one sentence of the abstract?"""
    sentences = [work.title, *re.split(r"(?<=[.!?])\s+", work.abstract)]
    for sentence in sentences:
        tokens = _words(sentence)
        if all(any(same_word(w.lower(), t) or w.lower() == t for t in tokens) for w in found):
            return True
    return False


def _is_title_name(raw: str, title: str) -> bool:
    """Is this word the name the title gives ("LoRA" in "LoRA: Low-Rank Adaptation …")?"""
    head = title.split(":")[0] if ":" in title else ""
    words = [w.lower() for w in re.split(r"[\s\-]+", head) if w]
    return 0 < len(words) <= 2 and raw.lower() in words


def strong_mentions(strong: list[str], raw: str) -> bool:
    return any(s.startswith(f"'{raw}'") for s in strong)
