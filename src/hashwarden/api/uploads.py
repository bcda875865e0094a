"""Read an uploaded media file, in memory up to a limit, with a size limit.

Starlette's form parsing spools uploads over 1 MiB to a temporary file; uploads here may be the
very material hashwarden exists to stop, so the body is parsed as a stream (python-multipart)
and only the ``file`` part is kept, in memory, up to the limit. A raw body (any non-multipart
content type) is accepted too.

Videos are the exception: they outgrow memory, and FFmpeg needs to seek. An upload that passes
the in-memory limit and starts like a video container goes on into a private temporary file
(mode 0600, in ``spool_dir``), up to its own limit; the caller deletes it (``Upload.discard``)
as soon as it is hashed. Images and anything else never touch the disk.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from fastapi import Request
from python_multipart.multipart import MultipartParser, parse_options_header

from hashwarden.api.problems import ProblemError
from hashwarden.core.video.formats import SNIFF_BYTES as VIDEO_SNIFF_BYTES
from hashwarden.core.video.formats import sniff_video

FILE_FIELD = b"file"


@dataclass
class Upload:
    name: str
    data: bytes
    #: The spooled file of a large video (``data`` is then empty).
    path: Path | None = None

    def source(self) -> Path | bytes:
        return self.path if self.path is not None else self.data

    def discard(self) -> None:
        if self.path is not None:
            self.path.unlink(missing_ok=True)
            self.path = None


@dataclass(frozen=True, slots=True)
class UploadLimits:
    #: Largest upload kept in memory (and largest upload that is not a video).
    memory_bytes: int
    #: Largest video upload, spooled to a temporary file past ``memory_bytes`` (0: no spooling).
    video_bytes: int = 0
    spool_dir: str = ""


class _Sink:
    """Bytes of the file part: memory first, then (videos only) a private temporary file."""

    def __init__(self, limits: UploadLimits) -> None:
        self.limits = limits
        self.data = bytearray()
        self.size = 0
        self._file: BinaryIO | None = None
        self.path: Path | None = None

    def write(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self._file is not None:
            if self.size > self.limits.video_bytes:
                raise ProblemError(413, f"the video is larger than {self.limits.video_bytes} bytes")
            self._file.write(chunk)
            return
        self.data += chunk
        if self.size > self.limits.memory_bytes:
            self._spill()

    def _spill(self) -> None:
        allowed = self.limits.video_bytes > self.limits.memory_bytes
        if not allowed or sniff_video(bytes(self.data[:VIDEO_SNIFF_BYTES])) is None:
            raise ProblemError(413, f"the upload is larger than {self.limits.memory_bytes} bytes")
        if self.size > self.limits.video_bytes:
            raise ProblemError(413, f"the video is larger than {self.limits.video_bytes} bytes")
        handle, name = tempfile.mkstemp(prefix="hw-upload-", dir=self.limits.spool_dir or None)
        self.path = Path(name)
        self._file = os.fdopen(handle, "wb")
        self._file.write(self.data)
        self.data = bytearray()

    def finish(self, name: str) -> Upload:
        if self._file is not None:
            self._file.close()
            self._file = None
        return Upload(name, bytes(self.data), self.path)

    def abandon(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        if self.path is not None:
            self.path.unlink(missing_ok=True)
            self.path = None


class _FilePart:
    """python-multipart callbacks that keep the ``file`` field's bytes and its filename."""

    def __init__(self, sink: _Sink) -> None:
        self.sink = sink
        self.filename = ""
        self.found = False
        self._in_file = False
        self._field = bytearray()
        self._value = bytearray()
        self._headers: dict[bytes, bytes] = {}

    def on_part_begin(self) -> None:
        self._headers = {}
        self._in_file = False

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._field += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def on_header_end(self) -> None:
        self._headers[bytes(self._field).lower()] = bytes(self._value)
        self._field.clear()
        self._value.clear()

    def on_headers_finished(self) -> None:
        _, params = parse_options_header(self._headers.get(b"content-disposition", b""))
        if params.get(b"name") == FILE_FIELD and not self.found:
            self._in_file = True
            self.found = True
            self.filename = params.get(b"filename", b"upload").decode("utf-8", "replace")

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self._in_file:
            self.sink.write(data[start:end])


async def read_upload(request: Request, limits: UploadLimits | int) -> Upload:
    """The uploaded file: the multipart ``file`` field, or the whole raw body.

    On any failure a spooled file is deleted before the error propagates.
    """
    if isinstance(limits, int):
        limits = UploadLimits(memory_bytes=limits)
    largest = max(limits.memory_bytes, limits.video_bytes)
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > largest + 64 * 1024:
        raise ProblemError(413, f"the upload is larger than {largest} bytes")
    sink = _Sink(limits)
    try:
        return await _read_into(request, sink)
    except BaseException:
        sink.abandon()
        raise


async def _read_into(request: Request, sink: _Sink) -> Upload:
    content_type, params = parse_options_header(request.headers.get("content-type", ""))
    if content_type != b"multipart/form-data":
        async for chunk in request.stream():
            sink.write(chunk)
        return sink.finish(request.headers.get("x-filename", "upload"))

    boundary = params.get(b"boundary")
    if not boundary:
        raise ProblemError(400, "multipart body without a boundary")
    part = _FilePart(sink)
    callbacks = {
        "on_part_begin": part.on_part_begin,
        "on_header_field": part.on_header_field,
        "on_header_value": part.on_header_value,
        "on_header_end": part.on_header_end,
        "on_headers_finished": part.on_headers_finished,
        "on_part_data": part.on_part_data,
    }
    parser = MultipartParser(boundary, callbacks)  # type: ignore[arg-type]
    try:
        async for chunk in request.stream():
            parser.write(chunk)
        parser.finalize()
    except ProblemError:
        raise
    except Exception as exc:  # python-multipart raises its own errors on malformed bodies
        raise ProblemError(400, f"malformed multipart body: {exc}") from exc
    if not part.found:
        raise ProblemError(422, "no 'file' field in the multipart body")
    return sink.finish(part.filename)
