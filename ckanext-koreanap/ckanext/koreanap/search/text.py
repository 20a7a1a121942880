"""Text analysis shared by indexing and querying: English stemming and Korean.

PostgreSQL's ``english`` configuration stems English words but keeps a Korean
word with its particle attached (``카드뮴은``) as one lexeme, so a search for
``카드뮴`` would miss it. Korean runs are therefore also indexed as overlapping
syllable bigrams (``카드 드뮴 뮴은``) and single syllables, the approach of
Lucene's CJK bigram filter; a Korean query term becomes a phrase of its
bigrams, which matches the term anywhere inside a word.

On top of that, Korean is analysed into morphemes with Kiwi (kiwipiepy and
the model in kiwipiepy_model, loaded once per process on first use): nouns
and verb/adjective stems are indexed as lexemes of their own (marked
``~``, so ``~식품`` never collides with the bigram ``식품``), together with
each pair of adjacent nouns joined, so ``곰팡이 독소`` and ``곰팡이독소`` index
the same lexemes. A query's Korean run then matches its morphemes (particles
and endings dropped: ``식품의`` finds ``식품``), or its bigrams as before, and a
morpheme match adds to the score, so whole-word matches rank above n-gram ones.
"""
from __future__ import annotations

import csv
import functools
import logging
import re
import threading
from pathlib import Path

log = logging.getLogger(__name__)

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


# -- morphology (Kiwi) ---------------------------------------------------------

MORPH_MARK = "~"
# Nouns (general, proper, numerals), roots and verb/adjective stems; particles
# (J*), endings (E*), suffixes (XS*) and bound nouns (NNB: 중, 것) are dropped.
CONTENT_TAGS = frozenset({"NNG", "NNP", "NR", "XR", "VV", "VA"})
NOUN_TAGS = frozenset({"NNG", "NNP"})
MAX_POSITION = 16383  # PostgreSQL's largest tsvector position
# Off only to measure what morphology costs (benchmarks/search.py --no-morphology).
MORPHOLOGY = True

_kiwi = None
_kiwi_lock = threading.Lock()


def _analyser():
    """The process's Kiwi instance (about 2 s and 300 MB to load, so only once)."""
    global _kiwi
    if _kiwi is None:
        with _kiwi_lock:
            if _kiwi is None:
                import kiwipiepy_model
                from kiwipiepy import Kiwi

                # The model from its pinned package, never a download; the typo
                # and multi-word dictionaries add memory, not recall here.
                _kiwi = Kiwi(model_path=kiwipiepy_model.get_model_path(),
                             load_typo_dict=False, load_multi_dict=False)
    return _kiwi


def warm() -> None:
    """Load Kiwi now (the web server calls this in a background thread as a worker
    starts, so no visitor's first Korean query waits the 2 s of loading it)."""
    if MORPHOLOGY:
        _tokens("한국어")


def is_loaded() -> bool:
    """Whether this process has loaded Kiwi."""
    return _kiwi is not None


def _tokens(text: str) -> list[tuple[str, str, int, int]]:
    """(form, tag, start, end) of Kiwi's morphemes in ``text``."""
    analyser = _analyser()
    with _kiwi_lock:  # one analysis at a time: CKAN may serve from threads
        tokens = analyser.tokenize(text)
    return [(t.form, t.tag, t.start, t.start + t.len) for t in tokens]


def _tag(tag: str) -> str:
    return tag.split("-", 1)[0]  # Kiwi marks irregular stems as "VV-I" etc.


def morpheme_lexemes(text: str) -> list[str]:
    """The marked lexemes to index for ``text``, in order (nouns, stems and
    adjacent noun pairs joined). Empty when ``text`` has no Korean."""
    if not MORPHOLOGY or not HANGUL_RUN.search(text or ""):
        return []
    out: list[str] = []
    previous_noun = None
    for form, tag, _start, _end in _tokens(text):
        tag = _tag(tag)
        if tag in CONTENT_TAGS and HANGUL_RUN.search(form):
            out.append(MORPH_MARK + form)
            if tag in NOUN_TAGS and previous_noun:
                out.append(MORPH_MARK + previous_noun + form)
        previous_noun = form if tag in NOUN_TAGS else None
    return out


