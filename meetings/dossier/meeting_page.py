"""The meeting page's read (templates/meetings/detail.html): everything the
page shows of one meeting for one user, gathered here from the domains that
own each part, so the view renders and the template only asks what the
domains said (which actions, which tools) — no status set restated there."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from flask import current_app

from ..agenda import services as agenda
from ..auth.models import User
from ..checkin import services as checkin
from ..invitees import services as invitees
from ..proposals import services as proposals
from ..proposals.models import HELD, STARTED, Meeting, Status
from .invitee_schemas import InviteeSchema
from .warnings import meeting_warnings

# The page's tools, in the order they are offered (the links are the template's).
TOOLS = ("agenda", "checklist", "sign_in", "run_of_show", "sign_in_sheet", "summary", "followups",
         "proposal_pdf")


@dataclass
class MeetingPage:
    meeting: Meeting
    actions: list[str]  # lifecycle actions offered (proposals.services.allowed_actions)
    can_edit: bool
    tools: list[str]  # of TOOLS, those this user has now
    invitees: list[dict]
    manage_invitees: bool
    warnings: list[str]
    attendance: dict | None = None  # on the day and after
    to_reconfirm: list = field(default_factory=list)  # approved: key invitees not confirmed yet
    unticked: list = field(default_factory=list)  # approved: the checklist's open items
    doctors: list = field(default_factory=list)  # whom the owner may still invite
    year_spend: dict[int, Decimal] = field(default_factory=dict)
    annual_cap: Decimal | int | None = None
    close_gaps: dict[str, str] = field(default_factory=dict)  # SPEC §12: what keeps the file open


def tools_for(user: User, meeting: Meeting) -> list[str]:
    """Which of the meeting's tools `user` has now, as the domains say."""
    has = {
        "agenda": True, "checklist": True, "proposal_pdf": True,
        "sign_in": checkin.desk_open(user, meeting),
        "sign_in_sheet": checkin.sheet_for(user, meeting),
        "run_of_show": meeting.status in STARTED,
        "summary": meeting.status in HELD,
        "followups": meeting.status in HELD,
    }
    return [tool for tool in TOOLS if has[tool]]


def meeting_page(user: User, meeting: Meeting) -> MeetingPage:
    manage = invitees.can_manage(user, meeting)
    page = MeetingPage(
        meeting=meeting, actions=proposals.allowed_actions(user, meeting),
        can_edit=proposals.can_edit(user, meeting), tools=tools_for(user, meeting),
        invitees=InviteeSchema(many=True).dump(invitees.list_invitees(meeting)),
        manage_invitees=manage, warnings=meeting_warnings(meeting))
    if "close" in page.actions:  # every gap, before the button is pressed
        page.close_gaps = proposals.close_gaps(meeting)
    if meeting.status in STARTED:
        page.attendance = checkin.attendance(meeting)
    if meeting.status == Status.approved:  # the day before: what is still to do
        page.to_reconfirm = invitees.to_reconfirm(meeting)
        page.unticked = agenda.unticked(meeting)
    if manage:
        page.doctors = invitees.invitable_doctors(meeting)
        page.year_spend = invitees.year_spend(meeting, page.doctors)
        page.annual_cap = current_app.config["DOCTOR_ANNUAL_CAP"]
    return page
