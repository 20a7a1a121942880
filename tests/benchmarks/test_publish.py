"""benchmarks/publish.py still loads a built survey table into the DataStore."""
from .conftest import run_script


def test_publish_benchmark_runs_on_a_few_rows(clean_catalogue, test_ini, tmp_path):
    """The table is built, validated, COPYed in and found again by datastore_search."""
    done = run_script("publish.py", "--ini", test_ini, "--rows", 40, "--validate",
                      "--work-dir", tmp_path)
    assert done.returncode == 0, done.stderr
    assert "validation of the package (40 survey rows)" in done.stdout
    assert "datastore_search total: 40" in done.stdout
