"""Choosing how case media are kept, and the key file of encrypted copies."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest

from hashwarden.core.errors import ConfigError
from hashwarden.storage.case_media_open import ReferencedForgettingCopies, open_case_media
from hashwarden.storage.case_vault import EncryptedCaseMedia, blob_name
from hashwarden.storage.case_vault_key import create_key_file, read_key_file


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("HASHWARDEN_CASE_MEDIA", "HASHWARDEN_CASE_MEDIA_KEY_FILE",
                 "HASHWARDEN_CASE_MEDIA_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HASHWARDEN_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def test_a_new_key_is_owner_only_base64_and_never_overwritten(tmp_path: Path) -> None:
    key_file = tmp_path / "secrets" / "case-media.key"
    create_key_file(key_file)
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert key_file.parent.stat().st_mode & 0o777 == 0o700
    key = read_key_file(key_file)
    assert len(key) == 32 and base64.b64decode(key_file.read_text()) == key
    with pytest.raises(ConfigError, match="never overwritten"):
        create_key_file(key_file)
    assert read_key_file(key_file) == key
    other = tmp_path / "other.key"
    create_key_file(other)
    assert read_key_file(other) != key


@pytest.mark.parametrize(
    "content",
    [b"", b"not base64 at all!", base64.b64encode(os.urandom(16)) + b"\n",
     base64.b64encode(os.urandom(32)) * 2, os.urandom(32) + b"\xff"],
)
def test_a_file_that_is_not_a_key_is_refused(tmp_path: Path, content: bytes) -> None:
    key_file = tmp_path / "case-media.key"
    key_file.write_bytes(content)
    with pytest.raises(ConfigError, match="HASHWARDEN_CASE_MEDIA_KEY_FILE"):
        read_key_file(key_file)


def test_a_missing_key_file_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="hashwarden case media-key"):
        read_key_file(tmp_path / "nope.key")


def test_reference_is_the_default(home: Path) -> None:
    media = open_case_media()
    assert isinstance(media, ReferencedForgettingCopies) and not media.keeps_copies


def test_encrypted_mode_needs_a_key(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HASHWARDEN_CASE_MEDIA", "encrypted")
    with pytest.raises(ConfigError, match="needs HASHWARDEN_CASE_MEDIA_KEY_FILE"):
        open_case_media()
    monkeypatch.setenv("HASHWARDEN_CASE_MEDIA_KEY_FILE", str(home / "absent.key"))
    with pytest.raises(ConfigError, match="no key file"):
        open_case_media()


def test_an_unknown_mode_is_refused(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HASHWARDEN_CASE_MEDIA", "copy")
    with pytest.raises(ConfigError, match="reference or encrypted"):
        open_case_media()


def test_encrypted_mode_keeps_copies_in_the_configured_folder(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key_file = tmp_path / "keys" / "media.key"
    create_key_file(key_file)
    monkeypatch.setenv("HASHWARDEN_CASE_MEDIA", "Encrypted")
    monkeypatch.setenv("HASHWARDEN_CASE_MEDIA_KEY_FILE", str(key_file))
    media = open_case_media()
    assert isinstance(media, EncryptedCaseMedia) and media.keeps_copies
    assert media.folder == home / "case-media"
    media.keep(1, "/seized/a.jpg", b"bytes")
    assert (home / "case-media" / "1" / blob_name("/seized/a.jpg")).is_file()
    monkeypatch.setenv("HASHWARDEN_CASE_MEDIA_DIR", str(tmp_path / "elsewhere"))
    moved = open_case_media()
    assert isinstance(moved, EncryptedCaseMedia) and moved.folder == tmp_path / "elsewhere"


def test_referencing_still_deletes_copies_kept_before(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    EncryptedCaseMedia(home / "case-media", os.urandom(32)).keep(3, "/seized/a.jpg", b"bytes")
    media = open_case_media()  # the deployment went back to referencing
    media.forget_case(3)
    assert not (home / "case-media" / "3").exists()
