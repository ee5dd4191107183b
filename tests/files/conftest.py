"""The storage backends under test: the folder, and S3 on a real
S3-compatible server — moto's standalone server (`moto_server`, from the
moto[server] package) started here on a free port of 127.0.0.1, or the one
S3_TEST_ENDPOINT names. Where CI or REQUIRE_S3=1 is set, a missing server
fails the tests instead of skipping them."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

REQUIRED = os.environ.get("REQUIRE_S3") == "1" or os.environ.get("CI") not in (None, "", "0", "false")


def _unavailable(why: str):
    if REQUIRED:
        pytest.fail(f"the S3 backend must be tested here (CI / REQUIRE_S3=1): {why}")
    pytest.skip(why)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait(port: int, process, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"moto_server exited with {process.returncode}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError("moto_server did not listen within 30 s")


@pytest.fixture(scope="session")
def s3_endpoint():
    """The URL of an S3-compatible server for the whole session."""
    given = os.environ.get("S3_TEST_ENDPOINT")
    if given:
        yield given
        return
    try:
        import boto3  # noqa: F401
        import moto  # noqa: F401
    except ImportError as exc:
        _unavailable(f"boto3 or moto[server] is not installed ({exc})")
    server = Path(sys.executable).with_name("moto_server")
    command = [str(server)] if server.exists() else [shutil.which("moto_server") or "moto_server"]
    port = _free_port()
    process = subprocess.Popen(command + ["-H", "127.0.0.1", "-p", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait(port, process)
    except (RuntimeError, OSError) as exc:
        process.kill()
        _unavailable(str(exc))
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture
def s3_bucket(s3_endpoint, monkeypatch):
    """A new, empty bucket on the test server; the AWS_* variables a
    deployment would set, with the test server's throw-away credentials."""
    import boto3

    for name, value in (("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing"),
                        ("AWS_DEFAULT_REGION", "us-east-1")):
        monkeypatch.setenv(name, os.environ.get(name, value) if os.environ.get("S3_TEST_ENDPOINT") else value)
    bucket = f"meetings-test-{uuid.uuid4().hex[:12]}"
    boto3.client("s3", endpoint_url=s3_endpoint).create_bucket(Bucket=bucket)
    return bucket
