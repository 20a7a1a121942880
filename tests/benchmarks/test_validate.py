"""benchmarks/validate.py still runs both validators and finds every injected fault."""
from .conftest import run_script


def test_validate_benchmark_runs_on_a_few_rows():
    """Both paths find every injected fault and agree (exit 0), on a small table."""
    done = run_script("validate.py", "--rows", 300, "--small-rows", 100, "--per-kind", 1,
                      "--rounds", 2)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr
    assert "speed-up a/b" in done.stdout
    assert "medians of 2 alternating rounds" in done.stdout
    assert "g/e, the floor of (b)" in done.stdout
    assert "faults missed: frictionless 0, koreanap 0" in done.stdout
