"""Published packages say what they are: status, lead agency, publisher, contact channel."""
import pytest
from ckan.tests.helpers import call_action
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF

from ..i18n.test_facets import _facet_items
from .conftest import PACKAGES
from .test_printability import _page

pytestmark = pytest.mark.usefixtures("with_plugins")

KNAP = "urn:koreanap:ns:"
VCARD_URL = URIRef("http://www.w3.org/2006/vcard/ns#hasURL")


@pytest.fixture
def plan(sysadmin, publish):
    """The plan's package (a transcription), published."""
    publish(PACKAGES / "ogp-nap4-commitments", sysadmin["name"])
    return call_action("package_show", id="ogp-nap4-commitments")


def test_status_and_lead_agency_are_fields_and_a_facet(plan):
    """The dataset carries data_status and the lead agency; the index facets the status."""
    assert plan["data_status"] == "transcription"
    assert (plan["lead_agency"], plan["lead_agency_en"]) == (
        "행정안전부", "Ministry of the Interior and Safety")
    # the project transcribed the plan and publishes it: filed under the project, not the
    # agency; the lead agency is a facet of its own
    assert plan["organization"]["name"] == "ckanext-koreanap" and not plan.get("contact_email")
    assert plan["organization"]["title"] == "ckanext-koreanap 프로젝트 (ckanext-koreanap project)"
    found = call_action("package_search", q="*:*",
                        **{"facet.field": ["data_status", "lead_agency", "organization"]})
    assert found["facets"]["data_status"] == {"transcription": 1}
    assert found["facets"]["lead_agency"] == {"행정안전부": 1}
    assert found["facets"]["organization"] == {"ckanext-koreanap": 1}
    assert call_action("package_search", fq="data_status:sample")["count"] == 0


def _facets(app, url):
    """{facet title: [item labels]} of a search page."""
    return _facet_items(_page(app, url))


def test_pages_show_the_status_banner_and_the_lead_agency(plan, app):
    """Dataset and resource pages carry the banner; the dataset page links its lead agency."""
    page = app.get("/dataset/ogp-nap4-commitments", status=200).body
    assert 'data-koreanap-data-status="transcription"' in page
    assert 'class="koreanap-lead-agency"' in page and "행정안전부" in page
    assert "/organization/mois" not in page  # the agency is no organization of this data
    search = _facets(app, "/dataset/")
    assert search["주관 기관"] == ["행정안전부"]
    # the publisher by its name in the page's language, not its two-language title cut short
    assert search["제공기관"] == ["ckanext-koreanap 프로젝트"]
    english = _facets(app, "/en/dataset/")
    assert english["Lead agency"] == ["Ministry of the Interior and Safety"]
    assert english["Publisher"] == ["ckanext-koreanap project"]
    assert "이 자료는 이 카탈로그가 공개합니다" in page
    resource = plan["resources"][0]
    page = app.get("/dataset/ogp-nap4-commitments/resource/" + resource["id"]).body
    assert 'data-koreanap-data-status="transcription"' in page


def test_the_projects_name_reads_in_the_pages_language(plan, app):
    """The dataset page's breadcrumb, the organization's own page (title, breadcrumb,
    heading) and the organizations list name the publisher in the page's language alone;
    the API keeps the organization's full title."""
    crumb = '<ol class="breadcrumb">'
    for prefix, name, other in (("", "ckanext-koreanap 프로젝트", "ckanext-koreanap project"),
                                ("/en", "ckanext-koreanap project", "프로젝트")):
        page = _page(app, prefix + "/dataset/ogp-nap4-commitments")
        trail = page[page.index(crumb):page.index("</ol>", page.index(crumb))]
        assert f'title="{name}"' in trail and other not in trail
        page = _page(app, prefix + "/organization/ckanext-koreanap")
        trail = page[page.index(crumb):page.index("</ol>", page.index(crumb))]
        assert name in trail and other not in trail
        title = page[page.index("<title>"):page.index("</title>")]
        assert title.startswith(f"<title>{name} ") and other not in title
        heading = page[page.index('id="organization-info"'):]
        heading = heading[heading.index('<h2 class="heading">'):heading.index("</h2>")]
        assert name in heading and other not in heading
        listed = _page(app, prefix + "/organization/")
        listed = listed[listed.index('<h2 class="media-heading">'):]
        assert f'<h2 class="media-heading">{name}</h2>' in listed and other not in listed
    shown = call_action("organization_show", id="ckanext-koreanap")
    assert shown["display_name"] == "ckanext-koreanap 프로젝트 (ckanext-koreanap project)"


def test_dcat_names_status_project_publisher_and_report_page(plan, app):
    """DCAT: knap:dataStatus on dataset and distributions, the project as dct:publisher,
    the agency as knap:leadAgency, the error-report page as the contact's vcard:hasURL."""
    graph = Graph().parse(data=app.get("/dataset/ogp-nap4-commitments.ttl").body,
                          format="turtle")
    dataset = next(graph.subjects(DCTERMS.identifier, None))
    status = URIRef(KNAP + "data-status/transcription")
    assert graph.value(dataset, URIRef(KNAP + "dataStatus")) == status
    for dist in graph.objects(dataset, DCAT.distribution):
        assert graph.value(dist, URIRef(KNAP + "dataStatus")) == status
    names = {str(n) for n in graph.objects(graph.value(dataset, DCTERMS.publisher), FOAF.name)}
    assert names == {"ckanext-koreanap 프로젝트", "ckanext-koreanap project"}
    lead = graph.value(dataset, URIRef(KNAP + "leadAgency"))
    assert "행정안전부" in {str(n) for n in graph.objects(lead, FOAF.name)}
    url = str(graph.value(graph.value(dataset, DCAT.contactPoint), VCARD_URL))
    assert url.endswith("/dataset/ogp-nap4-commitments/report-error")
