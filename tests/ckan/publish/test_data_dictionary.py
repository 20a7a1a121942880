"""The DataStore data dictionary (``info`` label and notes) is filled from the Table
Schema when a table is loaded, kept up to date on a republish, and the table preview
and the resource page show the column names in the page's language."""
import json

import pytest
from bs4 import BeautifulSoup
from ckan.tests.helpers import call_action

from .conftest import PACKAGES

pytestmark = pytest.mark.usefixtures("clean_publish")

PACKAGE = "ogp-nap4-commitments"


def _schema(folder, resource):
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    return next(r["schema"] for r in descriptor["resources"] if r["name"] == resource)


def _resource(name):
    dataset = call_action("package_show", id=PACKAGE)
    return next(r for r in dataset["resources"] if r["datapackage_name"] == name)


def _info(resource_id):
    fields = call_action("datastore_info", id=resource_id)["fields"]
    return {f["id"]: f.get("info") for f in fields}


def test_datastore_info_carries_the_schema_titles_and_descriptions(sysadmin, publish):
    """After publishing, datastore_info gives each column the package's Korean title as
    label, its English title as label_en, and both descriptions as notes / notes_en."""
    publish(PACKAGES / PACKAGE, sysadmin["name"])
    for name in ("commitments", "milestones"):
        info = _info(_resource(name)["id"])
        schema = _schema(PACKAGES / PACKAGE, name)
        assert list(info) == [f["name"] for f in schema["fields"]]
        for field in schema["fields"]:
            assert info[field["name"]] == {
                "label": field["title"], "label_en": field["koreanap:title_en"],
                "notes": field["koreanap:description_ko"], "notes_en": field["description"],
            }, field["name"]
    assert _info(_resource("commitments")["id"])["lead_agency"]["label"] == "주관 기관"


def test_republishing_the_same_file_updates_the_dictionary(sysadmin, publish,
                                                           package_copy):
    """A new title for a column reaches datastore_info on the next publish, although the
    file (and so its rows) did not change and is not loaded again."""
    publish(PACKAGES / PACKAGE, sysadmin["name"])
    folder = package_copy(PACKAGE)
    path = folder / "datapackage.json"
    text = path.read_text(encoding="utf-8")
    assert text.count('"title": "주관 기관"') == 1
    path.write_text(text.replace('"title": "주관 기관"', '"title": "주관 기관명"'),
                    encoding="utf-8")
    resource_id = _resource("commitments")["id"]
    rows_before = call_action("datastore_search", resource_id=resource_id, limit=0)["total"]
    publish(folder, sysadmin["name"])
    assert _info(resource_id)["lead_agency"]["label"] == "주관 기관명"
    assert call_action("datastore_search", resource_id=resource_id,
                       limit=0)["total"] == rows_before


def _header_labels(body):
    soup = BeautifulSoup(body, "html.parser")
    return [th.get_text(" ", strip=True).replace("\xa0", " ").strip()
            for th in soup.select("#dtprv thead tr:first-child th[scope=col]")]


def test_table_preview_heads_columns_in_the_page_language(app, sysadmin, publish):
    """The table preview's column heads are the Korean titles on a Korean page and the
    English titles on an English one (the dictionary's label / label_en)."""
    publish(PACKAGES / PACKAGE, sysadmin["name"])
    resource = _resource("commitments")
    (view,) = call_action("resource_view_list", id=resource["id"])
    url = f"/dataset/{PACKAGE}/resource/{resource['id']}/view/{view['id']}"
    schema = _schema(PACKAGES / PACKAGE, "commitments")
    assert _header_labels(app.get(url).body) == [f["title"] for f in schema["fields"]]
    assert _header_labels(app.get("/en" + url).body) == [
        f["koreanap:title_en"] for f in schema["fields"]]


def _dictionary_text(body):
    """The text of the resource page's data dictionary (CKAN's accordion of columns)."""
    (accordion,) = BeautifulSoup(body, "html.parser").select(".module-content .accordion")
    return accordion.get_text(" ")


def test_resource_page_data_dictionary_is_in_the_page_language(app, sysadmin, publish):
    """The resource page's data dictionary shows the Korean label and notes on a Korean
    page, the English ones on an English page."""
    publish(PACKAGES / PACKAGE, sysadmin["name"])
    resource = _resource("milestones")
    url = f"/dataset/{PACKAGE}/resource/{resource['id']}"
    korean, english = (_dictionary_text(app.get(prefix + url).body) for prefix in ("", "/en"))
    korean_notes, english_notes = "줄바꿈과 칸 나눔은 공백 하나로", "line breaks and column breaks"
    assert "이행 일정 활동" in korean and korean_notes in korean
    assert english_notes not in korean
    assert "Activity" in english and english_notes in english
    assert "이행 일정 활동" not in english and korean_notes not in english


def _quick_search_heads(body):
    soup = BeautifulSoup(body, "html.parser")
    return [th.a.get_text(strip=True)
            for th in soup.select("table.koreanap-contaminants-rows thead th")]


