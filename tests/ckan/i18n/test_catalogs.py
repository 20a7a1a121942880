"""The message catalogs cover every message of the extension and compile."""
import io
import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[3]
SOURCES = ROOT / "ckanext-koreanap" / "ckanext"
VALIDATION = ROOT / "validation" / "koreanap_validation"
I18N = SOURCES / "koreanap" / "i18n"
DOMAIN = "ckanext-koreanap"
# setup.py's message_extractors, in the same order (first match wins)
METHODS = [
    ("**.py", "python"),
    ("**/assets/build/**.js", "ignore"),
    ("**.js", "javascript"),
    ("**/templates/**.html", "ckan.lib.extract:extract_ckan"),
]
OPTIONS = {"**/templates/**.html": {}}
# ... and for the validation package: the sentences rules are stated in
VALIDATION_METHODS = [("rules.py", "python")]


def _po(locale):
    with (I18N / locale / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as fh:
        return read_po(fh, locale=locale, domain=DOMAIN)


def _messages():
    """Every msgid in the extension's code and templates, with where it is."""
    found = {}
    for folder, methods in ((SOURCES, METHODS), (VALIDATION, VALIDATION_METHODS)):
        for filename, lineno, message, _comments, _context in extract_from_dir(
                str(folder), methods, OPTIONS, DEFAULT_KEYWORDS):
            msgid = message[0] if isinstance(message, (list, tuple)) else message
            if msgid:
                found.setdefault(msgid, f"{folder.name}/{filename}:{lineno}")
    return found


def _placeholders(text):
    return sorted(re.findall(r"%\([a-z_]+\)s|\{[a-z_]*(?::[^}]*)?\}", text))


def test_every_message_has_a_korean_translation():
    """Each message in our templates, Python and JS is translated (not fuzzy) in ko_KR."""
    catalog = _po("ko_KR")
    missing = []
    for msgid, where in sorted(_messages().items()):
        entry = catalog.get(msgid)
        if (entry is None or "fuzzy" in entry.flags
                or not all(entry.string if isinstance(entry.string, tuple)
                           else [entry.string])):
            missing.append(f"{where}: {msgid!r}")
    assert not missing, (
        "messages without a Korean translation (python setup.py extract_messages, "
        "update_catalog, then translate in i18n/ko_KR): \n" + "\n".join(missing))


def test_translations_keep_the_placeholders():
    """A Korean translation has the same %(name)s and {name} placeholders as its msgid."""
    wrong = []
    for entry in _po("ko_KR"):
        if not entry.id or not entry.string:
            continue
        ids = entry.id if isinstance(entry.id, tuple) else (entry.id,)
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        for string in strings:
            if _placeholders(ids[-1]) != _placeholders(string):
                wrong.append(f"{ids[0]!r} -> {string!r}")
    assert not wrong, "\n".join(wrong)


# Literal or programmer Korean that a translation must not use (issue 19): a range
# written "a..b" (write "a~b 사이"), a job "put in the queue" (say what was requested).
LITERAL = [(re.compile(r"\.\.(?=\{|\d)"), "'..' range: write a~b 사이"),
           (re.compile(r"대기열에 넣"), "'대기열에 넣었습니다': say what was requested")]


def test_translations_read_as_korean_not_programmer_text():
    """No Korean translation writes a range as 1..n or says a job was put in a queue."""
    found = []
    for entry in _po("ko_KR"):
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        for string in strings:
            for pattern, advice in LITERAL:
                if string and pattern.search(string):
                    found.append(f"{string!r}: {advice}")
    assert not found, "\n".join(found)


@pytest.mark.parametrize("locale", ["ko_KR", "en"])
def test_catalog_compiles(locale):
    """The catalog has no errors Babel's checkers find and compiles to a .mo that reads back."""
    catalog = _po(locale)
    problems = [f"{message.id!r}: {error}" for message, errors in catalog.check()
                for error in errors]
    assert not problems, "\n".join(problems)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    compiled = read_mo(buffer)
    assert len(compiled) >= len([m for m in catalog if m.id and m.string])


def test_template_lists_what_the_catalogs_translate():
    """The .pot holds every message of the code, so update_catalog gives translators new ones."""
    with (I18N / f"{DOMAIN}.pot").open("rb") as fh:
        template = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(fh) if m.id}
    missing = sorted(set(_messages()) - template)
    assert not missing, "run python setup.py extract_messages: " + ", ".join(map(repr, missing))