def morpheme_tsvector(text: str) -> str:
    """``text``'s morpheme lexemes as a tsvector literal (with positions, so
    setweight applies)."""
    return " ".join("%s:%d" % (_lexeme(lexeme), min(i + 1, MAX_POSITION))
                    for i, lexeme in enumerate(morpheme_lexemes(text)))


def korean_morph_tsquery(run: str) -> str:
    """A tsquery matching every content morpheme of the Korean ``run`` ("" if none)."""
    lexemes = [MORPH_MARK + form for form, tag, _s, _e in _tokens(run)
               if _tag(tag) in CONTENT_TAGS and HANGUL_RUN.search(form)]
    return " & ".join(_lexeme(lexeme) for lexeme in dict.fromkeys(lexemes))


def korean_run_tsquery(run: str, prefix: bool = False) -> tuple[str, str]:
    """(match, morphemes) tsqueries for a Korean query run.

    ``match`` accepts the run's bigrams anywhere inside a word (as before), the
    bigrams of the run without its trailing particles or endings, or all of its
    morphemes; ``morphemes`` is the last alone, which ranking rewards.
    """
    ngrams = korean_tsquery(run, prefix)
    if prefix or not MORPHOLOGY:
        return ngrams, ""
    tokens = _tokens(run)
    content = [(s, e) for _f, tag, s, e in tokens if _tag(tag) in CONTENT_TAGS]
    alternatives = [ngrams]
    if content:
        stem = run[min(s for s, _ in content):max(e for _, e in content)]
        if stem != run and HANGUL_RUN.fullmatch(stem):
            alternatives.append(korean_tsquery(stem))
    morph = korean_morph_tsquery(run)
    alternatives.append(morph)
    return or_tsqueries(list(dict.fromkeys(alternatives))), morph


# -- synonyms --------------------------------------------------------------------

SYNONYMS_FILE = Path(__file__).with_name("synonyms.csv")
# Off only to measure what synonyms cost (benchmarks/search.py --no-synonyms).
SYNONYMS = True


def _key(text: str) -> str:
    return " ".join(text.casefold().split())


@functools.lru_cache(maxsize=1)
def shipped_sets() -> tuple[tuple[tuple[str, ...], str], ...]:
    """The sets of synonyms.csv as ``(terms, source)``: one row is one set of
    equivalent terms (``|``-separated) with its source."""
    try:
        with SYNONYMS_FILE.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
    except OSError as e:
        log.error("Search synonyms not loaded (%s); searching without them", e)
        return ()
    return tuple((tuple(t.strip() for t in row["terms"].split("|") if t.strip()),
                  row.get("source") or "") for row in rows)


def _table(sets) -> dict[str, tuple[str, ...]]:
    table: dict[str, list[str]] = {}
    for terms in sets:
        for term in terms:
            others = table.setdefault(_key(term), [])
            others.extend(t for t in terms if _key(t) != _key(term) and t not in others)
    return {k: tuple(v) for k, v in table.items()}


# The sets a site's sysadmins added (search/synonyms.py keeps this current), and
# the table of both; replaced whole, never changed in place, so a thread reading
# it needs no lock.
_site_sets: tuple[tuple[str, ...], ...] = ()
_merged: dict[str, tuple[str, ...]] | None = None


def set_site_sets(sets) -> None:
    """Use these sets (each a sequence of terms) beside the shipped ones."""
    global _site_sets, _merged
    sets = tuple(tuple(terms) for terms in sets)
    if sets != _site_sets or _merged is None:
        _site_sets = sets
        _merged = _table([terms for terms, _source in shipped_sets()] + list(sets))


def synonym_table() -> dict[str, tuple[str, ...]]:
    """Each term (case-folded) -> the other terms of its sets, shipped and the site's."""
    if _merged is None:
        set_site_sets(_site_sets)
    return _merged


def synonyms_of(text: str) -> list[str]:
    """The synonyms of a query term or phrase; a Korean term is also looked up
    without its particles (``남대문을`` -> ``남대문``)."""
    if not SYNONYMS:
        return []
    table = synonym_table()
    found = table.get(_key(text))
    if found is None and MORPHOLOGY and HANGUL_RUN.fullmatch(text.strip()):
        tokens = _tokens(text.strip())
        content = [(s, e) for _f, tag, s, e in tokens if _tag(tag) in CONTENT_TAGS]
        if content:
            stem = text.strip()[min(s for s, _ in content):max(e for _, e in content)]
            found = table.get(_key(stem))
    return list(found or ())
