"""Storage backends and the spool an upload is streamed into.

Bodies are named by their SHA-256 (64 lower-case hex digits): the same bytes
are stored once, and a name says what the bytes are. `put` is idempotent and
durable before it returns (the folder backend fsyncs the file and its folder;
S3 answers once the object is written), so the caller may then commit the
row that names the body.
"""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import BinaryIO, Iterator
from urllib.parse import urlparse

from flask import current_app

from ..config import INSTANCE_DIR, ConfigError

CHUNK = 64 * 1024
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def is_sha256(name: str) -> bool:
    return bool(_SHA256.match(name or ""))


class TooLarge(Exception):
    """The stream is longer than the limit it was spooled with."""

    def __init__(self, limit: int):
        super().__init__(f"larger than {limit} bytes")
        self.limit = limit


@dataclass(frozen=True)
class Body:
    """A finished temporary file: where it is, its SHA-256 and its size."""
    path: Path
    sha256: str
    size: int


@dataclass(frozen=True)
class StoredBody:
    sha256: str
    size: int
    modified: datetime


class Spool:
    """A temporary file written while hashed: what is written is never held
    in memory beyond one chunk. Use as a context manager; leaving it removes
    the file unless the store took it already."""

    body: Body | None = None  # set by finish()

    def __init__(self, directory: Path | None = None):
        if directory is not None:
            directory.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix="spool-", dir=directory)
        self.file = os.fdopen(fd, "w+b")
        self.path = Path(name)
        self.size = 0
        self._hash = hashlib.sha256()

    def write(self, data: bytes) -> int:
        self._hash.update(data)
        self.size += len(data)
        return self.file.write(data)

    def finish(self) -> Body:
        self.file.flush()
        os.fsync(self.file.fileno())
        self.file.close()
        self.body = Body(self.path, self._hash.hexdigest(), self.size)
        return self.body

    def discard(self) -> None:
        if not self.file.closed:
            self.file.close()
        self.path.unlink(missing_ok=True)

    def __enter__(self) -> "Spool":
        return self

    def __exit__(self, *exc) -> None:
        self.discard()


def spool(stream: BinaryIO, max_bytes: int, directory: Path | None = None) -> Spool:
    """Copy `stream` into a new Spool in chunks, hashing as it goes; TooLarge
    (and nothing left behind) past `max_bytes`. The spool is finished: its
    `body` is ready to judge and to store."""
    target = Spool(directory)
    try:
        while True:
            chunk = stream.read(CHUNK)
            if not chunk:
                break
            if target.size + len(chunk) > max_bytes:
                raise TooLarge(max_bytes)
            target.write(chunk)
        target.finish()
    except BaseException:
        target.discard()
        raise
    return target


