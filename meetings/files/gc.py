"""Bodies no row names (an upload refused after its body was stored, a crash
between the store and the commit): listed, and removed on request, by
`flask --app wsgi files gc`. A body younger than the grace period is left
alone: its row may be about to commit."""
from __future__ import annotations

from datetime import timedelta
from typing import Callable, Iterator

from sqlalchemy import Select

from ..extensions import db
from ..types import utcnow
from .storage import StoredBody, storage

GRACE = timedelta(hours=1)

# Each a function returning a select of one column: the SHA-256 names its
# domain's rows hold (registered by the domain, which this toolkit never imports).
REFERENCES: list[Callable[[], Select]] = []


def references(select_names: Callable[[], Select]) -> Callable[[], Select]:
    """Register a domain's `select(Model.sha256)`; idempotent."""
    if select_names not in REFERENCES:
        REFERENCES.append(select_names)
    return select_names


def referenced() -> set[str]:
    names: set[str] = set()
    for select_names in REFERENCES:
        names.update(db.session.scalars(select_names()))
    return names


def unreferenced(grace: timedelta = GRACE) -> Iterator[StoredBody]:
    """The stored bodies no row names, older than `grace`."""
    used = referenced()
    cutoff = utcnow() - grace
    for body in storage().list():
        if body.sha256 not in used and body.modified < cutoff:
            yield body


def collect(remove: bool = False, grace: timedelta = GRACE) -> list[StoredBody]:
    """The unreferenced bodies (removed when `remove`, with the spool files
    a crashed upload left behind, older than `grace`)."""
    found = list(unreferenced(grace))
    if remove:
        store = storage()
        for body in found:
            store.delete(body.sha256)
        _sweep_spool(store.spool_dir, grace)
    return found


def _sweep_spool(folder, grace: timedelta) -> None:
    if folder is None or not folder.is_dir():
        return
    cutoff = (utcnow() - grace).timestamp()
    for path in folder.iterdir():
        if path.is_file() and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
