"""csvcells.cell: the one rule that keeps every CSV export from running as formulas."""
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from ckanext.koreanap.csvcells import cell

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@given(st.text())
def test_no_text_cell_starts_a_formula_and_nothing_is_lost(text):
    """Any text: the cell starts no formula unless it is a plain number, and dropping the
    added apostrophe gives the text back."""
    out = cell(text)
    assert out == text or out == "'" + text
    if out.startswith(FORMULA_STARTS):
        float(out)  # only a plain number may start with + or -


def test_payloads_and_numbers():
    assert cell('=HYPERLINK("http://evil")') == '\'=HYPERLINK("http://evil")'
    assert cell("@SUM(A1)") == "'@SUM(A1)" and cell("-2+3") == "'-2+3"
    assert cell("+1+1 cmd") == "'+1+1 cmd" and cell("\tx") == "'\tx"
    assert cell("-0.5") == "-0.5" and cell("1e-3") == "1e-3" and cell("+3") == "+3"
    assert cell(-2) == "-2" and cell(Decimal("-0.25")) == "-0.25" and cell(None) == ""
    assert cell("카드뮴") == "카드뮴"
