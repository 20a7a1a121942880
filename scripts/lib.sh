# Shared set-up steps for scripts/serve and scripts/test (sourced, not run).
#
# Every step checks before it acts, so running either command again is safe
# and quick: packages, the virtualenv, the services, the databases and the
# CKAN migrations are only touched when something is missing.
#
# Settings (environment variables, all optional):
#   KOREANAP_PYTHON      Python 3.11 interpreter for the venv (default: python3.11)
#   KOREANAP_VENV        virtualenv path (default: <repo>/venv)
#   KOREANAP_PG_CLUSTER  Debian PostgreSQL cluster "VERSION/NAME" (default: 15/main)
#   KOREANAP_DB_PASSWORD password for the local database roles (default: koreanap-local)

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${KOREANAP_VENV:-$ROOT/venv}"
VAR="$ROOT/var"
PYTHON="${KOREANAP_PYTHON:-python3.11}"
PG_CLUSTER="${KOREANAP_PG_CLUSTER:-15/main}"
DB_PASSWORD="${KOREANAP_DB_PASSWORD:-koreanap-local}"
APT_PACKAGES=(postgresql redis-server libpq-dev build-essential libmagic1 curl)

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

as_postgres() {
    if [ "$(id -u)" = 0 ]; then
        su postgres -s /bin/sh -c "$(printf '%q ' "$@")"
    else
        sudo -u postgres "$@"
    fi
}

