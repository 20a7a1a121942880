"""The production Solr configset (docker/solr) is CKAN's schema with Korean analysis and
our synonyms, and the image and the stack use it.

No Solr runs here: docker/solr/korean_schema.py is run on the CKAN schema installed in
the venv (the file the image build runs it on, from the same CKAN release) and its
output is read. Neither CKAN nor the extension is imported.
"""
from __future__ import annotations

import csv
import importlib.util
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
SOLR_DIR = ROOT / "docker" / "solr"
GENERATOR = SOLR_DIR / "korean_schema.py"
SOLR_DOCKERFILE = SOLR_DIR / "Dockerfile"
SEARCH_DIR = ROOT / "ckanext-koreanap" / "ckanext" / "koreanap" / "search"
SYNONYMS_CSV = SEARCH_DIR / "synonyms.csv"
CONF = "/opt/solr/server/solr/configsets/ckan/conf"
KOREAN_TYPE = "text_ko"
NORI_TOKENIZER = "solr.KoreanTokenizerFactory"


def _ckan_schema() -> Path:
    spec = importlib.util.find_spec("ckan")  # where CKAN is, without importing it
    assert spec and spec.origin, "CKAN is not installed in this environment"
    return Path(spec.origin).parent / "config" / "solr" / "schema.xml"


def _run(*args, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(GENERATOR), *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=60)


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("configset")
    result = _run(_ckan_schema(), SYNONYMS_CSV, out)
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="module")
def ckan() -> ET.Element:
    return ET.parse(_ckan_schema()).getroot()


@pytest.fixture(scope="module")
def ours(out_dir) -> ET.Element:
    return ET.parse(out_dir / "schema.xml").getroot()


def _by_name(root: ET.Element, tag: str) -> dict[str, ET.Element]:
    return {element.get("name"): element for element in root.iter(tag)}


