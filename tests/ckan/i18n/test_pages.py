"""Pages are in Korean by default and in English under /en/, one language at a time."""
import pytest
from bs4 import BeautifulSoup
from ckan.tests import factories, helpers

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")


def _dataset(**fields):
    """A dataset; title_en/notes_en as schema fields, or as extras without the scheming schema."""
    english = {k: fields.pop(k) for k in ("title_en", "notes_en") if k in fields}
    org = factories.Organization(title="식품의약품안전처")
    pkg = factories.Dataset(owner_org=org["id"], **fields, **english)
    if any(k not in pkg for k in english):
        pkg = helpers.call_action("package_patch", id=pkg["id"], extras=[
            {"key": k, "value": v} for k, v in english.items()])
    return pkg


def test_korean_is_the_default_language(app):
    """Without a language prefix the tracker is Korean, with none of the same labels in English."""
    body = app.get("/commitments", status=200).body
    assert '<html lang="ko_KR"' in body or '<html lang="ko-KR"' in body
    assert ">주관 기관</label>" in body and ">이행 일정</th>" in body
    assert "Lead agency" not in body and ">Milestones<" not in body


def test_english_under_the_en_prefix(app):
    """/en/commitments shows the same page in English and none of its Korean labels."""
    body = app.get("/en/commitments", status=200).body
    assert '<html lang="en"' in body
    assert ">Lead agency</label>" in body and ">Milestones</th>" in body
    assert "주관 기관" not in body and "이행 일정" not in body


def test_links_keep_the_chosen_language(app):
    """Links on an English page stay English (/en/...), on a Korean page unprefixed."""
    english = app.get("/en/commitments", status=200).body
    assert 'href="/en/commitments/nap4-01"' in english
    korean = app.get("/commitments", status=200).body
    assert 'href="/commitments/nap4-01"' in korean


@pytest.mark.parametrize("path", ["/", "/commitments", "/commitments/nap4-01", "/dataset/",
                                  "/organization/", "/dataset/rice/report-error"])
def test_every_page_has_the_language_switcher(app, path):
    """Each page links to itself in the other language, named in that language."""
    _dataset(name="rice", title="쌀 중 카드뮴")
    korean = app.get(path, status=200).body
    switch = korean.split('class="koreanap-lang-switch', 1)[1].split("</nav>", 1)[0]
    target = "/en" + (path if path != "/" else "/")
    assert f'href="{target}"' in switch and ">English</a>" in switch
    assert ">한국어</strong>" in switch  # the current language, not a link
    english = app.get("/en" + path, status=200).body
    switch = english.split('class="koreanap-lang-switch', 1)[1].split("</nav>", 1)[0]
    assert f'href="{path}"' in switch and ">한국어</a>" in switch
    assert ">English</strong>" in switch


def test_switching_changes_the_page_language(app):
    """Following the switcher's link from a Korean page gives the English page, and back."""
    korean = app.get("/commitments/nap4-01", status=200).body
    assert "이행 일정" in korean
    english = app.get("/en/commitments/nap4-01", status=200).body
    assert ">Milestones</h2>" in english and "이행 일정" not in english
    back = english.split('class="koreanap-lang-switch', 1)[1].split('hreflang="ko-KR"', 1)[1]
    href = back.split('href="', 1)[1].split('"', 1)[0]
    assert href == "/commitments/nap4-01"
    assert "이행 일정" in app.get(href, status=200).body


def test_home_page_in_one_language(app):
    """The home page introduces the plan in Korean by default and in English under /en/."""
    korean = app.get("/", status=200).body
    assert "제4차 열린정부 국가실행계획 공공데이터" in korean
    assert "식품의약품안전처" in korean and "Ministry of Food and Drug Safety" not in korean
    assert "Open Government Partnership National Action Plan" not in korean
    english = app.get("/en/", status=200).body
    assert "4th Open Government Partnership National Action Plan (2018–2020)" in english
    assert "Ministry of Food and Drug Safety" in english and "식품의약품안전처" not in english