class Storage:
    """What every backend does. `read` yields the bytes start..end (inclusive;
    end None: to the last byte) in chunks."""

    #: where uploads are spooled, so that `put` can move rather than copy
    spool_dir: Path | None = None

    def put(self, body: Body) -> None:
        raise NotImplementedError

    def exists(self, sha256: str) -> bool:
        raise NotImplementedError

    def size(self, sha256: str) -> int:
        raise NotImplementedError

    def read(self, sha256: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        raise NotImplementedError

    def list(self) -> Iterator[StoredBody]:
        raise NotImplementedError

    def delete(self, sha256: str) -> None:
        raise NotImplementedError

    @staticmethod
    def _check(sha256: str) -> str:
        if not is_sha256(sha256):
            raise ValueError(f"not a SHA-256 name: {sha256!r}")
        return sha256


class FolderStorage(Storage):
    """<root>/<first two hex digits>/<sha256>; uploads spool in
    <root>/.incoming, on the same file system, so storing is a rename."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self.spool_dir = self.root / ".incoming"

    def path_of(self, sha256: str) -> Path:
        sha256 = self._check(sha256)
        return self.root / sha256[:2] / sha256

    def put(self, body: Body) -> None:
        target = self.path_of(body.sha256)
        if target.exists():
            body.path.unlink(missing_ok=True)  # the same bytes are there already
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.replace(body.path, target)
        except OSError:  # another file system: copy beside the target, then rename
            partial = target.with_name(f".{target.name}.{os.getpid()}.part")
            with open(body.path, "rb") as source, open(partial, "wb") as copy:
                shutil.copyfileobj(source, copy, CHUNK)
                copy.flush()
                os.fsync(copy.fileno())
            os.replace(partial, target)
            body.path.unlink(missing_ok=True)
        _fsync_dir(target.parent)

    def exists(self, sha256: str) -> bool:
        return self.path_of(sha256).is_file()

    def size(self, sha256: str) -> int:
        return self.path_of(sha256).stat().st_size

    def read(self, sha256: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        # opened now, closed by the generator: a missing body fails here, not mid-answer
        handle = open(self.path_of(sha256), "rb")  # noqa: SIM115

        def chunks():
            with handle:
                handle.seek(start)
                left = None if end is None else end - start + 1
                while left is None or left > 0:
                    chunk = handle.read(CHUNK if left is None else min(CHUNK, left))
                    if not chunk:
                        return
                    if left is not None:
                        left -= len(chunk)
                    yield chunk
        return chunks()

    def list(self) -> Iterator[StoredBody]:
        if not self.root.is_dir():
            return
        for folder in sorted(self.root.iterdir()):
            if not (folder.is_dir() and len(folder.name) == 2):
                continue
            for path in sorted(folder.iterdir()):
                if is_sha256(path.name) and path.name[:2] == folder.name:
                    stat = path.stat()
                    yield StoredBody(path.name, stat.st_size,
                                     datetime.fromtimestamp(stat.st_mtime, timezone.utc))

    def delete(self, sha256: str) -> None:
        self.path_of(sha256).unlink(missing_ok=True)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class S3Storage(Storage):
    """s3://bucket/prefix on any S3-compatible server: the endpoint from
    S3_ENDPOINT_URL (none: AWS itself), credentials and region from the usual
    AWS_* variables (boto3 reads them). Keys are <prefix>/<sha256>."""

    def __init__(self, bucket: str, prefix: str = "", endpoint_url: str | None = None):
        import boto3  # only a deployment that stores in a bucket needs it loaded
        from botocore.config import Config

        self.bucket, self.prefix = bucket, prefix.strip("/")
        self.client = boto3.client("s3", endpoint_url=endpoint_url,
                                   config=Config(retries={"max_attempts": 3, "mode": "standard"}))

    def key(self, sha256: str) -> str:
        sha256 = self._check(sha256)
        return f"{self.prefix}/{sha256}" if self.prefix else sha256

    def put(self, body: Body) -> None:
        from boto3.s3.transfer import TransferConfig

        try:
            if not self.exists(body.sha256):
                # streamed from the file in parts (multipart above 8 MB), never read whole
                self.client.upload_file(str(body.path), self.bucket, self.key(body.sha256),
                                        Config=TransferConfig(use_threads=False))
        finally:
            body.path.unlink(missing_ok=True)

    def exists(self, sha256: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self.key(sha256))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True

    def size(self, sha256: str) -> int:
        return self.client.head_object(Bucket=self.bucket, Key=self.key(sha256))["ContentLength"]

    def read(self, sha256: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        extra = {}
        if start or end is not None:
            extra["Range"] = f"bytes={start}-{'' if end is None else end}"
        stream = self.client.get_object(Bucket=self.bucket, Key=self.key(sha256), **extra)["Body"]

        def chunks():
            try:
                yield from stream.iter_chunks(CHUNK)
            finally:
                stream.close()
        return chunks()

    def list(self) -> Iterator[StoredBody]:
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=f"{self.prefix}/" if self.prefix else "")
        for page in pages:
            for item in page.get("Contents", []):
                name = item["Key"].rsplit("/", 1)[-1]
                expected = self.key(name) if is_sha256(name) else None
                if expected == item["Key"]:
                    yield StoredBody(name, item["Size"], item["LastModified"])

    def delete(self, sha256: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self.key(sha256))


def storage_for(url: str, endpoint_url: str | None = None) -> Storage:
    """The backend a FILES_URL names: file://<path> (relative paths are under
    instance/) or s3://bucket/prefix."""
    if url.startswith("file://"):
        path = Path(url[len("file://"):])
        return FolderStorage(path if path.is_absolute() else INSTANCE_DIR / path)
    parsed = urlparse(url)
    if parsed.scheme == "s3" and parsed.netloc:
        return S3Storage(parsed.netloc, parsed.path, endpoint_url)
    raise ConfigError(f"FILES_URL={url!r}: use file://<folder> or s3://<bucket>/<prefix>")


def storage() -> Storage:
    """The application's store, made once per application and FILES_URL."""
    config = current_app.config
    key = (config["FILES_URL"], config.get("S3_ENDPOINT_URL"))
    made = current_app.extensions.get("files")
    if made is None or made[0] != key:
        made = current_app.extensions["files"] = (key, storage_for(*key))
    return made[1]
