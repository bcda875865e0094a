"""Case media for the exposure-limiting viewer: blurred by default, revealed on request.

Bytes come only from the case media store (referenced files or encrypted copies). A picture is
decoded under the configured limits and re-encoded by the hotline viewer's ``previews``: the
blurred view is scaled down, grey and strongly blurred on the server, so its sharp pixels never
reach the browser; revealed is the sharp colour preview, never the original file. A video
shows the first of the stills the hotline viewer takes (``stills``), never playback.
"""

from __future__ import annotations

import enum
import io
from dataclasses import dataclass

from fastapi import Request
from PIL import Image

from hashwarden.cases.models import Case, CaseItem
from hashwarden.config import decode_limits
from hashwarden.core.errors import CorruptMediaError
from hashwarden.core.media.decode import ORIENTATION_TAG, decode_bytes
from hashwarden.core.media.formats import SNIFF_BYTES, sniff_format
from hashwarden.web.console.previews import LAST_STEP, MAX_SIDE, preview_image
from hashwarden.web.console.stills import CACHE

#: Picture responses: never cached, never sniffed, never framed, as the console pages.
PICTURE_HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
}


class View(enum.StrEnum):
    BLURRED = "blurred"
    REVEALED = "revealed"

    @classmethod
    def parse(cls, value: str) -> View:
        # Anything but an explicit "revealed" is blurred: the safe default.
        return cls.REVEALED if value == cls.REVEALED.value else cls.BLURRED


@dataclass(frozen=True, slots=True)
class Frame:
    """A picture's stored size and EXIF orientation (what overlays are drawn against)."""

    width: int
    height: int
    orientation: int = 1

    @property
    def upright(self) -> tuple[int, int]:
        """The size as the viewer shows it (orientations 5-8 swap the sides)."""
        turned = self.orientation in (5, 6, 7, 8)
        return (self.height, self.width) if turned else (self.width, self.height)


def media_bytes(request: Request, case: Case, item: CaseItem) -> bytes:
    """The item's bytes from the case media store; ``CaseMediaMissingError`` when gone."""
    data: bytes = request.app.state.services.case_media.read(case.id, item.path)
    return data


def picture(data: bytes, item: CaseItem, view: View) -> bytes:
    """The JPEG the viewer shows for ``item`` in ``view``; ``MediaError`` when undecodable."""
    step = LAST_STEP if view is View.REVEALED else 0
    if item.item.media_type == "video":
        stills = CACHE.stills(f"case:{item.item.sha256}", lambda: data, name=item.path)
        if not stills:
            raise CorruptMediaError(item.path, "no still could be taken")
        return preview_image(stills[0].image, step)
    # The blurred view is grey and at most MAX_SIDE: a large JPEG may decode at reduced scale
    # and luma only (libjpeg's draft), which is all that view keeps anyway.
    draft = MAX_SIDE if view is View.BLURRED else None
    decoded = decode_bytes(data, item.path, decode_limits(), draft_min_side=draft)
    return preview_image(decoded.upright().convert("RGB"), step)


def frame_of(data: bytes) -> Frame | None:
    """Size and orientation from the header alone (nothing decoded); None if not a picture."""
    if sniff_format(data[:SNIFF_BYTES]) is None:
        return None
    try:
        with Image.open(io.BytesIO(data)) as opened:
            width, height = opened.size
            orientation = opened.getexif().get(ORIENTATION_TAG, 1)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return None
    if not isinstance(orientation, int) or not 1 <= orientation <= 8:
        orientation = 1
    return Frame(width, height, orientation) if width > 0 and height > 0 else None
