"""package_search through CKAN's own action, answered by the PostgreSQL index."""
import collections

import ckan.logic as logic
import pytest
import sqlalchemy as sa
from ckan import model
from ckan.common import config
from ckan.tests import helpers

PUBLIC = {"rice-cadmium", "mycotoxins", "heritage-3d", "imported-foods"}

pytestmark = pytest.mark.usefixtures("corpus", "with_plugins")


def names(**params):
    params.setdefault("rows", 1000)
    context = params.pop("context", {})
    result = helpers.call_action("package_search", context=context, **params)
    return [r["name"] for r in result["results"]]


def test_search_plugin_is_the_index_in_use():
    """The index table holds the corpus, so answers below come from PostgreSQL."""
    count = model.Session.execute(
        sa.text("SELECT count(*) FROM koreanap_search_index WHERE site_id = :site"),
        {"site": config["ckan.site_id"]}).scalar()
    assert count == 7


def test_empty_query_returns_public_active_datasets():
    """An empty q lists every public, active dataset and nothing else."""
    result = helpers.call_action("package_search", rows=1000)
    assert result["count"] == len(PUBLIC)
    assert {r["name"] for r in result["results"]} == PUBLIC


@pytest.mark.parametrize("q, expected", [
    ("cadmium", {"rice-cadmium", "imported-foods"}),
    ("contaminants", {"mycotoxins"}),          # English stemming: contamination
    ("Cadmium RICE", {"rice-cadmium"}),        # case-insensitive, all terms needed
    ('"traditional markets"', {"rice-cadmium"}),
    ('"markets traditional"', set()),          # a phrase keeps its word order
    ("printing", {"heritage-3d"}),
    ("cadmium -rice", {"imported-foods"}),
    ("nonexistentword", set()),
    # CKAN's mm "2<-1 5<80%": with three terms, any two must match.
    ("cadmium rice nonexistentword", {"rice-cadmium"}),
    ("cadmium nonexistentword otherword", set()),
    ("rice markets traditional cadmium zzz", {"rice-cadmium"}),
])
def test_free_text(q, expected):
    """Free text matches words with stemming, phrases and exclusions as Solr does."""
    assert set(names(q=q)) == expected


@pytest.mark.parametrize("q, expected", [
    # inside 카드뮴은 (particle attached), and the English "cadmium" (synonyms.csv)
    ("카드뮴", {"rice-cadmium", "imported-foods"}),
    ("곰팡이", {"mycotoxins"}),        # inside 곰팡이독소
    ("독소", {"mycotoxins"}),          # the end of a compound word
    ("문화", {"heritage-3d"}),
    ("쌀", {"rice-cadmium"}),          # a single syllable
    ("검사 결과", {"rice-cadmium"}),   # resource name
    ("식품의약품안전처", set()),       # organization titles are not indexed text
    ("카드뮴 cadmium", {"rice-cadmium", "imported-foods"}),
    ("카드늄", set()),
    ("3차원", {"heritage-3d"}),        # digits glued to Korean
    ("3차원 스캔", {"heritage-3d"}),
])
def test_korean_matches_inside_words(q, expected):
    """A Korean query matches inside words, as particles attach to nouns."""
    assert set(names(q=q)) == expected


def test_title_matches_rank_above_description_matches():
    """Title hits outrank description hits (CKAN's qf: title^4 over text)."""
    assert names(q="cadmium", sort="score desc") == ["rice-cadmium", "imported-foods"]


@pytest.mark.parametrize("q, expected", [
    ("tags:mycotoxins", {"mycotoxins"}),
    ("title:카드뮴", {"rice-cadmium"}),
    ("organization:cha", {"heritage-3d", "imported-foods"}),
    ("organization:cha AND printing", {"heritage-3d"}),
    ("name:rice-cadmium OR name:mycotoxins", {"rice-cadmium", "mycotoxins"}),
    ("res_format:STL", {"heritage-3d"}),
    ("notes:aflatoxin", {"mycotoxins"}),
    ("*:*", PUBLIC),
])
def test_fielded_query(q, expected):
    """field:value clauses in q use the standard query syntax."""
    assert set(names(q=q)) == expected


