"""Published data packages are served as DCAT that conforms to the SHACL shapes (real datasets)."""
import json

import pytest
from rdflib import Graph
from rdflib.namespace import DCAT, RDF

from koreanap_validation.metadata.shacl import check_graph

from .conftest import PACKAGES

pytestmark = pytest.mark.usefixtures("clean_publish")


@pytest.mark.parametrize("slug", ["food-contaminants", "cultural-heritage-3d",
                                  "priority-datasets"])
def test_published_package_dcat_conforms(app, sysadmin, publish, slug):
    """/dataset/<name>.ttl of a published package conforms to our shapes; one distribution each."""
    publish(PACKAGES / slug, sysadmin["name"])
    graph = Graph().parse(data=app.get(f"/dataset/{slug}.ttl").body, format="turtle")
    (dataset,) = graph.subjects(RDF.type, DCAT.Dataset)
    result = check_graph(graph)
    assert result["conforms"], "\n".join(f'{r["path"]}: {r["message"]}'
                                         for r in result["results"])
    resources = json.loads((PACKAGES / slug / "datapackage.json").read_text())["resources"]
    assert len(list(graph.objects(dataset, DCAT.distribution))) == len(resources)


def test_plan_package_without_kogl_licence_is_flagged(app, sysadmin, publish):
    """The plan's own package (no KOGL licence declared) is served; the shapes name the licence."""
    publish(PACKAGES / "ogp-nap4-commitments", sysadmin["name"])
    graph = Graph().parse(data=app.get("/dataset/ogp-nap4-commitments.ttl").body,
                          format="turtle")
    result = check_graph(graph)
    assert not result["conforms"]
    assert {r["path"] for r in result["results"] if r["severity"] == "Violation"} == {
        "dct:license"}