def test_python_messages_follow_the_language(app):
    """An error message raised in Python (tk._) is Korean by default and English under /en/."""
    korean = app.get("/commitments", params={"agency": "nowhere"}, status=400).body
    assert "목록에서 고르세요" in korean and "choose one from the list" not in korean
    english = app.get("/en/commitments", params={"agency": "nowhere"}, status=400).body
    assert "choose one from the list" in english


def test_error_report_form_in_each_language(app):
    """The error-report form's labels and button follow the page language."""
    _dataset(name="rice", title="쌀 중 카드뮴")
    korean = app.get("/dataset/rice/report-error", status=200).body
    assert "신고하기" in korean and "Send report" not in korean
    assert "잘못된 값" in korean and "Wrong value" not in korean
    english = app.get("/en/dataset/rice/report-error", status=200).body
    assert "Send report" in english and "신고하기" not in english
    assert "Wrong value" in english


def test_bilingual_title_in_the_chosen_language(app):
    """A dataset with both titles shows the Korean one in Korean and the English one in English."""
    _dataset(name="rice", title="쌀 중 카드뮴", title_en="Cadmium in rice")
    korean = app.get("/dataset/rice/report-error", status=200).body
    assert "<strong>쌀 중 카드뮴</strong>" in korean
    english = app.get("/en/dataset/rice/report-error", status=200).body
    assert "<strong>Cadmium in rice</strong>" in english


def test_dataset_without_korean_falls_back_to_english(app):
    """A dataset with no Korean title shows its English title on a Korean page, without error."""
    _dataset(name="imported-rice", title="", title_en="Cadmium in imported rice")
    korean = app.get("/dataset/imported-rice/report-error", status=200).body
    assert "<strong>Cadmium in imported rice</strong>" in korean
    assert "신고하기" in korean  # the page itself is still Korean


def test_dataset_without_english_falls_back_to_korean(app):
    """A dataset with only a Korean title shows it on an English page."""
    _dataset(name="rice", title="쌀 중 카드뮴")
    english = app.get("/en/dataset/rice/report-error", status=200).body
    assert "<strong>쌀 중 카드뮴</strong>" in english


def test_search_results_show_the_chosen_language(app):
    """The dataset list shows each dataset's title and description in the page's language."""
    _dataset(name="rice", title="쌀 중 카드뮴", title_en="Cadmium in rice",
             notes="쌀의 카드뮴 검출량", notes_en="Cadmium detected in rice")
    _dataset(name="imported-rice", title="", title_en="Cadmium in imported rice",
             notes="", notes_en="Imported rice samples")
    korean = app.get("/dataset/", status=200).body
    assert "쌀 중 카드뮴" in korean and "쌀의 카드뮴 검출량" in korean
    assert "Cadmium in rice" not in korean
    assert "Cadmium in imported rice" in korean and "Imported rice samples" in korean
    english = app.get("/en/dataset/", status=200).body
    assert "Cadmium in rice" in english and "Cadmium detected in rice" in english
    assert "쌀 중 카드뮴" not in english


def _dataset_page(app, url):
    """The texts that name a dataset on its page: h1, <title>, breadcrumb, sidebar, description,
    og: tags (the additional-information table lists both languages' fields on purpose)."""
    page = BeautifulSoup(app.get(url, status=200).body, "html.parser")
    notes = page.select_one(".notes")
    return {
        "h1": page.select_one("article h1, .module-content h1").get_text(" ", strip=True),
        "title": page.title.get_text(strip=True),
        "breadcrumb": page.select_one("ol.breadcrumb").get_text(" ", strip=True),
        "sidebar": page.select_one("#package-info h2.heading").get_text(strip=True),
        "notes": notes.get_text(" ", strip=True) if notes else "",
        "og": " ".join(page.find("meta", property=f"og:{name}")["content"]
                       for name in ("title", "description")),
    }


