"""One reading of a whole number for every schema (page sizes, offsets, years, months)."""
import pytest
from ckan.plugins import toolkit as tk

from ckanext.koreanap.wholenumbers import int_between, whole_number


@pytest.mark.parametrize("value, expected", [(7, 7), ("7", 7), (" 12 ", 12), ("-3", -3),
                                             ("000123", 123)])
def test_whole_numbers_are_read(value, expected):
    assert whole_number(value) == expected


@pytest.mark.parametrize("value", [True, False, 2.7, 2.0, "2.7", "", "1e3", "12a", None,
                                   "1234567890123", ["1"]])
def test_anything_else_is_no_whole_number(value):
    """A bool, a float (even 2.0), a decimal or exponent text, 13 digits: refused, never
    rounded (int(2.7) would give 2)."""
    with pytest.raises(ValueError):
        whole_number(value)


def test_the_validator_says_what_is_wrong():
    check = int_between(1, 120)
    assert check("120", {}) == 120
    with pytest.raises(tk.Invalid, match="whole number"):
        check(2.5, {})
    with pytest.raises(tk.Invalid, match="between 1 and 120"):
        check(0, {})
