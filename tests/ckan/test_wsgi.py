"""The WSGI entry point that gunicorn (scripts/serve) and uWSGI (the image) load."""
import json
import os
import subprocess
import sys
from pathlib import Path

PROBE = """
import json
from ckan import authz, logic
before = [len(authz._AuthFunctions._functions), len(logic._actions)]
import ckanext.koreanap.wsgi as wsgi
print(json.dumps({
    "before": before,
    "auth": sorted(authz._AuthFunctions._functions),
    "actions": sorted(logic._actions),
    "app": callable(wsgi.application),
}))
"""


def test_loading_the_app_gathers_action_and_auth_functions_before_any_request(request):
    """Importing the module builds the app and CKAN's action and auth registries at once.

    CKAN fills them lazily and without a lock, so two threads of a new worker
    could see them half-built and answer 500; built at import, no request can.
    """
    ini = Path(request.config.getoption("--ckan-ini")).resolve()
    result = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                            env={**os.environ, "CKAN_INI": str(ini)}, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    probe = json.loads(result.stdout.strip().splitlines()[-1])
    assert probe["before"] == [0, 0]
    assert probe["app"]
    for name in ("package_show", "koreanap_error_report_create"):
        assert name in probe["auth"]
        assert name in probe["actions"]


KIWI_PROBE = """
import json, time
from ckanext.koreanap.search import text
before = text.is_loaded()
import ckanext.koreanap.wsgi
deadline = time.monotonic() + 120
while not text.is_loaded() and time.monotonic() < deadline:
    time.sleep(0.1)
print(json.dumps({"before": before, "after": text.is_loaded()}))
"""


def test_a_worker_loads_the_korean_analyser_as_it_starts(request):
    """With the search index plugin on, loading the app starts Kiwi's load in the
    background: it is ready without any query or indexing having asked for it."""
    ini = Path(request.config.getoption("--ckan-ini")).resolve()
    result = subprocess.run([sys.executable, "-c", KIWI_PROBE], capture_output=True,
                            text=True, env={**os.environ, "CKAN_INI": str(ini)}, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    probe = json.loads(result.stdout.strip().splitlines()[-1])
    assert probe == {"before": False, "after": True}
