"""3D files published as resources of their own, without an assets table
(issue 13 item 5): each is read with the asset rule's loading and judged on
its own, so its problems are reported at its resource only."""
import json

import pytest
import trimesh

from koreanap_validation.engine import validate_package

ENGINES = ("auto", "frictionless")
SCHEMA = {"fields": [{"name": "id", "type": "integer"}, {"name": "name", "type": "string"}]}


def package(folder, *models, extra=None):
    """A package folder with a valid CSV table and the given (name, file, bytes) models."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "data.csv").write_text("id,name\n1,a\n2,b\n", encoding="utf-8")
    resources = [{"name": "table", "path": "data.csv", "format": "csv", "schema": SCHEMA}]
    for name, file, data in models:
        (folder / file).write_bytes(data)
        resources.append({"name": name, "path": file, "format": file.rsplit(".", 1)[1],
                          **(extra or {}).get(name, {})})
    (folder / "datapackage.json").write_text(
        json.dumps({"name": "mixed", "resources": resources}), encoding="utf-8")
    return folder


def cube(file_type):
    data = trimesh.creation.box(extents=[0.02, 0.02, 0.02]).export(file_type=file_type)
    return data.encode() if isinstance(data, str) else data


def rules_by_resource(report):
    return sorted((e["resource"], e["rule"]) for e in report["errors"])


@pytest.mark.parametrize("engine", ENGINES)
def test_text_stl_and_truncated_glb_are_invalid_at_their_own_resource(tmp_path, engine):
    """A text 'STL' and a cut-off GLB are invalid, each at its resource; the table stays clean."""
    glb = cube("glb")
    folder = package(tmp_path / "p", ("notes", "model.stl", b"this is text, not a mesh\n" * 4),
                     ("web", "web.glb", glb[:len(glb) // 2]))
    report = validate_package(folder, engine=engine)
    assert not report["valid"]
    assert rules_by_resource(report) == [("notes", "koreanap-asset-file"),
                                         ("web", "koreanap-asset-file")]
    messages = {e["resource"]: e["message"] for e in report["errors"]}
    assert "text but not an ASCII STL" in messages["notes"]
    assert f"says the file is {len(glb)} bytes, but it has {len(glb) // 2}" in messages["web"]


@pytest.mark.parametrize("engine", ENGINES)
def test_good_models_pass_on_their_own(tmp_path, engine):
    """STL, PLY, OBJ and GLB resources that trimesh reads leave the package valid."""
    folder = package(tmp_path / "p", *((f"m-{t}", f"m.{t}", cube(t))
                                       for t in ("stl", "ply", "obj", "glb")))
    report = validate_package(folder, engine=engine)
    assert report["valid"], report["errors"]
    assert "assets" not in report


@pytest.mark.parametrize("engine", ENGINES)
def test_one_broken_stl_is_no_package_error(tmp_path, engine):
    """A CSV table plus one broken STL: only the STL's resource carries errors (none at None)."""
    stl = cube("stl")
    folder = package(tmp_path / "p", ("model", "model.stl", stl[:-7]))
    report = validate_package(folder, engine=engine)
    assert {e["resource"] for e in report["errors"]} == {"model"}
    (error,) = report["errors"]
    count = (len(stl) - 84) // 50
    assert f"header says {count} triangles, which take {len(stl)} bytes" in error["message"]
    assert f"the file has {len(stl) - 7} bytes" in error["message"]


def test_invalid_resource_descriptor_is_that_resources_error(tmp_path):
    """A model with a malformed "bytes" is a resource-error at it; the table is still read."""
    folder = package(tmp_path / "p", ("model", "model.stl", cube("stl")),
                     extra={"model": {"bytes": "12"}})
    report = validate_package(folder)
    assert [(e["resource"], e["rule"]) for e in report["errors"]] == [("model", "resource-error")]
    assert "'12' is not of type 'integer'" in report["errors"][0]["message"]
    assert [r["name"] for r in report["resources"]] == ["table", "model"]
    assert report["resources"][0]["checked"] is True


def test_declared_bytes_and_hash_of_a_model_are_checked(tmp_path):
    """A model whose declared bytes and sha256 are not its file's is invalid at its resource."""
    folder = package(tmp_path / "p", ("model", "model.stl", cube("stl")),
                     extra={"model": {"bytes": 1, "hash": "sha256:" + "0" * 64}})
    report = validate_package(folder)
    assert rules_by_resource(report) == [("model", "byte-count"), ("model", "hash-count")]


def test_inside_out_model_is_invalid(tmp_path):
    """A closed model whose faces all point inward is an error at its resource."""
    mesh = trimesh.creation.box(extents=[20, 20, 20])
    mesh.invert()
    folder = package(tmp_path / "p", ("model", "model.stl", mesh.export(file_type="stl")))
    report = validate_package(folder)
    assert rules_by_resource(report) == [("model", "koreanap-asset-inverted")]
    assert "inside out" in report["errors"][0]["message"]
