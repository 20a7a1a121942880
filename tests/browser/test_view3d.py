"""The 3D view (plugin koreanap_3d_view) in a real browser: GLB, STL, OBJ and
PLY files render, drag and wheel move the model, a damaged file gets a
message, and a browser without WebGL gets a still image."""
from pathlib import Path

import pytest
import trimesh
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.actions.wheel_input import ScrollOrigin
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

ROOT = Path(__file__).resolve().parents[2]
MODELS = ROOT / "datapackages" / "cultural-heritage-3d" / "data" / "models"
WAIT_S = 60  # upper bound for a page or a model to load, not a measured timing

# Counts the canvas's pixels that differ from the view's background
# (#eef0f3) and sums them into a fingerprint of the picture.
CANVAS_PIXELS = """
const canvas = document.querySelector('.koreanap-view3d-stage canvas');
const copy = document.createElement('canvas');
copy.width = canvas.width; copy.height = canvas.height;
const ctx = copy.getContext('2d');
ctx.drawImage(canvas, 0, 0);
const data = ctx.getImageData(0, 0, copy.width, copy.height).data;
let model = 0, fingerprint = 0;
for (let i = 0; i < data.length; i += 4) {
  const d = Math.abs(data[i] - 238) + Math.abs(data[i + 1] - 240) + Math.abs(data[i + 2] - 243);
  if (d > 24) { model += 1; fingerprint = (fingerprint * 31 + i + data[i]) % 1000000007; }
}
return {model: model, total: data.length / 4, fingerprint: fingerprint};
"""


def _model_files(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    """The files to publish: name -> (path, format as the publisher gives it)."""
    print_stl = MODELS / "bulguksa-seokgatap-print.stl"
    mesh = trimesh.load(print_stl, force="mesh")
    obj, ply = tmp_path / "seokgatap.obj", tmp_path / "seokgatap.ply"
    mesh.export(obj)
    mesh.export(ply)
    truncated = tmp_path / "truncated.stl"
    truncated.write_bytes((MODELS / "cheomseongdae-print.stl").read_bytes()[:3000])
    garbled = tmp_path / "garbled.glb"
    glb = (MODELS / "cheomseongdae-web.glb").read_bytes()
    garbled.write_bytes(glb[:12] + bytes(255 - b for b in glb[12:200]) + glb[200:])
    return {
        "glb": (MODELS / "cheomseongdae-web.glb", "GLB"),
        # No format: CKAN guesses model/stl from the file name.
        "stl": (MODELS / "cheomseongdae-print.stl", ""),
        "obj": (obj, "OBJ"),
        "ply": (ply, "PLY"),
        "truncated-stl": (truncated, "STL"),
        "garbled-glb": (garbled, "GLB"),
    }


@pytest.fixture(scope="module")
def heritage(api, organization, run_id, tmp_path_factory):
    """A dataset with one uploaded resource per file; resource dicts by key."""
    dataset = api.action.package_create(
        name=f"heritage-3d-{run_id}", owner_org=organization["id"],
        title=f"첨성대 3D 모델 (브라우저 시험 {run_id})",
        notes="예시 모델(단순한 기하 형상), 공식 스캔 데이터가 아닙니다.")
    resources = {}
    for key, (path, fmt) in _model_files(tmp_path_factory.mktemp("models")).items():
        with open(path, "rb") as upload:
            resources[key] = api.action.resource_create(
                package_id=dataset["id"], name=f"{key} ({path.name})", format=fmt,
                upload=upload)
    # A link to a host that does not exist (.invalid never resolves; loopback and
    # private addresses are refused as resource URLs).
    resources["unreachable-stl"] = api.action.resource_create(
        package_id=dataset["id"], name="unreachable-stl", format="STL",
        url="http://unreachable.invalid/models/missing.stl")
    return {"dataset": dataset, "resources": resources}


def _open_view(browser, live_ckan, heritage, key, api):
    """Open the resource page, enter the view's iframe, wait until the view settles."""
    resource = heritage["resources"][key]
    views = api.action.resource_view_list(id=resource["id"])
    assert [v["view_type"] for v in views] == ["koreanap_3d_view"], views
    browser.switch_to.default_content()
    browser.get(f"{live_ckan}/dataset/{heritage['dataset']['name']}/resource/{resource['id']}")
    wait = WebDriverWait(browser, WAIT_S)
    frame = wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, ".resource-view iframe")))
    browser.execute_script("arguments[0].scrollIntoView()", frame)
    browser.switch_to.frame(frame)
    figure = wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "figure.koreanap-view3d")))
    wait.until(lambda _: figure.get_attribute("data-state") != "loading")
    return figure


