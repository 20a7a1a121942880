"""Personal-data detection and masking (validation/koreanap_validation/personal.py)."""
import datetime

import pytest

from koreanap_validation.personal import (
    find_in_number,
    find_personal_data,
    mask_email,
    mask_phone,
    mask_rrn,
    mask_text,
    number_hints,
    rrn_status,
)

UNMASKED = [
    ("rrn", "711231-1234564", "7112**-*******"),
    ("rrn", "7112311234564", "7112*********"),
    ("rrn", "050101-3234566", "0501**-*******"),
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
    "8805102734646",  # EAN-13 barcodes (Korea's GS1 prefix 880)
    "8808304011980",
    "110111-4907486",  # corporate registration numbers
    "법인등록번호 110111-4669721",  # ... passing the RRN check digit too, but labelled
    "990101-3234565",  # born 2099: not yet
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
    text = "홍길동 711231-1234564, 010-9876-5432, gildong@example.com 문의"
    masked = mask_text(text)
    assert masked == "홍길동 7112**-*******, 010-****-5432, g***@example.com 문의"
    for raw in ("711231-1234564", "010-9876-5432", "gildong@example.com"):
        assert raw not in masked


def test_rrn_wins_over_a_phone_read_inside_it():
    """Digits of an RRN are reported once, as an RRN, not also as a phone number."""
    kinds = [f.kind for f in find_personal_data("0101013123458")]
    assert kinds == ["rrn"]


def test_mask_functions_never_return_the_input():
    """The per-kind mask functions hide the identifying digits or local part."""
    assert mask_rrn("711231-1234564") == "7112**-*******"
    assert mask_phone("010-1234-5678") == "010-****-5678"
    assert mask_phone("1234") == "****"
    assert mask_email("kim@example.org") == "k***@example.org"


def test_kinds_can_be_limited():
    """Asking for e-mails only leaves phone numbers alone."""
    text = "010-1234-5678 kim@example.org"
    assert [f.kind for f in find_personal_data(text, kinds=["email"])] == ["email"]


@pytest.mark.parametrize("digits,status", [
    ("7112311234564", "rrn"),  # check digit right
    ("7112311234567", "possible"),  # check digit wrong: maybe a typo
    ("7501015000009", "rrn"),  # a foreigner's number (its own remainder)
    ("2103153000001", "rrn"),  # born after October 2020: random digits, no check
    ("7113311234564", None),  # 31 November
    ("7112319234564", None),  # 7th digit 9: born in the 1800s
    ("9901013234565", None),  # born 2099
])
def test_rrn_status_uses_birth_date_century_and_check_digit(digits, status):
    """An RRN: a real past birth date, a current gender digit, before 2020-10 its check digit."""
    assert rrn_status(digits, today=datetime.date(2026, 1, 1)) == status


def test_number_columns_need_a_hint_for_phones_and_possible_rrns():
    """1012345678 is a phone only in a column named as one; a right RRN is found anywhere."""
    assert number_hints("phone") == ("phone",)
    assert number_hints("담당자 연락처") == ("phone",)
    assert number_hints("budget", "예산") == ()
    assert number_hints("hotel_rooms") == () and number_hints("tel_no") == ("phone",)
    assert [f.masked for f in find_in_number(1012345678, hints=["phone"])] == ["010****5678"]
    assert find_in_number(1012345678) == []
    assert [f.masked for f in find_in_number(501013234566)] == ["0501*********"]
    assert find_in_number(7112311234567) == []  # wrong check digit, no hint
    assert [f.possible for f in find_in_number(7112311234567, hints=["rrn"])] == [True]
    assert find_in_number(True) == [] and find_in_number(12.5, hints=["phone"]) == []


def _with_check(body: str, weights: tuple[int, int]) -> str:
    total = sum(int(d) * weights[i % 2] for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


def test_precision_on_random_barcodes_and_corporate_numbers():
    """Random 880 EAN-13s and 110111-4… corporate numbers are rarely RRNs (README's figures)."""
    import random

    rng = random.Random(14)
    n = 20_000

    def digits(k):
        return "".join(rng.choice("0123456789") for _ in range(k))

    barcodes = [_with_check("880" + digits(9), (1, 3)) for _ in range(n)]
    corporate = [_with_check("110111" + digits(6), (1, 2)) for _ in range(n)]
    corporate = [f"{c[:6]}-{c[6:]}" for c in corporate]
    for sample, at_most in ((barcodes, 0.015), (corporate, 0.10)):
        found = [find_personal_data(text) for text in sample]
        assert sum(1 for f in found if f) / n <= at_most
        assert not any(x.possible for f in found for x in f)  # explained, not "possible"
