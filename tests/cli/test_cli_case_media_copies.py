"""Encrypted copies of case media through the real command, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import shutil
import zipfile
from pathlib import Path

import numpy as np
import skimage.data
from cli_helpers import Cli
from PIL import Image

from hashwarden.storage.case_store import SqlCaseStore
from hashwarden.storage.case_vault import EncryptedCaseMedia
from hashwarden.storage.case_vault_key import read_key_file
from hashwarden.storage.database import create_engine


def photo(name: str) -> Image.Image:
    """A benign scikit-image sample picture."""
    return Image.fromarray(np.asarray(getattr(skimage.data, name)())).convert("RGB")


def _seized(folder: Path) -> dict[str, bytes]:
    """Benign photos and a ZIP of two more: every item path a case scan takes in, with bytes."""
    folder.mkdir()
    photo("coffee").save(folder / "coffee.jpg", quality=90)
    photo("chelsea").save(folder / "chelsea.png")
    with zipfile.ZipFile(folder / "album.zip", "w") as archive:
        for name in ("rocket", "astronaut"):
            photo(name).save(folder / f"{name}.jpg", quality=85)
            archive.write(folder / f"{name}.jpg", f"DCIM/{name}.jpg")
            (folder / f"{name}.jpg").unlink()
    found = {str(p): p.read_bytes() for p in sorted(folder.iterdir())}
    with zipfile.ZipFile(folder / "album.zip") as archive:
        for name in archive.namelist():
            found[f"{folder / 'album.zip'}!/{name}"] = archive.read(name)
    return found


def _encrypted(cli: Cli, tmp_path: Path) -> Path:
    key_file = tmp_path / "secrets" / "case-media.key"
    made = cli("case", "media-key", str(key_file)).records()[0]
    assert made["key_file"] == str(key_file) and len(made["key_id"]) == 16
    cli.env["HASHWARDEN_CASE_MEDIA"] = "encrypted"
    cli.env["HASHWARDEN_CASE_MEDIA_KEY_FILE"] = str(key_file)
    return key_file


def _case_id(database_url: str, name: str) -> int:
    engine = create_engine(database_url)
    try:
        case = SqlCaseStore(engine, migrate=False).get_case(name)
    finally:
        engine.dispose()
    assert case is not None
    return case.id


def test_an_encrypted_scan_keeps_one_sealed_copy_per_item(
    cli: Cli, tmp_path: Path, database_url: str
) -> None:
    originals = _seized(tmp_path / "seized")
    cli.env["HASHWARDEN_CASE_MEDIA"] = "encrypted"
    refused = cli("case", "create", "raid", check=False)
    assert refused.returncode == 2 and "HASHWARDEN_CASE_MEDIA_KEY_FILE" in refused.stderr
    key_file = _encrypted(cli, tmp_path)
    assert key_file.stat().st_mode & 0o777 == 0o600
    again = cli("case", "media-key", str(key_file), check=False)
    assert again.returncode == 2 and "never overwritten" in again.stderr

    cli("case", "create", "raid")
    cli("case", "scan", "raid", str(tmp_path / "seized"), "--workers", "0")
    items = {r["path"] for r in cli("case", "items", "raid").records()}
    assert items == set(originals)
    case_id = _case_id(database_url, "raid")
    copies = Path(cli.env["HASHWARDEN_HOME"]) / "case-media" / str(case_id)
    blobs = {p.name: p.read_bytes() for p in copies.iterdir()}
    assert set(blobs) == {hashlib.sha256(path.encode()).hexdigest() for path in items}
    for path, data in originals.items():
        leaf = Path(path.split("!/")[-1]).stem
        assert not any(leaf in name for name in blobs)
        for blob in blobs.values():  # neither the whole picture nor a telling piece of it
            assert data[:64] not in blob and data[len(data) // 2:][:64] not in blob
    scans = [e for e in cli("audit", "ls").records() if e["action"] == "cases.scan"]
    assert scans[-1]["details"]["copies"] == len(originals)

    # A scan started over keeps the same copies, replaced in place.
    cli("case", "scan", "raid", str(tmp_path / "seized"), "--workers", "0", "--restart")
    assert sorted(p.name for p in copies.iterdir()) == sorted(blobs)

    shutil.rmtree(tmp_path / "seized")  # the seized disk is unplugged
    vault = EncryptedCaseMedia(copies.parent, read_key_file(key_file))
    for path, data in originals.items():
        assert vault.read(case_id, path) == data


def test_deleting_a_case_removes_its_copies_and_a_hold_keeps_them(
    cli: Cli, tmp_path: Path, database_url: str
) -> None:
    media = tmp_path / "media"
    media.mkdir()
    photo("coffee").save(media / "a.jpg")
    _encrypted(cli, tmp_path)
    folder = Path(cli.env["HASHWARDEN_HOME"]) / "case-media"
    ids = {}
    for name in ("expired", "held", "current"):
        cli("case", "create", name)
        cli("case", "scan", name, str(media), "--workers", "0")
        ids[name] = _case_id(database_url, name)
        assert len(list((folder / str(ids[name])).iterdir())) == 1
    cli("case", "retain", "expired", "--until", "2020-01-01")
    cli("case", "retain", "held", "--until", "2020-01-01")
    key_file = cli.env.pop("HASHWARDEN_CASE_MEDIA_KEY_FILE")
    cli("case", "hold", "held", "--reason", "court order 2026/17")  # a hold never needs the key
    cli.env["HASHWARDEN_CASE_MEDIA_KEY_FILE"] = key_file

    refused = cli("case", "delete", "held", "--yes", check=False)
    assert refused.returncode == 2 and "legal hold" in refused.stderr
    done = cli("case", "purge").records()
    assert done[-1] == {"deleted": 1, "held": 1, "dry_run": False}
    assert not (folder / str(ids["expired"])).exists()
    assert (folder / str(ids["held"])).is_dir()
    cli("case", "delete", "current", "--yes")
    assert not (folder / str(ids["current"])).exists()
    assert sorted(p.name for p in folder.iterdir()) == [str(ids["held"])]
    assert (media / "a.jpg").exists()  # the seized media themselves are never touched

    # Copies a deletion left behind (killed before removing them) never reach a new case that
    # gets the same id again, as SQLite hands out the highest id once more.
    planted = [n for n in range(1, 12) if n != ids["held"]]
    for n in planted:
        shutil.copytree(folder / str(ids["held"]), folder / str(n))
    cli("case", "create", "fresh")
    fresh = _case_id(database_url, "fresh")
    assert not (folder / str(fresh)).exists()
    assert all((folder / str(n)).is_dir() for n in planted if n != fresh)