def _csv_sets(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return [terms for terms in ([t.strip() for t in row["terms"].split("|") if t.strip()]
                                for row in rows) if terms]


def _solr_sets(text: str) -> list[list[str]]:
    """Read a Solr synonyms file as Solr does: "," separates terms, "\\" escapes."""
    sets = []
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        assert "=>" not in line, f"one-way mapping in {line!r}"
        terms, term, chars = [], [], iter(line)
        for ch in chars:
            if ch == "\\":
                term.append(next(chars))
            elif ch == ",":
                terms.append("".join(term).strip())
                term = []
            else:
                term.append(ch)
        terms.append("".join(term).strip())
        sets.append(terms)
    return sets


def test_the_schema_parses_and_keeps_ckans_version(ckan, ours, out_dir):
    """The generated schema is well-formed XML named as CKAN's (ckan-2.12), which is what
    CKAN's start-up check reads from Solr."""
    assert ours.tag == "schema"
    assert ckan.get("name") == "ckan-2.12"
    assert ours.get("name") == ckan.get("name") and ours.get("version") == ckan.get("version")
    assert ours.findtext("uniqueKey") == ckan.findtext("uniqueKey")
    assert "Licensed to the Apache Software Foundation" in (out_dir / "schema.xml").read_text(
        encoding="utf-8"), "CKAN's licence notice was dropped"


@pytest.mark.parametrize("tag", ["field", "dynamicField", "fieldType"])
def test_every_declaration_of_ckans_schema_is_kept(ckan, ours, tag):
    """Each field, dynamic field and field type of CKAN 2.12's schema is declared with its
    name and attributes; a field's type changes only from CKAN's text types to text_ko."""
    theirs, mine = _by_name(ckan, tag), _by_name(ours, tag)
    assert theirs, f"CKAN's schema has no <{tag}>: the parser is wrong"
    missing = sorted(set(theirs) - set(mine))
    assert not missing, f"<{tag}> missing from the generated schema: {missing}"
    for name, element in theirs.items():
        before, after = dict(element.attrib), dict(mine[name].attrib)
        if tag != "fieldType" and before.get("type") in ("text", "text_general"):
            assert after.pop("type") == KOREAN_TYPE, name
            before.pop("type")
        assert after == before, f"<{tag} name={name!r}> changed: {before} -> {after}"


def test_every_copy_field_of_ckans_schema_is_kept(ckan, ours):
    """CKAN's copyFields (what goes into the default search field "text") are all there."""
    copies = {(c.get("source"), c.get("dest")) for c in ckan.iter("copyField")}
    assert copies and copies <= {(c.get("source"), c.get("dest")) for c in ours.iter("copyField")}


def test_every_field_names_a_declared_type(ours):
    """No field names a type the schema does not declare (Solr would refuse the core)."""
    types = set(_by_name(ours, "fieldType"))
    unknown = {f.get("name"): f.get("type") for f in [*ours.iter("field"),
                                                     *ours.iter("dynamicField")]
               if f.get("type") not in types}
    assert not unknown, unknown


def test_the_text_fields_are_analysed_in_korean(ours):
    """text (what a plain search queries), title, notes, the resources' and extras' text
    fields and the content field use text_ko; no field is left on CKAN's text types."""
    fields = {**_by_name(ours, "field"), **_by_name(ours, "dynamicField")}
    for name in ("text", "title", "notes", "res_name", "res_description", "extras_*",
                 "res_extras_*", "koreanap_content"):
        assert fields[name].get("type") == KOREAN_TYPE, (name, fields[name].attrib)
    left = [n for n, f in fields.items() if f.get("type") in ("text", "text_general")]
    assert not left, f"still on CKAN's whitespace analysis: {left}"


def test_the_korean_type_runs_nori_and_the_synonyms_at_query_time(ours):
    """text_ko's index and query analyzers start with Nori's tokenizer, drop particles and
    lowercase; only the query analyzer expands synonyms.txt, parsed with Nori's analyzer."""
    field_type = _by_name(ours, "fieldType")[KOREAN_TYPE]
    assert field_type.get("class") == "solr.TextField"
    analyzers = {a.get("type"): a for a in field_type.findall("analyzer")}
    assert set(analyzers) == {"index", "query"}, analyzers
    for kind, analyzer in analyzers.items():
        assert analyzer.find("tokenizer").get("class") == NORI_TOKENIZER, kind
        filters = [f.get("class") for f in analyzer.findall("filter")]
        for needed in ("solr.KoreanPartOfSpeechStopFilterFactory",
                       "solr.KoreanReadingFormFilterFactory", "solr.LowerCaseFilterFactory"):
            assert needed in filters, (kind, filters)
        synonyms = analyzer.findall("filter[@class='solr.SynonymGraphFilterFactory']")
        assert len(synonyms) == (kind == "query"), (kind, filters)
    synonym = analyzers["query"].find("filter[@class='solr.SynonymGraphFilterFactory']")
    assert synonym.get("synonyms") == "synonyms.txt"
    assert synonym.get("analyzer") == "org.apache.lucene.analysis.ko.KoreanAnalyzer"
    # Index and query tokens must agree: the same chain apart from the synonyms.
    index = [f.attrib for f in analyzers["index"]]
    query = [f.attrib for f in analyzers["query"] if f is not synonym]
    assert index == query


def test_the_content_field_is_declared_and_searched_by_default(ours):
    """koreanap_content (content.py FIELD) is a multi-valued indexed, unstored
    field, copied into text, which CKAN's default query fields search."""
    content_py = (SEARCH_DIR.parent / "content.py").read_text(encoding="utf-8")
    name = re.search(r'^FIELD = "([^"]+)"', content_py, re.MULTILINE).group(1)
    field = _by_name(ours, "field")[name]
    assert (field.get("indexed"), field.get("stored"), field.get("multiValued")) == (
        "true", "false", "true"), field.attrib
    assert (name, "text") in {(c.get("source"), c.get("dest")) for c in ours.iter("copyField")}


def test_the_synonyms_file_holds_the_csv_sets(out_dir):
    """synonyms.txt has one line per set of search/synonyms.csv, with the same terms in
    the same order."""
    expected = _csv_sets(SYNONYMS_CSV)
    assert len(expected) >= 20, "synonyms.csv read wrong"
    assert _solr_sets((out_dir / "synonyms.txt").read_text(encoding="utf-8")) == expected


def test_terms_with_solrs_separators_are_escaped_or_refused(tmp_path):
    """A comma or backslash inside a term is escaped (the set survives Solr's reading);
    a term Solr would read as a mapping (=>) is refused with one line and exit code 1."""
    table = tmp_path / "synonyms.csv"
    table.write_text('terms,source\n"a, b|c\\\\d|e",test\n', encoding="utf-8")
    result = _run(_ckan_schema(), table, tmp_path / "out")
    assert result.returncode == 0, result.stderr
    text = (tmp_path / "out" / "synonyms.txt").read_text(encoding="utf-8")
    assert _solr_sets(text) == _csv_sets(table) == [["a, b", "c\\\\d", "e"]]

    table.write_text("terms,source\nx=>y|z,test\n", encoding="utf-8")
    result = _run(_ckan_schema(), table, tmp_path / "refused")
    assert result.returncode == 1 and len(result.stderr.strip().splitlines()) == 1, result
    assert not (tmp_path / "refused").exists()


def test_a_file_that_is_not_ckans_schema_is_refused(tmp_path):
    """Given another XML file (or none), the generator says so in one line and exits 1;
    without its arguments it exits 2."""
    other = tmp_path / "other.xml"
    other.write_text("<config/>", encoding="utf-8")
    for schema in (other, tmp_path / "missing.xml"):
        result = _run(schema, SYNONYMS_CSV, tmp_path / "out")
        assert result.returncode == 1, result
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert _run().returncode == 2


def _stages(dockerfile: str) -> list[tuple[str, str | None, str]]:
    """(image, stage name, body) of each FROM of a Dockerfile."""
    parts = re.split(r"(?m)^FROM\s+(\S+)(?:\s+AS\s+(\S+))?\s*$", dockerfile)
    return [(parts[i], parts[i + 1], parts[i + 2]) for i in range(1, len(parts), 3)]


def test_the_image_generates_both_files_and_puts_them_in_the_configset():
    """docker/solr/Dockerfile runs the generator on the schema of the CKAN the stack runs
    (the root Dockerfile's version), then copies schema.xml over the configset's
    managed-schema and synonyms.txt beside it, on CKAN's Solr 9 image for 2.12."""
    text = SOLR_DOCKERFILE.read_text(encoding="utf-8")
    (first, name, build), *_, (final, _, install) = _stages(text)
    version = re.search(r"(?m)^ARG CKAN_VERSION=(\S+)$", text).group(1)
    root_base = re.search(r"(?m)^FROM ckan/ckan-base:(\S+)\s*$",
                          (ROOT / "Dockerfile").read_text(encoding="utf-8")).group(1)
    assert first == "ckan/ckan-base:${CKAN_VERSION}" and version == root_base, (first, version)
    assert re.search(r"(?m)^COPY korean_schema\.py ", build), build
    assert re.search(r"(?m)^COPY --from=search synonyms\.csv ", build), build
    assert "korean_schema.py" in build.split("RUN", 1)[1], "the generator does not run"
    assert re.fullmatch(r"ckan/ckan-solr:2\.12-solr9(\.\d+)?", final), final
    copies = re.findall(r"(?m)^COPY --from=(\S+)(?: --\S+)* (\S+) \\\n\s+(\S+)$", install)
    assert {(stage, Path(src).name, dest) for stage, src, dest in copies} == {
        (name, "schema.xml", f"{CONF}/managed-schema"),
        (name, "synonyms.txt", f"{CONF}/synonyms.txt"),
    }, copies
    ignored = (SOLR_DIR / ".dockerignore").read_text(encoding="utf-8").split()
    assert "*" in ignored and "!korean_schema.py" in ignored, ignored


def test_compose_builds_the_solr_image_from_docker_solr():
    """The solr service is built from docker/solr with search/ as the "search" context,
    and keeps its heap setting, its data volume and its ping healthcheck."""
    solr = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))[
        "services"]["solr"]
    build = solr["build"]
    assert (ROOT / build["context"]).resolve() == SOLR_DIR
    assert build.get("dockerfile", "Dockerfile") == "Dockerfile"
    assert (ROOT / build["additional_contexts"]["search"]).resolve() == SEARCH_DIR
    assert "SOLR_HEAP" in solr["environment"]
    assert "solr_data:/var/solr" in solr["volumes"]
    assert "/solr/ckan/admin/ping" in " ".join(solr["healthcheck"]["test"])
