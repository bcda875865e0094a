"""ZIP members in memory: images inside, bombs, traversal names, encryption, nesting, corruption."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from scanmedia import image_bytes, md5
from zipcraft import deflated_zeros, stored, write_zip

from hashwarden.scanning.archives import ArchiveLimits, Member, iter_archive, unsafe_name
from hashwarden.scanning.items import FileOutcome, ScanItem
from hashwarden.scanning.tasks import HashOptions, hash_item


def zip_bytes(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def summary(found: list[Member | FileOutcome]) -> list[tuple[str, str]]:
    return [
        (f.id, "member" if isinstance(f, Member) else f.error_kind) for f in found
    ]


def test_members_of_a_zip_are_hashed_in_memory(tmp_path: Path) -> None:
    images = {"photos/a.jpg": image_bytes(10), "b.png": image_bytes(11, fmt="PNG")}
    archive = tmp_path / "set.zip"
    archive.write_bytes(zip_bytes({**images, "empty-dir/": b""}))
    outcomes = hash_item(ScanItem("set.zip", str(archive), archive.stat().st_size), HashOptions())
    by_id = {o.id: o for o in outcomes}
    assert list(by_id) == ["set.zip", "set.zip!/photos/a.jpg", "set.zip!/b.png"]
    assert by_id["set.zip"].hashes is not None and by_id["set.zip"].hashes.media_type == "other"
    for name, data in images.items():
        hashes = by_id[f"set.zip!/{name}"].hashes
        assert hashes is not None and hashes.md5 == md5(data) and hashes.pdq is not None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["set.zip"]  # nothing extracted


def test_zip_bomb_of_one_gib_is_stopped_early(tmp_path: Path) -> None:
    archive = tmp_path / "bomb.zip"
    write_zip(archive, [deflated_zeros("zeros.bin", 1024), stored("after.txt", b"fine")])
    found = list(iter_archive(archive, "bomb.zip"))
    assert summary(found) == [
        ("bomb.zip!/zeros.bin", "zip_bomb"), ("bomb.zip!/after.txt", "member"),
    ]


def test_total_budget_and_member_count_caps(tmp_path: Path) -> None:
    archive = tmp_path / "many.zip"
    write_zip(archive, [stored(f"f{i}.bin", bytes(600)) for i in range(5)])
    limits = ArchiveLimits(max_total_bytes=1500, max_members=4)
    assert summary(list(iter_archive(archive, "m", limits))) == [
        ("m!/", "too_many_members"),
        ("m!/f0.bin", "member"),
        ("m!/f1.bin", "member"),
        ("m!/f2.bin", "zip_bomb"),
        ("m!/#2", "zip_bomb"),
    ]
    big = ArchiveLimits(max_member_bytes=500)
    assert summary(list(iter_archive(archive, "m", big)))[0] == ("m!/f0.bin", "too_large")


def test_header_sizes_are_not_trusted(tmp_path: Path) -> None:
    zeros = deflated_zeros("liar.bin", 64)
    # Declares 100 bytes but inflates to 64 MiB: read stops at the declared size, CRC fails.
    liar = type(zeros)(zeros.name, zeros.payload, zeros.crc, 100, 8)
    archive = tmp_path / "liar.zip"
    write_zip(archive, [liar])
    ((item_id, kind),) = summary(list(iter_archive(archive, "l")))
    assert item_id == "l!/liar.bin" and kind in {"zip_bomb", "corrupt_archive"}


def test_traversal_absolute_and_encrypted_members_are_reported_not_read(tmp_path: Path) -> None:
    archive = tmp_path / "evil.zip"
    write_zip(archive, [
        stored("../../etc/passwd", b"x"),
        stored("/abs/path.jpg", b"x"),
        stored("C:\\windows\\x.jpg", b"x"),
        stored("dir\\..\\..\\y.jpg", b"x"),
        stored("secret.jpg", b"x", flags=1),
        stored("ok.jpg", image_bytes(12)),
        stored("ok.jpg", b"same name again"),
    ])
    assert summary(list(iter_archive(archive, "e"))) == [
        ("e!/../../etc/passwd", "unsafe_name"),
        ("e!//abs/path.jpg", "unsafe_name"),
        ("e!/C:\\windows\\x.jpg", "unsafe_name"),
        ("e!/dir\\..\\..\\y.jpg", "unsafe_name"),
        ("e!/secret.jpg", "encrypted"),
        ("e!/ok.jpg", "member"),
        ("e!/ok.jpg#2", "member"),
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["evil.zip"]


def test_unsafe_name_rules() -> None:
    assert unsafe_name("a/b/c.jpg") is None
    assert unsafe_name("a/..b/c..jpg") is None
    assert unsafe_name("a/../b") == "path traversal"
    assert unsafe_name("\\\\server\\share") == "absolute path"


def test_nested_zips_open_to_depth_two(tmp_path: Path) -> None:
    level3 = zip_bytes({"deepest.jpg": image_bytes(13)})
    level2 = zip_bytes({"inner.jpg": image_bytes(14), "level3.zip": level3})
    archive = tmp_path / "outer.zip"
    archive.write_bytes(zip_bytes({"level2.zip": level2, "top.jpg": image_bytes(15)}))
    assert summary(list(iter_archive(archive, "o"))) == [
        ("o!/level2.zip", "member"),
        ("o!/level2.zip!/inner.jpg", "member"),
        ("o!/level2.zip!/level3.zip", "member"),
        ("o!/level2.zip!/level3.zip!/", "nested_too_deep"),
        ("o!/top.jpg", "member"),
    ]


def test_corrupt_archives(tmp_path: Path) -> None:
    good = zip_bytes({"a.jpg": image_bytes(16), "b.jpg": image_bytes(17)})
    truncated = tmp_path / "trunc.zip"
    truncated.write_bytes(good[: len(good) // 2])
    assert summary(list(iter_archive(truncated, "t"))) == [("t!/", "corrupt_archive")]
    flipped = bytearray(good)
    flipped[60] ^= 0xFF  # inside the first member's compressed data
    damaged = tmp_path / "damaged.zip"
    damaged.write_bytes(bytes(flipped))
    found = summary(list(iter_archive(damaged, "d")))
    assert found[0] == ("d!/a.jpg", "corrupt_archive") and found[1] == ("d!/b.jpg", "member")


def test_a_corrupt_zip_file_still_gets_its_own_hashes(tmp_path: Path) -> None:
    path = tmp_path / "x.zip"
    path.write_bytes(b"PK\x03\x04garbage")
    outcomes = hash_item(ScanItem("x.zip", str(path), 13), HashOptions())
    assert outcomes[0].hashes is not None
    assert [(o.id, o.error_kind) for o in outcomes[1:]] == [("x.zip!/", "corrupt_archive")]
