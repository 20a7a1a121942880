"""The production stack (docker-compose.yml, Dockerfile, .env.example) is complete and wired.

These tests need neither Docker nor CKAN: they read the files. The one that
asks ``docker compose config`` to validate the file is skipped where the
docker CLI or its compose plugin is missing (no engine is needed for it).
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
ENV_EXAMPLE = ROOT / ".env.example"
ENTRYPOINT = ROOT / "docker" / "ckan" / "entrypoint"

APP_SERVICES = ("ckan", "worker")
NEEDED_SERVICES = ("ckan", "worker", "db", "solr", "redis")
# datatables_view: the table previews publishing adds after the DataStore load.
PRODUCTION_PLUGINS = ("activity", "datastore", "koreanap", "datatables_view")
SECRETS = (
    "CKAN_SECRET_KEY",
    "POSTGRES_PASSWORD",
    "CKAN_DB_PASSWORD",
    "DATASTORE_WRITE_PASSWORD",
    "DATASTORE_READ_PASSWORD",
)

# ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?error}, ${NAME?error},
# ${NAME:+alt}, ${NAME+alt}; "$$" is a literal dollar sign in Compose.
BRACED_VAR = re.compile(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}")
BARE_VAR = re.compile(r"(?<!\$)\$([A-Za-z_][A-Za-z0-9_]*)")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


@pytest.fixture(scope="module")
def env_example() -> dict[str, str]:
    values = {}
    for number, line in enumerate(ENV_EXAMPLE.read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, value = line.partition("=")
        assert sep, f".env.example line {number} is not NAME=value: {line!r}"
        values[name.strip()] = value.strip()
    return values


def _strings(node):
    """Yield every string value in a parsed YAML tree."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


def _environment(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):  # the "NAME=value" list form
        env = dict(item.partition("=")[::2] for item in env)
    return {name: "" if value is None else str(value) for name, value in env.items()}


def _interpolated(value: str) -> str:
    """Replace every Compose variable reference with a dummy value."""
    return BRACED_VAR.sub("x", value)


def _healthcheck_command(service: dict) -> str:
    test = service.get("healthcheck", {}).get("test")
    assert test, "no healthcheck test"
    if isinstance(test, str):
        return test
    assert test[0] in ("CMD", "CMD-SHELL"), f"healthcheck test starts with {test[0]!r}"
    return " ".join(test[1:])


def _final_from(dockerfile: str) -> str:
    images = [
        line.split()[1]
        for line in dockerfile.splitlines()
        if line.strip().upper().startswith("FROM ")
    ]
    assert images, "the Dockerfile has no FROM line"
    return images[-1]


def test_every_service_the_app_needs_is_defined(services):
    """ckan, worker, db, solr and redis are all services of the stack."""
    missing = [name for name in NEEDED_SERVICES if name not in services]
    assert not missing, f"docker-compose.yml lacks the services {missing}"


def test_backing_services_use_the_intended_images(services):
    """db is PostgreSQL 15, redis is Redis 7, solr is built from docker/solr on CKAN's Solr
    image with the 2.12 schema (tests/test_solr_configset.py checks what it adds)."""
    assert services["db"]["image"] == "postgres:15"
    assert services["redis"]["image"] == "redis:7"
    build = services["solr"].get("build")
    assert isinstance(build, dict), f"solr is not built: {services['solr']}"
    assert (ROOT / build["context"]).resolve() == ROOT / "docker" / "solr", build
    dockerfile = ROOT / build["context"] / build.get("dockerfile", "Dockerfile")
    image = _final_from(dockerfile.read_text(encoding="utf-8"))
    assert re.fullmatch(r"ckan/ckan-solr:2\.12-solr\d+", image), image
    assert services["solr"].get("image"), "the built Solr image has no name"


