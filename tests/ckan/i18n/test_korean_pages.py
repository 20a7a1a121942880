"""Korean pages show no English message of CKAN core that CKAN's Korean catalog leaves
untranslated (empty, or kept in English): the extension's catalog translates them."""
import re
from pathlib import Path

import ckan
import pytest
from babel.messages.pofile import read_po
from bs4 import BeautifulSoup
from ckan.tests import factories

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")

CORE_KO = Path(ckan.__file__).parent / "i18n" / "ko_KR" / "LC_MESSAGES" / "ckan.po"
# Names and codes that read the same in Korean.
SAME_IN_KOREAN = {"CKAN", "API", "URL", "JSON", "CSV", "ID", "X", "Facebook", "Twitter",
                  "LinkedIn", "Email", "Gravatar", "Markdown", "CKAN API",
                  "http://example.com/my-image.jpg"}


def _untranslated_core_messages():
    with CORE_KO.open("rb") as fh:
        catalog = read_po(fh, locale="ko_KR")
    found = set()
    for message in catalog:
        if not message.id:
            continue
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if (not all(strings) or strings[0] == msgid) and re.search("[A-Za-z]", msgid) \
                and msgid not in SAME_IN_KOREAN:
            found.add(msgid)
    return found


def _shown_texts(body):
    soup = BeautifulSoup(body, "html.parser")
    for tag in soup(["script", "style", "noscript"]):
        tag.decompose()
    texts = {" ".join(t.split()) for t in soup.stripped_strings}
    for element in soup.find_all(True):
        for attr in ("placeholder", "title", "aria-label", "alt"):
            if element.get(attr):
                texts.add(" ".join(element[attr].split()))
        if element.name == "input" and element.get("type") in ("submit", "button"):
            texts.add(element.get("value") or "")
    return {t.rstrip(":").strip() for t in texts if t}


@pytest.fixture
def site():
    org = factories.Organization(name="mfds", title="식품의약품안전처")
    sysadmin = factories.Sysadmin()
    dataset = factories.Dataset(owner_org=org["id"], name="rice", title="쌀 중 카드뮴")
    resource = factories.Resource(package_id=dataset["id"], name="조사 결과")
    factories.Group(name="food", title="식품")
    token = factories.APIToken(user=sysadmin["name"])["token"]
    return {"resource": resource, "user": sysadmin["name"], "auth": {"Authorization": token}}


def test_korean_pages_show_no_untranslated_core_message(app, site):
    """The main pages (visitor and publisher) and the error pages show no English text that
    CKAN's Korean catalog leaves untranslated."""
    untranslated = _untranslated_core_messages()
    assert len(untranslated) > 100  # the check reads CKAN's catalog, not an empty set
    visitor = ["/", "/dataset/", "/dataset/rice",
               f"/dataset/rice/resource/{site['resource']['id']}", "/organization/",
               "/organization/mfds", "/group/", "/group/food",
               "/dataset/rice/report-error", "/user/login", "/dataset/activity/rice",
               "/quality"]
    publisher = ["/dataset/new", "/dataset/edit/rice", "/organization/edit/mfds",
                 "/dashboard/datasets", f"/user/{site['user']}"]
    # Error pages a visitor meets: a page only a sysadmin may see, one that does not exist.
    errors = {"/ckan-admin": 403, "/no-such-page": 404}
    shown = {}
    for path in visitor + publisher + list(errors):
        headers = site["auth"] if path in publisher else {}
        body = app.get(path, headers=headers, status=errors.get(path, 200)).body
        for text in _shown_texts(body) & untranslated:
            shown.setdefault(text, path)
    assert not shown, "English on Korean pages (translate in i18n/ko_KR):\n" + "\n".join(
        f"{path}: {text!r}" for text, path in sorted(shown.items()))


def test_title_and_footer_in_the_page_language(app):
    """The page title and the footer name the site in the page's language; the footer's
    attribution is Korean on the Korean site."""
    korean = BeautifulSoup(app.get("/dataset/", status=200).body, "html.parser")
    title = korean.title.get_text(" ", strip=True)
    footer = " ".join(korean.select_one("footer").get_text(" ", strip=True).split())
    assert title.endswith("열린정부 국가실행계획 공공데이터") and "Korea OGP" not in title, title
    assert "열린정부 국가실행계획 공공데이터 소개" in footer, footer
    assert "Powered by" not in footer and "About" not in footer and "Korea OGP" not in footer
    english = BeautifulSoup(app.get("/en/dataset/", status=200).body, "html.parser")
    assert english.title.get_text(strip=True).endswith("Korea OGP NAP4 Open Data")
    assert "About Korea OGP NAP4 Open Data" in english.select_one("footer").get_text(" ")


def test_publisher_help_and_empty_organization_read_in_korean(app):
    """An organization without a description and the form's Markdown help are Korean."""
    factories.Organization(name="empty-org", title="빈 기관", description="")
    sysadmin = factories.Sysadmin()
    token = factories.APIToken(user=sysadmin["name"])["token"]
    about = app.get("/organization/about/empty-org", status=200).body
    assert "이 기관의 설명이 아직 없습니다." in about
    assert "There is no description" not in about
    form = app.get("/dataset/new", headers={"Authorization": token}, status=200).body
    assert "마크다운 서식" in form and "Markdown formatting" not in form
