"""Encrypted copies of case media: sealing, binding to the item, tampering, keys, atomic writes."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hashwarden.cases.media import CaseMediaMissingError
from hashwarden.storage.case_vault import (
    HEADER_BYTES,
    SEGMENT_BYTES,
    TAG_BYTES,
    TEMP_PREFIX,
    CaseMediaKeyError,
    CaseMediaSealError,
    EncryptedCaseMedia,
    blob_name,
    key_id,
)

PATH = "/mnt/seized/DCIM/IMG_0001.jpg"


@pytest.fixture
def vault(tmp_path: Path) -> EncryptedCaseMedia:
    return EncryptedCaseMedia(tmp_path / "copies", os.urandom(32))


def _blob(vault: EncryptedCaseMedia, case_id: int, path: str) -> Path:
    return vault.folder / str(case_id) / blob_name(path)


@pytest.mark.parametrize(
    "size",
    [0, 1, 1000, SEGMENT_BYTES - 1, SEGMENT_BYTES, SEGMENT_BYTES + 1, 3 * SEGMENT_BYTES + 17],
)
def test_round_trip_at_every_segment_boundary(vault: EncryptedCaseMedia, size: int) -> None:
    data = os.urandom(size)
    vault.keep(7, PATH, data)
    assert vault.read(7, PATH) == data
    segments = max(1, -(-size // SEGMENT_BYTES))
    assert _blob(vault, 7, PATH).stat().st_size == HEADER_BYTES + size + segments * TAG_BYTES


def test_blob_names_are_the_path_hash_and_reveal_nothing(vault: EncryptedCaseMedia) -> None:
    data = b"\xff\xd8\xff\xe0 pretend JPEG " * 50
    odd = "/mnt/seized/caf\udce9/photo.zip!/inner/b.png"  # an undecodable byte kept as surrogate
    vault.keep(3, PATH, data)
    vault.keep(3, odd, data[::-1])
    names = sorted(p.name for p in (vault.folder / "3").iterdir())
    expected = [hashlib.sha256(p.encode("utf-8", "surrogatepass")).hexdigest() for p in (PATH, odd)]
    assert names == sorted(expected)
    assert vault.read(3, odd) == data[::-1]
    for blob in (vault.folder / "3").iterdir():
        content = blob.read_bytes()
        assert b"pretend JPEG" not in content and b"IMG_0001" not in content
    assert (vault.folder / "3").stat().st_mode & 0o777 == 0o700
    assert _blob(vault, 3, PATH).stat().st_mode & 0o777 == 0o600


def test_a_blob_moved_to_another_item_or_case_does_not_open(vault: EncryptedCaseMedia) -> None:
    vault.keep(1, PATH, b"first picture")
    vault.keep(1, "/mnt/seized/other.jpg", b"second picture")
    # Swap the two items' blobs inside the case, then put one into another case.
    shutil.copyfile(_blob(vault, 1, PATH), _blob(vault, 1, "/mnt/seized/other.jpg"))
    with pytest.raises(CaseMediaSealError, match="another item or case"):
        vault.read(1, "/mnt/seized/other.jpg")
    (vault.folder / "2").mkdir()
    shutil.copyfile(_blob(vault, 1, PATH), _blob(vault, 2, PATH))
    with pytest.raises(CaseMediaSealError, match="another item or case"):
        vault.read(2, PATH)
    assert vault.read(1, PATH) == b"first picture"


def test_every_flipped_byte_is_refused(vault: EncryptedCaseMedia) -> None:
    vault.keep(1, PATH, os.urandom(200))
    blob = _blob(vault, 1, PATH)
    original = blob.read_bytes()
    for position in range(len(original)):
        altered = bytearray(original)
        altered[position] ^= 0x01
        blob.write_bytes(bytes(altered))
        with pytest.raises(CaseMediaSealError) as caught:
            vault.read(1, PATH)
        assert PATH in str(caught.value)


def test_cutting_or_extending_a_blob_is_refused(vault: EncryptedCaseMedia) -> None:
    data = os.urandom(2 * SEGMENT_BYTES + 5)
    vault.keep(1, PATH, data)
    blob = _blob(vault, 1, PATH)
    original = blob.read_bytes()
    sealed = SEGMENT_BYTES + TAG_BYTES
    # Whole segments cut off are the dangerous case: each remaining one is authentic.
    for length in (0, 3, HEADER_BYTES, HEADER_BYTES + 10, HEADER_BYTES + sealed,
                   HEADER_BYTES + 2 * sealed, len(original) - 1):
        blob.write_bytes(original[:length])
        with pytest.raises(CaseMediaSealError, match=r"cut short|fails authentication"):
            vault.read(1, PATH)
    for extra in (b"\x00", os.urandom(TAG_BYTES + 3)):
        blob.write_bytes(original + extra)
        with pytest.raises(CaseMediaSealError):
            vault.read(1, PATH)
    blob.write_bytes(original)
    assert vault.read(1, PATH) == data


def test_a_newer_format_version_is_named(vault: EncryptedCaseMedia) -> None:
    vault.keep(1, PATH, b"x")
    blob = _blob(vault, 1, PATH)
    content = bytearray(blob.read_bytes())
    content[4] = 2
    blob.write_bytes(bytes(content))
    with pytest.raises(CaseMediaSealError, match="format version 2"):
        vault.read(1, PATH)


def test_the_wrong_key_is_named_and_a_retired_key_still_opens(tmp_path: Path) -> None:
    old, new = os.urandom(32), os.urandom(32)
    EncryptedCaseMedia(tmp_path, old).keep(1, PATH, b"sealed with the old key")
    with pytest.raises(CaseMediaKeyError) as caught:
        EncryptedCaseMedia(tmp_path, new).read(1, PATH)
    assert key_id(old).hex() in str(caught.value) and key_id(new).hex() in str(caught.value)
    assert isinstance(caught.value, CaseMediaMissingError)
    rotated = EncryptedCaseMedia(tmp_path, new, retired=[old])
    assert rotated.read(1, PATH) == b"sealed with the old key"
    rotated.keep(1, PATH, b"sealed again with the new key")
    assert EncryptedCaseMedia(tmp_path, new).read(1, PATH) == b"sealed again with the new key"


def test_a_forged_key_id_does_not_bypass_authentication(tmp_path: Path) -> None:
    # Same key id is public; a blob sealed under another key but relabelled still must not open.
    mine, theirs = os.urandom(32), os.urandom(32)
    EncryptedCaseMedia(tmp_path / "a", theirs).keep(1, PATH, b"theirs")
    blob = (tmp_path / "a" / "1" / blob_name(PATH)).read_bytes()
    forged = blob[:5] + key_id(mine) + blob[13:]
    (tmp_path / "b" / "1").mkdir(parents=True)
    (tmp_path / "b" / "1" / blob_name(PATH)).write_bytes(forged)
    with pytest.raises(CaseMediaSealError, match="fails authentication"):
        EncryptedCaseMedia(tmp_path / "b", mine).read(1, PATH)


def test_missing_copies_and_short_keys(vault: EncryptedCaseMedia, tmp_path: Path) -> None:
    with pytest.raises(CaseMediaMissingError, match="no encrypted copy"):
        vault.read(1, PATH)
    with pytest.raises(Exception, match="32 bytes"):
        EncryptedCaseMedia(tmp_path, b"short")


def test_keeping_again_replaces_the_copy_and_leaves_no_temporary(vault: EncryptedCaseMedia) -> None:
    vault.keep(4, PATH, b"one")
    first = _blob(vault, 4, PATH).read_bytes()
    vault.keep(4, PATH, b"one")
    assert vault.read(4, PATH) == b"one"
    assert _blob(vault, 4, PATH).read_bytes() != first  # a fresh nonce every time
    vault.keep(4, PATH, b"two")
    assert vault.read(4, PATH) == b"two"
    assert [p.name for p in (vault.folder / "4").iterdir()] == [blob_name(PATH)]


def test_a_failed_write_keeps_the_old_copy_and_no_temporary(
    vault: EncryptedCaseMedia, monkeypatch: pytest.MonkeyPatch
) -> None:
    vault.keep(5, PATH, b"the copy before")

    def disk_fails(descriptor: int) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "fsync", disk_fails)
    with pytest.raises(OSError):
        vault.keep(5, PATH, os.urandom(3 * SEGMENT_BYTES))
    monkeypatch.undo()
    assert [p.name for p in (vault.folder / "5").iterdir()] == [blob_name(PATH)]
    assert vault.read(5, PATH) == b"the copy before"


_KEEP_FOREVER = """
import os, sys
from pathlib import Path
from hashwarden.storage.case_vault import EncryptedCaseMedia
vault = EncryptedCaseMedia(Path(sys.argv[1]), bytes.fromhex(sys.argv[2]))
data = [bytes([n]) * (24 * 1024 * 1024) for n in range(2)]
print("ready", flush=True)
n = 0
while True:
    vault.keep(1, "/seized/big.mp4", data[n % 2])
    n += 1
