"""The storage interface, the same tests on each backend: the folder, and S3
against a real S3-compatible server (tests/files/conftest.py)."""
from __future__ import annotations

import hashlib
import io
import os
from datetime import timedelta

import pytest

from meetings import files
from meetings.files import FolderStorage, S3Storage, TooLarge, storage_for


@pytest.fixture(params=["folder", "s3"])
def store(request, tmp_path):
    if request.param == "folder":
        return FolderStorage(tmp_path / "store")
    endpoint, bucket = request.getfixturevalue("s3_endpoint"), request.getfixturevalue("s3_bucket")
    return storage_for(f"s3://{bucket}/bodies", endpoint)


def put_bytes(store, data: bytes):
    spooled = files.spool(io.BytesIO(data), 64 * 2**20, store.spool_dir)
    body = spooled.body
    store.put(body)
    spooled.discard()
    return body


def test_a_body_is_stored_under_its_sha256_and_read_back(store):
    data = os.urandom(200_000)
    body = put_bytes(store, data)
    assert body.sha256 == hashlib.sha256(data).hexdigest() and body.size == len(data)
    assert not body.path.exists()  # moved or uploaded, never left behind
    assert store.exists(body.sha256) and store.size(body.sha256) == len(data)
    assert b"".join(store.read(body.sha256)) == data
    assert b"".join(store.read(body.sha256, 100, 199)) == data[100:200]
    assert b"".join(store.read(body.sha256, 199_990)) == data[199_990:]


def test_the_same_bytes_twice_are_one_body(store):
    data = b"receipt" * 1000
    put_bytes(store, data)
    put_bytes(store, data)
    assert [b.sha256 for b in store.list()] == [hashlib.sha256(data).hexdigest()]


def test_list_and_delete(store):
    a, b = put_bytes(store, b"first"), put_bytes(store, b"second")
    listed = {body.sha256: body for body in store.list()}
    assert set(listed) == {a.sha256, b.sha256} and listed[a.sha256].size == 5
    store.delete(a.sha256)
    assert not store.exists(a.sha256) and [body.sha256 for body in store.list()] == [b.sha256]


def test_a_name_that_is_no_sha256_is_refused(store):
    with pytest.raises(ValueError):
        store.exists("../../etc/passwd")


def test_a_large_body_streams_in_parts(store):
    """12 MB: above boto3's multipart threshold, in 64 KB chunks out."""
    data = os.urandom(12 * 2**20)
    body = put_bytes(store, data)
    chunks = list(store.read(body.sha256))
    assert max(len(c) for c in chunks) <= 64 * 1024 and b"".join(chunks) == data


def test_spooling_stops_at_the_limit_and_leaves_nothing(tmp_path):
    folder = tmp_path / "spool"
    with pytest.raises(TooLarge):
        files.spool(io.BytesIO(bytes(5000)), 4096, folder)
    assert list(folder.iterdir()) == []


def test_files_url_names_the_backend(tmp_path):
    from meetings.config import INSTANCE_DIR, ConfigError
    assert storage_for(f"file://{tmp_path}").root == tmp_path
    assert storage_for("file://files").root == INSTANCE_DIR / "files"
    with pytest.raises(ConfigError):
        storage_for("ftp://example/files")


def test_the_app_stores_in_s3_when_files_url_says_so(app, s3_endpoint, s3_bucket, make_meeting, org):
    """The whole path: an attachment uploaded, its body in the bucket, the
    download streamed back from it, `files gc` reading the bucket."""
    from meetings.evidence import services
    from tests.evidence.conftest import pdf_bytes

    app.config.update(FILES_URL=f"s3://{s3_bucket}/evidence", S3_ENDPOINT_URL=s3_endpoint)
    assert isinstance(files.storage(), S3Storage)
    data = pdf_bytes()
    meeting = make_meeting("approved")
    attachment = services.add_attachment(org.rep, meeting, io.BytesIO(data), filename="a.pdf", kind="other")
    import boto3
    key = f"evidence/{attachment.sha256}"
    assert boto3.client("s3", endpoint_url=s3_endpoint).get_object(Bucket=s3_bucket, Key=key)["Body"].read() == data
    with app.test_request_context(headers={"Range": "bytes=5-"}):
        response = services.download(meeting, attachment.id)
        assert response.status_code == 206 and b"".join(response.response) == data[5:]
    assert list(files.unreferenced(grace=timedelta(0))) == []


def test_a_files_url_naming_no_store_stops_the_start(monkeypatch):
    from meetings.config import ConfigError, from_env
    monkeypatch.setenv("FILES_URL", "/var/files")
    with pytest.raises(ConfigError):
        from_env(require_secret=False)
    monkeypatch.setenv("FILES_URL", "s3://bucket/evidence")
    assert from_env(require_secret=False)["FILES_URL"] == "s3://bucket/evidence"
