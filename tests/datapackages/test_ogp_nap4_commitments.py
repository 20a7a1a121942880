"""The ogp-nap4-commitments data package: valid, faithful to the plan, free of personal data.

The plan text lives outside the repository (it holds officials' contact details);
the tests that compare against it read ``KOREANAP_PLAN_TEXT`` or the shared
reference copy and are skipped where neither exists.
"""
import csv
import datetime
import functools
import json
import os
import pathlib
import re

import pytest

from .packages import ROOT, frictionless_errors, read_rows
from .personal_data import personal_data as _personal_data
from .personal_data import personal_data_in_package

PACKAGE = ROOT / "datapackages" / "ogp-nap4-commitments"
PLAN_TEXT = pathlib.Path(os.environ.get(
    "KOREANAP_PLAN_TEXT", "/work/shared/reference/korea-ogp-nap4-2018-2020.txt"))

# How this was counted: the plan's Commitments chapter has 13 sections, each
# headed "Commitment Start and End Date" (two headings are broken across a line
# or a tab, so they are found with the whitespace-tolerant COMMITMENT_HEADING
# below, not a plain string count, which finds 11). The OGP IRM design report
# for the plan also lists 13 commitments (KR0036-KR0048).
PLAN_COMMITMENTS = 13
COMMITMENT_HEADING = re.compile(r"Commitment Start and\s+End Date")

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
EXACT_DAY = re.compile(r"(%s) (\d{1,2}), (\d{4})" % "|".join(MONTHS))
ONE_MONTH = re.compile(r"(%s), (\d{4})" % "|".join(MONTHS))
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
ISO_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")

_rows = functools.partial(read_rows, PACKAGE / "data")


def _normalise(text):
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture(scope="module")
def commitments():
    return _rows("commitments")


@pytest.fixture(scope="module")
def milestones():
    return _rows("milestones")


@pytest.fixture(scope="module")
def plan_text():
    if not PLAN_TEXT.is_file():
        pytest.skip("plan text not on this machine (set KOREANAP_PLAN_TEXT)")
    return PLAN_TEXT.read_text(encoding="utf-8")


def test_package_passes_frictionless_validation():
    """frictionless.validate finds no error (types, constraints, primary and foreign keys)."""
    report, errors = frictionless_errors(PACKAGE)
    assert report.valid, "\n".join(errors)


def test_descriptor_declares_keys_licence_sources_and_both_languages(descriptor):
    """datapackage.json declares the keys, a licence, the sources and Korean and English titles."""
    schemas = {r["name"]: r["schema"] for r in descriptor["resources"]}
    assert schemas["commitments"]["primaryKey"] == ["commitment_id"]
    assert schemas["milestones"]["primaryKey"] == ["commitment_id", "sequence"]
    assert schemas["milestones"]["foreignKeys"] == [
        {"fields": ["commitment_id"],
         "reference": {"resource": "commitments", "fields": ["commitment_id"]}}]
    assert descriptor["licenses"] and descriptor["sources"] and descriptor["version"]
    title = descriptor["title"]
    assert re.search(r"[가-힣]", title) and re.search(r"[A-Za-z]", title)
    assert any(re.search(r"[가-힣]", k) for k in descriptor["keywords"])
    assert all(c["role"] in ("author", "maintainer") for c in descriptor["contributors"])


def test_every_milestone_belongs_to_an_existing_commitment(commitments, milestones):
    """Each milestone's commitment_id is a commitment in commitments.csv."""
    ids = {c["commitment_id"] for c in commitments}
    orphans = [(m["commitment_id"], m["sequence"]) for m in milestones
               if m["commitment_id"] not in ids]
    assert not orphans, orphans


def test_every_commitment_has_a_milestone(commitments, milestones):
    """No commitment is left without at least one milestone."""
    with_milestones = {m["commitment_id"] for m in milestones}
    assert [c["commitment_id"] for c in commitments
            if c["commitment_id"] not in with_milestones] == []


def test_milestone_sequences_run_from_one_without_gaps(milestones):
    """Within each commitment, sequence numbers are 1, 2, 3 ... in file order."""
    seen = {}
    for m in milestones:
        seen.setdefault(m["commitment_id"], []).append(int(m["sequence"]))
    bad = {cid: seqs for cid, seqs in seen.items() if seqs != list(range(1, len(seqs) + 1))}
    assert not bad, bad