@pytest.mark.parametrize("fq, expected", [
    ("organization:mfds", {"rice-cadmium", "mycotoxins"}),
    ('tags:"heavy-metals"', {"rice-cadmium"}),
    ("tags:카드뮴", {"rice-cadmium"}),
    ("+organization:mfds -tags:mycotoxins", {"rice-cadmium"}),
    # CKAN adds required clauses (+capacity:public ...) around fq, so an OR
    # needs parentheses, exactly as with Solr.
    ("(organization:cha OR tags:mycotoxins)", {"heritage-3d", "imported-foods", "mycotoxins"}),
    ("((organization:cha AND res_format:STL) OR license_id:cc-zero)",
     {"heritage-3d", "mycotoxins"}),
    ("organization:cha OR tags:mycotoxins", PUBLIC),
    ("groups:food-safety", {"rice-cadmium"}),
    ("res_format:(CSV OR PLY)", {"rice-cadmium", "heritage-3d"}),
    ("license_id:cc-by", {"rice-cadmium", "imported-foods"}),
    ("dataset_type:dataset", PUBLIC),
    ("type:dataset", PUBLIC),
    ("survey_year:[2019 TO 2019]", {"rice-cadmium"}),
    ("survey_year:[2020 TO *]", {"mycotoxins"}),
    ("survey_year:{2019 TO 2020]", {"mycotoxins"}),
    ("metadata_modified:[* TO NOW]", PUBLIC),
    ("metadata_modified:[NOW+1DAY TO *]", set()),
    ("metadata_created:[NOW-1DAY TO NOW+1DAY]", PUBLIC),
    ("tags:myco*", {"mycotoxins"}),
    ("res_format:ST?", {"heritage-3d"}),
    ("name:*-3d", {"heritage-3d"}),
    ("extras_commitment:KR0045", {"heritage-3d"}),
    ("commitment:KR0043", {"rice-cadmium", "mycotoxins"}),
    ("survey_year:*", {"rice-cadmium", "mycotoxins"}),
    ("-survey_year:*", {"heritage-3d", "imported-foods"}),
    ("organization:nosuchorg", set()),
])
def test_filter_queries(fq, expected):
    """fq supports values, quotes, +/-, OR, parentheses, ranges and wildcards."""
    assert set(names(fq=fq)) == expected


def test_fq_on_state_replaces_ckans_default_state_filter():
    """An explicit +state: clause in fq is used instead of CKAN's +state:active."""
    sysadmin = {"user": "corpus-admin", "ignore_auth": False}
    assert names(fq="+state:draft", context=dict(sysadmin)) == ["arsenic-draft"]
    assert set(names(fq="+state:(active OR draft) +organization:mfds",
                     context=dict(sysadmin), include_private=True)) == {
        "rice-cadmium", "mycotoxins", "lead-in-fish", "arsenic-draft"}


def test_fq_list_clauses_are_all_applied():
    """Every fq_list entry narrows the result, together with fq."""
    assert names(fq="organization:mfds", fq_list=["tags:카드뮴", "res_format:CSV"]) == [
        "rice-cadmium"]
    assert names(fq="organization:mfds", fq_list=["tags:카드뮴", "res_format:JSON"]) == []


def _visible_counts(field):
    counts = collections.Counter()
    for name in PUBLIC:
        pkg = helpers.call_action("package_show", id=name)
        if field == "tags":
            counts.update(t["name"] for t in pkg["tags"])
        elif field == "organization":
            counts[pkg["organization"]["name"]] += 1
        elif field == "res_format":
            counts.update({r["format"] for r in pkg["resources"]})
        elif field == "license_id":
            counts[pkg["license_id"]] += 1
    return dict(counts)


def test_facet_counts_match_the_datasets():
    """Facet counts on four fields equal counts taken from the datasets themselves."""
    fields = ["organization", "tags", "res_format", "license_id"]
    result = helpers.call_action("package_search", **{"facet.field": fields, "rows": 0})
    for field in fields:
        assert result["facets"][field] == _visible_counts(field), field


def test_facet_counts_follow_the_query():
    """Facets count only the datasets that match q and fq."""
    result = helpers.call_action("package_search", fq="organization:mfds",
                                 **{"facet.field": ["tags", "organization"]})
    assert result["facets"]["organization"] == {"mfds": 2}
    assert result["facets"]["tags"] == {"카드뮴": 1, "heavy-metals": 1, "mycotoxins": 1}


def test_facet_limit_and_mincount():
    """facet.limit keeps the most frequent values; facet.mincount drops rare ones."""
    result = helpers.call_action("package_search", **{
        "facet.field": ["license_id"], "facet.limit": 1})
    assert result["facets"]["license_id"] == {"cc-by": 2}
    result = helpers.call_action("package_search", **{
        "facet.field": ["license_id", "tags"], "facet.mincount": 2})
    assert result["facets"]["license_id"] == {"cc-by": 2}
    assert result["facets"]["tags"] == {}
    result = helpers.call_action("package_search", **{
        "facet.field": ["tags"], "facet.limit": -1})
    assert len(result["facets"]["tags"]) == 6


