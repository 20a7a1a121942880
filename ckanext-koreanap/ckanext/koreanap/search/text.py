"""Text analysis shared by indexing and querying: English stemming and Korean.

PostgreSQL's ``english`` configuration stems English words but keeps a Korean
word with its particle attached (``카드뮴은``) as one lexeme, so a search for
``카드뮴`` would miss it. Korean runs are therefore also indexed as overlapping
syllable bigrams (``카드 드뮴 뮴은``) and single syllables, the approach of
Lucene's CJK bigram filter; a Korean query term becomes a phrase of its
bigrams, which matches the term anywhere inside a word.
"""
from __future__ import annotations

import re

HANGUL_RUN = re.compile("[\uac00-\ud7a3]+")
_WORD = re.compile(r"\w", re.UNICODE)


def hangul_runs(text: str) -> list[str]:
    return HANGUL_RUN.findall(text or "")


def korean_index_text(text: str) -> tuple[str, str]:
    """Return (bigrams, unigrams) strings for the Korean runs in ``text``.

    Both are space-separated so PostgreSQL's ``simple`` configuration turns
    each into one lexeme; bigrams keep their order so phrase queries
    (``<->``) match consecutive bigrams.
    """
    bigrams: list[str] = []
    unigrams: list[str] = []
    for run in hangul_runs(text):
        unigrams.extend(run)
        bigrams.extend(run[i:i + 2] for i in range(len(run) - 1))
    return " ".join(bigrams), " ".join(unigrams)


def latin_part(text: str) -> str:
    """The text with Korean runs removed (what the English analyser gets)."""
    stripped = HANGUL_RUN.sub(" ", text or "").strip()
    return stripped if _WORD.search(stripped) else ""


def _lexeme(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'"


def korean_tsquery(run: str, prefix: bool = False) -> str:
    """A tsquery (text form) matching the Korean run inside any word."""
    if len(run) == 1:
        return _lexeme(run) + (":*" if prefix else "")
    return "(" + " <-> ".join(_lexeme(run[i:i + 2]) for i in range(len(run) - 1)) + ")"


def and_tsqueries(parts: list[str]) -> str:
    parts = [p for p in parts if p]
    if not parts:
        return ""
    if len(parts) == 1:
        return parts[0]
    return " & ".join("(" + p + ")" for p in parts)


def or_tsqueries(parts: list[str]) -> str:
    parts = [p for p in parts if p]
    if len(parts) <= 1:
        return parts[0] if parts else ""
    return " | ".join("(" + p + ")" for p in parts)


def prefix_word(text: str) -> str:
    """The alphanumeric stem of a wildcard term (``contam*`` -> ``contam``)."""
    head = re.split(r"(?<!\\)[*?]", text, maxsplit=1)[0]
    return re.sub(r"[^\w]", "", HANGUL_RUN.sub("", head))
