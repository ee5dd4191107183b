"""Throttling shared by every worker process (SPEC §11): fixed windows of
counted events per key ("login:account:alice", "self:10.0.0.7").

The counts live in Redis when REDIS_URL is set, else in the database table
`throttle_counters` — never in one process's memory, so three gunicorn workers
see one count. One implementation serves logins, token requests and the QR page.

Database counts are written in the caller's transaction: the handler commits
them (a refused login commits its failure before answering 401).
"""
from __future__ import annotations

import math
import random
import time

from flask import current_app
from sqlalchemy import Integer, String, delete, select
from sqlalchemy.orm import Mapped, mapped_column

from .errors import DomainError
from .database import dialect_insert
from .extensions import db


class Throttled(DomainError):
    http_status, reason = 429, "throttled"

    def __init__(self, message: str, retry_after: int):
        super().__init__(message, retry_after=retry_after)
        self.retry_after = max(1, int(retry_after))

    def headers(self) -> dict:
        return {"Retry-After": str(self.retry_after)}


class ThrottleCounter(db.Model):
    __tablename__ = "throttle_counters"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    window: Mapped[int] = mapped_column(Integer, primary_key=True)  # epoch seconds // window length
    count: Mapped[int] = mapped_column(Integer, default=0)
    expires: Mapped[int] = mapped_column(Integer, index=True)  # epoch seconds


_redis_clients: dict[str, object] = {}


def _redis():
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    if url not in _redis_clients:
        import redis
        _redis_clients[url] = redis.Redis.from_url(url, socket_timeout=2)
    return _redis_clients[url]


def _window(seconds: int) -> tuple[int, int]:
    now = time.time()
    window = int(now // seconds)
    retry_after = math.ceil((window + 1) * seconds - now)
    return window, retry_after


def count(key: str, seconds: int) -> int:
    """Events counted for `key` in the current window."""
    window, _ = _window(seconds)
    client = _redis()
    if client is not None:
        return int(client.get(f"throttle:{key}:{window}") or 0)
    return db.session.scalar(select(ThrottleCounter.count).where(
        ThrottleCounter.key == key, ThrottleCounter.window == window)) or 0


def hit(key: str, seconds: int) -> int:
    """Counts one event for `key`; returns the window's count including it."""
    window, _ = _window(seconds)
    client = _redis()
    if client is not None:
        name = f"throttle:{key}:{window}"
        pipe = client.pipeline()
        pipe.incr(name)
        pipe.expire(name, seconds + 5)
        return int(pipe.execute()[0])
    statement = dialect_insert(ThrottleCounter).values(key=key[:200], window=window, count=1,
                                               expires=(window + 1) * seconds)
    statement = statement.on_conflict_do_update(
        index_elements=["key", "window"], set_={"count": ThrottleCounter.count + 1}
    ).returning(ThrottleCounter.count)
    total = db.session.execute(statement).scalar_one()
    if random.random() < 0.02:  # now and then, forget windows that have ended
        db.session.execute(delete(ThrottleCounter).where(ThrottleCounter.expires < time.time()))
    return total


def check(key: str, limit: int, seconds: int, message: str) -> None:
    """Refuses (429) once `key` has `limit` events in the current window."""
    if count(key, seconds) >= limit:
        raise Throttled(message, _window(seconds)[1])


def reset(key: str, seconds: int) -> None:
    window, _ = _window(seconds)
    client = _redis()
    if client is not None:
        client.delete(f"throttle:{key}:{window}")
        return
    db.session.execute(delete(ThrottleCounter).where(ThrottleCounter.key == key,
                                                     ThrottleCounter.window == window))


def take(key: str, limit: int, seconds: int, message: str) -> None:
    """Counts one event and refuses (429) when it is past `limit`."""
    if hit(key, seconds) > limit:
        raise Throttled(message, _window(seconds)[1])
