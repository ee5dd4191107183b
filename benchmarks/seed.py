"""Seeding for the benchmarks: an organisation, doctors and approved meetings
starting now, made through the real services (as tests/conftest.py does), so
the rows look like production's.

    app = bench_app("sqlite:///…")
    with app.app_context():
        reset_schema()
        org = make_org()
        doctors = make_doctors(org, 60)
        meeting = make_meeting(org, doctors)   # approved, starting now
        db.session.commit()
"""
from __future__ import annotations

import io
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import event  # noqa: E402

from meetings import create_app  # noqa: E402
from meetings.extensions import db  # noqa: E402


@contextmanager
def on_statements(engine, note):
    """note(statement, parameters, executemany) for every SQL statement
    `engine` sends inside the block (how the scripts count and collect them)."""
    def listener(_conn, _cursor, statement, parameters, _context, executemany):
        note(statement, parameters, executemany)
    event.listen(engine, "before_cursor_execute", listener)
    try:
        yield
    finally:
        event.remove(engine, "before_cursor_execute", listener)

PASSWORD = "bench-pass-123"
# potential, support → grade (SPEC §2 defaults): A and B are key customers
GRADES = {"A": (200, 100), "B": (200, 10), "C": (50, 40), "D": (50, 1)}
SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
            "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红"


def bench_app(database_url: str, secret: str = "bench-secret-key-0123456789abcdef-0123"):
    return create_app({"SECRET_KEY": secret, "SQLALCHEMY_DATABASE_URI": database_url,
                       "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})


def reset_schema() -> None:
    """A fresh schema (create_all, as the tests do; the migrations give the same tables)."""
    db.drop_all()
    db.create_all()


@dataclass
class Org:
    region: object
    province: object
    rep: object
    pm: object
    staff: object
    hospital: object
    department: object


def add_admin(username: str = "bench-admin"):
    """An administrator with the benchmarks' password: sees every meeting."""
    from meetings.auth.models import Role, User

    admin = User(username=username, display_name="admin", role=Role.admin)
    admin.set_password(PASSWORD)
    db.session.add(admin)
    return admin


def make_org() -> Org:
    from meetings.auth.models import Role, User
    from meetings.doctors.models import Department, Hospital
    from meetings.orgs.models import BudgetPool, Province, Region
    from meetings.types import quarter_of, utcnow

    region = Region(name="华东大区")
    province = Province(name="江苏省区", region=region, approval_limit=Decimal("50000"))
    db.session.add_all([region, province])
    db.session.flush()
    today = utcnow().date()
    for period in sorted({quarter_of(today + timedelta(days=d)) for d in (-120, -30, 0, 30, 120)}):
        db.session.add(BudgetPool(province_id=province.id, period=period,
                                  amount=Decimal("1000000"), spent=Decimal("0")))
    users = {}
    for role in (Role.rep, Role.provincial_manager, Role.staff):
        user = User(username=f"bench-{role.value}", display_name=f"{role.value} 用户", role=role,
                    province_id=province.id, region_id=region.id)
        user.set_password(PASSWORD)
        db.session.add(user)
        users[role] = user
    hospital = Hospital(name="南京市第一医院", level="tertiary", city="南京", province_id=province.id)
    db.session.add(hospital)
    db.session.flush()
    department = Department(hospital_id=hospital.id, name="心内科", headcount=80)
    db.session.add(department)
    db.session.flush()
    return Org(region, province, users[Role.rep], users[Role.provincial_manager],
               users[Role.staff], hospital, department)


def key_pairs(n: int) -> int:
    """How many of n invitees are key (A) primaries with an A backup: a sixth
    of the list is key, as in a typical department."""
    return n // 6


def make_doctors(org: Org, n: int) -> list:
    """n doctors: the first 2·key_pairs(n) grade A chiefs (primaries and their
    backups), the rest C and D attendings and residents."""
    from meetings.doctors.models import Doctor

    pairs = key_pairs(n)
    titles = ["attending", "resident", "associate_chief_physician", "attending"]
    doctors = []
    for index in range(n):
        grade = "A" if index < 2 * pairs else "CD"[index % 2]
        title = "chief_physician" if grade == "A" else titles[index % len(titles)]
        potential, support = GRADES[grade]
        name = SURNAMES[index % len(SURNAMES)] + GIVEN[(index // len(SURNAMES) + index) % len(GIVEN)] \
            + (str(index // len(SURNAMES)) if index >= len(SURNAMES) else "")
        doctors.append(Doctor(department_id=org.department.id, name=name, title=title,
                              position="outpatient", potential=Decimal(potential),
                              support=Decimal(support)))
    db.session.add_all(doctors)
    db.session.flush()
    return doctors


def make_meeting(org: Org, doctors: list, topic: str = "新适应症解读"):
    """An approved meeting starting now, with every doctor on its list: the
    key ones as primary + backup pairs, the others as primaries."""
    from meetings.invitees import services as invitees
    from meetings.proposals import services as proposals
    from meetings.types import utcnow

    meeting = proposals.create_meeting(
        org.rep, hospital_id=org.hospital.id, department_id=org.department.id, topic=topic,
        purpose="usage_dosage", audience="prescribers", format="in_department", venue="心内科示教室",
        starts_at=utcnow() + timedelta(days=3), expected_attendees=len(doctors),
        speaker_id=org.pm.id, staff_ids=[org.staff.id],
        budget={"lines": [{"category": "meals", "amount": Decimal("1500")},
                          {"category": "gifts", "amount": Decimal("500")}]},
        preconditions={"supply_channel_open": True, "department_head_agreed": True,
                       "relations_ok": True},
        needs="")
    pairs = key_pairs(len(doctors))
    for index, doctor in enumerate(doctors):
        if index < pairs or index >= 2 * pairs:
            invitees.add_invitee(org.rep, meeting, doctor_id=doctor.id, role="primary")
    primaries = {i.doctor_id: i for i in meeting.invitees}
    for index in range(pairs):
        invitees.add_invitee(org.rep, meeting, doctor_id=doctors[pairs + index].id, role="backup",
                             backup_for=primaries[doctors[index].id].id)
    proposals.submit(org.rep, meeting)
    proposals.approve(org.pm, meeting)
    meeting.starts_at = utcnow()  # the QR page is open from 60 min before to 120 min after
    db.session.flush()
    return meeting


def signature_png(seed: int = 0) -> bytes:
    """A phone-sized signature (600×200, a few strokes), as the QR page's pad sends."""
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (600, 200), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    points = [(30 + i * 45, 100 + ((i * 37 + seed * 11) % 70) - 35) for i in range(13)]
    draw.line(points, fill=(0, 0, 0, 255), width=4, joint="curve")
    draw.line([(80, 150), (520, 60 + seed % 40)], fill=(0, 0, 0, 255), width=3)
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def signature_data_url(seed: int = 0) -> str:
    import base64
    return "data:image/png;base64," + base64.b64encode(signature_png(seed)).decode()