def test_commitment_dates_are_iso_and_start_not_after_end(commitments):
    """Every commitment has real ISO start and end dates, start <= end."""
    for c in commitments:
        assert ISO_DATE.fullmatch(c["start_date"]) and ISO_DATE.fullmatch(c["end_date"]), c
        start = datetime.date.fromisoformat(c["start_date"])
        end = datetime.date.fromisoformat(c["end_date"])
        assert start <= end, c["commitment_id"]


def test_milestone_dates_are_real_and_start_not_after_end(milestones):
    """Date and month columns hold real ISO values, never both, and start <= end."""
    for m in milestones:
        where = "%s/%s" % (m["commitment_id"], m["sequence"])
        bounds = {}
        for side in ("start", "end"):
            day, month = m["%s_date" % side], m["%s_month" % side]
            assert not (day and month), "%s: %s has both a date and a month" % (where, side)
            if day:
                assert ISO_DATE.fullmatch(day), (where, day)
                bounds[side] = datetime.date.fromisoformat(day)
            if month:
                assert ISO_MONTH.fullmatch(month), (where, month)
                bounds[side] = month
        if len(bounds) == 2:
            # Compare at month precision when either side is only a month.
            start, end = bounds["start"], bounds["end"]
            if isinstance(start, str) or isinstance(end, str):
                start, end = str(start)[:7], str(end)[:7]
            assert start <= end, "%s: start %s after end %s" % (where, start, end)


def test_iso_columns_say_exactly_what_the_printed_text_says(milestones):
    """A date or month is filled exactly when the printed text states one, and matches it."""
    for m in milestones:
        for side in ("start", "end"):
            text = m["%s_text" % side]
            day = EXACT_DAY.fullmatch(text)
            month = ONE_MONTH.fullmatch(text)
            expected_day = datetime.date(int(day.group(3)), MONTHS.index(day.group(1)) + 1,
                                         int(day.group(2))).isoformat() if day else ""
            expected_month = "%s-%02d" % (month.group(2), MONTHS.index(month.group(1)) + 1) \
                if month else ""
            assert m["%s_date" % side] == expected_day, (m["commitment_id"], m["sequence"], side)
            assert m["%s_month" % side] == expected_month, (m["commitment_id"], m["sequence"], side)


def test_number_of_commitments_is_the_plans(commitments):
    """The package has as many commitments as the plan (13, counted as noted above)."""
    assert len(commitments) == PLAN_COMMITMENTS
    assert [int(c["plan_order"]) for c in commitments] == list(range(1, PLAN_COMMITMENTS + 1))


def test_plan_text_has_that_many_commitments(plan_text, commitments):
    """Counting the plan text's commitment headings gives the package's number of commitments."""
    assert len(COMMITMENT_HEADING.findall(plan_text)) == len(commitments) == PLAN_COMMITMENTS


def test_transcribed_wording_appears_in_the_plan(plan_text, commitments, milestones):
    """Every value said to be 'as printed' is found word for word in the plan text."""
    plan = _normalise(plan_text)
    verbatim = []
    for c in commitments:
        verbatim += [c["title"], c["lead_division"], c["lead_agency"], c["period_text"],
                     c["ogp_values_text"]]
        verbatim += c["ogp_values"].split("; ")
    for m in milestones:
        verbatim += [m["activity"], m["start_text"], m["end_text"]]
    missing = [v for v in verbatim if v and _normalise(v) not in plan]
    assert not missing, missing


def test_commitment_order_follows_the_plan(plan_text, commitments):
    """Titles appear in the plan text in the order of plan_order."""
    plan = _normalise(plan_text)
    positions = [plan.find(_normalise(c["title"])) for c in commitments]
    assert -1 not in positions and positions == sorted(positions)


