"""The commitment tracker lists the datasets published for a commitment."""
import pytest

from .conftest import PACKAGES

pytestmark = pytest.mark.usefixtures("clean_publish")


def test_published_dataset_appears_on_its_commitment(app, sysadmin, publish):
    """After publishing food-contaminants, KR0043's page links it and the list counts it."""
    publish(PACKAGES / "food-contaminants", sysadmin["name"])
    page = app.get("/commitments/KR0043").body
    assert 'href="/dataset/food-contaminants"' in page
    assert "koreanap-no-datasets" not in page
    listing = app.get("/commitments").body
    rows = [chunk.split("</tr>", 1)[0] for chunk in listing.split('data-commitment-id="')[1:]]
    counted = [row for row in rows if '<td class="koreanap-dataset-count">1</td>' in row]
    assert len(rows) == 13 and len(counted) == 1
    assert "OGP KR0043" in counted[0]
