"""The signature a doctor draws on the QR page or the staff's tablet (SPEC §5,
§11): a PNG data URL checked to be a real, bounded image and written again as
a fresh, small PNG, so nothing but the pixels is kept. Pure image work: no
database, done before a sign-in takes its write lock."""
from __future__ import annotations

import base64
import binascii
import io

from flask_babel import gettext as _

from ..errors import InvalidInput
from .models import SIGNATURE_MAX_BYTES
from .models import SIGNATURE_MAX_PIXELS as SIGNATURE_STORED_PIXELS

SIGNATURE_MAX_PIXELS = (2400, 1200)  # the largest drawing decoded at all
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def decode_signature(value: str | bytes | None) -> bytes | None:
    """A signature pad's `data:image/png;base64,…` (or PNG bytes) → PNG bytes,
    checked to be a real, bounded PNG image."""
    if value is None or value == "" or value == b"":
        return None
    if isinstance(value, str):
        head, _sep, payload = value.partition(",")
        if not _sep or head.strip().lower() != "data:image/png;base64":
            raise InvalidInput(_("send the signature as a PNG image"),
                               field="signature")
        if len(payload) > SIGNATURE_MAX_BYTES * 4 // 3 + 4:
            raise InvalidInput(_("the image is too large"), field="signature")
        try:
            data = base64.b64decode(payload, validate=True)
        except (binascii.Error, ValueError):
            raise InvalidInput(_("not valid base64"), field="signature") from None
    else:
        data = bytes(value)
    if len(data) > SIGNATURE_MAX_BYTES:
        raise InvalidInput(_("the image is too large"), field="signature")
    if not data.startswith(PNG_MAGIC):
        raise InvalidInput(_("not a PNG image"), field="signature")
    return reencode_signature(data)


def reencode_signature(data: bytes) -> bytes:
    """Decodes the whole image and writes it again as a fresh PNG (grey and
    alpha, at most SIGNATURE_STORED_PIXELS): chunks that are valid around
    corrupt image data pass Pillow's verify() but not a full decode, and
    nothing the client wrote besides the pixels is kept."""
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format != "PNG":
                raise ValueError("not a PNG")
            width, height = image.size  # from the header, before any pixel is decoded
            if width > SIGNATURE_MAX_PIXELS[0] or height > SIGNATURE_MAX_PIXELS[1]:
                raise InvalidInput(_("the image is too large"), field="signature")
            image.load()
            pixels = image.convert("LA")
    except InvalidInput:
        raise
    except Exception:  # noqa: BLE001 — any decoder error means "not an image"
        raise InvalidInput(_("not a readable PNG image"), field="signature") from None
    pixels.thumbnail(SIGNATURE_STORED_PIXELS)
    out = io.BytesIO()
    pixels.save(out, format="PNG", optimize=True)
    stored = out.getvalue()
    if len(stored) > SIGNATURE_MAX_BYTES:
        raise InvalidInput(_("the image is too large"), field="signature")
    return stored
