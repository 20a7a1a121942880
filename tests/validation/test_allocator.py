"""The validator asks pyarrow's allocator to give freed pages back at once."""
import os
import subprocess
import sys

PROBE = """
import os, sys
{before}
import koreanap_validation
import pyarrow
print(os.environ.get("MIMALLOC_PURGE_DELAY"), pyarrow.default_memory_pool().backend_name)
"""


def _probe(before: str = "", env: dict | None = None) -> list[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("MIMALLOC_")}
    done = subprocess.run([sys.executable, "-c", PROBE.format(before=before)],
                          env={**clean, **(env or {})}, capture_output=True, text=True,
                          check=True)
    return done.stdout.split()


def test_set_before_pyarrow_loads():
    delay, backend = _probe()
    assert delay == "0"
    assert backend == "mimalloc"  # the allocator the setting is for


def test_an_operators_own_setting_wins():
    assert _probe(env={"MIMALLOC_PURGE_DELAY": "250"})[0] == "250"


def test_left_alone_when_pyarrow_already_loaded():
    # too late to matter then: mimalloc read its options when pyarrow loaded
    assert _probe("import pyarrow")[0] == "None"
