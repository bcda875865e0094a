"""Refuse request bodies over the limit before they are read into memory (413)."""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: Paths whose bodies are files (uploads, imports) take the larger limit.
FILE_SUFFIXES = ("/match/media", "/import")
#: Media uploads may be videos, spooled to disk past the file limit (see ``api.uploads``).
MEDIA_SUFFIX = "/match/media"


class BodyLimit:
    def __init__(
        self, app: ASGIApp, json_limit: int, file_limit: int, video_limit: int = 0
    ) -> None:
        self.app = app
        self.json_limit = json_limit
        self.file_limit = file_limit
        self.media_limit = max(file_limit, video_limit)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        if path.endswith(MEDIA_SUFFIX):
            limit = self.media_limit
        elif path.endswith(FILE_SUFFIXES):
            limit = self.file_limit
        else:
            limit = self.json_limit
        for name, value in scope.get("headers", []):
            if name == b"content-length" and value.isdigit() and int(value) > limit:
                await _refuse(send, limit)
                return
        seen = 0
        started = refused = False

        async def limited_receive() -> Message:
            # Over the limit: answer 413 now and tell the app the client left, so it stops
            # reading; whatever it then tries to send is dropped.
            nonlocal seen, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    refused = True
                    if not started:
                        await _refuse(send, limit)
                    return {"type": "http.disconnect"}
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if refused:
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        await self.app(scope, limited_receive, tracking_send)


async def _refuse(send: Send, limit: int) -> None:
    body = json.dumps(
        {
            "type": "about:blank",
            "title": "Content Too Large",
            "status": 413,
            "detail": f"the request body is larger than {limit} bytes",
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/problem+json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