def test_ckan_and_worker_run_the_image_built_from_the_dockerfile(services):
    """ckan and worker are built from the root Dockerfile into one image, with different roles."""
    images = set()
    for name in APP_SERVICES:
        build = services[name].get("build")
        assert build, f"{name} has no build section"
        context = build if isinstance(build, str) else build.get("context", ".")
        dockerfile = "Dockerfile"
        if isinstance(build, dict):
            dockerfile = build.get("dockerfile", dockerfile)
        assert (ROOT / context).resolve() == ROOT and dockerfile == "Dockerfile", build
        images.add(services[name].get("image"))
    assert len(images) == 1 and None not in images, f"ckan and worker images differ: {images}"
    assert services["ckan"]["command"] == ["web"]
    assert services["worker"]["command"][0] == "worker"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_get_urls_pointing_at_the_service_hosts(services, name):
    """CKAN's database, DataStore, Solr and Redis URLs name the db, solr and redis services."""
    env = _environment(services[name])
    expected = {
        "CKAN_SQLALCHEMY_URL": ("postgresql", "db"),
        "CKAN_DATASTORE_WRITE_URL": ("postgresql", "db"),
        "CKAN_DATASTORE_READ_URL": ("postgresql", "db"),
        "CKAN_SOLR_URL": ("http", "solr"),
        "CKAN_REDIS_URL": ("redis", "redis"),
    }
    for variable, (scheme, host) in expected.items():
        assert variable in env, f"{name} does not set {variable}"
        url = urlsplit(_interpolated(env[variable]))
        assert (url.scheme, url.hostname) == (scheme, host), f"{name}: {variable}={env[variable]}"
    assert urlsplit(env["CKAN_SOLR_URL"]).path == "/solr/ckan"
    for variable in ("CKAN_SITE_URL", "CKAN_SITE_ID", "CKAN_SECRET_KEY"):
        assert env.get(variable), f"{name} does not set {variable}"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_need_a_mail_server(services, env_example, name):
    """CKAN's mailer gets a real SMTP server and sender from .env; compose refuses
    to start without them (notifications would all fail)."""
    env = _environment(services[name])
    for variable in ("CKAN_SMTP_SERVER", "CKAN_SMTP_MAIL_FROM"):
        assert env.get(variable) == "${%s:?set %s in .env (see .env.example)}" % (
            variable, variable), f"{name}: {variable}={env.get(variable)}"
        assert env_example.get(variable), f".env.example has no {variable}"
    for variable in ("CKAN_SMTP_STARTTLS", "CKAN_SMTP_USER", "CKAN_SMTP_PASSWORD"):
        assert variable in env and variable in env_example, variable


@pytest.mark.parametrize("name", APP_SERVICES)
def test_database_urls_use_the_roles_the_db_init_creates(services, name):
    """The users and databases in CKAN's URLs are the ones docker/postgres/init.sh creates."""
    db_env = _environment(services["db"])
    env = _environment(services[name])
    expected = {
        "CKAN_SQLALCHEMY_URL": (db_env["CKAN_DB_USER"], db_env["CKAN_DB_NAME"]),
        "CKAN_DATASTORE_WRITE_URL": (db_env["DATASTORE_WRITE_USER"], db_env["DATASTORE_DB_NAME"]),
        "CKAN_DATASTORE_READ_URL": (db_env["DATASTORE_READ_USER"], db_env["DATASTORE_DB_NAME"]),
    }
    for variable, (user, database) in expected.items():
        url = urlsplit(_interpolated(env[variable]))
        assert (url.username, url.path.lstrip("/")) == (user, database), f"{variable}"
    write, read = (urlsplit(_interpolated(env[v])) for v in expected if "DATASTORE" in v)
    assert read.username != write.username, "the DataStore read user must not be the writer"
    mounts = [str(volume).split(":") for volume in services["db"]["volumes"]]
    init = [m for m in mounts if m[1].startswith("/docker-entrypoint-initdb.d/")]
    assert init and (ROOT / init[0][0]).resolve() == ROOT / "docker" / "postgres" / "init.sh"
    assert (ROOT / "docker" / "postgres" / "init.sh").is_file()


@pytest.mark.parametrize("name", APP_SERVICES)
def test_production_plugins_use_solr_not_koreanap_search(services, name):
    """koreanap_search is not among the production plugins; koreanap, datastore, activity and
    datatables_view are."""
    plugins = _environment(services[name])["CKAN__PLUGINS"].split()
    assert "koreanap_search" not in plugins
    for plugin in PRODUCTION_PLUGINS:
        assert plugin in plugins, f"{plugin} missing from {name}'s CKAN__PLUGINS {plugins}"


def test_only_the_web_service_gets_the_superuser_login(services):
    """The PostgreSQL superuser URL (for DataStore permissions) goes to ckan, not to the worker."""
    admin = urlsplit(_interpolated(_environment(services["ckan"])["KOREANAP_POSTGRES_ADMIN_URL"]))
    superuser = services["db"]["environment"]["POSTGRES_USER"]
    assert (admin.hostname, admin.username) == ("db", superuser)
    assert "KOREANAP_POSTGRES_ADMIN_URL" not in _environment(services["worker"])