def test_rows_and_start_page_through_results():
    """rows and start return consecutive pages in the requested order."""
    ordered = names(sort="name asc")
    assert ordered == sorted(PUBLIC)
    assert names(sort="name asc", rows=2, start=1) == ordered[1:3]
    assert names(sort="name asc", rows=2, start=3) == ordered[3:]
    assert names(sort="name asc", rows=2, start=10) == []
    assert helpers.call_action("package_search", rows=2, start=10)["count"] == len(PUBLIC)


@pytest.mark.ckan_config("ckan.search.rows_max", "2")
def test_rows_are_bounded_by_rows_max():
    """rows above ckan.search.rows_max are cut to the maximum."""
    result = helpers.call_action("package_search", rows=1000)
    assert len(result["results"]) == 2
    assert result["count"] == len(PUBLIC)


@pytest.mark.parametrize("sort, key, reverse", [
    ("title_string asc", lambda p: p["title"].lower(), False),
    ("title_string desc", lambda p: p["title"].lower(), True),
    ("name desc", lambda p: p["name"], True),
    ("metadata_modified desc", lambda p: p["metadata_modified"], True),
    ("metadata_created asc", lambda p: p["metadata_created"], False),
])
def test_sort(sort, key, reverse):
    """Sorting on title, name and dates orders results as the values do."""
    result = helpers.call_action("package_search", sort=sort, rows=1000)["results"]
    assert [p["name"] for p in result] == [
        p["name"] for p in sorted(result, key=key, reverse=reverse)]


def test_sort_on_an_extra_field_puts_missing_values_last():
    """Any indexed field can be sorted on; datasets without it come last."""
    ordered = names(sort="survey_year desc, name asc")
    assert ordered[:2] == ["mycotoxins", "rice-cadmium"]
    assert ordered[2:] == ["heritage-3d", "imported-foods"]


def test_fl_returns_only_requested_fields():
    """fl limits each result to the named index fields."""
    result = helpers.call_action("package_search", q="name:mycotoxins",
                                 fl=["name", "organization", "tags"])
    assert result["results"] == [{"name": "mycotoxins", "organization": "mfds",
                                  "tags": ["mycotoxins"]}]


@pytest.mark.parametrize("who, include_private, include_drafts, expected_extra", [
    (None, True, True, set()),
    ("outsider", True, True, set()),
    ("mfds-member", False, False, set()),
    ("mfds-member", True, False, {"lead-in-fish"}),
    ("mfds-member", True, True, {"lead-in-fish", "arsenic-draft"}),
    ("corpus-admin", True, False, {"lead-in-fish", "cha-private"}),
    ("corpus-admin", True, True, {"lead-in-fish", "cha-private", "arsenic-draft"}),
])
def test_private_and_draft_visibility(who, include_private, include_drafts, expected_extra):
    """Private and draft datasets show only to those CKAN's permission labels allow."""
    found = names(context={"user": who or "", "ignore_auth": False},
                  include_private=include_private, include_drafts=include_drafts)
    assert set(found) == PUBLIC | expected_extra


def test_package_show_reads_the_index_document(corpus):
    """package_show answers from the stored index document, as with Solr."""
    model.Session.execute(sa.text(
        "UPDATE koreanap_search_index SET document = jsonb_set(document, "
        "'{validated_data_dict}', to_jsonb(replace(document->>'validated_data_dict', "
        "'Mycotoxins in cereals', 'Served from the index')))"
        " WHERE name = 'mycotoxins'"))
    try:
        assert helpers.call_action("package_show", id="mycotoxins")["title"] == \
            "Served from the index"
    finally:
        model.Session.rollback()
    assert helpers.call_action("package_show", id="mycotoxins")["title"] == \
        "Mycotoxins in cereals"


def test_organization_counts_come_from_index_facets():
    """organization_list counts active datasets, private ones included, as CKAN does."""
    orgs = helpers.call_action("organization_list", all_fields=True)
    assert {o["name"]: o["package_count"] for o in orgs} == {"mfds": 3, "cha": 3}


def test_tag_and_group_pages_list_their_datasets():
    """group_show and the dataset tag search find the datasets through the index."""
    group = helpers.call_action("group_show", id="food-safety", include_datasets=True)
    assert [p["name"] for p in group["packages"]] == ["rice-cadmium"]
    assert group["package_count"] == 1


def test_unknown_search_parameter_is_refused():
    """A parameter Solr would not know is refused before reaching the index."""
    with pytest.raises(logic.ValidationError):
        helpers.call_action("package_search", q="x", rows="many")
