"""The first look at every request (SPEC §11): input that is not JSON, JSON
nested absurdly deep, numbers of thousands of digits, broken Unicode and NUL
bytes are a 400 here, before any handler, parser or database sees them.

The parsers behind (webargs, Flask) read the body again; what passes here
parses there without surprises.
"""
from __future__ import annotations

import json
import re

from flask import abort, request
from flask_babel import gettext as _

MAX_DEPTH = 32  # the deepest real body (a budget line in a meeting) is 3
MAX_INT = 2**63 - 1  # no column holds more; a larger number is not a value but an attack


_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"')
_BRACKETS = re.compile(r"[\[\]{}]")


class HostileInput(ValueError):
    pass


def _int(text: str) -> int:
    if len(text.lstrip("-")) > 19:
        raise HostileInput(_("a number too large"))
    value = int(text)
    if abs(value) > MAX_INT:
        raise HostileInput(_("a number too large"))
    return value


def _constant(name: str):
    raise HostileInput(_("%(value)s is not JSON", value=name))


def _check(value, depth: int = 0) -> None:
    if depth > MAX_DEPTH:
        raise HostileInput(_("nested too deep"))
    if isinstance(value, str):
        _check_text(value)
    elif isinstance(value, list):
        for item in value:
            _check(item, depth + 1)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_text(key)
            _check(item, depth + 1)


def _check_text(text: str) -> None:
    if "\x00" in text:
        raise HostileInput(_("a NUL character"))
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise HostileInput(_("broken Unicode (a lone surrogate)")) from None


def strict_loads(data: bytes | str):
    """json.loads that refuses what no client of ours sends; HostileInput
    (a ValueError) names why."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError:
            raise HostileInput(_("not UTF-8")) from None
    # Nesting is counted before parsing: the C parser recurses and a deep
    # enough body exhausts the stack before any hook could look at it.
    depth = 0
    for bracket in _BRACKETS.finditer(_STRINGS.sub('""', data)):
        depth += 1 if bracket.group() in "[{" else -1
        if depth > MAX_DEPTH:
            raise HostileInput(_("nested too deep"))
    try:
        value = json.loads(data, parse_int=_int, parse_constant=_constant)
    except HostileInput:
        raise
    except (ValueError, RecursionError):
        raise HostileInput(_("not JSON")) from None
    _check(value)
    return value


def _is_json(mimetype: str) -> bool:
    return mimetype == "application/json" or (mimetype.startswith("application/")
                                             and mimetype.endswith("+json"))


def screen_request():
    """before_request for the whole app."""
    if "\x00" in request.path or any("\x00" in k or "\x00" in v
                                     for k, v in request.args.items(multi=True)):
        abort(400, description=_("NUL characters are not allowed in a URL"))
    if request.method in ("POST", "PUT", "PATCH", "DELETE") and _is_json(request.mimetype):
        data = request.get_data(cache=True)
        if data:
            try:
                strict_loads(data)
            except HostileInput as exc:
                abort(400, description=_("the request body is refused: %(why)s", why=exc))


def register(app) -> None:
    app.before_request(screen_request)
