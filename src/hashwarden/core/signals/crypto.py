"""Cryptographic digests of the file bytes: what most existing lists (IWF, NCMEC, VICS) carry."""

from __future__ import annotations

from hashwarden.core.signals.base import ByteDigestSignalType


class MD5(ByteDigestSignalType):
    name = "md5"
    description = "MD5 of the file bytes"
    hashlib_name = "md5"
    hex_length = 32


class SHA1(ByteDigestSignalType):
    name = "sha1"
    aliases = ("sha_1",)
    description = "SHA-1 of the file bytes"
    hashlib_name = "sha1"
    hex_length = 40


class SHA256(ByteDigestSignalType):
    name = "sha256"
    aliases = ("sha_256",)
    description = "SHA-256 of the file bytes"
    hashlib_name = "sha256"
    hex_length = 64