ensure_apt() {
    local missing=() pkg
    for pkg in "${APT_PACKAGES[@]}" "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
            || missing+=("$pkg")
    done
    if ! "$PYTHON" -c 'import venv, ensurepip' >/dev/null 2>&1; then
        command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3
        "$PYTHON" -c 'import venv, ensurepip' >/dev/null 2>&1 || missing+=(python3-venv python3-dev)
    fi
    if [ ${#missing[@]} -gt 0 ]; then
        say "Installing Debian packages: ${missing[*]}"
        as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null
    fi
    "$PYTHON" -c 'import sys; assert sys.version_info[:2] == (3, 11)' 2>/dev/null \
        || die "$PYTHON is not Python 3.11 (CKAN 2.12 is tested on 3.11); set KOREANAP_PYTHON"
}

# What scripts/serve installs, and all it installs: CKAN with its own pins,
# then this project (requirements-runtime.txt, setup.py's install_requires) with those pins as
# constraints (pip check cannot see CKAN's extra's pins; see the README). The
# serve-path test (tests/test_serve_command.py) builds a throwaway venv with
# this very function, so a runtime dependency declared only for the tests fails it.
ensure_venv() {
    mkdir -p "$VAR"
    if [ ! -x "$VENV/bin/python" ]; then
        say "Creating virtualenv $VENV"
        "$PYTHON" -m venv "$VENV"
    fi
    # The stamp and the constraints live in the venv they describe.
    local stamp="$VENV/koreanap-pip-stamp" want
    want="$(cat "$ROOT/requirements.txt" "$ROOT/requirements-runtime.txt" "$ROOT/setup.py" \
        | sha256sum | cut -d' ' -f1)"
    # Whether the install works, asked without a CKAN config: "ckan --help" exits 1
    # when no ckan.ini is in the current folder (as in a fresh clone, or the test
    # run), which made every call reinstall, racing with tests importing the venv.
    if [ -f "$stamp" ] && grep -qx "runtime $want" "$stamp" && [ -x "$VENV/bin/ckan" ] \
            && (cd / && "$VENV/bin/python" -c 'import ckan.cli.cli, ckanext.koreanap.plugin
import koreanap_validation, koreanap_client.console, frictionless_koreanap') >/dev/null 2>&1
    then
        return
    fi
    say "Installing CKAN 2.12 and ckanext-koreanap into $VENV"
    "$VENV/bin/pip" install -q --disable-pip-version-check -r "$ROOT/requirements.txt"
    "$VENV/bin/pip" freeze --exclude-editable | grep -v '^-e ' > "$VENV/koreanap-constraints.txt"
    "$VENV/bin/pip" install -q --disable-pip-version-check \
        -c "$VENV/koreanap-constraints.txt" -e "$ROOT"
    # An editable install imports through a finder that pkgutil cannot list,
    # so the frictionless command would not see frictionless_koreanap: put its
    # folder (validation/, which holds it and koreanap_validation) on sys.path
    # (a regular install, as in the Dockerfile, needs not).
    "$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])' \
        | { read -r site; echo "$ROOT/validation" > "$site/koreanap-frictionless.pth"; }
    # A new runtime install invalidates the test set installed on top of it.
    echo "runtime $want" > "$stamp"
}

# What only the tests and linters need (requirements-dev.txt), on top of
# ensure_venv's set and under the same CKAN constraints.
ensure_dev_requirements() {
    local stamp="$VENV/koreanap-pip-stamp" want
    want="$(cat "$ROOT/requirements.txt" "$ROOT/setup.py" "$ROOT/requirements-dev.txt" \
        | sha256sum | cut -d' ' -f1)"
    if grep -qx "dev $want" "$stamp" 2>/dev/null; then
        return
    fi
    say "Installing the test requirements (requirements-dev.txt) into $VENV"
    "$VENV/bin/pip" install -q --disable-pip-version-check \
        -c "$VENV/koreanap-constraints.txt" -r "$ROOT/requirements-dev.txt"
    echo "dev $want" >> "$stamp"
}

ensure_postgres() {
    local version="${PG_CLUSTER%/*}" name="${PG_CLUSTER#*/}"
    if ! pg_lsclusters -h 2>/dev/null | awk '{print $1"/"$2}' | grep -qx "$PG_CLUSTER"; then
        say "Creating PostgreSQL cluster $PG_CLUSTER"
        as_root pg_createcluster --locale C.UTF-8 "$version" "$name" >/dev/null
    fi
    if ! pg_lsclusters -h | awk -v c="$PG_CLUSTER" '$1"/"$2==c {print $4}' | grep -q online; then
        say "Starting PostgreSQL $PG_CLUSTER"
        as_root pg_ctlcluster "$version" "$name" start
    fi
    local i
    for i in $(seq 1 30); do
        as_postgres psql -qAtc 'select 1' >/dev/null 2>&1 && return
        sleep 1
    done
    die "PostgreSQL $PG_CLUSTER does not answer; see /var/log/postgresql/"
}

ensure_redis() {
    if redis-cli ping 2>/dev/null | grep -q PONG; then return; fi
    say "Starting Redis"
    as_root service redis-server start >/dev/null 2>&1 \
        || as_root redis-server --daemonize yes --bind 127.0.0.1 --port 6379 >/dev/null
    local i
    for i in $(seq 1 30); do
        redis-cli ping 2>/dev/null | grep -q PONG && return
        sleep 0.5
    done
    die "Redis does not answer on 127.0.0.1:6379"
}

psql_admin() { as_postgres psql -v ON_ERROR_STOP=1 -qAt "$@"; }

ensure_role() {  # name, password
    if [ "$(psql_admin -c "select 1 from pg_roles where rolname = '$1'")" != 1 ]; then
        psql_admin -c "create role \"$1\" login password '$2'"
    fi
}

ensure_database() {  # name, owner
    if [ "$(psql_admin -c "select 1 from pg_database where datname = '$1'")" != 1 ]; then
        say "Creating database $1"
        # C.UTF-8 so the text-search parser treats Hangul as letters.
        psql_admin -c "create database \"$1\" owner \"$2\" encoding 'UTF8' \
            lc_collate 'C.UTF-8' lc_ctype 'C.UTF-8' template template0"
    fi
}

# Roles and databases for one instance: $1 = CKAN db, $2 = DataStore db.
ensure_databases() {
    ensure_role ckan_default "$DB_PASSWORD"
    ensure_role datastore_default "$DB_PASSWORD"
    ensure_role datastore_ro "$DB_PASSWORD"
    ensure_database "$1" ckan_default
    ensure_database "$2" datastore_default
}

# The databases are shared by every checkout on this machine, the uploaded files
# are not: they live in this checkout's storage folder. Databases that already
# hold datasets but were filled for another storage folder (another checkout, or
# a deleted var/) point at files that are not here, and publishing would call
# every resource "unchanged" while the catalogue cannot read one of them. Such
# databases are renamed (kept, with the date) and fresh ones created. The
# storage folder's .databases file names the databases it belongs to.
claim_databases() {  # ckan db, datastore db, storage folder
    local db="$1" ds_db="$2" storage="$3" marker identity datasets stamp
    marker="$storage/.databases"
    identity="$(psql_admin -c "select system_identifier from pg_control_system()"):$(
        psql_admin -c "select oid from pg_database where datname = '$db'")"
    mkdir -p "$storage"
    if [ -f "$marker" ] && [ "$(cat "$marker")" = "$identity" ]; then
        return 0
    fi
    # (one line each: as_postgres hands the SQL to sh, which reads no $'..\n..' quoting)
    datasets=0
    if [ "$(psql_admin -d "$db" -c "select to_regclass('public.package') is not null")" = t ]; then
        datasets="$(psql_admin -d "$db" -c "select count(*) from package")"
    fi
    if [ "$datasets" != 0 ]; then
        stamp="$(date -u +%Y%m%d%H%M%S)"
        say "Databases $db and $ds_db hold $datasets datasets whose files are not in $storage (another checkout's); keeping them as ${db}_$stamp and ${ds_db}_$stamp and starting fresh ones"
        for name in "$db" "$ds_db"; do
            psql_admin -c "select pg_terminate_backend(pid) from pg_stat_activity where datname = '$name' and pid <> pg_backend_pid()" >/dev/null
            psql_admin -c "alter database \"$name\" rename to \"${name}_$stamp\""
        done
        ensure_databases "$db" "$ds_db"
        identity="${identity%%:*}:$(psql_admin -c "select oid from pg_database where datname = '$db'")"
    fi
    printf '%s\n' "$identity" > "$marker"
}

# Generated data too large for git, rebuilt byte for byte when missing.
ensure_generated_data() {
    local survey="$ROOT/datapackages/food-contaminants/data/survey_results.csv"
    if [ ! -s "$survey" ]; then
        say "Building the food-contaminants survey rows (scripts/build_food_contaminants.py)"
        "$VENV/bin/python" "$ROOT/scripts/build_food_contaminants.py" --overwrite >/dev/null
    fi
}

# Browser code (the 3D view's three.js) from the npm registry, pinned by
# package-lock.json and bundled by esbuild (package.json "build"); nothing
# installed or built is kept in git. npm ci runs again only when the lock file
# changes, the bundle only when its sources or the lock file change.
VIEW3D_BUNDLE="$ROOT/ckanext-koreanap/ckanext/koreanap/view3d/assets/build/view3d.js"
# The contaminant quick search's chart (Chart.js), bundled by the same build.
CONTAMINANTS_BUNDLE="$ROOT/ckanext-koreanap/ckanext/koreanap/contaminants/assets/build/contaminants.js"
QUALITY_BUNDLE="$ROOT/ckanext-koreanap/ckanext/koreanap/assets/build/quality.js"
ensure_frontend() {
    if ! command -v npm >/dev/null 2>&1; then
        # Only when npm is missing: Debian's npm conflicts with NodeSource's
        # nodejs, which carries its own npm.
        ensure_apt nodejs npm
    fi
    mkdir -p "$VAR/log"
    local log="$VAR/log/frontend.log" lock_sum build_sum
    lock_sum="$(cat "$ROOT/package.json" "$ROOT/package-lock.json" | sha256sum | cut -d' ' -f1)"
    if [ ! -d "$ROOT/node_modules" ] || [ "$(cat "$VAR/npm-stamp" 2>/dev/null)" != "$lock_sum" ]; then
        say "Installing the browser code's npm packages (npm ci)"
        (cd "$ROOT" && npm ci --no-audit --no-fund) >"$log" 2>&1 \
            || { tail -n 20 "$log" >&2; die "npm ci failed; see $log"; }
        echo "$lock_sum" > "$VAR/npm-stamp"
    fi
    build_sum="$( { echo "$lock_sum"
        find "$ROOT/ckanext-koreanap/ckanext" -path '*/assets/src/*' -type f -print0 \
            | sort -z | xargs -0 cat; } | sha256sum | cut -d' ' -f1)"
    if [ ! -s "$VIEW3D_BUNDLE" ] || [ ! -s "$CONTAMINANTS_BUNDLE" ] \
        || [ ! -s "$QUALITY_BUNDLE" ] \
        || [ "$(cat "$VAR/frontend-stamp" 2>/dev/null)" != "$build_sum" ]; then
        say "Bundling the browser code (npm run build)"
        (cd "$ROOT" && npm run build) >"$log" 2>&1 \
            || { tail -n 20 "$log" >&2; die "npm run build failed; see $log"; }
        echo "$build_sum" > "$VAR/frontend-stamp"
    fi
}

