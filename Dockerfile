# syntax=docker/dockerfile:1
# The CKAN image of the production stack (docker-compose.yml: services ckan
# and worker): the official CKAN 2.12 image plus this repository, installed
# with CKAN's own pins as constraints so nothing here moves them. No secret is
# baked in: secrets, URLs and the plugin list come from the environment when a
# container starts (docker/ckan/entrypoint). See docs/production.md.
# The browser code (e.g. the 3D view's three.js), from the npm registry as
# pinned by package-lock.json and bundled by esbuild (package.json "build", all
# bundles); the image takes the extension from here, with the bundles in it.
FROM node:20-bookworm-slim AS frontend
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY ckanext-koreanap ./ckanext-koreanap
RUN npm run build

FROM ckan/ckan-base:2.12.0

# Installing into the image's Python needs root; the container runs as `ckan`.
USER root

# Site settings shared with the embedded default (scripts/templates/ckan.ini.in).
RUN ckan config-tool "${CKAN_INI}" \
        "ckan.site_title = 열린정부 국가실행계획 공공데이터 / Korea OGP NAP4 Open Data" \
        "ckan.locale_default = ko_KR" \
        "ckan.locales_offered = ko_KR en" \
        "ckan.display_timezone = Asia/Seoul" \
        "ckan.gravatar_default = disabled" \
        "ckan.datastore.sqlsearch.enabled = true" \
        "ckan.search.default_package_sort = score desc, metadata_modified desc" \
        "ckan.max_resource_size = 100" \
        "ckan.auth.create_user_via_web = false" \
        "ckan.auth.user_create_organizations = false" \
        "ckan.auth.user_create_groups = false"

WORKDIR ${SRC_DIR}/ckanext-koreanap
COPY requirements.txt requirements-runtime.txt setup.py ./
COPY --from=frontend /build/ckanext-koreanap ./ckanext-koreanap
COPY validation ./validation
COPY client ./client
# The plan's own data package: the /commitments pages read it.
COPY datapackages/ogp-nap4-commitments ./datapackages/ogp-nap4-commitments
ENV KOREANAP_COMMITMENTS_PACKAGE=${SRC_DIR}/ckanext-koreanap/datapackages/ogp-nap4-commitments
# The Korean and English message catalogs (.po in git) compiled to the .mo
# files that the install copies with the package data.
RUN python3 -m babel.messages.frontend compile --statistics -D ckanext-koreanap \
        -d ckanext-koreanap/ckanext/koreanap/i18n

# CKAN's exact pins are not visible to `pip check`: freeze what the image has
# and install with that as constraints. The image's CKAN must be the version
# requirements.txt pins.
# The official image's Python is newer than the 3.11 the embedded set-up is
# tested on; setup.py accepts CKAN 2.12's own range (>=3.10).
RUN set -eux; \
    want="$(sed -n 's/^ckan\[requirements\]==\([0-9.]*\).*/\1/p' requirements.txt)"; \
    have="$(python3 -c 'import ckan; print(ckan.__version__)')"; \
    test -n "$want"; \
    test "$want" = "$have" || { echo "base image has CKAN $have, requirements.txt pins $want" >&2; exit 1; }; \
    pip freeze --exclude-editable | grep -v ' @ ' > /tmp/ckan-constraints.txt; \
    pip install --no-cache-dir -c /tmp/ckan-constraints.txt .; \
    rm -f /tmp/ckan-constraints.txt; \
    python3 -c 'import ckan; assert ckan.__version__ == "'"$want"'", ckan.__version__'; \
    python3 -c 'import ckanext.koreanap.plugin, ckanext.koreanap.search.plugin, ckanext.koreanap.view3d.plugin, koreanap_validation, koreanap_client.console, frictionless_koreanap'; \
    test -s "$(python3 -c 'import ckanext.koreanap.view3d as v, os; print(os.path.dirname(v.__file__))')/assets/build/view3d.js"

COPY --chmod=0755 docker/ckan/entrypoint /srv/app/koreanap/entrypoint
COPY --chmod=0644 docker/ckan/pg.py /srv/app/koreanap/

USER ckan
WORKDIR /srv/app
EXPOSE 5000
ENTRYPOINT ["/srv/app/koreanap/entrypoint"]
CMD ["web"]
