"""The file store (SPEC §12 "Storage"): bodies outside the database, named by
their SHA-256, in a folder (`FILES_URL=file://…`, the default, under
instance/) or an S3-compatible bucket (`FILES_URL=s3://bucket/prefix`).

A toolkit: it knows no domain. A domain keeps its metadata rows and calls
`spool()` (stream an upload to a temporary file while hashing it), then
`store()` (the body into the store) BEFORE its row commits, so a crash never
leaves a row without its body; a body without a row is harmless and
`flask files gc` lists and removes it. Downloads stream out of the store
(`body_response`, with range reads). Domains name the bodies they hold with
`references()`, so the collector knows what is in use.
"""
from __future__ import annotations

from .storage import (Body, FolderStorage, S3Storage, Spool, Storage, StoredBody, TooLarge,
                      is_sha256, spool, storage, storage_for)
from .gc import collect, references, unreferenced
from .http import body_response

__all__ = ["Body", "FolderStorage", "S3Storage", "Spool", "Storage", "StoredBody", "TooLarge",
           "is_sha256", "spool", "storage", "storage_for", "store", "collect", "references",
           "unreferenced", "body_response"]


def store(body: Body) -> None:
    """The body into the application's store (idempotent: the same bytes are
    one body). Afterwards `body.path` may be gone."""
    storage().put(body)
