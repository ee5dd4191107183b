"""A stored body as an HTTP answer: streamed from the store in chunks, with
its type, `Content-Disposition: attachment` and single range reads (a phone
resuming a download, a PDF viewer fetching pages)."""
from __future__ import annotations

from urllib.parse import quote

from flask import Response, request

from .storage import Storage


def _disposition(filename: str) -> str:
    ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_")
    ascii_name = ascii_name.replace("\\", "_").replace('"', "_") or "download"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


def body_response(store: Storage, sha256: str, size: int, content_type: str, filename: str) -> Response:
    headers = {"Content-Disposition": _disposition(filename), "Accept-Ranges": "bytes",
               "ETag": f'"{sha256}"', "Cache-Control": "private, no-store"}
    wanted = request.range
    if wanted is not None and request.method in ("GET", "HEAD"):
        span = wanted.range_for_length(size)
        if span is None:
            headers["Content-Range"] = f"bytes */{size}"
            return Response(status=416, headers=headers)
        start, stop = span
        headers["Content-Range"] = f"bytes {start}-{stop - 1}/{size}"
        headers["Content-Length"] = str(stop - start)
        return Response(store.read(sha256, start, stop - 1), status=206, mimetype=content_type,
                        headers=headers, direct_passthrough=True)
    headers["Content-Length"] = str(size)
    return Response(store.read(sha256), status=200, mimetype=content_type, headers=headers,
                    direct_passthrough=True)
