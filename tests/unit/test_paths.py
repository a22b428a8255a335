"""core.base.paths: the app's cache folder, atomic writes, small records, versioned JSON."""
from __future__ import annotations

import errno
import json
import os

import pytest

from core.base import paths


def test_the_cache_lives_where_backbone_studio_home_says(tmp_path, monkeypatch):
    monkeypatch.setenv("BACKBONE_STUDIO_HOME", str(tmp_path / "home"))
    assert paths.data_home() == tmp_path / "home" and (tmp_path / "home").is_dir()
    assert paths.cache_dir("litert") == tmp_path / "home" / "litert"
    assert (tmp_path / "home" / "litert").is_dir()
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    assert paths.keras_models_dir() == tmp_path / "keras" / "models"


def test_resources_sit_beside_main_py():
    assert (paths.app_root() / "main.py").is_file()
    assert paths.resources_dir().is_dir()


def test_an_atomic_write_replaces_the_file_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "deep" / "er" / "file.txt"
    paths.atomic_write_text(target, "first")
    paths.atomic_write_bytes(target, b"second", durable=False)
    assert target.read_bytes() == b"second"
    assert [p.name for p in target.parent.iterdir()] == ["file.txt"]


def test_a_failed_write_keeps_the_old_file_and_removes_the_temporary(tmp_path, monkeypatch):
    target = tmp_path / "file.txt"
    paths.atomic_write_text(target, "old")

    def full_disk(*args):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "replace", full_disk)
    with pytest.raises(OSError):
        paths.atomic_write_text(target, "new")
    with pytest.raises(OSError):
        paths.atomic_copy(target, tmp_path / "copy.txt")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["file.txt"]


def test_an_atomic_copy_keeps_bytes_and_times(tmp_path):
    source = tmp_path / "a.bin"
    source.write_bytes(b"\0\1\2")
    os.utime(source, ns=(1_000_000_000, 2_000_000_000))
    paths.atomic_copy(source, tmp_path / "b.bin")
    assert (tmp_path / "b.bin").read_bytes() == b"\0\1\2"
    assert (tmp_path / "b.bin").stat().st_mtime_ns == 2_000_000_000


def test_records_start_empty_survive_damage_and_keep_other_keys(tmp_path):
    record = tmp_path / "speeds.json"
    assert paths.read_record(record) == {}
    paths.update_record(record, "LeNet5", 1.5)
    paths.update_record(record, "VGG16", {"ms": 40})
    assert paths.read_record(record) == {"LeNet5": 1.5, "VGG16": {"ms": 40}}
    record.write_text("[1, 2]")
    assert paths.read_record(record) == {}
    record.write_text("{not json")
    assert paths.read_record(record) == {}


def test_a_file_hash_is_remembered_until_the_file_changes(tmp_path):
    path = tmp_path / "weights.h5"
    path.write_bytes(b"abc")
    first = paths.file_hash(path)
    assert first == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    path.write_bytes(b"abcd")
    os.utime(path, ns=(1, 1))  # a new size and time: hashed again
    assert paths.file_hash(path) != first
    assert paths.file_hash(path, "md5") == "e2fc714c4727ee9395f324cd2e7f331f"


class ManifestError(Exception):
    pass


@pytest.mark.parametrize("text, words", [
    ("{broken", "could not be read"),
    ('{"classes": []}', "is not a Backbone Studio project manifest"),
    ('{"schema_version": "2"}', "is not a Backbone Studio project manifest"),
    ('{"schema_version": 3}', "saved by a newer version of Backbone Studio "
                              r"\(project manifest format 3\); update the app"),
])
def test_versioned_json_refuses_with_a_sentence(tmp_path, text, words):
    path = tmp_path / "project" / "project.json"
    path.parent.mkdir()
    path.write_text(text)
    with pytest.raises(ManifestError, match=words):
        paths.read_versioned_json(path, "project manifest", 2, ManifestError)


def test_versioned_json_reads_its_own_versions_and_a_missing_file_stays_missing(tmp_path):
    path = tmp_path / "project.json"
    with pytest.raises(FileNotFoundError):
        paths.read_versioned_json(path, "project manifest", 2)
    path.write_text(json.dumps({"schema_version": 1, "classes": ["a"]}))
    assert paths.read_versioned_json(path, "project manifest", 2)["classes"] == ["a"]


@pytest.mark.parametrize("label, folder", [
    ("ankle boot", "ankle boot"), ("t-shirt/top", "t-shirt_top"), ("a:b*c?", "a_b_c_"),
    ("  ", "unnamed"), ("..", "__"), ("café", "café"),
])
def test_a_class_label_becomes_a_safe_folder_name(label, folder):
    assert paths.safe_folder_name(label) == folder


def test_a_free_name_numbers_the_copies(tmp_path):
    assert paths.free_name(tmp_path, "cat.png") == tmp_path / "cat.png"
    (tmp_path / "cat.png").touch()
    (tmp_path / "cat (2).png").touch()
    assert paths.free_name(tmp_path, "cat.png") == tmp_path / "cat (3).png"