@pytest.mark.parametrize(
    ("name", "probe"),
    [
        ("db", "pg_isready"),
        ("solr", "/solr/ckan/admin/ping"),
        ("redis", "redis-cli ping"),
        ("ckan", "/api/3/action/status_show"),
    ],
)
def test_healthchecks_probe_each_service(services, name, probe):
    """db, solr, redis and ckan each have a healthcheck that probes the service itself."""
    command = _healthcheck_command(services[name])
    assert probe in command, f"{name}'s healthcheck {command!r} does not use {probe!r}"


def test_dependencies_wait_for_healthy_services(services):
    """Every depends_on waits for service_healthy; ckan and worker wait for db, solr and redis."""
    for name, service in services.items():
        depends = service.get("depends_on") or {}
        assert isinstance(depends, dict), f"{name}: depends_on must be the long form"
        for target, rule in depends.items():
            assert target in services, f"{name} depends on an unknown service {target}"
            assert rule.get("condition") == "service_healthy", f"{name} -> {target}: {rule}"
            assert "healthcheck" in services[target], f"{target} has no healthcheck to wait for"
    for name in APP_SERVICES:
        assert {"db", "solr", "redis"} <= set(services[name]["depends_on"]), name
    assert "ckan" in services["worker"]["depends_on"], "the worker must start after migrations"


def test_named_volumes_are_declared_and_used(compose, services):
    """Each declared named volume is mounted by a service and each mounted one is declared."""
    declared = set(compose.get("volumes") or {})
    used = set()
    for service in services.values():
        for volume in service.get("volumes") or []:
            source = volume.get("source") if isinstance(volume, dict) else volume.split(":")[0]
            if source and not source.startswith((".", "/", "~")):
                used.add(source)
    assert declared == used, f"declared {sorted(declared)}, used {sorted(used)}"
    mounted = {
        (name, str(v).split(":")[1]) for name, s in services.items() for v in s.get("volumes", [])
    }
    assert ("db", "/var/lib/postgresql/data") in mounted
    assert ("solr", "/var/solr") in mounted
    assert ("ckan", "/var/lib/ckan") in mounted and ("worker", "/var/lib/ckan") in mounted


def test_dockerfile_builds_on_the_official_ckan_212_image():
    """The Dockerfile's FROM is ckan/ckan-base 2.12, at the CKAN version requirements.txt pins."""
    image = _final_from(DOCKERFILE.read_text(encoding="utf-8"))
    match = re.fullmatch(r"ckan/ckan-base:(2\.12(?:\.\d+)?)", image)
    assert match, f"FROM {image} is not the official CKAN 2.12 image"
    pinned = re.search(
        r"^ckan\[requirements\]==(\S+)", (ROOT / "requirements.txt").read_text(), re.MULTILINE
    )
    assert pinned, "requirements.txt does not pin ckan[requirements]"
    assert pinned.group(1).startswith(match.group(1)), (image, pinned.group(1))


def test_dockerfile_installs_the_repo_with_ckan_pins_and_no_secrets():
    """The image installs this repo with CKAN's frozen pins as constraints; no secret baked in."""
    text = DOCKERFILE.read_text(encoding="utf-8")
    freeze = re.search(r"pip freeze\b.*>\s*([^\s;&]+)", text)
    assert freeze, "no pip freeze of CKAN's pins"
    constraints = freeze.group(1)
    assert re.search(rf"pip install\b[^\n]*-c {re.escape(constraints)}[^\n]* \.(;|\s|$)", text)
    for secret in (*SECRETS, "SECRET_KEY", "PASSWORD"):
        for line in text.splitlines():
            if line.lstrip().startswith(("ENV ", "ARG ")):
                assert secret not in line, f"Dockerfile bakes a secret: {line.strip()}"
    copied = re.findall(r"^(?:COPY|ADD)\s.*$", text, re.MULTILINE)
    assert not [line for line in copied if ".ini" in line or ".env" in line], copied


def test_env_example_defines_every_variable_the_compose_file_requires(compose, env_example):
    """Every ${VAR} used without a default in docker-compose.yml is defined in .env.example."""
    required, optional = set(), {}
    for value in _strings(compose):
        for name, operator, argument in BRACED_VAR.findall(value):
            if operator in ("", "?", ":?"):
                required.add(name)
            elif operator in ("-", ":-"):
                optional[name] = argument
        for name in BARE_VAR.findall(BRACED_VAR.sub("", value)):
            required.add(name)
    assert required, "the compose file references no variable: the parser is broken"
    missing = sorted(required - set(env_example))
    assert not missing, f".env.example does not define {missing}"
    for name in SECRETS:
        assert name in required, f"{name} should be required (no default) in docker-compose.yml"
    for name, default in optional.items():
        if name in env_example:
            assert env_example[name] == default, f".env.example {name} differs from the default"


