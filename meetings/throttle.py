"""Throttling shared by every worker process (SPEC §11): fixed windows of
counted events per key ("login:account:alice", "self:10.0.0.7").

The counts live in Redis when REDIS_URL is set, else in the database table
`throttle_counters` — never in one process's memory, so three gunicorn workers
see one count. One implementation serves logins, token requests and the QR page.

Database counts are written in the caller's transaction: the handler commits
them (a refused login commits its failure before answering 401). On
PostgreSQL the counter's row stays locked until then, so concurrent takes of
one key are counted one after another: `take` before the work it guards (a
password check) lets no more than the limit through, however many arrive at once.

When Redis fails (down, unreachable), counting falls back to the database at
once and Redis is tried again after REDIS_RETRY seconds; the outage is logged
at most once a minute, not per request.
"""
from __future__ import annotations

import logging
import math
import random
import threading
import time

from flask import current_app
from sqlalchemy import Integer, String, delete, select, update
from sqlalchemy.orm import Mapped, mapped_column

from .actionlog import log_action
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


log = logging.getLogger("meetings.throttle")
_redis_clients: dict[str, object] = {}
REDIS_RETRY = 10       # seconds the database counts alone after Redis failed
LOG_EVERY = 60         # seconds between two log lines about one outage
_outage_lock = threading.Lock()
_down_until: dict[str, float] = {}     # url → epoch time Redis is tried again
_logged_at: dict[str, float] = {}      # url → epoch time of the last outage log line


def _redis():
    """The Redis client, or None: no REDIS_URL, or Redis failed within the
    last REDIS_RETRY seconds (the database counts meanwhile)."""
    url = current_app.config.get("REDIS_URL")
    if not url or time.time() < _down_until.get(url, 0.0):
        return None
    if url not in _redis_clients:
        import redis
        _redis_clients[url] = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
    return _redis_clients[url]


def _redis_failed(exc: Exception) -> None:
    url = current_app.config.get("REDIS_URL") or ""
    now = time.time()
    with _outage_lock:
        _down_until[url] = now + REDIS_RETRY
        if now - _logged_at.get(url, -LOG_EVERY) < LOG_EVERY:
            return
        _logged_at[url] = now
    log.warning("Redis does not answer (%s); throttling counts in the database meanwhile",
                exc.__class__.__name__, extra={"error": str(exc).splitlines()[0] if str(exc) else ""})


def _on_redis(operation):
    """`operation(client)` on Redis, or None when Redis is not configured or
    fails (then the caller counts in the database)."""
    client = _redis()
    if client is None:
        return None
    import redis
    try:
        return (operation(client),)
    except redis.exceptions.RedisError as exc:
        _redis_failed(exc)
        return None


def redis_state() -> str | None:
    """For /healthz: None without REDIS_URL, else "ok" or "unavailable"."""
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    if time.time() < _down_until.get(url, 0.0):
        return "unavailable"
    answered = _on_redis(lambda client: client.ping())
    return "ok" if answered else "unavailable"


def _window(seconds: int) -> tuple[int, int]:
    now = time.time()
    window = int(now // seconds)
    retry_after = math.ceil((window + 1) * seconds - now)
    return window, retry_after


def count(key: str, seconds: int) -> int:
    """Events counted for `key` in the current window."""
    window, _ = _window(seconds)
    done = _on_redis(lambda client: int(client.get(f"throttle:{key}:{window}") or 0))
    if done is not None:
        return done[0]
    return db.session.scalar(select(ThrottleCounter.count).where(
        ThrottleCounter.key == key, ThrottleCounter.window == window)) or 0


def hit(key: str, seconds: int) -> int:
    """Counts one event for `key`; returns the window's count including it."""
    window, _ = _window(seconds)

    def incr(client):
        name = f"throttle:{key}:{window}"
        pipe = client.pipeline()
        pipe.incr(name)
        pipe.expire(name, seconds + 5)
        return int(pipe.execute()[0])

    done = _on_redis(incr)
    if done is not None:
        return done[0]
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


def give_back(key: str, seconds: int) -> None:
    """Undoes one `take` whose event turned out not to count (a login that
    succeeded): the slot was held while the work ran, now it is free."""
    window, _ = _window(seconds)
    if _on_redis(lambda client: client.decr(f"throttle:{key}:{window}")) is not None:
        return
    db.session.execute(update(ThrottleCounter).where(
        ThrottleCounter.key == key[:200], ThrottleCounter.window == window, ThrottleCounter.count > 0
    ).values(count=ThrottleCounter.count - 1))


def reset(key: str, seconds: int) -> None:
    window, _ = _window(seconds)
    if _on_redis(lambda client: client.delete(f"throttle:{key}:{window}")) is not None:
        return
    db.session.execute(delete(ThrottleCounter).where(ThrottleCounter.key == key,
                                                     ThrottleCounter.window == window))


AUDITED_REFUSALS = {1, 10, 100, 1000, 10_000, 100_000}


def note_refused(key: str, seconds: int, what: str, limit: str) -> None:
    """Counts a refusal and writes it to the action log without flooding it:
    an entry at the 1st, 10th, 100th … refusal of `key` in a window, with the
    count so far. `what` and `limit` name the throttle (never the key: it
    holds a typed username, perhaps a password typed in the wrong field)."""
    refused = hit(f"refused:{key}", seconds)
    if refused in AUDITED_REFUSALS:
        log_action(None, "throttled", what, None, after={"limit": limit, "refused": refused})


def take(key: str, limit: int, seconds: int, message: str, *, audit: tuple[str, str] | None = None) -> None:
    """Counts one event and refuses (429) when it is past `limit`; with
    `audit` (what, which limit), refusals are counted in the action log."""
    if hit(key, seconds) > limit:
        if audit:
            note_refused(key, seconds, *audit)
        raise Throttled(message, _window(seconds)[1])