@pytest.mark.parametrize("key", ["glb", "stl", "obj", "ply"])
def test_model_renders_with_webgl(browser, steps, live_ckan, api, heritage, key):
    """A GLB, STL, OBJ or PLY resource gets the 3D view by default and WebGL draws the model."""
    with steps(f"open the {key} resource page and its 3D view"):
        figure = _open_view(browser, live_ckan, heritage, key, api)
    with steps("see the model rendered"):
        assert figure.get_attribute("data-state") == "rendered", figure.text
        assert int(figure.get_attribute("data-faces")) > 100
        pixels = browser.execute_script(CANVAS_PIXELS)
        # The model covers part of the canvas, not nothing and not everything.
        assert 0.02 * pixels["total"] < pixels["model"] < 0.9 * pixels["total"], pixels
        assert "mm" in figure.find_element(By.CLASS_NAME, "koreanap-view3d-stats").text \
            or key in ("obj", "ply")


def _still(element):
    """A wait condition: ``element`` is where it was at the previous look."""
    seen = []

    def check(_driver) -> bool:
        seen.append(element.rect)
        return len(seen) > 1 and seen[-1] == seen[-2]
    return check


def test_drag_rotates_and_wheel_zooms(browser, steps, live_ckan, api, heritage):
    """Dragging turns the model, the wheel brings it closer and "Reset view" goes back."""
    with steps("open the STL print file's 3D view"):
        figure = _open_view(browser, live_ckan, heritage, "stl", api)
        assert figure.get_attribute("data-state") == "rendered", figure.text
        canvas = figure.find_element(By.CSS_SELECTOR, ".koreanap-view3d-stage canvas")
        # In the middle of the screen, and only once the page stops moving (on a busy
        # machine a late layout change once moved the canvas between the pointer's
        # move and its press, and the drag selected text instead).
        browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", canvas)
        WebDriverWait(browser, WAIT_S).until(_still(canvas))
        before = browser.execute_script(CANVAS_PIXELS)
    with steps("drag to rotate"):
        ActionChains(browser).move_to_element(canvas).click_and_hold() \
            .move_by_offset(160, 40).release().perform()
        # The next frame draws the turned model.
        rotated = WebDriverWait(browser, WAIT_S).until(lambda d: (lambda p: p if p[
            "fingerprint"] != before["fingerprint"] else None)(d.execute_script(CANVAS_PIXELS)))
    with steps("scroll to zoom in"):
        ActionChains(browser).scroll_from_origin(ScrollOrigin.from_element(canvas), 0, -600) \
            .perform()
        WebDriverWait(browser, WAIT_S).until(
            lambda d: d.execute_script(CANVAS_PIXELS)["model"] > rotated["model"] * 1.2)
    with steps("reset the view"):
        figure.find_element(By.CLASS_NAME, "koreanap-view3d-reset").click()
        # The first picture again (edge pixels may differ by rounding).
        after = browser.execute_script(CANVAS_PIXELS)
        assert abs(after["model"] - before["model"]) <= 0.002 * before["total"], (before, after)


@pytest.mark.parametrize("key", [
    "truncated-stl", "garbled-glb",
    # the viewer fetches a linked model from where its resource says it is
    pytest.param("unreachable-stl", marks=pytest.mark.foreign_host("unreachable.invalid"))])
def test_damaged_file_gets_a_message(browser, steps, live_ckan, api, heritage, key):
    """A cut-short STL, a garbled GLB or an unreachable link says why, not a blank canvas."""
    with steps(f"open the {key} resource's 3D view"):
        figure = _open_view(browser, live_ckan, heritage, key, api)
    with steps("read the message"):
        assert figure.get_attribute("data-state") == "error"
        alert = figure.find_element(By.CSS_SELECTOR, "[role='alert']")
        assert alert.is_displayed()
        reason = alert.find_element(By.CLASS_NAME, "koreanap-view3d-error-reason").text
        assert len(reason) > 20, alert.text
        assert alert.find_element(By.TAG_NAME, "a").get_attribute("href").endswith(
            heritage["resources"][key]["url"].rsplit("/", 1)[1])
        assert not figure.find_element(By.CLASS_NAME, "koreanap-view3d-stage").is_displayed()


def test_without_webgl_shows_still_image(browser_without_webgl, steps_without_webgl, live_ckan,
                                         api, heritage):
    """With WebGL off the view draws a still image of the model and says why."""
    browser, steps = browser_without_webgl, steps_without_webgl
    with steps("open the GLB model's 3D view without WebGL"):
        figure = _open_view(browser, live_ckan, heritage, "glb", api)
    with steps("see the still image and the reason"):
        assert figure.get_attribute("data-state") == "still", figure.text
        assert "WebGL" in figure.find_element(By.CLASS_NAME, "koreanap-view3d-status").text
        pixels = browser.execute_script(CANVAS_PIXELS)
        assert 0.02 * pixels["total"] < pixels["model"] < 0.9 * pixels["total"], pixels