def test_quick_search_heads_columns_with_the_survey_table_titles(app, sysadmin, publish):
    """/contaminants heads its rows with the published survey table's column titles:
    Korean on the Korean page, English under /en."""
    publish(PACKAGES / "food-contaminants", sysadmin["name"])
    fields = _schema(PACKAGES / "food-contaminants", "survey_results")["fields"]
    korean = _quick_search_heads(app.get("/contaminants?page=1", status=200).body)
    english = _quick_search_heads(app.get("/en/contaminants?page=1", status=200).body)
    assert korean == [f["title"] for f in fields]
    assert english == [f["koreanap:title_en"] for f in fields]


def _dataset_dictionary(body):
    """{table summary: [(column label, column id, notes)]} of the dataset page's
    data dictionary section."""
    soup = BeautifulSoup(body, "html.parser")
    tables = {}
    for details in soup.select("#koreanap-data-dictionary details.koreanap-schema-columns"):
        rows = [(tr.th.get_text(strip=True), tr.code.get_text(strip=True),
                 tr.select_one(".koreanap-column-notes").get_text(strip=True))
                for tr in details.select("tbody tr")]
        tables[details.summary.contents[0].strip()] = rows
    return tables


def test_dataset_page_lists_every_column_in_the_page_language(app, sysadmin, publish):
    """The dataset (data package) page has a data dictionary of each table: Korean
    titles and descriptions on the Korean page, English ones under /en."""
    publish(PACKAGES / PACKAGE, sysadmin["name"])
    korean = _dataset_dictionary(app.get(f"/dataset/{PACKAGE}").body)
    english = _dataset_dictionary(app.get(f"/en/dataset/{PACKAGE}").body)
    assert len(korean) == len(english) == 2
    fields = _schema(PACKAGES / PACKAGE, "milestones")["fields"]
    (ko_rows,) = [rows for rows in korean.values() if len(rows) == len(fields)]
    (en_rows,) = [rows for rows in english.values() if len(rows) == len(fields)]
    assert ko_rows == [(f["title"], f["name"], f["koreanap:description_ko"]) for f in fields]
    assert en_rows == [(f["koreanap:title_en"], f["name"], f["description"]) for f in fields]


def test_dataset_page_shows_an_untitled_column_by_its_id(app, sysadmin, publish,
                                                         package_copy):
    """A column whose schema has no title is listed under its id, marked as untitled."""
    folder = package_copy(PACKAGE)
    path = folder / "datapackage.json"
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    field = descriptor["resources"][0]["schema"]["fields"][2]
    for key in ("title", "koreanap:title_en"):
        del field[key]
    path.write_text(json.dumps(descriptor, ensure_ascii=False), encoding="utf-8")
    publish(folder, sysadmin["name"])
    soup = BeautifulSoup(app.get(f"/dataset/{PACKAGE}").body, "html.parser")
    heads = soup.select("#koreanap-data-dictionary th.koreanap-column-label")
    untitled = [th for th in heads if th.span is not None]
    assert [th.get_text(strip=True) for th in untitled] == [field["name"]]


def _form_fields(body):
    """name -> value of every input, textarea and select of the dictionary form."""
    (form,) = [f for f in BeautifulSoup(body, "html.parser").select("form")
               if f.select_one('[name^="info__"]')]
    values = {}
    for tag in form.select("input[name], textarea[name], select[name]"):
        if tag.name == "textarea":
            values[tag["name"]] = tag.get_text()
        elif tag.name == "select":
            chosen = tag.select_one("option[selected]")
            values[tag["name"]] = chosen["value"] if chosen else ""
        else:
            values[tag["name"]] = tag.get("value", "")
    return values


def test_dictionary_form_save_keeps_the_english_pair(app, sysadmin, publish):
    """CKAN's data dictionary form edits the Korean label and notes; saving it keeps
    label_en and notes_en (stored as the column's plugin data, not in info)."""
    import re

    from ckan.tests import factories

    publish(PACKAGES / PACKAGE, sysadmin["name"])
    resource = _resource("commitments")
    editor = factories.Sysadmin(password="dictionary-1234")
    login = app.get("/user/login", status=200).body
    token = re.search(r'name="_csrf_token" value="([^"]+)"', login).group(1)
    app.post("/user/login", data={"_csrf_token": token, "login": editor["name"],
                                  "password": "dictionary-1234"})
    url = f"/dataset/{PACKAGE}/dictionary/{resource['id']}"
    values = _form_fields(app.get(url, status=200).body)
    first = _schema(PACKAGES / PACKAGE, "commitments")["fields"][0]
    assert values["info__1__label"] == first["title"]
    values["info__1__label"] = "과제 식별자"
    saved = app.post(url, data=values, follow_redirects=False)
    assert saved.status_code in (302, 303), saved.status_code
    info = _info(resource["id"])[first["name"]]
    assert info == {"label": "과제 식별자", "label_en": first["koreanap:title_en"],
                    "notes": first["koreanap:description_ko"],
                    "notes_en": first["description"], "type_override": ""}
