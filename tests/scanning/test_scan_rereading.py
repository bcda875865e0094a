"""Reading hashed items again in the parent: plain files, archive members, changed media."""

from __future__ import annotations

import hashlib
import io
import os
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from hashwarden.scanning import rereading
from hashwarden.scanning.archives import ArchiveLimits, Member, iter_archive
from hashwarden.scanning.items import FileOutcome, ScanItem
from hashwarden.scanning.rereading import ItemChangedError, read_again
from hashwarden.scanning.tasks import HashOptions, hash_item


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _seized(folder: Path) -> dict[str, bytes]:
    """Files, a ZIP with a nested ZIP and a repeated name, and a folder named like a member."""
    folder.mkdir()
    found: dict[str, bytes] = {}
    for name in ("a.bin", "b.bin"):
        found[str(folder / name)] = os.urandom(500)
        (folder / name).write_bytes(found[str(folder / name)])
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as archive:
        archive.writestr("deep.bin", b"deep member")
    archive_path = folder / "phone.zip"
    with zipfile.ZipFile(archive_path, "w") as archive:
        for n in range(40):
            archive.writestr(f"DCIM/{n:03}.bin", f"member {n}".encode())
        archive.writestr("inner.zip", inner.getvalue())
        archive.writestr("DCIM/000.bin", b"the same name again")
    found[str(archive_path)] = archive_path.read_bytes()
    (folder / "odd!").mkdir()
    (folder / "odd!" / "plain.bin").write_bytes(b"a plain file in a folder named odd!")
    found[str(folder / "odd!" / "plain.bin")] = b"a plain file in a folder named odd!"
    return found


@pytest.mark.filterwarnings("ignore:Duplicate name")
def test_every_hashed_item_comes_back_and_each_archive_is_opened_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = _seized(tmp_path / "seized")
    options = HashOptions()
    outcomes: list[FileOutcome] = []
    for path in sorted(plain):
        outcomes.extend(hash_item(ScanItem(path, path, len(plain[path])), options))
    hashed = [(o.id, o.hashes.sha256) for o in outcomes if o.hashes is not None]
    opened: list[str] = []

    def counted(source: Path | bytes, archive_id: str, limits: ArchiveLimits) -> Iterator[
        Member | FileOutcome
    ]:
        opened.append(archive_id)
        return iter_archive(source, archive_id, limits)

    monkeypatch.setattr(rereading, "iter_archive", counted)
    again = dict(read_again(hashed, options.archive_limits))
    archive = str(tmp_path / "seized" / "phone.zip")
    assert opened == [archive]
    assert set(again) == {item_id for item_id, _ in hashed}
    assert len(again) == len(plain) + 40 + 1 + 1 + 1  # members, inner.zip, its member, repeat
    for item_id, sha256 in hashed:
        assert _sha(again[item_id]) == sha256
    assert again[f"{archive}!/DCIM/000.bin#2"] == b"the same name again"
    assert again[f"{archive}!/inner.zip!/deep.bin"] == b"deep member"
    assert again[str(tmp_path / "seized" / "odd!" / "plain.bin")].startswith(b"a plain file")


def test_a_changed_file_is_refused_rather_than_copied(tmp_path: Path) -> None:
    file = tmp_path / "a.jpg"
    file.write_bytes(b"as hashed")
    recorded = _sha(b"as hashed")
    file.write_bytes(b"changed afterwards")
    with pytest.raises(ItemChangedError, match="content changed"):
        list(read_again([(str(file), recorded)]))
    file.unlink()
    with pytest.raises(ItemChangedError, match="not there any more"):
        list(read_again([(str(file), recorded)]))


def test_a_member_gone_from_its_archive_is_refused(tmp_path: Path) -> None:
    archive = tmp_path / "a.zip"
    with zipfile.ZipFile(archive, "w") as writer:
        writer.writestr("kept.bin", b"kept")
    with pytest.raises(ItemChangedError, match="no longer holds it"):
        list(read_again([(f"{archive}!/gone.bin", _sha(b"gone"))]))
    with pytest.raises(ItemChangedError, match="content changed"):
        list(read_again([(f"{archive}!/kept.bin", _sha(b"other"))]))