# Message catalogs (ckanext/koreanap/i18n/<locale>/LC_MESSAGES/*.po, kept in
# git) compiled to .mo (not kept): only those whose .po changed, each written
# to a temporary file first so a running CKAN never reads half a catalog.
ensure_catalogs() {
    local po mo
    while IFS= read -r -d '' po; do
        mo="${po%.po}.mo"
        if [ ! -s "$mo" ] || [ "$po" -nt "$mo" ]; then
            say "Compiling the message catalog ${po#"$ROOT"/}"
            "$VENV/bin/pybabel" -q compile -i "$po" -o "$mo.tmp" \
                || die "pybabel could not compile $po (see the message above)"
            mv -f "$mo.tmp" "$mo"
        fi
    done < <(find "$ROOT/ckanext-koreanap/ckanext" -path '*/i18n/*/LC_MESSAGES/*.po' -print0)
}

secret() {  # a random value kept in var/ so the ini is stable across runs
    local file="$VAR/secret-$1"
    if [ ! -s "$file" ]; then
        (umask 077; "$VENV/bin/python" -c 'import secrets; print(secrets.token_urlsafe(32))' > "$file")
    fi
    cat "$file"
}

# A hung Redis (not down: it accepts connections but never answers) must not
# hang a request: CKAN builds its Redis pool from ckan.redis.url alone, and
# redis-py reads these socket timeouts (seconds) from the URL. rq's worker
# raises the read timeout to above its own blocking wait, so jobs are unaffected.
REDIS_TIMEOUTS="socket_connect_timeout=3&socket_timeout=3"

