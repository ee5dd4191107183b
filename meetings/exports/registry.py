"""One class per export (pretix's exporters): it names its file and its
columns and yields its rows; the writers turn rows into CSV or XLSX and the
service streams the result. Adding an export is adding a class here.

A CSV is written after its request has ended (the response streams; Flask
pushes the request's context again for it, with a new database session): an
exporter takes what its rows need from the request in __init__ — ids, the
user's search as a statement — and never keeps an ORM object for rows(), which
by then belongs to a closed session."""
from __future__ import annotations

from typing import Iterator

EXPORTERS: dict[str, type["Exporter"]] = {}


def register(cls):
    EXPORTERS[cls.name] = cls
    return cls


class Exporter:
    name: str = ""           # also the file's stem
    object_type: str = ""    # for the action log
    columns: tuple = ()      # lazy strings: the header, in the export's language
    kinds: tuple = ()        # per column: "money", "datetime", "int" or None (XLSX formats)
    widths: tuple = ()       # per column: an XLSX width, or 0 for the header's

    @property
    def object_id(self) -> int | None:
        return None

    @property
    def filename(self) -> str:
        return self.name

    @property
    def title(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        """The file's name as people read it (2026-12-08-降压新药沙龙-签到),
        sent as RFC 5987 filename*; `filename` is the ASCII fallback."""
        return self.filename

    def header(self) -> list[str]:
        return [str(column) for column in self.columns]

    def rows(self) -> Iterator[list]:
        raise NotImplementedError

    def detail(self) -> dict:
        """What the action log keeps about this export besides its format."""
        return {}
