#!/bin/bash
# First start of an empty PostgreSQL volume (mounted into
# /docker-entrypoint-initdb.d by docker-compose.yml): the roles and databases
# CKAN and its DataStore log in with. The official image runs this once, when
# the data volume is new; later password changes need ALTER ROLE (see
# docs/production.md). The DataStore grants are set by CKAN itself at each
# start (`ckan datastore set-permissions`, docker/ckan/entrypoint).
#
# Settings (environment of the db service, all required):
#   CKAN_DB_NAME CKAN_DB_USER CKAN_DB_PASSWORD
#   DATASTORE_DB_NAME DATASTORE_WRITE_USER DATASTORE_WRITE_PASSWORD
#   DATASTORE_READ_USER DATASTORE_READ_PASSWORD

# A subshell, so the options below do not leak into the image's entrypoint
# when it sources this file instead of running it (no executable bit).
(
    set -euo pipefail
    for var in CKAN_DB_NAME CKAN_DB_USER CKAN_DB_PASSWORD \
        DATASTORE_DB_NAME DATASTORE_WRITE_USER DATASTORE_WRITE_PASSWORD \
        DATASTORE_READ_USER DATASTORE_READ_PASSWORD; do
        if [ -z "${!var:-}" ]; then
            echo "init.sh: $var is not set (see .env.example)" >&2
            exit 1
        fi
    done

    # psql quotes the values itself (:"name" for identifiers, :'value' for
    # literals), so a password cannot break out of the statement.
    psql -v ON_ERROR_STOP=1 --no-psqlrc --username "${POSTGRES_USER:-postgres}" --dbname postgres \
        --set ckan_db="$CKAN_DB_NAME" \
        --set ckan_user="$CKAN_DB_USER" \
        --set ckan_password="$CKAN_DB_PASSWORD" \
        --set datastore_db="$DATASTORE_DB_NAME" \
        --set write_user="$DATASTORE_WRITE_USER" \
        --set write_password="$DATASTORE_WRITE_PASSWORD" \
        --set read_user="$DATASTORE_READ_USER" \
        --set read_password="$DATASTORE_READ_PASSWORD" <<'SQL'
CREATE ROLE :"ckan_user" LOGIN PASSWORD :'ckan_password';
CREATE ROLE :"write_user" LOGIN PASSWORD :'write_password';
CREATE ROLE :"read_user" LOGIN PASSWORD :'read_password';
-- C.UTF-8 so the text-search parser treats Hangul as letters, as in the
-- embedded set-up (scripts/lib.sh).
CREATE DATABASE :"ckan_db" OWNER :"ckan_user" ENCODING 'UTF8'
    LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8' TEMPLATE template0;
CREATE DATABASE :"datastore_db" OWNER :"write_user" ENCODING 'UTF8'
    LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8' TEMPLATE template0;
-- Only CKAN's own role (and the superuser) may log in to CKAN's database; the
-- DataStore roles, which run users' SQL (datastore_search_sql), may not.
REVOKE CONNECT, TEMPORARY ON DATABASE :"ckan_db" FROM PUBLIC;
SQL
    echo "init.sh: created databases $CKAN_DB_NAME and $DATASTORE_DB_NAME and their roles"
)
