"""The scheduled jobs (SPEC §8). Each is thin — a service call in one
transaction (database.transaction; a job that works in batches commits each
with database.commit_job_batch) — and idempotent: the services insert on natural keys (ON CONFLICT DO NOTHING),
and a per-job lock keeps two runs from working side by side."""
from __future__ import annotations

import logging
import signal
from dataclasses import dataclass, field
from typing import Callable

from .database import transaction
from .extensions import db
from .followups.services import schedule_pending
from .locks import exclusive
from .notifications.services import deliver_pending
from .notifications.services import escalate_overdue as escalate
from .notifications.services import remind_day_before as remind
from .visits.services import tell_lapses

log = logging.getLogger("meetings.jobs")


@dataclass
class Job:
    name: str
    func: Callable[[], dict]
    trigger: dict = field(default_factory=dict)  # APScheduler interval/cron arguments


JOBS: dict[str, Job] = {}


def job(name: str, **trigger):
    def register(func):
        JOBS[name] = Job(name, func, trigger)
        return func
    return register


# SPEC §8. Times are the scheduler's zone (TIMEZONE). Every job is safe to run
# again: the services insert on natural keys and mark what they have done.

@job("schedule_followups", trigger="interval", minutes=10)
def schedule_followups() -> dict:
    """Follow-up tasks of held meetings not yet scheduled (finish schedules
    them at once; this is the safety net). Commits per batch of meetings."""
    return schedule_pending()


@job("escalate_overdue", trigger="cron", hour="8-20", minute=15)
def escalate_overdue() -> dict:
    """Open tasks past due: the provincial manager is told, once per task."""
    return escalate()


@job("remind_day_before", trigger="cron", hour="9-18", minute=5)
def remind_day_before() -> dict:
    """Approved meetings starting tomorrow: the owner is told once whom to
    re-confirm and what is still unticked on the checklist."""
    return remind()


@job("lapse_visits", trigger="cron", hour=8, minute=40)
def lapse_visits() -> dict:
    """Key doctors unvisited for twice their frequency (SPEC §15): the rep's
    manager is told, once per lapse."""
    return tell_lapses()


@job("purge_signatures", trigger="cron", hour=3, minute=30)
def purge_signatures() -> dict:
    """PIPL: signatures older than SIGNATURE_RETENTION_DAYS (3 years) go; the
    check-ins and every figure stay."""
    from .privacy.services import purge_signatures as purge
    return purge()


@job("deliver_mail", trigger="interval", minutes=1)
def deliver_mail() -> dict:
    """Last, so what the jobs above told people goes out in the same run."""
    return deliver_pending()


def run_job(name: str) -> dict:
    with exclusive(f"job:{name}", wait=True), transaction():
        result = JOBS[name].func() or {}
    log.info("job %s: %s", name, result)
    return result


def run_scheduler(app, *, standby_seconds: int = 30) -> None:
    """Foreground scheduler. Only one instance acts at a time (advisory lock);
    another waits on standby and takes over if the first one stops."""
    from apscheduler.schedulers.blocking import BlockingScheduler

    import threading
    stopping = threading.Event()

    def stop(signum, _frame):
        log.info("signal %s: stopping the scheduler", signum)
        stopping.set()
        if scheduler.running:
            scheduler.shutdown(wait=False)

    scheduler = BlockingScheduler(timezone=app.config["TIMEZONE"])
    for name, spec in JOBS.items():
        trigger = dict(spec.trigger)
        kind = trigger.pop("trigger", "interval")
        scheduler.add_job(_in_context(app, name), kind, id=name, name=name, coalesce=True,
                          max_instances=1, misfire_grace_time=300, **trigger)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    with app.app_context():
        while not stopping.is_set():
            with exclusive("scheduler", wait=False) as active:
                if active:
                    log.info("scheduler active with jobs: %s", ", ".join(JOBS))
                    scheduler.start()  # blocks until stop()
                    return
            log.info("another scheduler is active; standing by")
            stopping.wait(standby_seconds)


def _in_context(app, name):
    def run():
        with app.app_context():
            try:
                run_job(name)
            except Exception:  # keep the scheduler alive; the next run retries
                log.exception("job %s failed", name)
            finally:
                db.session.remove()
    run.__name__ = name
    return run
