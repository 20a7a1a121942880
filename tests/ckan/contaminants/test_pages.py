"""The /contaminants page and its CSV download, as a data user meets them."""
from __future__ import annotations

import csv
import html
import io
import json
import re
from urllib.parse import urlsplit

import pytest

from .conftest import PLUGINS

pytestmark = [pytest.mark.ckan_config("ckan.plugins", PLUGINS),
              pytest.mark.usefixtures("with_plugins")]


def _total(body: str) -> int:
    match = re.search(r'class="koreanap-total">([0-9,]+)<', body)
    assert match, "no total on the page"
    return int(match.group(1).replace(",", ""))


def _permalink(body: str) -> str:
    match = re.search(r'id="koreanap-permalink" readonly value="([^"]*)"', body)
    assert match, "no permalink on the page"
    return html.unescape(match.group(1))


def test_page_renders_filters_summary_chart_and_rows(app, survey):
    """The page shows the filters, the summary per substance, the chart data and 50 rows."""
    body = app.get("/contaminants", status=200).body
    assert "<h1 class=\"page-heading\">유해물질 빠른 검색</h1>" in body
    assert _total(body) == len(survey["rows"])
    assert 'name="substance_code"' in body and 'name="exceeds_only"' in body
    assert ">HMT02 카드뮴</option>" in body  # a substance choice, named from the reference
    assert 'class="table table-sm table-bordered koreanap-contaminants-by-substance"' in body
    chart = re.search(r'id="koreanap-contaminants-chart-data">(.*?)</script>', body, re.S)
    assert json.loads(chart.group(1))["available"] is True
    assert "contaminants.js" in body  # the bundled Chart.js code
    rows = re.search(r'koreanap-contaminants-rows">.*?<tbody>(.*?)</tbody>', body, re.S)
    assert rows.group(1).count("<tr") == 50
    # a coded cell reads as its Korean name, the code kept on hover
    assert re.search(r'<td title="HMT\d\d" data-code="HMT\d\d">[가-힣]', rows.group(1))
    assert not re.search(r">HMT\d\d</td>", rows.group(1))
    assert "/datastore/dump/" + survey["resource_id"] in body


def test_filters_in_the_query_string_narrow_the_page(app, survey):
    """Two filters in the query string give the same total as the rows in Python."""
    expected = [r for r in survey["rows"]
                if r["substance_code"].startswith("HMT") and r["survey_year"] == 2019]
    body = app.get("/contaminants?substance_group=HMT&survey_year=2019", status=200).body
    assert _total(body) == len(expected)
    assert '<option value="2019" selected>' in body


def test_permalink_round_trip_gives_the_same_page(app, survey):
    """Following the page's permalink shows the same filter, order, page and results."""
    query = "substance_group=MYC&exceeds_only=true&sort=value+desc&page=1"
    first = app.get("/contaminants?" + query, status=200).body
    link = _permalink(first)
    assert link.endswith("/contaminants?" + query)
    parts = urlsplit(link)
    second = app.get(parts.path + "?" + parts.query, status=200).body
    assert _total(second) == _total(first) > 0
    assert _permalink(second) == link
    # CSRF tokens (the head's meta and the forms' inputs) are signed with the time.
    strip = re.compile(r'<input type="hidden" name="_csrf_token"[^>]*>'
                       r'|<meta name="_csrf_token"[^>]*>')
    assert strip.sub("", second) == strip.sub("", first)


def test_empty_form_fields_redirect_to_a_clean_permalink(app, survey):
    """An unfilled form (empty parameters) redirects to the query string without them."""
    response = app.get("/contaminants?substance_code=&food_group_code=&survey_year=2019",
                       follow_redirects=False)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/contaminants?survey_year=2019")


