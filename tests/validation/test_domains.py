"""Korean value domains and the shipped code lists (validation/koreanap_validation/domains.py)."""
import datetime

import pytest

from koreanap_validation import domains

GOOD = [
    ("date", "2020-02-29"), ("date", "20200229"), ("date", datetime.date(2019, 1, 1)),
    ("year", "2019"), ("year", 2020),
    ("yearmonth", "2019-07"), ("yearmonth", "201907"),
    ("yn", "Y"), ("yn", "N"),
    ("amount", "0"), ("amount", 1500000), ("amount", "12.5"),
    ("count", 0), ("count", "42"),
    ("rate", 0), ("rate", "100"), ("rate", 55.5),
    ("latitude", 33.0), ("latitude", "37.5665"), ("latitude", 38.7),
    ("longitude", 124.5), ("longitude", "126.9780"), ("longitude", 131.87),
    ("postcode", "03154"),
    ("phone", "02-2100-1234"), ("phone", "044-205-1234"), ("phone", "0442051234"),
    ("phone", "1588-1234"),
    ("email", "opendata@mois.go.kr"),
]

BAD = [
    ("date", "2019-02-29", "does not exist"), ("date", "20191301", "does not exist"),
    ("date", "2019/01/01", "YYYY-MM-DD"), ("date", "19-01-01", "YYYY-MM-DD"),
    ("date", "0000-01-01", "0001-9999"),
    ("year", "19", "four-digit"), ("year", "0000", "four-digit"),
    ("yearmonth", "2019-13", "month"),
    ("yn", "y", '"Y" or "N"'), ("yn", "예", '"Y" or "N"'), ("yn", "Yes", '"Y" or "N"'),
    ("amount", "-1", "non-negative"), ("amount", "1,000", "non-negative"),
    ("count", "-3", "non-negative"), ("count", "2.5", "whole"),
    ("rate", "100.1", "0 to 100"), ("rate", -0.5, "0 to 100"),
    ("latitude", 32.9, "33.0-38.7"), ("latitude", 0, "33.0-38.7"),
    ("longitude", 132.0, "124.5-131.9"), ("longitude", "abc", "124.5-131.9"),
    ("postcode", "110-800", "replaced in 2015"), ("postcode", "1234", "five-digit"),
    ("phone", "2100-1234", "(9)99-(9)999-9999"), ("phone", "099-123-4567", "(9)99"),
    ("email", "not-an-address", "e-mail"),
]


@pytest.mark.parametrize("domain,value", GOOD)
def test_value_inside_domain_passes(domain, value):
    """Values that fit the MOIS domain rules give no message."""
    assert domains.check_value(domain, value) is None


@pytest.mark.parametrize("domain,value,expects", BAD)
def test_value_outside_domain_says_what_is_expected(domain, value, expects):
    """Values outside their domain give a message naming what the domain expects."""
    message = domains.check_value(domain, value)
    assert message and expects in message


def test_blank_values_are_left_to_required():
    """Empty cells are not a domain error (Table Schema's required handles them)."""
    assert domains.check_value("date", None) is None
    assert domains.check_value("yn", "") is None


def test_region_bjd_2018_has_17_codes_with_42_and_45():
    """The 2018-2020 법정동 province list has 17 codes, with the old 42 and 45 and not 51/52."""
    codes = domains.load_codelist("region-bjd-2018")
    assert len(codes) == 17
    assert {"42", "45", "36", "50"} <= set(codes)
    assert not {"51", "52"} & set(codes)
    assert codes["36"] == "세종특별자치시"


def test_heritage_ccbactcd_names_sejong_45():
    """In the heritage ccbaCtcd system 45 is Sejong and Jeju is 50, unlike 법정동 codes."""
    codes = domains.load_codelist("heritage-ccba-ctcd")
    assert len(codes) == 17
    assert codes["45"] == "세종" and codes["50"] == "제주"
    assert domains.check_value("code", "45", "heritage-ccba-ctcd") is None
    assert domains.check_value("code", "41", "heritage-ccba-ctcd")  # 법정동 Gyeonggi


@pytest.mark.parametrize("name", sorted(domains.codelist_index()))
def test_every_indexed_codelist_loads_and_is_documented(name):
    """Every code list in index.json has its CSV, a source and a certainty tag."""
    entry = domains.codelist_index()[name]
    assert entry["source"] and entry["certainty"] in {"S", "C", "K"}
    assert domains.load_codelist(name)


def test_code_domain_checks_membership():
    """A code outside the named list fails and the message names the list."""
    assert domains.check_value("code", "41", "region-bjd-2018") is None
    message = domains.check_value("code", "51", "region-bjd-2018")
    assert "region-bjd-2018" in message


def test_unknown_codelist_is_an_error():
    """Naming a code list that is not shipped raises a clear error."""
    with pytest.raises(domains.UnknownCodeList, match="region-bjd-2018"):
        domains.load_codelist("region-nowhere")


def test_email_domain_accepts_korean_mailboxes():
    """An agency's mailbox on a Korean (or punycode) domain is a valid role address."""
    from koreanap_validation.domains import check_value

    for value in ("민원@우리기관.kr", "opendata@기관.한국", "info@x.xn--3e0b707e"):
        assert check_value("email", value) is None, value
    assert check_value("email", "a b@x.kr")
