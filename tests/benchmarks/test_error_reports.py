"""benchmarks/error_reports.py still serves CKAN, files reports and counts them back."""
from ckan.tests import factories

from .conftest import free_port, run_script


def test_error_reports_benchmark_runs_briefly(clean_catalogue, test_ini, tmp_path):
    """Two submitters for a second: reports are filed and none is lost."""
    factories.Dataset(name="bench-target", title="Benchmark target",
                      owner_org=factories.Organization()["id"])
    done = run_script("error_reports.py", "--ini", test_ini, "--port", free_port(),
                      "--submitters", 2, "--clients", 1, "--duration", 1,
                      "--work-dir", tmp_path)
    assert done.returncode == 0, done.stderr
    assert "lost: 0" in done.stdout
    assert "successful submissions: 0 " not in done.stdout
