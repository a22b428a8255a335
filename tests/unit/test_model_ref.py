"""One model reference: every way a user names a model resolves by one rule."""
from pathlib import Path

import pytest

from core.models.backbones import UnknownBackbone
from core.runtime.errors import ModelFileError
from core.runtime.model_ref import ModelRef, resolve


def touch(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\0")
    return path


def test_a_backbone_name_resolves_to_its_registry_name_in_any_spelling():
    for spelling in ("mobilenet_v2", "MobileNet-V2", "MOBILENETV2"):
        ref = resolve(spelling)
        assert ref == ModelRef("backbone", "MobileNetV2")
        assert ref.has_keras_model and not ref.exportable and str(ref) == "MobileNetV2"
    with pytest.raises(UnknownBackbone, match="models"):
        resolve("NoSuchNet")


def test_a_bundle_resolves_from_its_folder_or_its_model_json(tmp_path):
    folder = tmp_path / "cats-and-dogs"
    touch(folder / "model.keras")
    meta = touch(folder / "model.json")
    for named in (folder, meta, str(folder)):
        ref = resolve(named)
        assert (ref.kind, ref.name, ref.path) == ("bundle", "cats-and-dogs", folder)
        assert ref.exportable and ref.has_keras_model


def test_model_files_resolve_to_their_format_and_a_folder_to_the_one_file_it_holds(tmp_path):
    kinds = {"a.keras": "keras", "b.H5": "h5", "c.tflite": "tflite", "d.onnx": "onnx"}
    for name, kind in kinds.items():
        file = touch(tmp_path / name)
        assert resolve(file) == ModelRef(kind, name, file)
    assert [resolve(tmp_path / n).exportable for n in kinds] == [True, True, False, False]
    holder = tmp_path / "holder"
    file = touch(holder / "model.onnx")
    touch(holder / "labels.txt")
    assert resolve(holder) == ModelRef("onnx", "model.onnx", file)
    assert resolve(resolve(holder)) == resolve(holder)


def test_a_savedmodel_resolves_from_its_folder_or_its_pb_file(tmp_path):
    pb = touch(tmp_path / "exported" / "saved_model.pb")
    for named in (pb, pb.parent):
        ref = resolve(named)
        assert (ref.kind, ref.path) == ("savedmodel", pb.parent)
        assert not ref.has_keras_model


def test_a_path_that_holds_no_model_or_several_says_so(tmp_path):
    touch(tmp_path / "notes.txt")
    with pytest.raises(ModelFileError, match="not a model file"):
        resolve(tmp_path / "notes.txt")
    with pytest.raises(ModelFileError, match="holds no model file"):
        resolve(tmp_path)
    touch(tmp_path / "a.onnx")
    touch(tmp_path / "b.tflite")
    with pytest.raises(ModelFileError, match="several models"):
        resolve(tmp_path)