# write_ini OUT WRITER SITE_ID CKAN_DB DATASTORE_DB REDIS_DB HOST PORT [SMTP_SERVER]
# SMTP_SERVER is host:port of the mail server CKAN sends to (default: localhost).
write_ini() {
    local out="$1" writer="$2" site_id="$3" db="$4" ds_db="$5" redis_db="$6" host="$7" port="$8"
    local smtp="${9:-localhost}"
    # Another PostgreSQL or Redis than the shared local ones (tests/faults runs its own).
    local db_host="${KOREANAP_DB_HOST:-127.0.0.1}" redis_host="${KOREANAP_REDIS_HOST:-127.0.0.1:6379}"
    mkdir -p "$VAR/storage-$site_id"
    KOREANAP_TEMPLATE="$ROOT/scripts/templates/ckan.ini.in" KOREANAP_OUT="$out" \
    __WRITER__="$writer" \
    __SECRET_KEY__="$(secret "$site_id")" \
    __SITE_URL__="http://$host:$port" \
    __SITE_ID__="$site_id" \
    __SQLALCHEMY_URL__="postgresql://ckan_default:$DB_PASSWORD@$db_host/$db" \
    __DATASTORE_WRITE_URL__="postgresql://datastore_default:$DB_PASSWORD@$db_host/$ds_db" \
    __DATASTORE_READ_URL__="postgresql://datastore_ro:$DB_PASSWORD@$db_host/$ds_db" \
    __REDIS_URL__="redis://$redis_host/$redis_db?$REDIS_TIMEOUTS" \
    __PLUGINS__="${KOREANAP_PLUGINS:-activity datastore koreanap_search koreanap scheming_datasets koreanap_3d_view koreanap_reports koreanap_contaminants koreanap_commitments dcat structured_data datatables_view}" \
    __SOLR_URL__="${KOREANAP_SOLR_URL:-http://127.0.0.1:8983/solr/ckan}" \
    __STORAGE_PATH__="$VAR/storage-$site_id" \
    __HOST__="$host" __PORT__="$port" \
    __SMTP_SERVER__="$smtp" \
    __MAIL_FROM__="${KOREANAP_MAIL_FROM:-noreply@koreanap.invalid}" \
    __PAGE_CACHE_SECONDS__="${KOREANAP_PAGE_CACHE_SECONDS:-30}" \
    "$VENV/bin/python" - <<'PY'
import os  # fill the template's __NAME__ placeholders from the environment
text = open(os.environ["KOREANAP_TEMPLATE"], encoding="utf-8").read()
for key, value in os.environ.items():
    if key.startswith("__") and key.endswith("__"):
        text = text.replace(key, value)
out = os.environ["KOREANAP_OUT"]
old = open(out, encoding="utf-8").read() if os.path.exists(out) else None
if old != text:
    with open(out, "w", encoding="utf-8") as f:
        f.write(text)
    os.chmod(out, 0o600)
PY
}

# Core and plugin migrations, then the DataStore permissions (as postgres).
migrate() {  # ini
    local ini="$1" plugin log
    log="$VAR/log/migrate-$(basename "$ini" .ini).log"
    mkdir -p "$VAR/log"
    : > "$log"
    ckan_quiet "$log" -c "$ini" db init
    for plugin in activity koreanap_search koreanap koreanap_reports; do
        ckan_quiet "$log" -c "$ini" db upgrade -p "$plugin"
    done
    "$VENV/bin/ckan" -c "$ini" datastore set-permissions 2>>"$log" \
        | psql_admin --set ON_ERROR_STOP=1 >>"$log" 2>&1 \
        || { tail -n 20 "$log" >&2; die "DataStore permissions failed; see $log"; }
}

# Run a ckan command with its start-up chatter in a log; show it on failure.
ckan_quiet() {  # log, ckan args...
    local log="$1"; shift
    "$VENV/bin/ckan" "$@" >>"$log" 2>&1 \
        || { tail -n 20 "$log" >&2; die "ckan $* failed; see $log"; }
}
