"""What datasets contain is searchable (issue 16 item 1): Table Schema field
titles and descriptions, and the distinct short values of DataStore tables."""

import pytest
from ckan.tests.helpers import call_action

from .test_judged_queries import PACKAGE_NAMES, PACKAGES

# The issue's first paragraph: queries a new user typed that found nothing.
FIRST_PARAGRAPH = [
    ("카드뮴", "food-contaminants"),
    ("납", "food-contaminants"),
    ("수은", "food-contaminants"),
    ("아플라톡신", "food-contaminants"),
    ("벤조피렌", "food-contaminants"),
    ("멜라민", "food-contaminants"),
    ("쌀 카드뮴", "food-contaminants"),
    ("다보탑", "cultural-heritage-3d"),
    ("석가탑", "cultural-heritage-3d"),
    ("남대문", "cultural-heritage-3d"),
    ("공연장", "ogp-nap4-commitments"),
    ("관세", "ogp-nap4-commitments"),
]


def test_first_paragraph_queries_find_the_right_dataset_first(sysadmin, publish):
    """Every query of the issue's first paragraph ranks its dataset first among
    the four published packages."""
    for name in PACKAGE_NAMES:
        result, lines = publish(PACKAGES / name, sysadmin["name"])
        assert result.dataset, lines
    wrong = []
    for query, expected in FIRST_PARAGRAPH:
        found = [r["name"] for r in call_action("package_search", q=query, rows=3)["results"]]
        if not found or found[0] != expected:
            wrong.append("{} -> {} (want {})".format(query, found, expected))
    assert not wrong, "\n".join(wrong)


def _dataset_with_table(owner, title, records, fields=None, schema=None):
    """A dataset whose one resource has a DataStore table of ``records``."""
    from ckan.tests import factories

    resource = {"url": "http://example.org/t.csv", "format": "CSV", "name": "유해물질 표"}
    if schema is not None:
        resource["schema"] = schema
    dataset = factories.Dataset(title=title, owner_org=owner["id"], resources=[resource])
    resource_id = dataset["resources"][0]["id"]
    call_action("datastore_create", context={"user": owner["user"]},
                resource_id=resource_id, force=True,
                fields=fields or [{"id": k, "type": "text"} for k in records[0]],
                records=records)
    return dataset, resource_id


def _names(q):
    return [r["name"] for r in call_action("package_search", q=q, rows=10)["results"]]


@pytest.fixture
def org(sysadmin):
    from ckan.tests import factories

    organization = factories.Organization(
        users=[{"name": sysadmin["name"], "capacity": "admin"}])
    return dict(organization, user=sysadmin["name"])


@pytest.mark.ckan_config("ckanext.koreanap.search.content_column_values", "3")
@pytest.mark.ckan_config("ckanext.koreanap.search.content_value_length", "20")
def test_short_distinct_values_are_indexed_within_the_bounds(org):
    """Short values of a label column are found; a column with more distinct
    values than the bound, and values longer than the length bound, are not."""
    records = [{"substance": s, "sample": "S-%04d" % i,
                "remark": "특이사항 없음 아주 길게 적은 비고 문장입니다 벤조피렌"}
               for i, s in enumerate(["카드뮴", "납", "멜라민", "카드뮴"])]
    dataset, _ = _dataset_with_table(org, "Survey A", records)
    assert _names("멜라민") == [dataset["name"]]
    assert _names("S-0002") == []  # 4 distinct samples > bound 3: left out
    assert _names("벤조피렌") == []  # the remark is longer than 20 characters


def test_schema_field_titles_and_descriptions_are_indexed(org):
    """A field's title and description in the resource's Table Schema find the dataset."""
    schema = {"fields": [{"name": "value", "type": "number", "title": "검출량",
                          "description": "Detected amount per kilogram"}]}
    from ckan.tests import factories

    dataset = factories.Dataset(title="Survey B", owner_org=org["id"], resources=[
        {"url": "http://example.org/b.csv", "format": "CSV", "schema": schema}])
    assert _names("검출량") == [dataset["name"]]
    assert _names("kilogram") == [dataset["name"]]


