"""Evaluation figures (SPEC §9): the prescription import and the scorecard.

1. Import 100,000 prescription rows (1,000 doctors × 10 months × 10
   products, a year of a province) from CSV, re-import the same file (all
   unchanged), re-import with a tenth changed, and import the XLSX. Floor:
   a raw executemany INSERT of the same 100,000 rows into the empty table, in
   the same run.
2. Scorecards of 1,000 held meetings (invitees, check-ins with walk-ins,
   timed agendas, follow-up tasks, prescriptions around each meeting), in one
   batch call and meeting by meeting. Floor: plain SELECTs of the rows the
   scorecard reads (meetings, invitees, check-ins, segments, tasks, the
   attending doctors' prescriptions), no computation.

Prints figures and ratios; asserts nothing. A fresh SQLite file, and
PostgreSQL when BENCH_DATABASE_URL is set (its tables are dropped and re-created).

    python benchmarks/evaluation.py
    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test_eval python benchmarks/evaluation.py
"""
from __future__ import annotations

import io
import os
import secrets
import sys
import tempfile
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import delete, insert, select, update  # noqa: E402

from benchmarks.table import row as table_row  # noqa: E402
from meetings import create_app  # noqa: E402
from meetings.extensions import db  # noqa: E402

DOCTORS, MONTHS, PRODUCTS = 1000, 10, 10
MEETINGS = 1000
CHUNK = 2000


def timed(fn):
    t = time.perf_counter()
    result = fn()
    return time.perf_counter() - t, result


def base_org():
    from meetings.auth.models import Role, User
    from meetings.doctors.models import Department, Doctor, Hospital
    from meetings.orgs.models import Province, Region

    region = Region(name="华东")
    db.session.add(region)
    db.session.flush()
    province = Province(name="江苏", region_id=region.id, approval_limit=Decimal("5000"))
    db.session.add(province)
    db.session.flush()
    rep = User(username="rep", display_name="rep", role=Role.rep, province_id=province.id,
               region_id=region.id, password_hash="x")
    db.session.add(rep)
    hospital = Hospital(name="医院", level="tertiary", city="南京", province_id=province.id)
    db.session.add(hospital)
    db.session.flush()
    department = Department(hospital_id=hospital.id, name="心内科", headcount=30)
    db.session.add(department)
    db.session.flush()
    db.session.execute(insert(Doctor), [dict(
        department_id=department.id, name=f"医生{i}", title="attending" if i % 6 else "chief_physician",
        position="outpatient", potential=Decimal(200 if i % 6 == 0 else 50), support=Decimal(10))
        for i in range(DOCTORS)])
    db.session.commit()
    doctor_ids = db.session.scalars(select(Doctor.id).order_by(Doctor.id)).all()
    return rep, province, hospital, department, doctor_ids


def month_list(n: int) -> list[str]:
    return [f"2026-{m:02d}" for m in range(1, n + 1)]


def prescription_rows(doctor_ids, bump: int = 0) -> list[tuple]:
    rows = []
    for k, d in enumerate(doctor_ids):
        for month in month_list(MONTHS):
            for p in range(PRODUCTS):
                boxes = (k * 7 + p * 3 + int(month[-2:])) % 50
                if bump and (k + p) % 10 == 0:
                    boxes += bump
                rows.append((d, month, f"产品{p}", boxes))
    return rows


def as_csv(rows) -> bytes:
    lines = ["doctor_id,month,product,boxes"] + [f"{d},{m},{p},{b}" for d, m, p, b in rows]
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")


def as_xlsx(rows) -> bytes:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(["doctor_id", "month", "product", "boxes"])
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def bench_import(doctor_ids) -> list[tuple]:
    from meetings.prescriptions.models import Prescription
    from meetings.prescriptions.services import import_file
    from meetings.types import utcnow

    rows = prescription_rows(doctor_ids)
    data = as_csv(rows)
    out = []
    # the floor: the same rows, raw executemany into the empty table
    now = utcnow()
    params = [dict(doctor_id=d, month=m, product=p, boxes=b, updated_at=now) for d, m, p, b in rows]
    floor, _ = timed(lambda: (db.session.connection().execute(insert(Prescription.__table__), params),
                              db.session.commit()))
    db.session.execute(delete(Prescription))
    db.session.commit()
    for label, payload in (("csv first import", data), ("csv re-import (same)", data),
                           ("csv re-import (10% changed)", as_csv(prescription_rows(doctor_ids, bump=5)))):
        seconds, report = timed(lambda payload=payload: (import_file(None, payload), db.session.commit())[0])
        out.append((label, len(rows), seconds, floor, report))
    xlsx = as_xlsx(rows)
    seconds, report = timed(lambda: (import_file(None, xlsx), db.session.commit())[0])
    out.append(("xlsx re-import (original rows)", len(rows), seconds, floor, report))
    seconds, report = timed(lambda: (import_file(None, data, refresh_support=True),
                                     db.session.commit())[0])
    out.append(("csv re-import + support", len(rows), seconds, floor, report))
    print(f"  (CSV {len(data) / 2**20:.1f} MB, XLSX {len(xlsx) / 2**20:.1f} MB)")
    return out