def test_env_example_holds_placeholders_not_secrets(env_example):
    """.env.example's secrets are change-me placeholders that the entrypoint refuses to run with."""
    for name in SECRETS:
        assert env_example[name].startswith("change-me"), f"{name} looks like a real secret"
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "CKAN__PLUGINS": "activity datastore koreanap",
        "CKAN_SECRET_KEY": env_example["CKAN_SECRET_KEY"],
        "CKAN_SQLALCHEMY_URL": "postgresql://u:p@db/ckan_default",
        "CKAN_SOLR_URL": "http://solr:8983/solr/ckan",
        "CKAN_REDIS_URL": "redis://redis:6379/1",
        "CKAN_SITE_URL": env_example["CKAN_SITE_URL"],
    }
    result = subprocess.run(
        ["bash", str(ENTRYPOINT), "worker"], env=env, capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "placeholder" in result.stderr, result.stderr


def test_dockerignore_keeps_local_secrets_out_of_the_build_context():
    """.dockerignore excludes everything but what the image installs (no ini, var/, venv, .env)."""
    patterns = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert patterns[0] == "*", "the context must start from nothing and add back what is needed"
    added = [p[1:].rstrip("/") for p in patterns if p.startswith("!")]
    for private in ("ckan.ini", "test.ini", "var", "venv", ".env", ".git"):
        assert not any(private == a or private.startswith(a + "/") for a in added), private
    text = DOCKERFILE.read_text(encoding="utf-8")
    # COPY --from=STAGE copies out of an earlier build stage, not the context.
    for source in re.findall(r"^COPY\s+(?!--from=)(?:--\S+\s+)*(.+?)\s+\S+$", text,
                             re.MULTILINE):
        for path in source.split():
            assert any(path.rstrip("/") == a or path.startswith(a + "/") for a in added), path


def _compose_cli() -> list[str]:
    docker = shutil.which("docker")
    if docker is None:
        pytest.skip("the docker CLI is not installed, so `docker compose config` cannot run")
    probe = subprocess.run(
        [docker, "compose", "version"], capture_output=True, text=True, timeout=60
    )
    if probe.returncode != 0:
        pytest.skip(
            "the docker CLI has no compose plugin (`docker compose version` failed: "
            f"{(probe.stderr or probe.stdout).strip().splitlines()[0]!r})"
        )
    return [docker, "compose"]


def test_docker_compose_accepts_the_file_with_the_example_env(tmp_path):
    """`docker compose config -q` validates docker-compose.yml with .env.example's values."""
    compose_cli = _compose_cli()
    env_file = tmp_path / "example.env"
    shutil.copyfile(ENV_EXAMPLE, env_file)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CKAN", "POSTGRES"))}
    result = subprocess.run(
        [
            *compose_cli,
            "--project-directory",
            str(ROOT),
            "-f",
            str(COMPOSE_FILE),
            "--env-file",
            str(env_file),
            "config",
            "-q",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert result.returncode == 0, result.stderr or result.stdout


def _dockerfile_site_settings() -> dict[str, str]:
    """The ``key = value`` pairs the Dockerfile writes with ``ckan config-tool``."""
    text = DOCKERFILE.read_text(encoding="utf-8")
    block = re.search(r"RUN ckan config-tool \"\$\{CKAN_INI\}\"((?:\s*\\\n\s*\"[^\"]*\")+)", text)
    assert block, "the Dockerfile writes no site settings with ckan config-tool"
    return dict(pair.split(" = ", 1) for pair in re.findall(r"\"([^\"]*)\"", block.group(1)))


def test_production_and_embedded_default_share_the_site_settings():
    """Each site setting the Dockerfile writes has the same value in the embedded ini template."""
    template = (ROOT / "scripts" / "templates" / "ckan.ini.in").read_text(encoding="utf-8")
    embedded = dict(re.findall(r"(?m)^([a-z][\w.]*) = (.*)$", template))
    production = _dockerfile_site_settings()
    assert len(production) >= 5, production
    differ = {key: (value, embedded.get(key)) for key, value in production.items()
              if embedded.get(key) != value}
    assert not differ, f"Dockerfile vs scripts/templates/ckan.ini.in: {differ}"


def test_no_page_asks_gravatar_for_avatars():
    """Both configurations turn CKAN's gravatar.com avatars off (its placeholder is local)."""
    assert _dockerfile_site_settings().get("ckan.gravatar_default") == "disabled"
