"""`seed-demo --scale N`: N meetings across a realistic organisation, fast.

For benchmarks and for people evaluating the service at national scale: a
region per five provinces, ten reps, ten hospitals, three departments and 45
doctors per province; meetings spread over the last year and the next two
months, each with budget lines, history, eight invitees (key ones backed up),
and — when held — check-ins (a walk-in among them) and the follow-up week.

The rows are written set-based (one INSERT per table and chunk) rather than
through the services, which would take minutes for 10,000 meetings; they obey
the same rules the services enforce (a key primary has a backup of its grade,
figures add up), so every page and report reads them like production data.
"""
from __future__ import annotations

import random
import secrets
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import insert

from .auth.models import Role, User
from .checkin.models import CheckIn, Source
from .doctors.models import Department, Doctor, Hospital
from .extensions import db
from .followups.models import FollowUp, FollowUpKind, FollowUpStatus, Outcome, subject_key
from .actionlog import ActionLogEntry
from .invitees.models import Invitee, InviteeRole, InviteeStatus
from .orgs.models import BudgetPool, Province, Region
from .proposals.models import BudgetLine, Meeting, Status
from .types import local_date, quarter_of, utcnow

CHUNK = 2000
PASSWORD_HASH = "!"  # scale users cannot log in until an admin sets a password
PROVINCES = ["江苏", "浙江", "安徽", "山东", "福建", "江西", "上海", "广东", "广西", "海南", "湖南",
             "湖北", "河南", "河北", "山西", "北京", "天津", "辽宁", "吉林", "黑龙江", "四川", "重庆",
             "贵州", "云南", "陕西", "甘肃", "宁夏", "青海", "新疆", "内蒙古", "西藏"]
DEPARTMENTS = ["心内科", "内分泌科", "神经内科"]
TOPICS = ["新适应症解读", "用法用量与不良反应管理", "临床用药疑虑答疑", "新特药推荐"]
# potential, support → grade A, B, C, D (SPEC §2 defaults)
FIGURES = [(200, 100), (200, 10), (50, 40), (50, 1)]


def _insert(model, rows: list[dict], returning: bool = False) -> list[int]:
    """INSERT the rows in chunks; with `returning`, their new ids in order."""
    ids: list[int] = []
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start:start + CHUNK]
        if returning:
            result = db.session.execute(
                insert(model).returning(model.id, sort_by_parameter_order=True), chunk)
            ids.extend(result.scalars().all())
        else:
            db.session.execute(insert(model), chunk)
    return ids