def seed_meetings(rep, province, hospital, department, doctor_ids) -> list[int]:
    """Held meetings 60–120 days ago: 6 primaries (4 present), a walk-in and a
    doctor who was not invited; a timed agenda; visit/gift tasks, some done."""
    from meetings.agenda.models import AgendaSegment
    from meetings.checkin.models import CheckIn
    from meetings.followups.models import FollowUp
    from meetings.invitees.models import Invitee
    from meetings.proposals.models import Meeting
    from meetings.types import local_date, utcnow

    now = utcnow()
    ids: list[int] = []
    for start in range(0, MEETINGS, CHUNK):
        batch = range(start, min(MEETINGS, start + CHUNK))
        new = db.session.execute(insert(Meeting).returning(Meeting.id, Meeting.starts_at), [dict(
            owner_id=rep.id, province_id=province.id, hospital_id=hospital.id,
            department_id=department.id, topic=f"会{i}", purpose="usage_dosage", audience="prescribers",
            format="in_department", venue="示教室", starts_at=now - timedelta(days=60 + i % 60, hours=3),
            expected_attendees=12, status="held", checkin_token=secrets.token_urlsafe(24),
            product="产品1" if i % 2 else None, checklist_items_at_start=12,
            checklist_ticked_at_start=i % 13) for i in batch]).all()
        invitees, checkins, segments, tasks = [], [], [], []
        for k, (meeting_id, starts_at) in enumerate(new):
            picked = [doctor_ids[(k * 7 + j) % len(doctor_ids)] for j in range(7)]
            invitees += [dict(meeting_id=meeting_id, doctor_id=d, role="primary", status="invited")
                         for d in picked[:6]]
            came = picked[:4] + picked[6:]  # 4 invited and one who was not
            checkins += [dict(meeting_id=meeting_id, doctor_id=d, name=f"医生{d}", title="attending",
                              source="staff", checked_in_at=starts_at, recorded_at=now) for d in came]
            checkins.append(dict(meeting_id=meeting_id, doctor_id=None, name="护士", title="nurse",
                                 source="staff", checked_in_at=starts_at, recorded_at=now))
            for pos, (kind, planned, actual) in enumerate((("video", 5, 6), ("talk", 15, 18),
                                                           ("quiz", 5, 5), ("chief_review", 5, 4))):
                segments.append(dict(meeting_id=meeting_id, position=pos, kind=kind, title=kind,
                                     planned_minutes=planned,
                                     started_at=starts_at + timedelta(minutes=pos * 8),
                                     finished_at=starts_at + timedelta(minutes=pos * 8 + actual)))
            due = local_date(starts_at) + timedelta(days=7)
            for j, d in enumerate(came + picked[4:6]):
                kind = "visit" if j < len(came) else "gift_delivery"
                done = j % 3 != 0
                tasks.append(dict(meeting_id=meeting_id, doctor_id=d, subject=f"d:{d}", kind=kind,
                                  assignee_id=rep.id, not_before=due - timedelta(days=6), due_on=due,
                                  status="done" if done else "open",
                                  completed_at=starts_at + timedelta(days=3 + j) if done else None,
                                  created_at=now))
        for table, rows in ((Invitee, invitees), (CheckIn, checkins), (AgendaSegment, segments),
                            (FollowUp, tasks)):
            db.session.execute(insert(table), rows)
        db.session.commit()
        ids += [m for m, _s in new]
    return ids


