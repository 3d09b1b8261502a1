"""The field's own acronyms: a label may say "RLHF" or "GAN" for a paper that never defines it.

A paper that defines an acronym in "Long Form (LF)" style is read by the judge itself; these are
the standard ones an abstract uses without spelling out ("human feedback-tuned LMs"). Each has
its expansion and one or more cues: words that must all occur close together (in one sentence,
within a few words) in the title or abstract for the paper to discuss it. A cue is a stem
("finetun" meets "fine-tuned" and "finetuning"), and hyphenated words are also read joined.

Such an acronym names a field, not a paper, so the judge weighs it as one plain word: it can
spare a label the "appears nowhere" flag, never carry a label on its own. The broadest ("LLM",
"NLP", "RL") count when the paper discusses them and are ignored, like "ML" and "AI" (filler
words, text.FILLER), when it does not: curators add them to labels of papers that say
"neural networks"."""

from __future__ import annotations

import re

from curricula.verdicts.text import same_word
from curricula.verdicts.text import words as _words

# acronym (upper case) -> (expansion, cues); each cue is a tuple of words that must meet.
FIELD_ACRONYMS: dict[str, tuple[str, tuple[tuple[str, ...], ...]]] = {
    "LM": ("language model", (("language", "model"),)),
    "LLM": ("large language model", (("language", "model"),)),
    "NLP": ("natural language processing", (("natural", "language"), ("language", "process"))),
    "RL": ("reinforcement learning", (("reinforcement",),)),
    "RLHF": (
        "reinforcement learning from human feedback",
        (("human", "feedback"), ("reinforcement", "human", "preference")),
    ),
    "RLAIF": ("reinforcement learning from AI feedback", (("ai", "feedback"),)),
    "DRL": ("deep reinforcement learning", (("deep", "reinforcement"),)),
    "IRL": ("inverse reinforcement learning", (("inverse", "reinforcement"),)),
    "MARL": ("multi-agent reinforcement learning", (("multiagent", "reinforcement"),)),
    "GAN": ("generative adversarial network", (("generative", "adversarial"),)),
    "VAE": ("variational autoencoder", (("variational", "autoencod"),)),
    "CNN": ("convolutional neural network", (("convolutional",),)),
    "RNN": ("recurrent neural network", (("recurrent",),)),
    "LSTM": ("long short-term memory", (("short", "term", "memory"),)),
    "GNN": ("graph neural network", (("graph", "neural"),)),
    "MLP": ("multilayer perceptron", (("perceptron",),)),
    "MOE": ("mixture of experts", (("mixture", "expert"),)),
    "RAG": ("retrieval-augmented generation", (("retrieval", "augment"),)),
    "SFT": ("supervised fine-tuning", (("supervised", "finetun"),)),
    "PEFT": ("parameter-efficient fine-tuning", (("parameterefficient",),)),
    "DPO": ("direct preference optimization", (("direct", "preference", "optimiz"),)),
    "PPO": ("proximal policy optimization", (("proximal", "policy"),)),
    "VIT": ("vision transformer", (("vision", "transformer"),)),
    "NMT": ("neural machine translation", (("machine", "translation"),)),
    "ASR": ("automatic speech recognition", (("speech", "recognition"),)),
    "TTS": ("text-to-speech", (("texttospeech",), ("speech", "synthesis"))),
    "QA": ("question answering", (("question", "answer"),)),
    "ICL": ("in-context learning", (("incontext",),)),
    "COT": ("chain of thought", (("chain", "thought"),)),
    "KD": ("knowledge distillation", (("distillation",),)),
    "SGD": ("stochastic gradient descent", (("stochastic", "gradient"),)),
    "NAS": ("neural architecture search", (("architecture", "search"),)),
    "SSL": ("self-supervised learning", (("selfsupervised",),)),
    "OOD": ("out-of-distribution", (("outofdistribution",), ("distribution", "shift"))),
}
# Ignored when the paper does not discuss them, as filler words are.
BROAD = frozenset({"LM", "LLM", "NLP", "RL"})
# How far apart (in words) a cue's words may be: "learned from human feedback", "mixture of
# sparsely-gated experts".
_WINDOW = 4


def field_acronym(raw: str) -> str:
    """The table's key for a label word ("GANs" → "GAN", "MoE" → "MOE"), or ""."""
    key = raw.upper()
    if key in FIELD_ACRONYMS:
        return key
    if raw.endswith("s") and key[:-1] in FIELD_ACRONYMS and len(key) > 2:
        return key[:-1]
    return ""


def _tokens(sentence: str) -> list[str]:
    """The sentence's words, hyphenated ones also joined ("auto-encoding" → "autoencoding")."""
    out: list[str] = []
    for token in _words(sentence):
        out.append(token)
        if "-" in token:
            out.append(token.replace("-", ""))
    return out


def _stem_of(cue_word: str, token: str) -> bool:
    """A cue written as a stem ("autoencod", "finetun") starts the word; short ones must not
    ("ai" is not "aim")."""
    return len(cue_word) >= 5 and token.startswith(cue_word)


def _cue_in(cue: tuple[str, ...], tokens: list[str]) -> bool:
    positions = [
        [i for i, t in enumerate(tokens) if same_word(word, t) or _stem_of(word, t)] for word in cue
    ]
    if not all(positions):
        return False
    span = len(cue) + _WINDOW
    return any(
        all(any(abs(p - start) <= span for p in found) for found in positions)
        for start in positions[0]
    )


def discussed(key: str, title: str, abstract: str) -> str:
    """Where the paper names the acronym or discusses its subject: "title", "abstract" or ""."""
    _, cues = FIELD_ACRONYMS[key]
    sentences = re.split(r"(?<=[.!?])\s+", abstract or "")
    for where, parts in (("title", [title]), ("abstract", sentences)):
        for sentence in parts:
            tokens = _tokens(sentence)
            literal = key.lower() in tokens or f"{key.lower()}s" in tokens
            if literal or any(_cue_in(cue, tokens) for cue in cues):
                return where
    return ""


def expansion(key: str) -> str:
    return FIELD_ACRONYMS[key][0]
