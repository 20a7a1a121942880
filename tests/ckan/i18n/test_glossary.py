"""Korean pages use one term per concept: none shows a variant docs/glossary.md rejects."""
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from ckan.tests import factories

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")

GLOSSARY = Path(__file__).resolve().parents[3] / "docs" / "glossary.md"


def _rejected():
    """{rejected variant: the glossary's term} from the glossary's table."""
    rows = [line.strip().strip("|").split("|") for line in
            GLOSSARY.read_text(encoding="utf-8").splitlines() if line.startswith("| ")]
    header = [cell.strip() for cell in rows[0]]
    assert header == ["Korean", "English", "Concept", "Rejected"], header
    found = {}
    for cells in rows[1:]:
        term, rejected = cells[0].strip(), cells[3].strip()
        for variant in filter(None, (v.strip() for v in rejected.split(","))):
            found[variant] = term
    return found


def _text(body):
    soup = BeautifulSoup(body, "html.parser")
    for tag in soup(["script", "style", "noscript"]):
        tag.decompose()
    attrs = [el.get(a) for el in soup.find_all(True)
             for a in ("placeholder", "title", "aria-label", "alt") if el.get(a)]
    return " ".join([*soup.stripped_strings, *attrs])


def test_the_glossary_rejects_something():
    """The table parses and names rejected variants (the page test below is not empty)."""
    rejected = _rejected()
    assert rejected.get("오픈데이터") == "공공데이터" and rejected.get("추적 코드") == "접수번호"


def test_korean_pages_use_the_glossary_terms(app):
    """The visitor's and the publisher's main Korean pages show no rejected variant."""
    rejected = _rejected()
    org = factories.Organization(name="mfds", title="식품의약품안전처")
    dataset = factories.Dataset(owner_org=org["id"], name="rice", title="쌀 중 카드뮴",
                                commitment="KR0043", data_status="sample")
    resource = factories.Resource(package_id=dataset["id"], name="조사 결과", format="CSV")
    sysadmin = factories.Sysadmin()
    auth = {"Authorization": factories.APIToken(user=sysadmin["name"])["token"]}
    pages = {"/": {}, "/dataset/": {}, "/dataset/rice": {},
             f"/dataset/rice/resource/{resource['id']}": {}, "/organization/mfds": {},
             "/commitments": {}, "/commitments/nap4-01": {}, "/contaminants": {}, "/quality": {},
             "/dataset/rice/report-error": {}, "/dataset/new": auth,
             "/organization/mfds/upload-package": auth}
    shown = []
    for path, headers in pages.items():
        response = app.get(path, headers=headers)
        assert response.status_code == 200, (path, response.status_code)
        text = _text(response.body)
        for variant, term in rejected.items():
            for match in re.finditer(re.escape(variant), text):
                context = text[max(0, match.start() - 25):match.end() + 25]
                shown.append(f"{path}: {variant!r} (use {term!r}) in …{context}…")
    assert not shown, "\n".join(shown)


def test_the_data_packages_use_the_glossary_terms():
    """What the catalogue publishes from its own packages (titles, keywords, descriptions,
    the README shown beside them) shows no rejected variant either."""
    rejected = _rejected()
    packages = GLOSSARY.parents[1] / "datapackages"
    files = sorted([*packages.glob("*/datapackage.json"), *packages.glob("*/README.md")])
    assert len(files) >= 8, files
    shown = [f"{path.relative_to(packages)}:{number}: {variant!r} (use {term!r})"
             for path in files
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             for variant, term in rejected.items() if variant in line]
    assert not shown, "\n".join(shown)
