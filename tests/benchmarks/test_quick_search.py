"""benchmarks/quick_search.py still loads its survey rows and measures every combination."""
from .conftest import run_script


def test_quick_search_benchmark_runs_on_a_few_rows(clean_catalogue, test_ini, tmp_path):
    """The rows load, the indexes are made and all six filter combinations are measured."""
    done = run_script("quick_search.py", "--ini", test_ini, "--rows", 60, "--runs", 1,
                      "--work-dir", tmp_path)
    # Exit 1 also means "a target was missed"; a crash prints no table.
    assert done.returncode in (0, 1), done.stderr
    assert "COPY: 60 rows" in done.stdout
    for label in ("substance + year", "over the maximum level only"):
        assert "| " + label + " |" in done.stdout
