"""Read an uploaded media file into memory, never onto disk, with a size limit.

Starlette's form parsing spools uploads over 1 MiB to a temporary file; uploads here may be the
very material hashwarden exists to stop, so the body is parsed as a stream (python-multipart)
and only the ``file`` part is kept, in memory, up to the limit. A raw body (any non-multipart
content type) is accepted too.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request
from python_multipart.multipart import MultipartParser, parse_options_header

from hashwarden.api.problems import ProblemError

FILE_FIELD = b"file"


@dataclass
class Upload:
    name: str
    data: bytes


class _FilePart:
    """python-multipart callbacks that keep the ``file`` field's bytes and its filename."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.data = bytearray()
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
        if not self._in_file:
            return
        self.data += data[start:end]
        if len(self.data) > self.limit:
            raise ProblemError(413, f"the upload is larger than {self.limit} bytes")


async def read_upload(request: Request, limit: int) -> Upload:
    """The uploaded file: the multipart ``file`` field, or the whole raw body."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit + 64 * 1024:
        raise ProblemError(413, f"the upload is larger than {limit} bytes")
    content_type, params = parse_options_header(request.headers.get("content-type", ""))
    if content_type != b"multipart/form-data":
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > limit:
                raise ProblemError(413, f"the upload is larger than {limit} bytes")
        return Upload(request.headers.get("x-filename", "upload"), bytes(body))

    boundary = params.get(b"boundary")
    if not boundary:
        raise ProblemError(400, "multipart body without a boundary")
    part = _FilePart(limit)
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
    return Upload(part.filename, bytes(part.data))
