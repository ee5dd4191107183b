"""Run an exporter as a download: record it in the action log, then stream
the file (CSV line by line, XLSX from a temporary file) — never every row in
memory at once. Exports are written in Chinese, whoever asks: the files go to
Chinese spreadsheets (SPEC §9)."""
from __future__ import annotations

import re
from urllib.parse import quote

from flask import Response, stream_with_context
from flask_babel import force_locale

from ..actionlog import log_action
from ..auth.models import User
from ..database import commit_export_log
from .registry import Exporter
from .writers import csv_chunks, file_chunks, xlsx_file

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def record_export(actor: User, exporter: Exporter, fmt: str) -> None:
    """The action log entry of an export (the caller commits)."""
    log_action(actor, "export", exporter.object_type, exporter.object_id,
               after={"export": exporter.name, "format": fmt, **exporter.detail()})


def _localised(exporter: Exporter, fmt: str):
    """Header and rows rendered in Chinese, lazily."""
    with force_locale("zh"):
        header = exporter.header()
    if fmt == "csv":
        def rows():
            with force_locale("zh"):
                yield from exporter.rows()
        return stream_with_context(csv_chunks(header, rows()))
    with force_locale("zh"):
        handle = xlsx_file(header, exporter.rows(), exporter.title, exporter.kinds, exporter.widths)
    return file_chunks(handle)


def logged_download(actor: User, exporter: Exporter, fmt: str) -> Response:
    """The export as a download, its action log entry committed first
    (database.commit_export_log: a GET keeps nothing else)."""
    record_export(actor, exporter, fmt)
    commit_export_log()
    return download(exporter, fmt)


def content_disposition(ascii_name: str, name: str, fmt: str) -> str:
    """attachment; filename="<ASCII>"; filename*=UTF-8''<the real name> (RFC
    6266 / 5987): browsers save 2026-12-08-降压新药沙龙-签到.xlsx, old ones
    the ASCII fallback."""
    safe = "".join(char for char in name if char.isprintable() and char not in '\\/:*?"<>|')
    safe = re.sub(r"\s+", " ", safe).strip(" .") or ascii_name
    return (f'attachment; filename="{ascii_name}.{fmt}"; '
            f"filename*=UTF-8''{quote(safe + '.' + fmt, safe='')}")


def _display_name(exporter: Exporter) -> str:
    with force_locale("zh"):  # in Chinese, as the files are
        return str(exporter.display_name)


def download(exporter: Exporter, fmt: str) -> Response:
    body = _localised(exporter, fmt)
    return Response(body, content_type=FORMATS[fmt], headers={
        "Content-Disposition": content_disposition(exporter.filename, _display_name(exporter), fmt),
        "Cache-Control": "private, no-store"})
