"""What an uploaded file is, judged by its content (SPEC §12): the first
bytes say which of PDF, JPEG, PNG or WebP it claims to be, then pypdf or
Pillow must open it as that. Images are decoded and encoded again without
their metadata (EXIF, XMP, comments, text chunks: a phone's GPS position
never reaches storage), upright as the phone meant them, keeping the capture
time apart. An image's size is read from its header and refused before any
pixel is decoded: a decompression bomb is a 422, not an exhausted worker."""
from __future__ import annotations

import hashlib
import os
import tempfile
import unicodedata
import warnings
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from PIL import Image, ImageOps

from ..errors import InvalidInput
from ..files import Body
from ..files.storage import CHUNK


class UnsupportedFile(InvalidInput):
    reason = "unsupported_file"


class ImageTooLarge(InvalidInput):
    reason = "image_too_large"


PDF, JPEG, PNG, WEBP = "application/pdf", "image/jpeg", "image/png", "image/webp"
EXTENSIONS = {PDF: ".pdf", JPEG: ".jpg", PNG: ".png", WEBP: ".webp"}
PILLOW_FORMATS = {JPEG: "JPEG", PNG: "PNG", WEBP: "WEBP"}
# what survives the re-encoding besides the pixels: how to show them, nothing about who or where
KEPT_INFO = ("transparency", "icc_profile")
EXIF_IFD, DATETIME_ORIGINAL, OFFSET_TIME_ORIGINAL, DATETIME = 0x8769, 36867, 36881, 306


@dataclass
class Judged:
    content_type: str
    body: Body           # the bytes to store: the upload (PDF) or the clean image
    taken_at: datetime | None = None

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.content_type]


def sniff(path: Path) -> str | None:
    """The type the first bytes claim, or None."""
    with open(path, "rb") as handle:
        head = handle.read(16)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    return None


def _unsupported() -> UnsupportedFile:
    return UnsupportedFile(_("send a PDF, JPEG, PNG or WebP file"), field="file")


def judge(body: Body, *, max_pixels: int, zone: str, work_dir: Path | None = None) -> Judged:
    """The upload's type by content; for an image, a clean copy (a new
    temporary file the caller removes, as it removes the upload)."""
    content_type = sniff(body.path)
    if content_type is None:
        raise _unsupported()
    if content_type == PDF:
        _check_pdf(body.path)
        return Judged(PDF, body)
    return _clean_image(body.path, content_type, max_pixels=max_pixels, zone=zone, work_dir=work_dir)


def _check_pdf(path: Path) -> None:
    from pypdf import PdfReader

    try:
        with open(path, "rb") as handle:  # a file object: pypdf reads it as needed, not whole
            reader = PdfReader(handle, strict=False)
            if reader.is_encrypted and not reader.decrypt(""):
                raise ValueError("encrypted")
            pages = len(reader.pages)
    except Exception as exc:  # noqa: BLE001 — whatever pypdf cannot open is not a PDF we keep
        raise _unsupported() from exc
    if pages < 1:
        raise _unsupported()


def _clean_image(path: Path, content_type: str, *, max_pixels: int, zone: str,
                 work_dir: Path | None) -> Judged:
    fmt = PILLOW_FORMATS[content_type]
    fd, name = tempfile.mkstemp(prefix="clean-", suffix=EXTENSIONS[content_type], dir=work_dir)
    os.close(fd)
    out = Path(name)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path, formats=[fmt]) as image:
                width, height = image.size  # from the header: nothing decoded yet
                if width * height > max_pixels:
                    raise ImageTooLarge(_("the image has %(pixels)s million pixels, at most "
                                          "%(limit)s million are accepted",
                                          pixels=round(width * height / 1e6, 1),
                                          limit=round(max_pixels / 1e6, 1)), field="file")
                image.load()
                taken_at = capture_time(image.getexif(), zone)
                ImageOps.exif_transpose(image, in_place=True)  # upright, before the orientation tag goes
                image.info = {key: image.info[key] for key in KEPT_INFO if key in image.info}
                _save(image, out, fmt)
    except (ImageTooLarge, UnsupportedFile):
        out.unlink(missing_ok=True)
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        out.unlink(missing_ok=True)
        raise ImageTooLarge(_("the image is too large to open"), field="file") from exc
    except Exception as exc:  # noqa: BLE001 — a broken or truncated image
        out.unlink(missing_ok=True)
        raise _unsupported() from exc
    return Judged(content_type, hashed(out), taken_at)


def _save(image: Image.Image, out: Path, fmt: str) -> None:
    """Encoded again with no metadata given: Pillow writes EXIF, XMP and text
    chunks only when asked (or from image.info, emptied above)."""
    if fmt == "JPEG":
        try:  # the original's quantisation: no visible loss from the second encoding
            image.save(out, "JPEG", quality="keep", subsampling="keep")
        except (ValueError, OSError, TypeError):
            image.save(out, "JPEG", quality=90)
    elif fmt == "PNG":
        image.save(out, "PNG", compress_level=6)
    else:
        if image.mode not in ("RGB", "RGBA"):
            image = image.convert("RGBA" if "A" in image.mode or "transparency" in image.info else "RGB")
        image.save(out, "WEBP", quality=90, method=4)


def hashed(path: Path) -> Body:
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return Body(path, digest.hexdigest(), size)


def capture_time(exif, zone: str) -> datetime | None:
    """EXIF DateTimeOriginal (else DateTime) as UTC: with its offset tag when
    the camera wrote one, else read in the deployment's zone (the phone's
    clock, where the meetings are). None when absent or implausible."""
    try:
        ifd = exif.get_ifd(EXIF_IFD)
        text = ifd.get(DATETIME_ORIGINAL) or exif.get(DATETIME)
        offset = ifd.get(OFFSET_TIME_ORIGINAL)
        if not isinstance(text, str):
            return None
        local = datetime.strptime(text.strip().rstrip("\x00")[:19], "%Y:%m:%d %H:%M:%S")
        if isinstance(offset, str) and len(offset.strip()) >= 6:
            when = datetime.fromisoformat(local.isoformat() + offset.strip()[:6])
        else:
            when = local.replace(tzinfo=ZoneInfo(zone))
        when = when.astimezone(timezone.utc)
    except Exception:  # noqa: BLE001 — a camera's odd tag is no reason to refuse its photo
        return None
    if not datetime(2000, 1, 1, tzinfo=timezone.utc) <= when <= datetime.now(timezone.utc) + timedelta(days=1):
        return None
    return when


def clean_filename(name: str | None, fallback: str, extension: str) -> str:
    """What the person's file was called (no folders, no invisible or control
    characters, at most 120 characters of stem), with the extension of what
    the content is."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip()
    stem = name.rsplit(".", 1)[0].strip() if "." in name else name
    stem = stem[:120].strip() or fallback
    return stem + extension
