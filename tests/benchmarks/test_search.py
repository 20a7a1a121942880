"""benchmarks/search.py still creates its generated datasets and times every query kind."""
from .conftest import run_script


def test_search_benchmark_runs_on_a_few_datasets(clean_catalogue, test_ini, ckan_config):
    """The generated datasets pass the dataset schema and all six query kinds run."""
    done = run_script("search.py", "--ini", test_ini, "--site-id", ckan_config["ckan.site_id"],
                      "--datasets", 6, "--runs", 2, "--warmup", 0, "--workers", 1)
    assert done.returncode == 0, done.stderr
    assert "Created 6 datasets" in done.stdout
    assert "Index: 10 datasets" in done.stdout  # and the four data packages
    assert "the 4 data packages" in done.stdout and "hit@3" in done.stdout
    for kind in ("free text (English)", "Korean text", "fq organization",
                 "facets on 4 fields", "sort by modified", "deep paging"):
        assert "| " + kind in done.stdout


def test_search_benchmark_refuses_another_catalogue(test_ini):
    """Without --site-id it will not write to a catalogue other than the benchmark's."""
    done = run_script("search.py", "--ini", test_ini, "--datasets", 1)
    assert done.returncode == 1
    assert "refusing to write to it" in done.stderr
