"""The personal-data patterns every data-package test scans its package with.

Deliberately independent of koreanap_validation.personal (the product's
detector): the package tests are a second, simpler net.
"""
import re

EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
PHONE = re.compile(
    r"\+\s?82[-.\s)]*\d"                                   # international: +82-44-..., +82 2 ...
    r"|(?<![\d-])\(?0\d{1,2}\)?[-.\s]\d{3,4}[-.\s]\d{4}(?!\d)"  # 02-123-4567, 044-200-0000
    r"|(?<![\d-])01[016789]-?\d{3,4}-?\d{4}(?!\d)"         # mobile: 010-1234-5678
    r"|(?<![\d-])1[568]\d{2}-\d{4}(?!\d)")                 # nationwide: 1588-1234
RRN = re.compile(r"(?<!\d)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])-?[1-8]\d{6}(?!\d)")
PERSONAL = {"e-mail address": EMAIL, "phone number": PHONE,
            "resident registration number": RRN}

# The project's placeholder role mailbox, each package's koreanap:contactPoint
# (not a person, at the reserved domain example.org). The only address allowed,
# and only in datapackage.json and README.md.
ROLE_MAILBOX = "opendata@example.org"
ROLE_MAILBOX_FILES = ("datapackage.json", "README.md")


def personal_data(text, allow_role_mailbox=False):
    """Each personal-data pattern found in ``text``, as "kind 'value'"."""
    return ["%s %r" % (kind, m.group(0)) for kind, pattern in PERSONAL.items()
            for m in pattern.finditer(text)
            if not (allow_role_mailbox and m.group(0) == ROLE_MAILBOX)]


def personal_data_in_package(package):
    """Each personal-data pattern found in any line of any file of the package, as
    "path:line: kind 'value'" (the role mailbox allowed only in its files at the top)."""
    found = []
    for path in sorted(p for p in package.rglob("*") if p.is_file()):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            found += ["%s:%d: %s" % (path.relative_to(package), number, hit)
                      for hit in personal_data(line, path.name in ROLE_MAILBOX_FILES
                                               and path.parent == package)]
    return found
