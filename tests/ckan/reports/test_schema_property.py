"""Property-based test (hypothesis) over the report schema: any input is 200 or a clear 4xx.

Skipped where hypothesis is not installed; test_bad_input.py runs the same
check over seeded random inputs either way.
"""
import pytest

from .test_bad_input import _ATOMS, GOOD, _check_any_input

hypothesis = pytest.importorskip("hypothesis")
st = hypothesis.strategies

_json_value = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
    | st.text() | st.sampled_from([a for a in _ATOMS if isinstance(a, str)]),
    lambda children: st.lists(children, max_size=3)
    | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=6)
_reports = st.fixed_dictionaries(
    {}, optional={field: st.one_of(st.just(GOOD[field]), _json_value)
                  for field in GOOD} | {"resource_id": _json_value, "website": _json_value})


@pytest.mark.ckan_config("ckanext.koreanap.reports.rate_limit", "0")
@hypothesis.settings(max_examples=200, deadline=None,
                     suppress_health_check=[hypothesis.HealthCheck.function_scoped_fixture])
@hypothesis.given(data=_reports)
def test_hypothesis_any_report_input_is_200_or_a_clear_4xx(app, catalogue, data):
    """Property (hypothesis): any JSON report gives 200 or a clear 4xx, never a 500."""
    _check_any_input(app, data)
