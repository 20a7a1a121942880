"""benchmarks/browse.py still serves CKAN, visits every page kind and prints its table."""
import re

from ckan.tests import factories

from .conftest import free_port, run_script

KINDS = ("home", "dataset_search_ko", "dataset_search_en", "dataset_page", "contaminants",
         "search_api")


def test_browse_benchmark_runs_briefly(clean_catalogue, test_ini, tmp_path):
    """Three visitors for two seconds: every page kind is visited, none answers an error."""
    factories.Dataset(name="bench-browse", title="벤치마크 자료 / benchmark data",
                      owner_org=factories.Organization()["id"])
    done = run_script("browse.py", "--ini", test_ini, "--port", free_port(),
                      "--visitors", 3, "--clients", 1, "--duration", 2,
                      "--work-dir", tmp_path, timeout=300)
    assert done.returncode == 0, done.stderr
    for kind in KINDS:
        line = re.search(r"^{} +(\d+) .* (\d+) +\d+%  (PASS|FAIL)$".format(kind), done.stdout,
                         re.M)
        assert line, "no line for {} in the output".format(kind)
        assert int(line.group(1)) > 0 and line.group(2) == "0", line.group(0)
    assert "load average" in done.stdout and "total:" in done.stdout
