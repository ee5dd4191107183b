"""The printed forms' font, registered once per process.

Without configuration the forms use ReportLab's CID font STSong-Light: no
font file ships, the PDF reader supplies the glyphs — so an archived form may
look different (or, without Chinese fonts, unreadable) on another computer.
With `PDF_FONT` pointing at a CJK TrueType font (.ttf, or a .ttc collection
with `PDF_FONT_INDEX` choosing the face) the forms embed the subset of glyphs
they use, and read the same anywhere (SPEC §11). The container image sets it.
"""
from __future__ import annotations

import hashlib
import os
import threading

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont

BUILTIN = "STSong-Light"

_registered: dict[tuple[str, int], str] = {}
_lock = threading.Lock()


def configured() -> tuple[str | None, int]:
    """(PDF_FONT, PDF_FONT_INDEX) of the current app, else of the environment."""
    from flask import current_app, has_app_context

    source = current_app.config if has_app_context() else os.environ
    path = source.get("PDF_FONT") or None
    return path, int(source.get("PDF_FONT_INDEX") or 0)


def font() -> str:
    """The registered name of the configured font; registers it on first use."""
    path, index = configured()
    key = (path or BUILTIN, index)
    name = _registered.get(key)
    if name is None:
        with _lock:
            name = _registered.get(key) or _register(path, index)
            _registered[key] = name
    return name


def _register(path: str | None, index: int) -> str:
    if path is None:
        if BUILTIN not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(UnicodeCIDFont(BUILTIN))
        return BUILTIN
    # one name per file and face, so two configurations in one process never clash
    name = "Embedded-" + hashlib.sha1(f"{path}#{index}".encode()).hexdigest()[:10]
    pdfmetrics.registerFont(TTFont(name, path, subfontIndex=index))
    return name


def has_glyph(char: str) -> bool:
    """Whether the forms' font can print `char` (SPEC §11: what it lacks,
    an emoji, is left out, never printed as itself). The embedded TrueType
    font answers from its character map; the built-in CID font covers
    Adobe-GB1, which holds every character of GBK in the Basic Multilingual
    Plane — a character outside it (an emoji's surrogate pair) would shift
    every character after it in UCS-2, so it never reaches the PDF."""
    return _coverage(font())(char)


_coverages: dict[str, object] = {}
# Adobe-GB1 characters GBK has no code for that the forms print (base.py's look-alikes)
GB1_BEYOND_GBK = frozenset("・")


def _coverage(name: str):
    check = _coverages.get(name)
    if check is None:
        if name == BUILTIN:
            def check(char: str) -> bool:
                if ord(char) > 0xFFFF:
                    return False
                if char in GB1_BEYOND_GBK:
                    return True
                try:
                    char.encode("gbk")
                except UnicodeEncodeError:
                    return False
                return True
        else:
            covered = frozenset(pdfmetrics.getFont(name).face.charToGlyph)

            def check(char: str) -> bool:
                return ord(char) in covered
        _coverages[name] = check
    return check
