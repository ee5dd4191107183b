"""A demo organisation for the quick start: one login per role, a few
hospitals and doctors, meetings in several states. Built through the same
services as everything else, so the demo obeys every rule."""
from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import select, text

from .auth.models import Role, User
from .auth.services import create_user
from .checkin import services as checkin
from .doctors import services as doctors
from .evidence import services as evidence
from .extensions import db
from .flags import services as flags
from .invitees import services as invitees
from .orgs import services as orgs
from .agenda import services as agenda
from .prescriptions import services as prescriptions
from .proposals import services as proposals
from .actionlog import ALLOW_TRUNCATE, recorded_at
from .questions import services as questions
from .summary import services as summary
from .followups import services as followups
from .followups.models import FollowUp
from .visits import plans as upgrade_plans
from .visits import services as visits
from .types import local_date, local_zone, month_index, month_text, quarter_of, utcnow

PASSWORD = "demo-password"

DOCTORS = [  # name, title, position, potential, support
    ("王建国", "chief_physician", "department_head", 200, 80),
    ("李明", "associate_chief_physician", "outpatient", 150, 20),
    ("张伟", "associate_chief_physician", "inpatient", 160, 70),
    ("刘洋", "chief_physician", "academic_lead", 180, 60),
    ("陈静", "attending", "outpatient", 60, 30),
    ("杨帆", "attending", "inpatient", 40, 5),
    ("赵敏", "resident", "inpatient", 20, 2),
    ("孙丽", "nurse", "inpatient", 150, 90),
    ("黄海", "attending", "outpatient", 120, 12),  # B: a competitor's VIP, the upgrade plan's target
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
        for offset in (-OLD_MEETING_DAYS, -1, 0, 92):
            period = quarter_of(today + timedelta(days=offset))
            if not orgs.pool_for(province.id, period):
                orgs.allocate_budget(admin, province, period=period, amount=Decimal("50000"))

    rep = create_user(None, username="rep", password=PASSWORD, display_name="周代表",
                      role=Role.rep, province_id=jiangsu.id)
    pm = create_user(None, username="pm", password=PASSWORD, display_name="吴经理",
                     role=Role.provincial_manager, province_id=jiangsu.id)
    create_user(None, username="rm", password=PASSWORD, display_name="郑大区",
                role=Role.regional_manager, region_id=east.id)
    marketing = create_user(None, username="marketing", password=PASSWORD, display_name="冯市场",
                            role=Role.marketing)
    staff = create_user(None, username="staff", password=PASSWORD, display_name="钱会务",
                        role=Role.staff, province_id=jiangsu.id)
    create_user(None, username="rep2", password=PASSWORD, display_name="浙江代表",
                role=Role.rep, province_id=zhejiang.id)
    compliance = create_user(None, username="compliance", password=PASSWORD, display_name="褚合规",
                             role=Role.compliance)

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
        meeting = proposals.create_meeting(
            rep, hospital_id=hospital.id, department_id=cardio.id, topic=topic,
            purpose="usage_dosage", audience="prescribers", format="in_department",
            venue="心内科示教室", starts_at=local_start + timedelta(days=max(0, 2 - days)),
            expected_attendees=15,
            speaker_id=pm.id, staff_ids=[staff.id],
            budget={"lines": [{"category": "meals", "amount": Decimal(meals)},
                              {"category": "gifts", "amount": Decimal("600")},
                              {"category": "materials", "amount": Decimal("200")}]},
            preconditions={"supply_channel_open": True, "department_head_agreed": True,
                           "relations_ok": True},
            needs="医生关注老年患者的用法用量")
        # a start is in the future when proposed (SPEC §3); the story's past meeting is moved back
        meeting.starts_at = local_start
        return meeting

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
    _routine_week(lambda: proposal("老年高血压管理", 1), invite, rep, pm, staff, docs)
    held = _held_meeting(lambda: proposal("新特药推荐会", 1), invite, rep, pm, staff, docs)
    _answer_questions(held, marketing)
    # compliance asks about the meal of yesterday's meeting (SPEC §12): the flag keeps it open
    flags.raise_flag(compliance, held, reason="餐费人均 275 元，接近 300 元上限：请说明用餐人数并补充餐费发票。")
    _import_prescriptions(marketing, docs, held)
    return _logins()


# Yesterday's meeting, minute by minute from its 08:30 start: (segment, from, to).
RUN_OF_SHOW = [(0, 7), (7, 24), (24, 29), (29, 34), (34, 48)]
SIGN_INS = [(0, -12), (1, -9), (4, -6), (7, -3)]  # (doctor index, minutes from the start)
WALK_IN = ("周医生", "attending", 2)
FORGOTTEN = "laser_pointer"  # the one checklist item not ticked when the meeting started
# Boxes a month of the demo product in the three months before the held
# meeting, per doctor index: the "before" of its sales effect. The months
# after have no data yet (they arrive monthly), so the effect waits for them.
PRODUCT = "示例药品"
BOXES_BEFORE = {0: (30, 32, 35), 1: (12, 10, 14), 4: (8, 9, 7), 7: (0, 0, 0)}


def _held_meeting(make, invite, rep, pm, staff, docs) -> None:
    """Yesterday's meeting, held and summarised, told as it happened: proposed
    a week before, approved, started at 08:28, doctors signed in as they
    arrived, the run of show with its real times (the video and the talk ran
    over), a summary whose words match its figures, the follow-up week begun."""
    # the proposal was made for yesterday 08:30: every time below follows from it
    start = datetime.combine(utcnow().astimezone(local_zone()).date() - timedelta(days=1),
                             time(8, 30), local_zone())
    # the history as it happened: proposed eight days before, approved two days later …
    when = {"create": start - timedelta(days=8), "submit": start - timedelta(days=8, hours=-1),
            "approve": start - timedelta(days=6), "start": start - timedelta(minutes=2),
            "finish": start + timedelta(minutes=RUN_OF_SHOW[-1][1]), "summary": start + timedelta(hours=7)}
    with recorded_at(when["create"]):
        meeting = make()
        invite(meeting)
    with recorded_at(when["submit"]):
        proposals.submit(rep, meeting)
    with recorded_at(when["approve"]):
        proposals.approve(pm, meeting, "同意，注意控制餐费")
    meeting.starts_at = start
    # the room was set up the hour before; the laser pointer's batteries were forgotten
    items = agenda.checklist(meeting)
    agenda.update_checklist(rep, meeting, items=[{"id": item.id, "ticked": item.key != FORGOTTEN}
                                                 for item in items])
    for item in items:
        item.ticked_at = start - timedelta(minutes=50) if item.ticked else None
    with recorded_at(when["start"]):
        proposals.start(staff, meeting)
    for index, minutes in SIGN_INS:
        with recorded_at(start + timedelta(minutes=minutes)):
            checkin.check_in(staff, meeting, doctor_id=docs[index].id, meal_opt_in=True,
                             checked_in_at=start + timedelta(minutes=minutes))
    name, title, minutes = WALK_IN
    with recorded_at(start + timedelta(minutes=minutes)):
        checkin.check_in(staff, meeting, name=name, title=title, checked_in_at=start + timedelta(minutes=minutes))
    for segment, (begin, end) in zip(agenda.agenda(meeting), RUN_OF_SHOW):
        segment.started_at = start + timedelta(minutes=begin)
        segment.finished_at = start + timedelta(minutes=end)
    with recorded_at(when["finish"]):
        proposals.finish(staff, meeting)
    figures = checkin.attendance(meeting)
    with recorded_at(when["summary"]):
        summary.save_summary(
            rep, meeting,
            organization=(f"科室早交班后在示教室召开。应到 {figures['expected']} 人，实到 {figures['present']} 人"
                          f"（含 1 位未受邀的进修医生），会务提前一小时布置会场。"),
            agenda_notes=("企业视频 7 分钟（计划 5 分钟），产品讲解 17 分钟（计划 15 分钟），共超时 4 分钟；"
                          "问答和主任点评按计划完成。"),
            feedback="医生对老年患者剂量调整很关心。", chief_endorsed="认可新适应症的证据。",
            chief_disputed="对价格有顾虑。",
            next_steps="一周内逐一拜访到会的 5 位医生（含进修的周医生），向李明副主任转达市场部对肾功能问题的答复。",
            questions=[{"text": "肾功能不全患者是否需要减量？", "doctor_id": docs[1].id}],
            # four doctors stayed for the meal: 275 元 a head, within the cap (SPEC §12)
            actual_spend=[{"category": "meals", "amount": Decimal("1100")},
                          {"category": "gifts", "amount": Decimal("600")},
                          {"category": "materials", "amount": Decimal("200")}])
    report = summary.summary_of(meeting)
    report.submitted_at = report.updated_at = when["summary"]
    _evidence(meeting, rep, staff, start, when["summary"])
    return meeting


# The held meeting's evidence (SPEC §12): a receipt for each category spent,
# photos of the room, one blurred receipt voided and taken again.
RECEIPTS = [("meals", "1400.00", "午餐"), ("gifts", "600.00", "礼品"), ("materials", "200.00", "资料印刷")]


def _picture(kind: str, lines: list[str], taken: datetime, seed: int) -> bytes:
    """A generated JPEG: a receipt (white, typed lines) or a photo of the room
    (the screen, the table, people as shapes), with the phone's capture time
    in its EXIF (kept as taken_at; the rest of the metadata is stripped)."""
    import io

    from PIL import Image, ImageDraw, ImageFilter

    if kind == "receipt":
        image = Image.new("RGB", (480, 640), (250, 250, 245))
        draw = ImageDraw.Draw(image)
        draw.rectangle((20, 20, 460, 620), outline=(180, 40, 40), width=3)
        for row, text_line in enumerate(lines):
            draw.text((40, 50 + row * 36), text_line, fill=(30, 30, 30))
        for row in range(6):
            draw.line((40, 300 + row * 40, 440, 300 + row * 40), fill=(200, 200, 200))
        if seed < 0:  # the blurred one
            image = image.filter(ImageFilter.GaussianBlur(6))
    else:
        image = Image.new("RGB", (640, 480), (225, 218, 200))
        draw = ImageDraw.Draw(image)
        draw.rectangle((180, 40, 460, 200), fill=(40, 70, 140))             # the screen
        draw.rectangle((60, 300, 580, 360), fill=(120, 80, 50))             # the table
        for n in range(5 + seed):                                           # the doctors
            x = 80 + n * (480 // (5 + seed))
            draw.ellipse((x, 240, x + 40, 280), fill=(60, 50, 45))
            draw.rectangle((x - 5, 280, x + 45, 330), fill=(245, 245, 245))
    exif = Image.Exif()
    exif.get_ifd(0x8769)[36867] = taken.astimezone(local_zone()).strftime("%Y:%m:%d %H:%M:%S")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85, exif=exif)
    return out.getvalue()


def _evidence(meeting, rep, staff, start: datetime, uploaded: datetime) -> None:
    import io

    def add(user, data, **fields):
        attachment = evidence.add_attachment(user, meeting, io.BytesIO(data), **fields)
        attachment.uploaded_at = uploaded
        return attachment

    with recorded_at(uploaded):
        blurred = add(rep, _picture("receipt", ["INVOICE", f"No. 0440{meeting.id:04d}01"], start, -1),
                      filename="IMG_2031.jpg", kind="receipt", category="meals", amount=Decimal("1400"),
                      invoice_no=f"0440{meeting.id:04d}01", issued_on=local_date(start))
        evidence.void_attachment(rep, meeting, blurred.id, "照片模糊，发票号看不清，已重拍")
        blurred.voided_at = uploaded + timedelta(minutes=2)
        for n, (category, amount, what) in enumerate(RECEIPTS, start=1):
            number = f"0440{meeting.id:04d}{n:02d}"
            add(rep, _picture("receipt", ["INVOICE", f"No. {number}", f"CNY {amount}", what], start, n),
                filename=f"IMG_20{40 + n}.jpg", kind="receipt", category=category, amount=Decimal(amount),
                invoice_no=number, issued_on=local_date(start))
        for n, minutes in enumerate((12, 30)):
            add(staff, _picture("photo", [], start + timedelta(minutes=minutes), n),
                filename=f"会场{n + 1}.jpg", kind="photo")


# SPEC §15: a meeting five weeks ago put four doctors in the rep's plan; the
# routine visits since make this week's page: (doctor index, days ago of
# each visit, outcome, stage, next step).
OLD_MEETING_DAYS = 40
VISITS = [
    (0, (8, 0), "committed", "regular", "下周送新版用法用量卡"),  # A: due and done this week
    (1, (15,), "ambiguous", "interested", "带肾功能分层的文献再谈"),  # B: overdue — and lapsed
    (2, (6,), "committed", "trial", "了解试用患者的反馈"),  # A: due later this week
    (4, (5,), "none", "aware", "下次带患者教育材料"),  # C: every 14 days, not due
]


def _routine_week(make, invite, rep, pm, staff, docs) -> None:
    """The rep's routine: a meeting 40 days ago (its follow-ups done two days
    after), then visits by grade — one done this week, one overdue and lapsed
    (the manager is told), one due, one not due yet."""
    start = datetime.combine(utcnow().astimezone(local_zone()).date() - timedelta(days=OLD_MEETING_DAYS),
                             time(8, 30), local_zone())
    with recorded_at(start - timedelta(days=7)):
        meeting = make()
        invite(meeting)
        proposals.submit(rep, meeting)
        proposals.approve(pm, meeting, "同意")
    meeting.starts_at = start
    with recorded_at(start):
        proposals.start(staff, meeting)
        for index in (0, 1, 2, 4):
            checkin.check_in(staff, meeting, doctor_id=docs[index].id, checked_in_at=start - timedelta(minutes=5))
    with recorded_at(start + timedelta(minutes=50)):
        proposals.finish(staff, meeting)
    done_at = start + timedelta(days=2, hours=2)
    for task in db.session.scalars(select(FollowUp).where(FollowUp.meeting_id == meeting.id)
                                   .order_by(FollowUp.id)):
        with recorded_at(done_at):
            followups.complete(rep, task, outcome="committed" if task.doctor_id == docs[0].id else "ambiguous",
                               notes="会后一周内拜访")
        task.completed_at = done_at
    now = utcnow()
    for index, days_ago, outcome, stage, next_step in VISITS:
        for days in days_ago:
            when = now - (timedelta(days=days, hours=1) if days else timedelta(minutes=10))
            with recorded_at(when):
                visit = visits.create_visit(rep, doctor_id=docs[index].id, visited_at=when, minutes=20,
                                            purpose="跟进会议内容", key_message="老年患者每日一次，依从性好",
                                            expected_objection="价格偏高", next_step=next_step,
                                            outcome=outcome, stage=stage)
            visit.created_at = when
    db.session.flush()
    visits.tell_lapses()
    _upgrade_plans(rep, pm, docs)


def _upgrade_plans(rep, pm, docs) -> None:
    """Seed 004's 目标客户升级计划: one finished (李明, B), one under way (黄海, B)
    with an activity done, one due this week and one later."""
    day = local_date(utcnow())
    for doctor, start, length, ticked in ((docs[1], day - timedelta(days=50), 40, 3),
                                          (docs[8], day - timedelta(days=10), 45, 1)):
        activities = [{"title": "科室小型学术交流", "due_on": start + timedelta(days=5)},
                      {"title": "送临床研究文献并讲解", "due_on": start + timedelta(days=12)},
                      {"title": "邀请参加城市会", "due_on": start + timedelta(days=30)}]
        plan = upgrade_plans.create_plan(rep, doctor_id=doctor.id, starts_on=start,
                                         ends_on=start + timedelta(days=length), activities=activities)
        upgrade_plans.approve(pm, plan)
        for activity in plan.activities[:ticked]:
            upgrade_plans.mark_done(rep, plan, activity.id)


def _answer_questions(meeting, marketing) -> None:
    """Marketing answered this morning: the rep has the answer to relay."""
    for question in summary.questions_of(meeting):
        questions.answer(marketing, question,
                         answer="eGFR 30–60 的患者剂量减半，低于 30 不建议使用；详见说明书第 4 节。")


def _import_prescriptions(marketing, docs, held) -> None:
    """Marketing's monthly import, through the same CSV path as a real one."""
    held_month = month_index(local_date(held.starts_at))
    months = [month_text(held_month - back) for back in (3, 2, 1)]
    lines = ["doctor_id,month,product,boxes"]
    for index, boxes in BOXES_BEFORE.items():
        lines += [f"{docs[index].id},{month},{PRODUCT},{n}" for month, n in zip(months, boxes)]
    prescriptions.import_file(marketing, ("\n".join(lines) + "\n").encode())


def reset_demo() -> None:
    """Empty every table, for `seed-demo --reset`. On PostgreSQL one TRUNCATE:
    the append-only action log refuses DELETE row by row, and starting the
    demo over is not an edit of its history but the end of the whole database."""
    tables = [table.name for table in reversed(db.metadata.sorted_tables)]
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text(ALLOW_TRUNCATE))  # the action log too: a deliberate reset
        db.session.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            db.session.execute(text(f'DELETE FROM "{table}"'))
    db.session.flush()


def _logins() -> list[tuple[str, str, str]]:
    return [(role, username, PASSWORD) for role, username in (
        ("admin", "admin"), ("rep", "rep"), ("provincial_manager", "pm"),
        ("regional_manager", "rm"), ("marketing", "marketing"), ("staff", "staff"),
        ("compliance", "compliance"))]
