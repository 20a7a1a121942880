"""benchmarks/search.py still creates its generated datasets and times every query kind."""
from .conftest import run_script


def test_search_benchmark_runs_on_a_few_datasets(clean_catalogue, test_ini, ckan_config):
    """The generated datasets pass the dataset schema and all six query kinds run."""
    done = run_script("search.py", "--ini", test_ini, "--site-id", ckan_config["ckan.site_id"],
                      "--datasets", 6, "--runs", 2, "--warmup", 0, "--workers", 1,
                      timeout=600)  # 2 CPUs shared with other suites: minutes, not seconds
    assert done.returncode == 0, done.stderr
    assert "Created 6 datasets" in done.stdout
    assert "Index: 10 datasets" in done.stdout  # and the four data packages
    assert "the 4 data packages" in done.stdout and "hit@3" in done.stdout
    for kind in ("free text (English)", "Korean text", "fq organization",
                 "facets on 4 fields", "sort by modified", "deep paging",
                 "content-only match", "facets, index just written"):
        assert "| " + kind in done.stdout


def test_search_benchmark_refuses_another_catalogue(test_ini):
    """Without --site-id it will not write to a catalogue other than the benchmark's."""
    done = run_script("search.py", "--ini", test_ini, "--datasets", 1)
    assert done.returncode == 1
    assert "refusing to write to it" in done.stderr


def _search_module():
    """benchmarks/search.py as a module (it is a script, not a package)."""
    import importlib.util
    import pathlib
    import sys

    path = pathlib.Path(__file__).resolve().parents[2] / "benchmarks" / "search.py"
    sys.path.insert(0, str(path.parent))  # its sibling bulk_datasets.py
    spec = importlib.util.spec_from_file_location("benchmark_search", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_content_only_terms_are_in_no_generated_metadata():
    """The content-only query terms occur in generated tables' Table Schemas and
    nowhere else in a generated dataset (title, notes, tags, resource texts)."""
    import json

    bench = _search_module()
    with_field = 0
    for i in range(1, 1501):
        data = bench.dataset(i, 4)
        schemas = [r.pop("schema") for r in data["resources"] if "schema" in r]
        assert len(schemas) == 1, "dataset %d has no table schema" % i
        metadata = json.dumps(data, ensure_ascii=False).lower()
        content = json.loads(schemas[0])
        for term in bench.CONTENT_ONLY_QUERIES:
            # A query's words must all match (q.op AND): one may occur ("census").
            assert not all(word in metadata for word in term.lower().split()), (
                "%r in the metadata of dataset %d" % (term, i))
        with_field += any(f["name"] in {c[0] for c in bench.CONTENT_ONLY_FIELDS}
                          for f in content["fields"])
    assert 300 < with_field < 600  # about three in ten


def test_search_benchmark_bulk_path_matches_package_create(clean_catalogue, test_ini,
                                                            ckan_config):
    """--bulk writes the datasets' rows (checked against package_create on one),
    indexes them through CKAN's indexer, and a content-only query finds exactly
    the public datasets whose table has that column."""
    from ckan.tests import helpers

    done = run_script("search.py", "--ini", test_ini, "--site-id", ckan_config["ckan.site_id"],
                      "--datasets", 12, "--bulk", "--runs", 2, "--warmup", 0, "--workers", 2,
                      timeout=600)
    assert done.returncode == 0, done.stderr
    assert ("dataset 1 written in bulk has the same package_show as through package_create"
            in done.stdout)
    assert "Wrote 12 datasets" in done.stdout
    assert "Indexed 12 datasets" in done.stdout
    assert "Index: 16 datasets" in done.stdout
    assert "| content-only match" in done.stdout

    import json

    bench = _search_module()
    generated = [bench.dataset(i, 4) for i in range(1, 13)]
    for term in bench.CONTENT_ONLY_QUERIES:
        name = next(f[0] for f in bench.CONTENT_ONLY_FIELDS if term in f[2])
        expected = sorted(
            d["name"] for d in generated if not d["private"]
            and any(f["name"] == name for r in d["resources"] if "schema" in r
                    for f in json.loads(r["schema"])["fields"]))
        found = helpers.call_action("package_search", q=term, rows=100)["results"]
        assert sorted(r["name"] for r in found) == expected, term