def test_personal_data_detector_catches_known_forms():
    """The detector flags e-mails, Korean phone formats and RRNs, but not the package's dates."""
    for sample in ("someone@example.org", "02-123-4567", "010-1234-5678", "01012345678",
                   "+82-44-000-0000", "+82 2 123 4567", "(02) 123-4567", "1588-0000",
                   "900101-1234567", "9001011234567"):
        assert _personal_data(sample), sample
    for benign in ("2018-09-01", "2019-12", "September 1, 2018 ~ August 31, 2020",
                   "1,000 sets of public data", "KR0043", "(2017 – 2019)", "19 types"):
        assert not _personal_data(benign), benign


def test_no_personal_data_pattern_in_any_file_of_the_package():
    """No line of any file in the package holds an e-mail, a phone number or an RRN."""
    found = personal_data_in_package(PACKAGE)
    assert not found, "\n".join(found)


def test_no_responsible_persons_name_in_the_package(plan_text):
    """None of the names the plan gives as 'Responsible Person' appears in the package."""
    field = "Name of Responsible Person from Implementing Agency"
    names = re.findall(field + r"\t([^\t\n]+)", plan_text)
    names += re.findall(field + r" (.+?) Title,", plan_text)
    names += re.findall(r"Name of Responsible Person (.+?) from Implementing Agency", plan_text)
    assert len(names) == PLAN_COMMITMENTS, names  # one contact per commitment
    parts = {w for name in names for w in re.findall(r"[A-Z][a-z]+(?:-[a-z]+)?", name)}
    package = "\n".join(p.read_text(encoding="utf-8") for p in PACKAGE.rglob("*") if p.is_file())
    leaked = sorted(w for w in parts if re.search(r"\b%s\b" % re.escape(w), package))
    assert not leaked, leaked


def test_contact_point_is_the_catalogue_error_report_page(descriptor):
    """The contact point is the dataset's error-report page, not a placeholder mailbox."""
    contact = descriptor["koreanap:contactPoint"]
    assert contact["path"] == "report-error" and "email" not in contact
    assert not _personal_data(json.dumps(descriptor, ensure_ascii=False))


# This project's Korean translation (README "Korean translation"): each English column
# below has a <column>_ko right after it, flagged koreanap:translationOf.
TRANSLATED = {"commitments": ("title", "lead_division", "lead_agency", "ogp_values",
                               "description_summary"),
              "milestones": ("activity",)}


def test_korean_translation_columns_follow_their_english_and_are_flagged(descriptor):
    """Each translation column stands right after the column it translates, in the CSV and
    in the schema, is required and says which column it translates; no other field does."""
    for resource in descriptor["resources"]:
        fields = resource["schema"]["fields"]
        names = [f["name"] for f in fields]
        with open(PACKAGE / resource["path"], newline="", encoding="utf-8") as fh:
            assert next(csv.reader(fh)) == names
        flagged = {f["name"]: f["koreanap:translationOf"] for f in fields
                   if "koreanap:translationOf" in f}
        english = TRANSLATED[resource["name"]]
        assert flagged == {e + "_ko": e for e in english}
        for e in english:
            assert names[names.index(e) + 1] == e + "_ko"
            field = fields[names.index(e + "_ko")]
            assert field["constraints"] == {"required": True} and field["type"] == "string"
            assert "not text from the plan" in field["description"]


def test_every_row_has_its_korean_translation(commitments, milestones):
    """Every row has a Korean value in each translation column (Hangul in it), with no
    '..' range; a lead agency keeps the plan-era name, so 문화재청, never 국가유산청."""
    hangul = re.compile("[\uac00-\ud7a3]")
    for rows, english in ((commitments, TRANSLATED["commitments"]),
                          (milestones, TRANSLATED["milestones"])):
        for row in rows:
            for e in english:
                value = row[e + "_ko"]
                where = (row["commitment_id"], row.get("sequence"), e + "_ko")
                assert value.strip() == value and hangul.search(value), where
                assert ".." not in value, where
    for row in commitments:  # the same OGP values, one Korean item for each English one
        count = [len([v for v in row[c].split("; ") if v.strip()])
                 for c in ("ogp_values", "ogp_values_ko")]
        assert count[0] == count[1] and ";" not in row["ogp_values_ko"].replace("; ", ""), row
    agencies = {c["lead_agency"]: c["lead_agency_ko"] for c in commitments}
    assert agencies["Culture Heritage Administration"] == "문화재청"
    assert "국가유산청" not in "".join(agencies.values())
