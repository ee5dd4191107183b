"""Upload of a 10 MB phone photo through the API (SPEC §12), measured on a
real worker: a gunicorn process (one sync worker) on a temp SQLite database
and a temp folder store; the client streams the multipart body over
loopback. Prints, per upload, the time of the request and the worker's peak
resident memory above what it held before (Linux VmHWM, reset before each
upload through /proc/<pid>/clear_refs), and the photo's size.

    .venv/bin/python benchmarks/attachment_upload.py [--runs 3] [--megapixels 12]

What the figure holds: the multipart parser spools the body to disk, the
service copies it to a spool file while hashing (64 KB at a time), Pillow
decodes the pixels (width × height × 3 bytes: the one unavoidable buffer of a
re-encoding) and encodes them again to a file, which is hashed and moved into
the store. No step holds the file's bytes whole in memory."""
from __future__ import annotations

import argparse
import http.client
import io
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def photo(path: Path, megapixels: float, target: int) -> int:
    """A JPEG of about `target` bytes: `megapixels` of noisy pixels (a photo
    of a busy room compresses about as badly), with the EXIF a phone writes
    (capture time, GPS)."""
    from PIL import Image

    width = int((megapixels * 1e6 * 4 / 3) ** 0.5)
    height = width * 3 // 4
    base = Image.effect_noise((width, height), 60).convert("RGB")
    exif = Image.Exif()
    exif.get_ifd(0x8769)[36867] = "2026:12:01 19:30:00"
    exif.get_ifd(0x8825).update({1: "N", 2: (32.0, 3.0, 41.5), 3: "E", 4: (118.0, 46.0, 12.3)})
    best = None
    for quality in range(99, 40, -1):
        out = io.BytesIO()
        base.save(out, "JPEG", quality=quality, exif=exif)
        if out.tell() <= target:
            best = out.getvalue()
            break
    path.write_bytes(best or out.getvalue())
    return path.stat().st_size


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def request(port, method, path, body=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    conn.request(method, path, body=body, headers=headers or {})
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, data


def upload(port, token, meeting_id, path: Path, filename: str):
    boundary = uuid.uuid4().hex
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\nphoto\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\n"
            "Content-Type: image/jpeg\r\n\r\n").encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    length = len(head) + path.stat().st_size + len(tail)

    def body():  # streamed from the file, as a phone's browser sends it
        yield head
        with open(path, "rb") as handle:
            while chunk := handle.read(256 * 1024):
                yield chunk
        yield tail
    headers = {"Authorization": f"Bearer {token}", "Content-Length": str(length),
               "Content-Type": f"multipart/form-data; boundary={boundary}"}
    started = time.perf_counter()
    status, data = request(port, "POST", f"/api/v1/meetings/{meeting_id}/attachments", body(), headers)
    return status, time.perf_counter() - started, data


def worker_of(master: int) -> int:
    for _ in range(100):
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.1)
    raise RuntimeError("no gunicorn worker")


def memory(pid: int) -> dict[str, int]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0]) * 1024
    return fields


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--megapixels", type=float, default=12.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        env = {**os.environ, "SECRET_KEY": "bench-secret-key-0123456789abcdef-0123456789",
               "DATABASE_URL": f"sqlite:///{tmp / 'bench.sqlite'}", "FILES_URL": f"file://{tmp / 'files'}",
               "LOG_LEVEL": "WARNING", "FLASK_APP": "wsgi"}
        setup = {**env, "FLASK_ENV": "development"}
        for command in (["db", "upgrade"], ["seed-demo"]):
            subprocess.run([str(BIN / "flask"), *command], cwd=ROOT, env=setup, check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        big = tmp / "IMG_4032.jpg"
        size = photo(big, args.megapixels, 10 * 2**20 - 4096)
        small = tmp / "small.jpg"
        photo(small, 0.1, 10**6)
        port = free_port()
        server = subprocess.Popen([str(BIN / "gunicorn"), "-w", "1", "-b", f"127.0.0.1:{port}", "wsgi:app"],
                                  cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            for _ in range(300):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    time.sleep(0.1)
            status, data = request(port, "POST", "/api/v1/auth/token",
                                   json.dumps({"username": "rep", "password": "demo-password"}),
                                   {"Content-Type": "application/json"})
            token = json.loads(data)["token"]
            status, data = request(port, "GET", "/api/v1/meetings?status=approved",
                                   headers={"Authorization": f"Bearer {token}"})
            meeting_id = json.loads(data)[0]["id"]
            worker = worker_of(server.pid)
            status, _, data = upload(port, token, meeting_id, small, "warm-up.jpg")  # imports, first use
            assert status == 201, data
            print(f"photo: {size / 2**20:.2f} MB, {args.megapixels:g} megapixels; worker pid {worker}")
            print("run  status  seconds  worker peak above baseline (MB)  worker RSS before (MB)")
            for run in range(1, args.runs + 1):
                Path(f"/proc/{worker}/clear_refs").write_text("5")  # VmHWM := VmRSS
                before = memory(worker)
                status, seconds, data = upload(port, token, meeting_id, big, f"IMG_{run}.jpg")
                after = memory(worker)
                print(f"{run:>3}  {status:>6}  {seconds:7.2f}  {(after['VmHWM'] - before['VmRSS']) / 2**20:31.1f}"
                      f"  {before['VmRSS'] / 2**20:21.1f}")
                if status != 201:
                    print(data[:300])
        finally:
            server.terminate()
            server.wait(timeout=20)
        in_process(env, big, meeting_id)
    return 0


def in_process(env: dict, big: Path, meeting_id: int) -> None:
    """The service alone (spool, judge, re-encode, store), under tracemalloc:
    the Python heap's peak shows the file is never held in memory (Pillow's
    pixel buffer is its own allocation, outside tracemalloc: the worker's
    figure above counts it)."""
    import tracemalloc

    os.environ.update({k: env[k] for k in ("SECRET_KEY", "DATABASE_URL", "FILES_URL", "LOG_LEVEL")})
    sys.path.insert(0, str(ROOT))
    from meetings import create_app
    from meetings.auth.models import User
    from meetings.evidence import services
    from meetings.extensions import db
    from meetings.proposals.models import Meeting

    app = create_app()
    with app.app_context():
        rep = db.session.scalar(db.select(User).where(User.username == "rep"))
        meeting = db.session.get(Meeting, meeting_id)
        tracemalloc.start()
        started = time.perf_counter()
        with open(big, "rb") as handle:
            services.add_attachment(rep, meeting, handle, filename="IMG_x.jpg", kind="photo")
        seconds = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        db.session.rollback()
    print(f"service alone: {seconds:.2f} s, Python heap peak (tracemalloc) {peak / 2**20:.2f} MB")


if __name__ == "__main__":
    sys.exit(main())
