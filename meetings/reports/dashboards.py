"""Dashboards (SPEC §9): what each role sees first, as sections of figures
that a page draws as a chart and also lists as a table (screen readers,
print). Figures come from the report service (meeting_report) or from a
grouped query each — never a loop over meetings — so a dashboard's numbers
are the API's numbers and its cost does not grow with the rows behind it."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select
from sqlalchemy.orm import selectinload

from ..auth.models import Role, User
from ..extensions import db
from ..followups.models import FollowUp, FollowUpStatus
from ..followups.services import overdue_clause, person_name, today, visible_followups
from ..proposals.models import Meeting
from ..proposals.services import visible_meetings
from ..questions.models import Question, QuestionStatus
from ..types import quarter_of
from ..evaluation.services import budget_rows
from .services import Period, meeting_report, score_distribution
from ..sqltime import day_bounds, hours_between, local_month

RATES = ("attendance_rate", "accuracy_rate", "key_attendance_rate", "followup_on_time_rate")
LABELS = {
    "month": _l("Month"), "rep": _l("Rep"), "province": _l("Province"), "region": _l("Region"),
    "meetings_held": _l("Meetings held"), "budget_approved": _l("Approved budget (yuan)"),
    "actual_spend": _l("Actual spend (yuan)"), "expected": _l("Expected"), "present": _l("Present"),
    "attendance_rate": _l("Attendance rate"), "accuracy_rate": _l("Accuracy rate"),
    "key_attendance_rate": _l("Key attendance rate"), "followups_due": _l("Follow-ups due"),
    "followups_on_time": _l("Done on time"), "followup_on_time_rate": _l("On-time rate"),
    "score_percent_avg": _l("Mean score (%)"),
    # the budget's one vocabulary (docs/rules/9-budget.md), as on every budget page
    "period": _l("Quarter"), "allocated": _l("Allocated"), "drawn": _l("Drawn by approvals"),
    "actual": _l("Actual spend"), "remaining": _l("Remaining"),
    "assignee": _l("Assignee"), "overdue": _l("Overdue"),
    "asked": _l("Questions asked"), "open": _l("Still open"), "answered": _l("Answered"),
    "answer_hours": _l("Mean hours to answer"),
    "person": _l("Whom"), "meeting": _l("Meeting"), "due_on": _l("Due on"),
    "band": _l("Scorecard percent"), "meetings": _l("Number of meetings"),
}
# How a table cell is written; the chart gets the same raw value.
KINDS = {"budget_approved": "money", "actual_spend": "money", "allocated": "money", "drawn": "money",
         "actual": "money", "remaining": "money",
         "score_percent_avg": "number", "answer_hours": "number", **{r: "rate" for r in RATES}}


@dataclass
class Section:
    id: str
    title: object
    columns: list[str]            # row keys, in table order; the first names the row
    rows: list[dict]
    chart: dict | None = None     # {"type", "series": [{key, kind?: "line"}], "percent": bool}
    note: object = None
    empty: object = _l("Nothing in this period.")
    kinds: dict = field(default_factory=lambda: KINDS)
    phone: tuple = ()             # the columns a phone shows at first (the rest behind a tap)

    def on_phone(self, key: str) -> bool:
        return key in (self.phone or self.columns[:4])

    def label(self, key: str) -> str:
        return str(LABELS.get(key, key))

    def chart_data(self) -> dict | None:
        """What static/dashboard.js hands to Chart.js: labels and datasets."""
        if not self.chart:
            return None
        first = self.columns[0]
        datasets = []
        for series in self.chart["series"]:
            key = series["key"]
            values = [row.get(key) for row in self.rows]
            if KINDS.get(key) == "rate":
                values = [None if v is None else round(v * 100, 1) for v in values]
            elif KINDS.get(key) in ("money", "number"):
                values = [None if v is None else float(v) for v in values]
            datasets.append({"label": self.label(key), "data": values, "type": series.get("kind", "bar"),
                             "axis": series.get("axis", "y")})
        y1 = [s["key"] for s in self.chart["series"] if s.get("axis") == "y1"]
        y = [s["key"] for s in self.chart["series"] if s.get("axis", "y") == "y"]
        return {"labels": [str(row[first]) for row in self.rows], "datasets": datasets,
                "percent": self.chart.get("percent", False), "stacked": self.chart.get("stacked", False),
                # counts get whole-number ticks, money 1.23万 (static/dashboard.js)
                "integer": self.chart.get("integer", False) or all(KINDS.get(k) is None for k in y),
                "money": bool(y) and all(KINDS.get(k) == "money" for k in y),
                "y1_percent": bool(y1) and KINDS.get(y1[0]) == "rate",
                "y1_integer": bool(y1) and KINDS.get(y1[0]) is None}


def default_period(day: date | None = None) -> Period:
    """The last six months up to the end of this quarter."""
    day = day or today()
    month = day.month - 5
    start = date(day.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)
    quarter_end_month = ((day.month - 1) // 3 + 1) * 3
    end = (date(day.year + quarter_end_month // 12, quarter_end_month % 12 + 1, 1) - timedelta(days=1))
    return Period(start, end)


# ---------------------------------------------------------------- sections

def _report_rows(user: User, group_by: str, period: Period) -> list[dict]:
    return [{group_by: row["key"]["name"], **row} for row in meeting_report(user, group_by, period)]


def meetings_by_month(user: User, period: Period) -> Section:
    return Section("by-month", _l("Meetings and attendance by month"),
                   ["month", "meetings_held", "expected", "present", "attendance_rate",
                    "accuracy_rate", "key_attendance_rate"],
                   _report_rows(user, "month", period),
                   phone=("month", "meetings_held", "present", "attendance_rate"),
                   chart={"type": "bar", "series": [{"key": "meetings_held"},
                                                    {"key": "attendance_rate", "kind": "line", "axis": "y1"}]})


def rates_by(user: User, group_by: str, period: Period) -> Section:
    title = {"rep": _l("Rates by rep"), "province": _l("Rates by province"),
             "region": _l("Rates by region")}[group_by]
    return Section(f"rates-by-{group_by}", title,
                   [group_by, "meetings_held", "budget_approved", "actual_spend", "expected", "present",
                    *RATES, "followups_due", "followups_on_time", "score_percent_avg"],
                   _report_rows(user, group_by, period),
                   phone=(group_by, "meetings_held", "attendance_rate", "score_percent_avg"),
                   chart={"type": "bar", "percent": True,
                          "series": [{"key": rate} for rate in RATES]})


def scores(user: User, period: Period) -> Section:
    """How the held meetings in scope spread over bands of scorecard
    percent (reports.services.score_distribution: the percent each meeting's
    scorecard shows, the report's scope)."""
    spread = score_distribution(user, period)
    rows = [{"band": f"{b['low']}–{b['high']} %", "meetings": b["meetings"]} for b in spread["bins"]]
    return Section("score-distribution", _l("Scorecard distribution"), ["band", "meetings"],
                   rows if any(r["meetings"] for r in rows) else [],
                   chart={"type": "bar", "integer": True, "series": [{"key": "meetings"}]},
                   note=_l("Held meetings by their scorecard percent (a band includes its lower "
                           "bound); not scored yet: %(n)s.", n=spread["unscored"]),
                   empty=_l("No meeting held in this period has a score yet."))


def quarters(period: Period) -> list[str]:
    start, end = period.start or today(), period.end or today()
    out, day = [], date(start.year, (start.month - 1) // 3 * 3 + 1, 1)
    while day <= end:
        out.append(quarter_of(day))
        day = date(day.year + (day.month + 2) // 12, (day.month + 2) % 12 + 1, 1)
    return out


def budget_by_quarter(user: User, period: Period) -> Section:
    """The budget rows of the user's provinces (evaluation's budget_rows: the
    one formula) summed per quarter of the period."""
    wanted = set(quarters(period))
    totals: dict[str, dict] = {}
    for row in budget_rows(user):
        if row["period"] in wanted:
            total = totals.setdefault(row["period"], {"period": row["period"], **{k: Decimal("0.00") for k in MONEY}})
            for key in MONEY:
                total[key] += row[key]
    return Section("budget", _l("Budget per quarter: allocated, drawn, actual, remaining (元)"),
                   ["period", *MONEY], [totals[p] for p in sorted(totals)],
                   phone=("period", "allocated", "drawn", "actual", "remaining"),
                   chart={"type": "bar", "series": [{"key": "allocated"}, {"key": "drawn"},
                                                    {"key": "actual"}, {"key": "remaining"}]},
                   note=_l("Remaining = allocated − drawn by approvals − actual spend."))


MONEY = ("allocated", "drawn", "actual", "remaining")


def overdue_by_assignee(user: User) -> Section:
    # counted straight from the visible overdue tasks (not `id IN` them, which
    # PostgreSQL answered by hashing every task in the country)
    rows = db.session.execute(
        visible_followups(user).where(overdue_clause()).join(User, User.id == FollowUp.assignee_id)
        .with_only_columns(User.display_name, func.count(FollowUp.id))
        .group_by(User.id, User.display_name)
        .order_by(func.count(FollowUp.id).desc(), User.display_name))
    return Section("overdue", _l("Overdue follow-ups"), ["assignee", "overdue"],
                   [{"assignee": name, "overdue": n} for name, n in rows],
                   chart={"type": "bar", "series": [{"key": "overdue"}]},
                   note=_l("Open follow-up tasks past their due date, today."),
                   empty=_l("No follow-up is overdue."))


def due_this_week(user: User) -> Section:
    """The user's own open tasks due by Sunday (overdue ones first)."""
    day = today()
    sunday = day + timedelta(days=6 - day.weekday())
    tasks = db.session.scalars(
        select(FollowUp).options(selectinload(FollowUp.meeting), selectinload(FollowUp.doctor))
        .where(FollowUp.assignee_id == user.id, FollowUp.status == FollowUpStatus.open,
                               FollowUp.due_on <= sunday)
        .order_by(FollowUp.due_on, FollowUp.id).limit(200)).all()
    return Section("due-this-week", _l("Follow-ups due this week"), ["person", "meeting", "due_on"],
                   [{"person": person_name(t), "meeting": t.meeting.topic, "due_on": t.due_on,
                     "overdue": t.due_on < day} for t in tasks],
                   empty=_l("Nothing is due this week."))


def questions_by_month(user: User, period: Period) -> Section:
    low, high = day_bounds(period.start, period.end)
    month = local_month(Question.created_at)
    answered = Question.status == QuestionStatus.answered
    query = (select(month, func.count(Question.id),
                    func.sum(case((Question.status == QuestionStatus.open, 1), else_=0)),
                    func.sum(case((answered, 1), else_=0)),
                    func.avg(case((answered, hours_between(Question.created_at, Question.answered_at)))))
             .where(Question.meeting_id.in_(visible_meetings(user).with_only_columns(Meeting.id)))
             .group_by(month).order_by(month))
    if low is not None:
        query = query.where(Question.created_at >= low)
    if high is not None:
        query = query.where(Question.created_at < high)
    rows = [{"month": m, "asked": int(n), "open": int(o or 0), "answered": int(a or 0),
             "answer_hours": None if h is None else round(float(h), 1)}
            for m, n, o, a, h in db.session.execute(query)]
    return Section("questions", _l("Doctors' questions and answer times"),
                   ["month", "asked", "open", "answered", "answer_hours"], rows,
                   chart={"type": "bar", "stacked": True,
                          "series": [{"key": "answered"}, {"key": "open"},
                                     {"key": "answer_hours", "kind": "line", "axis": "y1"}]})


def open_questions(user: User) -> int:
    return db.session.scalar(
        select(func.count(Question.id)).where(
            Question.status == QuestionStatus.open,
            Question.meeting_id.in_(visible_meetings(user).with_only_columns(Meeting.id))))


# ---------------------------------------------------------------- per role

def dashboard(user: User, period: Period) -> list[Section]:
    period = period.check()
    if user.role == Role.rep:
        return [meetings_by_month(user, period), due_this_week(user)]
    if user.role == Role.provincial_manager:
        return [budget_by_quarter(user, period), rates_by(user, "rep", period),
                overdue_by_assignee(user), scores(user, period), meetings_by_month(user, period)]
    if user.role == Role.regional_manager:
        return [budget_by_quarter(user, period), rates_by(user, "province", period),
                overdue_by_assignee(user), scores(user, period), meetings_by_month(user, period)]
    if user.role == Role.marketing:
        return [questions_by_month(user, period), rates_by(user, "region", period)]
    return [rates_by(user, "region" if user.role == Role.admin else "rep", period),
            budget_by_quarter(user, period), meetings_by_month(user, period)]