def test_a_datastore_write_reindexes_the_dataset(org):
    """Rows upserted into a dataset's table are searchable at once; deleted ones are not."""
    dataset, resource_id = _dataset_with_table(org, "Survey C", [{"item": "쌀"}])
    assert _names("아플라톡신") == []
    call_action("datastore_upsert", context={"user": org["user"]}, resource_id=resource_id,
                method="insert", force=True,
                records=[{"item": "아플라톡신"}])
    assert _names("아플라톡신") == [dataset["name"]]
    call_action("datastore_delete", context={"user": org["user"]}, resource_id=resource_id,
                force=True,
                filters={"item": "아플라톡신"})
    assert _names("아플라톡신") == []


def test_content_ranks_below_the_title(org):
    """A dataset titled with the word ranks above one that only contains it."""
    from ckan.tests import factories

    contains, _ = _dataset_with_table(org, "Survey D", [{"substance": "수은"}])
    titled = factories.Dataset(title="수은 조사", owner_org=org["id"])
    assert _names("수은") == [titled["name"], contains["name"]]


def test_a_label_late_in_a_large_table_outranks_a_sentence_that_mentions_it(org):
    """A table that names the substance twice ranks above a dataset whose one
    sentence mentions it once, however many labels come before it.

    PostgreSQL keeps word positions up to 16,383 only; with the table's name
    indexed again before each of its values, a table this size used them all
    up, its later labels shared the last position, and the two syllable
    pairs of 멜라민 no longer scored as neighbours."""
    columns = ["c%d" % i for i in range(6)]
    records = [{c: "품목 %s%03d" % (c, i) for c in columns} for i in range(250)]
    records[-1]["c4"], records[-1]["c5"] = "멜라민 분석법", "멜라민"
    table, _ = _dataset_with_table(org, "Survey F", records)
    sentence, _ = _dataset_with_table(
        org, "Survey G", [{"activity": "3-MCPD 및 멜라민 오염도 공개 (빠른 검색, 연구 자료)"}])
    assert _names("멜라민") == [table["name"], sentence["name"]]


@pytest.mark.ckan_config("ckanext.koreanap.search.content", "false")
def test_content_indexing_can_be_switched_off(org):
    """With the option off, only the metadata is indexed."""
    _dataset_with_table(org, "Survey E", [{"substance": "멜라민"}])
    assert _names("멜라민") == []


def test_the_dataset_list_says_which_content_matched(app, org):
    """/dataset?q=멜라민 names the table and the value that matched; a title
    match shows no such line."""
    from ckan.tests import factories

    dataset, _ = _dataset_with_table(org, "Survey F", [{"substance": "멜라민"}])
    factories.Dataset(title="멜라민 기준", owner_org=org["id"])
    page = app.get("/dataset/?q=멜라민").body
    assert page.count("data-koreanap-content-matches") == 1
    block = page.split("data-koreanap-content-matches", 1)[1].split("</ul>", 1)[0]
    assert "유해물질 표" in block and ": 멜라민" in block  # the table, then the value


def test_the_content_action_answers_whoever_may_see_the_dataset(org):
    """koreanap_search_content_show (what /dataset's matched line reads) gives a public
    dataset's indexed content to anyone, and a private one's to nobody outside it."""
    import ckan.plugins.toolkit as tk
    from ckan.tests import factories

    public, _ = _dataset_with_table(org, "Survey G", [{"substance": "카드뮴"}])
    anonymous = {"user": "", "ignore_auth": False}
    shown = call_action("koreanap_search_content_show", context=anonymous, id=public["name"])
    assert shown["id"] == public["id"]
    assert any(entry.endswith(": 카드뮴") for entry in shown["entries"])

    private = factories.Dataset(owner_org=org["id"], private=True)
    with pytest.raises(tk.NotAuthorized):
        call_action("koreanap_search_content_show", context=anonymous, id=private["id"])
    assert call_action("koreanap_search_content_show", context={"user": org["user"]},
                       id=private["id"])["entries"] == []
    with pytest.raises(tk.ObjectNotFound):
        call_action("koreanap_search_content_show", context={"user": org["user"]},
                    id="no-such-dataset")