"""


def test_a_killed_writer_never_leaves_a_torn_copy(tmp_path: Path) -> None:
    key = os.urandom(32)
    for delay in (0.15, 0.4, 0.75):
        writer = subprocess.Popen(
            [sys.executable, "-c", _KEEP_FOREVER, str(tmp_path), key.hex()],
            stdout=subprocess.PIPE, text=True,
        )
        assert writer.stdout is not None and writer.stdout.readline() == "ready\n"
        time.sleep(delay)
        writer.send_signal(signal.SIGKILL)
        writer.wait()
        vault = EncryptedCaseMedia(tmp_path, key)
        blobs = [p for p in (tmp_path / "1").iterdir() if not p.name.startswith(TEMP_PREFIX)]
        assert [p.name for p in blobs] in ([], [blob_name("/seized/big.mp4")])
        if blobs:
            data = vault.read(1, "/seized/big.mp4")
            assert len(data) == 24 * 1024 * 1024 and data in (b"\x00" * len(data),
                                                              b"\x01" * len(data))
    vault.forget_case(1)
    assert not (tmp_path / "1").exists()  # leftover temporaries of killed writers go too


def test_forget_case_removes_only_that_case(vault: EncryptedCaseMedia) -> None:
    vault.keep(1, PATH, b"case one")
    vault.keep(2, PATH, b"case two")
    vault.forget_case(1)
    vault.forget_case(1)  # nothing left: still fine
    vault.forget_case(99)
    with pytest.raises(CaseMediaMissingError):
        vault.read(1, PATH)
    assert vault.read(2, PATH) == b"case two"
    assert sorted(p.name for p in vault.folder.iterdir()) == ["2"]