def seed_scale(n: int, *, seed: int = 1) -> dict[str, int]:
    """Add n meetings (and the organisation they need) to the database; the
    caller commits. Returns how many rows of each kind were written."""
    rnd = random.Random(seed)
    now = utcnow()
    tag = secrets.token_hex(3)  # a second run adds a second organisation beside the first
    n_provinces = max(2, min(len(PROVINCES), n // 300))
    region_ids = _insert(Region, [{"name": f"第{i + 1}大区-{tag}"}
                                  for i in range((n_provinces + 4) // 5)], returning=True)
    province_ids = _insert(Province, [
        {"name": f"{PROVINCES[i]}省区-{tag}", "region_id": region_ids[i // 5],
         "approval_limit": Decimal("8000")} for i in range(n_provinces)], returning=True)
    periods = sorted({quarter_of((now + timedelta(days=d)).date()) for d in range(-400, 120, 30)})
    _insert(BudgetPool, [{"province_id": p, "period": q, "amount": Decimal("2000000"),
                          "spent": Decimal("0")} for p in province_ids for q in periods])

    users, reps, pms, staff_of = [], {}, {}, {}
    for pi, (province_id, region_index) in enumerate(zip(province_ids, range(n_provinces))):
        region_id = region_ids[region_index // 5]
        for role, count in ((Role.rep, 10), (Role.provincial_manager, 1), (Role.staff, 1)):
            for k in range(count):
                users.append({"username": f"{role.value}-{tag}-{pi}-{k}", "password_hash": PASSWORD_HASH,
                              "display_name": f"{PROVINCES[pi]}{role.value}{k + 1}", "role": role,
                              "province_id": province_id, "region_id": region_id})
    user_ids = _insert(User, users, returning=True)
    for row, user_id in zip(users, user_ids):
        bucket = {Role.rep: reps, Role.provincial_manager: pms, Role.staff: staff_of}[row["role"]]
        bucket.setdefault(row["province_id"], []).append(user_id)

    hospitals = [{"name": f"{PROVINCES[pi]}第{h + 1}人民医院", "level": "tertiary" if h < 4 else "secondary",
                  "city": PROVINCES[pi], "province_id": p}
                 for pi, p in enumerate(province_ids) for h in range(10)]
    hospital_ids = _insert(Hospital, hospitals, returning=True)
    departments = [{"hospital_id": h, "name": name, "headcount": 40}
                   for h in hospital_ids for name in DEPARTMENTS]
    department_ids = _insert(Department, departments, returning=True)
    doctors = []
    for d in department_ids:
        for k in range(15):
            potential, support = FIGURES[k % 4]
            doctors.append({"department_id": d, "name": f"医生{d}-{k + 1}",
                            "title": "chief_physician" if k < 4 else ("attending" if k % 3 else "resident"),
                            "position": "outpatient" if k % 2 else "inpatient",
                            "potential": Decimal(potential), "support": Decimal(support)})
    doctor_ids = _insert(Doctor, doctors, returning=True)
    doctors_of = {d: doctor_ids[i * 15:(i + 1) * 15] for i, d in enumerate(department_ids)}
    hospital_of = {d: row["hospital_id"] for d, row in zip(department_ids, departments)}
    province_of = {h: row["province_id"] for h, row in zip(hospital_ids, hospitals)}

    meetings = []
    for i in range(n):
        department_id = department_ids[rnd.randrange(len(department_ids))]
        hospital_id = hospital_of[department_id]
        province_id = province_of[hospital_id]
        starts_at = (now + timedelta(days=rnd.uniform(-365, 60))).replace(minute=0, second=0, microsecond=0)
        if starts_at < now - timedelta(days=14):
            status = rnd.choice([Status.held, Status.summarized, Status.summarized, Status.closed,
                                 Status.cancelled])
        elif starts_at < now:
            status = rnd.choice([Status.held, Status.summarized])
        else:
            status = rnd.choice([Status.draft, Status.submitted, Status.approved, Status.approved])
        drawn = status not in (Status.draft, Status.submitted, Status.cancelled)
        meetings.append({
            "owner_id": rnd.choice(reps[province_id]), "province_id": province_id,
            "hospital_id": hospital_id, "department_id": department_id,
            "topic": TOPICS[i % len(TOPICS)], "purpose": "usage_dosage", "audience": "prescribers",
            "format": "in_department", "venue": "科室示教室", "starts_at": starts_at,
            "expected_attendees": 8, "speaker_id": pms[province_id][0], "needs": None,
            "supply_channel_open": True, "department_head_agreed": True, "relations_ok": True,
            "status": status, "drawn_amount": Decimal("2000.00") if drawn else None,
            "checkin_token": secrets.token_urlsafe(24), "created_at": starts_at - timedelta(days=10),
            "followups_scheduled_at": starts_at + timedelta(hours=1) if status in _HELD else None})
    meeting_ids = _insert(Meeting, meetings, returning=True)

    lines, history, invitees = [], [], []
    for meeting_id, m in zip(meeting_ids, meetings):
        lines.append({"meeting_id": meeting_id, "category": "meals", "amount": Decimal("1600.00")})
        lines.append({"meeting_id": meeting_id, "category": "gifts", "amount": Decimal("400.00")})
        history.extend(_history(meeting_id, m))
        for doctor_id in doctors_of[m["department_id"]][:8]:
            invitees.append({"meeting_id": meeting_id, "doctor_id": doctor_id, "role": InviteeRole.primary,
                             "status": InviteeStatus.confirmed if m["status"] != Status.draft
                             else InviteeStatus.invited, "created_at": m["created_at"]})
    _insert(BudgetLine, lines)
    _insert(ActionLogEntry, history)
    invitee_ids = _insert(Invitee, invitees, returning=True)
    # Key primaries (the A and B doctors among the first eight: figures repeat
    # every four doctors) are backed up by the doctor eight places on, who has
    # the same figures and so the same grade.
    backups = []
    for index, (invitee_id, row) in enumerate(zip(invitee_ids, invitees)):
        k = index % 8
        if k % 4 < 2:  # grades A and B
            department = doctors_of[meetings[index // 8]["department_id"]]
            backups.append({"meeting_id": row["meeting_id"], "doctor_id": department[8 + k],
                            "role": InviteeRole.backup, "backup_for_id": invitee_id,
                            "status": InviteeStatus.invited, "created_at": row["created_at"]})
    _insert(Invitee, backups)

    checkins, followups = [], []
    for index, (meeting_id, m) in enumerate(zip(meeting_ids, meetings)):
        if m["status"] not in _HELD:
            continue
        start = m["starts_at"]
        came = [k for k in range(8) if rnd.random() < 0.75]
        day = local_date(start)
        for k in came:
            invitee_index = index * 8 + k
            checkins.append({"meeting_id": meeting_id, "doctor_id": invitees[invitee_index]["doctor_id"],
                             "invitee_id": invitee_ids[invitee_index], "name": f"医生{k}",
                             "title": "attending", "source": Source.staff,
                             "checked_in_at": start + timedelta(minutes=rnd.randint(-10, 15)),
                             "recorded_at": start, "meal_opt_in": True})
        checkins.append({"meeting_id": meeting_id, "doctor_id": None, "invitee_id": None,
                         "name": "来访医生", "title": "resident", "source": Source.staff,
                         "checked_in_at": start + timedelta(minutes=5), "recorded_at": start,
                         "meal_opt_in": False})
        for k in range(8):
            followups.append(_followup(rnd, meeting_id, m, invitees[index * 8 + k]["doctor_id"], None,
                                       FollowUpKind.visit if k in came else FollowUpKind.gift_delivery,
                                       day, now))
        followups.append(_followup(rnd, meeting_id, m, None, "来访医生", FollowUpKind.visit, day, now))
    _insert(CheckIn, checkins)
    _insert(FollowUp, followups)
    db.session.flush()
    return {"meetings": n, "provinces": n_provinces, "users": len(users), "doctors": len(doctors),
            "invitees": len(invitees) + len(backups), "checkins": len(checkins),
            "followups": len(followups)}


_HELD = (Status.held, Status.summarized, Status.closed)
_PATH = [("submit", Status.draft, Status.submitted), ("approve", Status.submitted, Status.approved),
         ("start", Status.approved, Status.in_progress), ("finish", Status.in_progress, Status.held),
         ("summary", Status.held, Status.summarized), ("close", Status.summarized, Status.closed)]


def _history(meeting_id: int, m: dict) -> list[dict]:
    """The transitions that lead to the meeting's status, in order: entries of
    the action log about the meeting (its history)."""
    if m["status"] == Status.cancelled:
        steps = _PATH[:2] + [("cancel", Status.approved, Status.cancelled)]
    else:
        steps = []
        for step in _PATH:
            if m["status"] == step[1]:
                break
            steps.append(step)
    actor = {"approve": m["speaker_id"]}
    return [{"object_type": "meeting", "object_id": meeting_id, "action": action,
             "before": {"status": a.value}, "after": {"status": b.value},
             "actor_id": actor.get(action, m["owner_id"]), "at": m["created_at"] + timedelta(hours=i)}
            for i, (action, a, b) in enumerate(steps)]


def _followup(rnd, meeting_id, m, doctor_id, walk_in_name, kind, day: date, now) -> dict:
    due = day + timedelta(days=7)
    done = due < now.date() - timedelta(days=3) and rnd.random() < 0.8
    return {"meeting_id": meeting_id, "doctor_id": doctor_id, "walk_in_name": walk_in_name,
            "subject": subject_key(doctor_id, walk_in_name, None),
            "assignee_id": m["owner_id"], "kind": kind, "not_before": day + timedelta(days=1),
            "due_on": due, "status": FollowUpStatus.done if done else FollowUpStatus.open,
            "outcome": rnd.choice(list(Outcome)) if done else None,
            "completed_at": m["starts_at"] + timedelta(days=rnd.randint(1, 9)) if done else None,
            "created_at": m["starts_at"] + timedelta(hours=1)}
