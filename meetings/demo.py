"""A demo organisation for the quick start: one login per role, a few
hospitals and doctors, meetings in several states. Built through the same
services as everything else, so the demo obeys every rule."""
from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import select

from .auth.models import Role, User
from .auth.services import create_user
from .checkin import services as checkin
from .doctors import services as doctors
from .extensions import db
from .invitees import services as invitees
from .orgs import services as orgs
from .proposals import services as proposals
from .summary import services as summary
from .types import local_zone, quarter_of, utcnow

PASSWORD = "demo1234"

DOCTORS = [  # name, title, position, potential, support
    ("王建国", "chief_physician", "department_head", 200, 80),
    ("李明", "associate_chief_physician", "outpatient", 150, 20),
    ("张伟", "associate_chief_physician", "inpatient", 160, 70),
    ("刘洋", "chief_physician", "academic_lead", 180, 60),
    ("陈静", "attending", "outpatient", 60, 30),
    ("杨帆", "attending", "inpatient", 40, 5),
    ("赵敏", "resident", "inpatient", 20, 2),
    ("孙丽", "nurse", "inpatient", 150, 90),
]


def seed_demo() -> list[tuple[str, str, str]]:
    if db.session.scalar(select(User.id).where(User.username == "admin")):
        return _logins()
    admin = create_user(None, username="admin", password=PASSWORD, display_name="系统管理员",
                        role=Role.admin)
    east = orgs.create_region(admin, name="华东大区")
    jiangsu = orgs.create_province(admin, name="江苏省区", region_id=east.id, approval_limit=Decimal("5000"))
    zhejiang = orgs.create_province(admin, name="浙江省区", region_id=east.id, approval_limit=Decimal("5000"))
    today = utcnow().astimezone(local_zone()).date()
    for province in (jiangsu, zhejiang):
        for offset in (-1, 0, 92):
            period = quarter_of(today + timedelta(days=offset))
            if not orgs.pool_for(province.id, period):
                orgs.allocate_budget(admin, province, period=period, amount=Decimal("50000"))

    rep = create_user(None, username="rep", password=PASSWORD, display_name="周代表",
                      role=Role.rep, province_id=jiangsu.id)
    pm = create_user(None, username="pm", password=PASSWORD, display_name="吴经理",
                     role=Role.provincial_manager, province_id=jiangsu.id)
    create_user(None, username="rm", password=PASSWORD, display_name="郑大区",
                role=Role.regional_manager, region_id=east.id)
    create_user(None, username="marketing", password=PASSWORD, display_name="冯市场",
                role=Role.marketing)
    staff = create_user(None, username="staff", password=PASSWORD, display_name="钱会务",
                        role=Role.staff, province_id=jiangsu.id)
    create_user(None, username="rep2", password=PASSWORD, display_name="浙江代表",
                role=Role.rep, province_id=zhejiang.id)

    hospital = doctors.create_hospital(admin, name="南京市第一医院", level="tertiary", city="南京",
                                       province_id=jiangsu.id)
    cardio = doctors.create_department(admin, hospital_id=hospital.id, name="心内科", headcount=32)
    doctors.create_department(admin, hospital_id=hospital.id, name="内分泌科", headcount=18)
    other = doctors.create_hospital(admin, name="苏州市立医院", level="secondary", city="苏州",
                                    province_id=jiangsu.id)
    doctors.create_department(admin, hospital_id=other.id, name="神经内科", headcount=20)
    zj = doctors.create_hospital(admin, name="杭州市中医院", level="tertiary", city="杭州",
                                 province_id=zhejiang.id)
    doctors.create_department(admin, hospital_id=zj.id, name="心内科", headcount=25)
    docs = [doctors.create_doctor(admin, department_id=cardio.id, name=n, title=t, position=p,
                                  potential=Decimal(pot), support=Decimal(sup))
            for n, t, p, pot, sup in DOCTORS]

    def proposal(topic: str, days: int, meals: str = "1500") -> object:
        local_start = datetime.combine(today + timedelta(days=days), time(8, 30), local_zone())
        return proposals.create_meeting(
            rep, hospital_id=hospital.id, department_id=cardio.id, topic=topic,
            purpose="usage_dosage", audience="prescribers", format="in_department",
            venue="心内科示教室", starts_at=local_start, expected_attendees=15,
            speaker_id=pm.id, staff_ids=[staff.id],
            budget={"lines": [{"category": "meals", "amount": Decimal(meals)},
                              {"category": "gifts", "amount": Decimal("600")},
                              {"category": "materials", "amount": Decimal("200")}]},
            preconditions={"supply_channel_open": True, "department_head_agreed": True,
                           "relations_ok": True},
            needs="医生关注老年患者的用法用量")

    def invite(meeting) -> None:
        wang = invitees.add_invitee(rep, meeting, doctor_id=docs[0].id, role="primary")
        invitees.add_invitee(rep, meeting, doctor_id=docs[3].id, role="backup", backup_for=wang.id)
        li = invitees.add_invitee(rep, meeting, doctor_id=docs[1].id, role="primary")
        invitees.add_invitee(rep, meeting, doctor_id=docs[2].id, role="backup", backup_for=li.id)
        invitees.add_invitee(rep, meeting, doctor_id=docs[4].id, role="primary")
        invitees.add_invitee(rep, meeting, doctor_id=docs[7].id, role="primary")

    proposal("新适应症介绍（草稿）", 14)
    waiting = proposal("用法用量答疑会", 7)
    invite(waiting)
    proposals.submit(rep, waiting)
    approved = proposal("老年患者用药专题", 1)
    invite(approved)
    proposals.submit(rep, approved)
    proposals.approve(pm, approved, "同意")
    _held_meeting(proposal("新特药推荐会", -1), invite, rep, pm, staff, docs)
    return _logins()


def _held_meeting(meeting, invite, rep, pm, staff, docs) -> None:
    """Yesterday's meeting, held and summarised: sign-ins, a question for
    marketing, the follow-up week under way."""
    invite(meeting)
    proposals.submit(rep, meeting)
    proposals.approve(pm, meeting, "同意")
    proposals.start(staff, meeting)
    for doctor in (docs[0], docs[1], docs[4], docs[7]):
        checkin.check_in(staff, meeting, doctor_id=doctor.id)
    checkin.check_in(staff, meeting, name="周医生", title="attending")
    proposals.finish(staff, meeting)
    summary.save_summary(
        rep, meeting, organization="科室早交班后在示教室召开，15 位医生到场。",
        agenda_notes="产品讲解略超时。", feedback="医生对老年患者剂量调整很关心。",
        chief_endorsed="认可新适应症的证据。", chief_disputed="对价格有顾虑。",
        next_steps="一周内逐一拜访到会医生。",
        questions=[{"text": "肾功能不全患者是否需要减量？", "doctor_id": docs[1].id}],
        actual_spend=[{"category": "meals", "amount": Decimal("1400")},
                      {"category": "gifts", "amount": Decimal("600")}])


def _logins() -> list[tuple[str, str, str]]:
    return [(role, username, PASSWORD) for role, username in (
        ("admin", "admin"), ("rep", "rep"), ("provincial_manager", "pm"),
        ("regional_manager", "rm"), ("marketing", "marketing"), ("staff", "staff"))]
