"""Reading a made-up name from the words of a paper: an acronym's initials ("GRPO" → group
relative policy optimization) or a compound's parts ("ResNet" → residual nets)."""

from __future__ import annotations

import re

from curricula.verdicts.text import STOPWORDS


def initials_match(acronym: str, tokens: list[str]) -> str:
    """'GRPO' against the text's words → 'group relative policy optimization', or ''."""
    letters = [c for c in acronym.lower() if c.isalpha()]
    if len(letters) < 2:
        return ""
    n = len(tokens)
    for start in range(n):
        i, j, used = 0, start, []
        while i < len(letters) and j < n:
            token = tokens[j]
            if token[0] == letters[i]:
                used.append(token)
                i += 1
                # "LoRA": "low-rank adaptation" gives l, r, a
                for part in token.split("-")[1:]:
                    if i < len(letters) and part and part[0] == letters[i]:
                        i += 1
            elif token in STOPWORDS and used:
                used.append(token)
            else:
                break
            j += 1
        if i == len(letters) and used and used[-1] not in STOPWORDS:
            return " ".join(used)
    return ""


def camel_match(name: str, tokens: list[str]) -> str:
    """'ResNet' → 'residual nets' when the text has words starting res-, net- in a row."""
    pieces: list[str] = []
    for part in re.findall(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+", name):
        pieces.extend(list(part.lower()) if part.isupper() and len(part) > 1 else [part.lower()])
    pieces = [p for p in pieces if not p.isdigit()]
    if len(pieces) < 2 or sum(len(p) for p in pieces) < 4:
        return ""
    words = [w for t in tokens for w in t.split("-") if w]
    # A one-letter piece ("LoRA": lo, r, a) starts half the words of a sentence: those names are
    # read from words in a row only ("low-rank adaptation", not "loss the resulting algorithm").
    skip_stopwords = all(len(p) > 1 for p in pieces)
    for start in range(len(words)):
        i, j, used = 0, start, []
        while i < len(pieces) and j < len(words):
            if words[j].startswith(pieces[i]):
                used.append(words[j])
                i += 1
            elif words[j] in STOPWORDS and used and skip_stopwords:
                used.append(words[j])
            else:
                break
            j += 1
        if i == len(pieces):
            return " ".join(used)
    return ""
