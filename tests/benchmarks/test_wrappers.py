"""The benchmarks/run-* wrappers still parse and hand --help to their script."""
import subprocess

import pytest

from .conftest import BENCHMARKS

WRAPPERS = sorted(p.name for p in BENCHMARKS.glob("run-*"))


def test_every_wrapper_is_covered():
    """A new wrapper is smoke-tested too (the list below is the folder's)."""
    assert WRAPPERS == ["run-publish", "run-quick-search", "run-search"]


@pytest.mark.parametrize("wrapper", WRAPPERS)
def test_wrapper_help_reaches_its_script(wrapper):
    """`--help` prints the wrapper's usage and the script's own options, exit 0."""
    done = subprocess.run(["bash", str(BENCHMARKS / wrapper), "--help"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "benchmarks/" + wrapper in done.stdout
    assert "--ini" in done.stdout  # from the script's argparse
