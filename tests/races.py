"""The process-race harness: the same work started at once from separate
processes, each with its own app and connections. Meaningful on PostgreSQL
(row locks, conditional UPDATEs); on SQLite it shows that BEGIN IMMEDIATE
serialises writers."""
from __future__ import annotations

import multiprocessing

from meetings import create_app
from meetings.auth.models import User
from meetings.errors import DomainError
from meetings.extensions import db


def _one(args):
    url, work, user_id, job, barrier = args
    app = create_app({"SECRET_KEY": "t", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        user = db.session.get(User, user_id)
        db.session.rollback()  # end the read transaction before the race
        barrier.wait(timeout=60)
        try:
            result = work(user, *job)
            db.session.commit()
            return result
        except DomainError as exc:
            db.session.rollback()
            return exc.reason
        finally:
            db.engine.dispose()


def race(app, work, jobs):
    """Run `work(user, *args)` for every (user_id, *args) in `jobs`, all at
    once, each in its own process; `work` is a module-level function. Returns
    what each returned, or the reason of the DomainError it raised."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    db.session.remove()
    db.engine.dispose()  # children must not share the parent's sockets
    ctx = multiprocessing.get_context("fork")
    with ctx.Manager() as manager:
        barrier = manager.Barrier(len(jobs))
        with ctx.Pool(len(jobs)) as pool:
            return pool.map(_one, [(url, work, user_id, tuple(args), barrier)
                                   for user_id, *args in jobs])