def test_paging_and_sorting_links(app, survey):
    """Page 2 starts after page 1; column headings link to sorting by that column."""
    body = app.get("/contaminants?sort=value+desc&page=2", status=200).body
    assert "2 / {}".format(-(-len(survey["rows"]) // 50)) in body
    assert 'rel="prev" href="?sort=value+desc&amp;page=1"' in body
    assert 'href="?sort=value+asc"' in body  # the sorted column toggles its direction


def test_csv_download_has_exactly_the_filtered_rows(app, survey):
    """"Download these rows" gives the filtered rows in the page's order, every column."""
    expected = [r for r in survey["rows"] if r["substance_code"] == "HMT02"
                and r["producer_country"] == "KR"]
    response = app.get("/contaminants/download.csv?substance_code=HMT02&producer_country=KR"
                       "&sort=sample_id", status=200)
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == len(expected) > 0
    assert [r["sample_id"] for r in rows] == [r["sample_id"] for r in expected]
    for got, want in zip(rows, expected, strict=True):
        assert got == {k: "" if v is None else str(v) for k, v in want.items()}


def test_csv_download_neutralises_formulas_and_keeps_numbers(app, survey):
    """A text cell a spreadsheet would run as a formula gets a leading apostrophe (as the
    report export does); numbers, also negative ones, stay numbers."""
    from ckan.tests import helpers

    row = dict(survey["rows"][0], sample_id='=HYPERLINK("http://evil.example")',
               substance_code="HMT02", producer_country="KR")
    helpers.call_action("datastore_upsert", context={"user": survey["user"]["name"]},
                        resource_id=survey["resource_id"], records=[row], method="insert",
                        force=True)
    response = app.get("/contaminants/download.csv?substance_code=HMT02&producer_country=KR")
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    cells = [r["sample_id"] for r in rows]
    assert "'=HYPERLINK(\"http://evil.example\")" in cells
    assert not any(c.startswith("=") for c in cells)
    assert all(not r["value"].startswith("'") for r in rows)


@pytest.mark.ckan_config("ckanext.koreanap.contaminants.csv_max_rows", "10")
def test_csv_download_of_too_many_rows_points_to_the_whole_table(app, survey):
    """More rows than csv_max_rows is a 400 naming the limit and the DataStore dump link."""
    response = app.get("/contaminants/download.csv", status=400)
    text = response.get_data(as_text=True)
    assert "10개를 넘습니다" in text
    assert "/datastore/dump/" + survey["resource_id"] in text


@pytest.mark.parametrize("query, field", [
    ("survey_year=1800", "survey_year"),
    ("page=0", "page"),
    ("page=-3", "page"),
    ("colour=red", "colour"),
    ("sort=value%3B+DROP+TABLE+package", "sort"),
    ("substance_code=%27+OR+1%3D1", "substance_code"),
])
def test_bad_input_on_the_page_is_400_naming_the_field(app, survey, query, field):
    """Bad page parameters re-show the page with status 400 and the field's message."""
    body = app.get("/contaminants?" + query, status=400).body
    assert "검색 조건이 잘못되었습니다" in body
    assert "<strong>{}</strong>".format(field) in body
    assert "Traceback" not in body


def test_bad_input_on_the_csv_download_is_400(app, survey):
    """The CSV download refuses bad parameters with a plain-text 400 naming the field."""
    response = app.get("/contaminants/download.csv?limit=5&survey_year=1800", status=400)
    text = response.get_data(as_text=True)
    assert "limit: " in text and "survey_year: " in text


@pytest.mark.usefixtures("clean_db")
def test_page_without_published_data_says_so(app):
    """Before the survey table is published, the page explains instead of failing."""
    body = app.get("/contaminants", status=200).body
    assert "오염도 조사 결과가 아직 DataStore에 없습니다" in body


def test_page_with_one_bad_parameter_runs_no_query(app, survey, monkeypatch):
    """A good filter next to a bad one is not searched: no DataStore query runs at all."""
    from ckanext.koreanap.contaminants import tables

    called = []
    monkeypatch.setattr(tables, "read_engine", lambda: called.append(1))
    body = app.get("/contaminants?survey_year=2019&colour=red&limit=5", status=400).body
    assert "<strong>colour</strong>" in body and "<strong>limit</strong>" in body
    app.get("/contaminants/download.csv?survey_year=2019&colour=red", status=400)
    assert called == []


def _select(body: str, name: str) -> str:
    match = re.search(r'<select [^>]*id="f-{0}" name="{0}"[^>]*>(.*?)</select>'.format(name),
                      body, re.S)
    assert match, "no select f-" + name
    return match.group(0)


def test_every_filter_is_a_multiple_choice_list(app, survey):
    """Each filter is a <select multiple> with its f-<name> id and name, and no "All" choice."""
    body = app.get("/contaminants", status=200).body
    for name in ("substance_group", "substance_code", "food_group_code", "food_item_code",
                 "producer_country", "production_region_code", "collection_region_code",
                 "collection_place_code", "survey_year"):
        select = _select(body, name)
        assert " multiple" in select.split(">", 1)[0], name
        assert '<option value="">' not in select, name


def test_several_values_of_filters_narrow_the_page_and_stay_chosen(app, survey):
    """Two substances and two years give the rows of either; all four stay selected."""
    want = [r for r in survey["rows"] if r["substance_code"] in ("HMT01", "HMT02")
            and r["survey_year"] in (2018, 2019)]
    assert 0 < len(want) < len(survey["rows"])
    query = ("substance_code=HMT01&substance_code=HMT02&survey_year=2018&survey_year=2019"
             "&sort=sample_id")
    body = app.get("/contaminants?" + query, status=200).body
    assert _total(body) == len(want)
    codes = _select(body, "substance_code")
    assert '<option value="HMT01" selected>' in codes
    assert '<option value="HMT02" selected>' in codes
    assert codes.count(" selected>") == 2
    years = _select(body, "survey_year")
    assert '<option value="2018" selected>' in years and '<option value="2019" selected>' in years
    assert years.count(" selected>") == 2


def test_permalink_and_csv_carry_every_chosen_value(app, survey):
    """The permalink and "download these rows" repeat each chosen value; the CSV has their rows."""
    want = [r for r in survey["rows"] if r["substance_code"] in ("HMT01", "HMT02")
            and r["producer_country"] in ("KR", "CN")]
    query = ("substance_code=HMT01&substance_code=HMT02&producer_country=KR"
             "&producer_country=CN&sort=sample_id")
    body = app.get("/contaminants?" + query, status=200).body
    link = _permalink(body)
    assert link.endswith("/contaminants?" + query)
    parts = urlsplit(link)
    assert _total(app.get(parts.path + "?" + parts.query, status=200).body) == len(want)
    match = re.search(r'class="btn btn-sm btn-primary koreanap-download-csv" href="([^"]*)"', body)
    href = html.unescape(match.group(1))
    assert href == "/contaminants/download.csv?" + query
    rows = list(csv.DictReader(io.StringIO(app.get(href, status=200).get_data(as_text=True))))
    assert [r["sample_id"] for r in rows] == sorted(r["sample_id"] for r in want)
    assert {r["substance_code"] for r in rows} == {"HMT01", "HMT02"}


def test_page_is_korean_by_default_and_english_under_en(app, survey):
    """The quick search is all Korean at /contaminants and all English at /en/contaminants."""
    korean = app.get("/contaminants?substance_group=HMT&page=1", status=200).body
    english = app.get("/en/contaminants?substance_group=HMT&page=1", status=200).body
    assert '<html lang="ko_KR"' in korean or '<html lang="ko-KR"' in korean
    assert '<html lang="en"' in english
    pairs = [  # (Korean, English) of headings, labels, buttons and option names
        (">유해물질 빠른 검색</h1>", ">Contaminant quick search</h1>"),
        ('for="f-substance_group">물질군</label>',
         'for="f-substance_group">Substance group</label>'),
        ('for="f-food_group_code">식품군</label>', 'for="f-food_group_code">Food group</label>'),
        (">기준 초과만</label>", ">Over the maximum level only</label>"),
        ('type="submit">검색</button>', 'type="submit">Search</button>'),
        (">요약</h2>", ">Summary</h2>"),
        ("<th>중앙값</th>", "<th>Median</th>"),
        (">이 행들 내려받기 (CSV)</a>", ">Download these rows (CSV)</a>"),
        (">시료번호</a>", ">Sample</a>"),
        (">HMT02 카드뮴</option>", ">HMT02 Cadmium</option>"),
        ('<option value="HMT" selected>중금속</option>',
         '<option value="HMT" selected>Heavy metals</option>'),
        ('data-label-results="검출 결과 수"', 'data-label-results="Detected results"'),
    ]
    for ko, en in pairs:
        assert ko in korean and en not in korean, ko
        assert en in english and ko not in english, en
    # No inline "한국어 / English" pairs left in the page's own content (the
    # footer's site title is configuration).
    for body in (korean, english):
        main = body.split('class="page-heading"', 1)[1].split("<footer", 1)[0]
        assert not re.search(r"[가-힣][^<>]* / [A-Za-z]", main), re.search(
            r"[^<>]{0,40}[가-힣][^<>]* / [A-Za-z][^<>]{0,40}", main).group(0)


def test_errors_and_csv_messages_follow_the_language(app, survey):
    """Page errors and the CSV download's refusal are in the language of the page's URL."""
    body = app.get("/en/contaminants?colour=red", status=400).body
    assert "The search has invalid parameters:" in body and "Unknown parameter" in body
    assert "검색 조건이 잘못되었습니다" not in body
    text = app.get("/en/contaminants/download.csv?limit=5", status=400).get_data(as_text=True)
    assert "Unknown parameter" in text and "알 수 없는" not in text


def test_page_and_api_take_the_same_comma_separated_codes(app, survey):
    """`substance_code=HMT01,HMT02` (what the API takes) gives the page and the CSV the
    same rows as repeating the parameter, and both codes stay chosen."""
    want = [r for r in survey["rows"] if r["substance_code"] in ("HMT01", "HMT02")]
    body = app.get("/contaminants?substance_code=HMT01,HMT02&survey_year=2018,2019",
                   status=200).body
    repeated = app.get("/contaminants?substance_code=HMT01&substance_code=HMT02"
                       "&survey_year=2018&survey_year=2019", status=200).body
    assert _total(body) == _total(repeated) == len(
        [r for r in want if r["survey_year"] in (2018, 2019)])
    assert _select(body, "substance_code").count(" selected>") == 2
    api = app.get("/api/3/action/koreanap_contaminant_search",
                  query_string={"substance_code": "HMT01,HMT02", "survey_year": "2018,2019",
                                "limit": 0}, status=200).json["result"]
    assert api["total"] == _total(body)
    csv_text = app.get("/contaminants/download.csv?substance_code=HMT01,HMT02",
                       status=200).get_data(as_text=True)
    assert len(list(csv.DictReader(io.StringIO(csv_text)))) == len(want)


def test_page_and_csv_say_the_rows_are_a_generated_sample(app, survey):
    """The page shows the sample banner and an unverified-limit count; the CSV says it in a
    header beside the file, never inside it."""
    from ckan.tests import helpers

    # scheming keeps its fields as extras; these tests load no scheming, so the extra
    helpers.call_action("package_patch", context={"user": survey["user"]["name"]},
                        id=survey["dataset"]["id"],
                        extras=[{"key": "data_status", "value": "sample"}])
    body = app.get("/contaminants", status=200).body
    banner = re.search(r'<div class="alert alert-warning koreanap-data-status"[^>]*'
                       r'data-koreanap-data-status="sample"', body)
    assert banner, "no sample banner"
    assert 'koreanap-over-unverified' in body and 'koreanap-download-status' in body
    response = app.get("/contaminants/download.csv?substance_group=HMT", status=200)
    assert response.headers["X-Koreanap-Data-Status"] == "sample"
    first = response.body.splitlines()[0]
    assert first.startswith("sample_id,") and "sample" not in response.body.split("\n", 1)[0][9:]
