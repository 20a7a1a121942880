"""Personal-data detection and masking (validation/personal.py)."""
import pytest

from koreanap_validation.personal import (
    find_personal_data,
    mask_email,
    mask_phone,
    mask_rrn,
    mask_text,
)

UNMASKED = [
    ("rrn", "711231-1234567", "7112**-*******"),
    ("rrn", "7112311234567", "7112*********"),
    ("rrn", "050101-3234567", "0501**-*******"),
    ("phone", "010-1234-5678", "010-****-5678"),
    ("phone", "01012345678", "010****5678"),
    ("phone", "02-123-4567", "02-***-4567"),
    ("phone", "031-1234-5678", "031-****-5678"),
    ("phone", "+82-10-1234-5678", "+82-10-****-5678"),
    ("phone", "+821012345678", "+8210****5678"),
    ("email", "kim.minsu@example.org", "k***@example.org"),
    ("email", "hong_gd+news@mail.go.kr", "h***@mail.go.kr"),
]

NOT_PERSONAL = [
    "711231-*******",  # published masked forms pass
    "711231-1******",
    "7112**-*******",
    "010-****-5678",
    "010-1234-****",
    "k***@example.org",
    "991332-1234567",  # no such birth date
    "711231-9234567",  # gender digit 9 is not a current RRN
    "2018-000001",  # sample identifiers
    "EQS28-0001",
    "1162-65-8",  # CAS number
    "1588-1234",  # nationwide representative number, not a person's
    "37.472834",
    "cd18251ef48a7291234567b3b75f95fefe63432d",  # digits inside a hash
    "세종특별자치시 한누리대로 2130",
]


@pytest.mark.parametrize("kind,raw,masked", UNMASKED)
def test_unmasked_value_is_found_and_masked(kind, raw, masked):
    """Each unmasked Korean RRN, phone and e-mail form is found and masked as practice does."""
    findings = find_personal_data(f"연락처: {raw} 입니다")
    assert [(f.kind, f.masked) for f in findings] == [(kind, masked)]
    assert raw not in mask_text(f"연락처: {raw} 입니다")


@pytest.mark.parametrize("text", NOT_PERSONAL)
def test_masked_or_harmless_text_passes(text):
    """Masked forms, impossible dates, identifiers and representative numbers are not reported."""
    assert find_personal_data(text) == []
    assert mask_text(text) == text


def test_several_findings_in_one_cell_are_all_masked():
    """A cell with an RRN, a phone and an e-mail gets all three masked and keeps the rest."""
    text = "홍길동 711231-1234567, 010-9876-5432, gildong@example.com 문의"
    masked = mask_text(text)
    assert masked == "홍길동 7112**-*******, 010-****-5432, g***@example.com 문의"
    for raw in ("711231-1234567", "010-9876-5432", "gildong@example.com"):
        assert raw not in masked


def test_rrn_wins_over_a_phone_read_inside_it():
    """Digits of an RRN are reported once, as an RRN, not also as a phone number."""
    kinds = [f.kind for f in find_personal_data("0101013123456")]
    assert kinds == ["rrn"]


def test_mask_functions_never_return_the_input():
    """The per-kind mask functions hide the identifying digits or local part."""
    assert mask_rrn("711231-1234567") == "7112**-*******"
    assert mask_phone("010-1234-5678") == "010-****-5678"
    assert mask_phone("1234") == "****"
    assert mask_email("kim@example.org") == "k***@example.org"


def test_kinds_can_be_limited():
    """Asking for e-mails only leaves phone numbers alone."""
    text = "010-1234-5678 kim@example.org"
    assert [f.kind for f in find_personal_data(text, kinds=["email"])] == ["email"]