def read_inputs(ids) -> int:
    """The floor: the rows the scorecard reads, fetched plainly."""
    from meetings.agenda.models import AgendaSegment
    from meetings.checkin.models import CheckIn
    from meetings.followups.models import FollowUp
    from meetings.invitees.models import Invitee
    from meetings.prescriptions.models import Prescription
    from meetings.proposals.models import Meeting

    n = 0
    for start in range(0, len(ids), 400):
        chunk = ids[start:start + 400]
        n += len(db.session.execute(select(Meeting.id, Meeting.starts_at, Meeting.product)
                                    .where(Meeting.id.in_(chunk))).all())
        n += len(db.session.execute(select(Invitee.meeting_id, Invitee.doctor_id, Invitee.role,
                                           Invitee.status).where(Invitee.meeting_id.in_(chunk))).all())
        present = db.session.execute(select(CheckIn.meeting_id, CheckIn.doctor_id)
                                     .where(CheckIn.meeting_id.in_(chunk))).all()
        n += len(present)
        n += len(db.session.execute(select(AgendaSegment.meeting_id, AgendaSegment.started_at,
                                           AgendaSegment.finished_at, AgendaSegment.planned_minutes)
                                    .where(AgendaSegment.meeting_id.in_(chunk))).all())
        n += len(db.session.execute(select(FollowUp.meeting_id, FollowUp.status, FollowUp.due_on,
                                           FollowUp.completed_at).where(FollowUp.meeting_id.in_(chunk))).all())
        doctors = sorted({d for _m, d in present if d is not None})
        n += len(db.session.execute(select(Prescription.doctor_id, Prescription.month, Prescription.boxes)
                                    .where(Prescription.doctor_id.in_(doctors))).all())
    return n


def bench_scorecards(ids) -> list[tuple]:
    from meetings.evaluation.services import scorecards

    floor, rows = timed(lambda: read_inputs(ids))
    batch, cards = timed(lambda: scorecards(ids))
    one_by_one, _ = timed(lambda: [scorecards([i]) for i in ids[:50]])
    computed = sum(1 for c in cards.values() if c["percent"] is not None)
    return [("scorecards, one batch", len(ids), batch, floor, f"{computed} with a percent"),
            ("scorecards, one by one (50)", len(ids), one_by_one * len(ids) / 50, floor,
             "time scaled to 1,000"),
            ("floor: read the inputs", len(ids), floor, floor, f"{rows:,} rows")]


def measure(url: str) -> None:
    from meetings.doctors.models import Doctor

    app = create_app({"SECRET_KEY": "bench-secret-key-0123456789abcdef-0123", "SQLALCHEMY_DATABASE_URI": url})
    name = url.split(":")[0].split("+")[0]
    with app.app_context(), app.test_request_context():
        db.drop_all()
        db.create_all()
        rep, province, hospital, department, doctor_ids = base_org()
        print(f"{name}: import of {DOCTORS * MONTHS * PRODUCTS:,} rows")
        for label, n, seconds, floor, report in bench_import(doctor_ids):
            counts = (f"ins {report.inserted:,} upd {report.updated:,} same {report.unchanged:,}"
                      if hasattr(report, "inserted") else "")
            print(f"  {label:30} {seconds:7.2f} s  {n / seconds:9,.0f} rows/s  "
                  f"{seconds / floor:5.1f}× floor ({floor:.2f} s)  {counts}", flush=True)
            if label in ("csv first import", "csv re-import (same)"):
                table_row(f"prescription {label}, {n:,} rows vs raw INSERT, s ({name})", seconds, floor)
        db.session.execute(update(Doctor).values(support=Decimal(10)))
        t, ids = timed(lambda: seed_meetings(rep, province, hospital, department, doctor_ids))
        print(f"{name}: scorecards of {len(ids):,} held meetings (seeded in {t:.1f} s)")
        for label, n, seconds, floor, note in bench_scorecards(ids):
            print(f"  {label:30} {seconds:7.2f} s  {seconds / n * 1000:7.2f} ms/meeting  "
                  f"{seconds / floor:5.1f}× floor  {note}", flush=True)
            if label == "scorecards, one batch":
                table_row(f"scorecards of {n:,} held meetings vs reading their rows, s ({name})", seconds, floor)
        db.session.remove()
        db.engine.dispose()


def main() -> None:
    print(f"load average at start: {os.getloadavg()}")
    tmp = tempfile.mkdtemp(prefix="bench-evaluation-")
    measure(f"sqlite:///{tmp}/bench.sqlite")
    if os.environ.get("BENCH_DATABASE_URL"):
        measure(os.environ["BENCH_DATABASE_URL"])
    print(f"load average at end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
