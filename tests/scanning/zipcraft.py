"""Hand-built ZIP files for hostile-archive tests (zipfile cannot write bombs fast or lie)."""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

MIB = 1 << 20


@dataclass(frozen=True)
class RawMember:
    name: str
    payload: bytes
    crc: int
    size: int
    method: int = 0  # 0 stored, 8 deflated
    flags: int = 0  # bit 0: encrypted


def stored(name: str, data: bytes, flags: int = 0) -> RawMember:
    return RawMember(name, data, zlib.crc32(data), len(data), 0, flags)


def deflated_zeros(name: str, mebibytes: int) -> RawMember:
    """``mebibytes`` MiB of zeros as one deflate stream, built from one repeated flushed block."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk = bytes(MIB)
    block = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    payload = block * mebibytes + compressor.flush(zlib.Z_FINISH)
    crc = 0
    for _ in range(mebibytes):
        crc = zlib.crc32(chunk, crc)
    return RawMember(name, payload, crc, mebibytes * MIB, 8)


def write_zip(path: Path, members: list[RawMember]) -> None:
    local = bytearray()
    central = bytearray()
    for member in members:
        name = member.name.encode("utf-8")
        flags = member.flags | 0x800  # names are UTF-8
        offset = len(local)
        local += struct.pack(
            "<4sHHHHHLLLHH", b"PK\x03\x04", 20, flags, member.method, 0, 0x21,
            member.crc, len(member.payload), member.size, len(name), 0,
        ) + name + member.payload
        central += struct.pack(
            "<4sBBBBHHHHLLLHHHHHLL", b"PK\x01\x02", 20, 3, 20, 0, flags, member.method, 0,
            0x21, member.crc, len(member.payload), member.size, len(name), 0, 0, 0, 0, 0, offset,
        ) + name
    end = struct.pack(
        "<4sHHHHLLH", b"PK\x05\x06", 0, 0, len(members), len(members), len(central), len(local), 0
    )
    path.write_bytes(bytes(local + central + end))