def test_dataset_page_in_the_chosen_language(app):
    """A dataset page names and describes it in Korean at /dataset/, in English at /en/dataset/."""
    _dataset(name="rice", title="쌀 중 카드뮴", title_en="Cadmium in rice",
             notes="쌀의 카드뮴 검출량", notes_en="Cadmium detected in rice")
    korean = _dataset_page(app, "/dataset/rice")
    for part in ("h1", "title", "breadcrumb", "sidebar"):
        assert "쌀 중 카드뮴" in korean[part], (part, korean[part])
    assert korean["notes"] == "쌀의 카드뮴 검출량"
    assert "쌀 중 카드뮴" in korean["og"] and "쌀의 카드뮴 검출량" in korean["og"]
    assert not any("Cadmium" in text for text in korean.values()), korean
    english = _dataset_page(app, "/en/dataset/rice")
    for part in ("h1", "title", "breadcrumb", "sidebar"):
        assert "Cadmium in rice" in english[part], (part, english[part])
    assert english["notes"] == "Cadmium detected in rice"
    assert "Cadmium in rice" in english["og"] and "Cadmium detected in rice" in english["og"]
    assert not any("카드뮴" in text for text in english.values()), english


def test_dataset_page_without_english_falls_back_to_korean(app):
    """A dataset with only Korean text shows that text on its English page, without error."""
    _dataset(name="rice", title="쌀 중 카드뮴", notes="쌀의 카드뮴 검출량")
    english = _dataset_page(app, "/en/dataset/rice")
    for part in ("h1", "title", "breadcrumb", "sidebar"):
        assert "쌀 중 카드뮴" in english[part], (part, english[part])
    assert english["notes"] == "쌀의 카드뮴 검출량"


def test_dataset_page_without_korean_falls_back_to_english(app):
    """A dataset with only English text shows that text on its Korean page."""
    _dataset(name="imported-rice", title="", title_en="Cadmium in imported rice",
             notes="", notes_en="Imported rice samples")
    korean = _dataset_page(app, "/dataset/imported-rice")
    for part in ("h1", "title", "breadcrumb", "sidebar"):
        assert "Cadmium in imported rice" in korean[part], (part, korean[part])
    assert korean["notes"] == "Imported rice samples"


def test_resource_page_names_the_dataset_in_the_chosen_language(app):
    """A resource page's <title> and breadcrumb name its dataset in the page's language."""
    pkg = _dataset(name="rice", title="쌀 중 카드뮴", title_en="Cadmium in rice",
                   notes="쌀의 카드뮴 검출량", notes_en="Cadmium detected in rice")
    res = factories.Resource(package_id=pkg["id"], name="results.csv", description="",
                             url="http://example.invalid/results.csv")
    for prefix, shown, hidden in (("", "쌀 중 카드뮴", "Cadmium in rice"),
                                  ("/en", "Cadmium in rice", "쌀 중 카드뮴")):
        body = app.get(f"{prefix}/dataset/rice/resource/{res['id']}", status=200).body
        page = BeautifulSoup(body, "html.parser")
        assert shown in page.title.get_text() and "results.csv" in page.title.get_text()
        assert shown in page.select_one("ol.breadcrumb").get_text()
        assert hidden not in body


def test_browser_messages_are_translated(app, ckan_config, monkeypatch, tmp_path):
    """The 3D view's JavaScript messages reach the browser in Korean (/api/i18n/ko_KR)."""
    from ckan.lib.i18n import build_js_translations

    monkeypatch.setitem(ckan_config, "ckan.storage_path", str(tmp_path))
    build_js_translations()  # what `ckan run` and `ckan translation js` do
    korean = app.get("/api/i18n/ko_KR", status=200).json
    assert korean["It is too large to show in the browser."][1] == (
        "브라우저에서 보여 주기에는 너무 큽니다.")
