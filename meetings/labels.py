"""Every code a person might see, as words, in one place: enum values, history
actions, preconditions and the field names in messages, in both languages
(English msgids, Chinese in the catalog). Pages use the `label` filter, a
refusal names its fields with `field_message`/`errors_text` (errors carry the
field apart from the message: meetings/errors.py), the printed forms use
`bilingual`.

Base level: keyed by the enum's class name, so no domain is imported here;
tests/test_labels.py fails when an enum member of any model has no label or
no Chinese translation.
"""
from __future__ import annotations

from enum import Enum

from flask_babel import force_locale, get_locale, gettext, lazy_gettext as _l

LABELS: dict[str, dict[str, object]] = {
    # meetings (SPEC §3)
    "Status": {
        "draft": _l("Draft"), "submitted": _l("Submitted"),
        "pending_regional": _l("Awaiting regional approval"), "approved": _l("Approved"),
        "rejected": _l("Rejected"), "cancelled": _l("Cancelled"), "in_progress": _l("In progress"),
        "held": _l("Held"), "summarized": _l("Summarized"), "closed": _l("Closed"),
    },
    "Purpose": {
        "new_indication": _l("New indication"), "usage_dosage": _l("Usage and dosage"),
        "concern_qa": _l("Questions about the drug"), "new_product": _l("New product"),
    },
    "Audience": {
        "chiefs": _l("Chiefs and associate chiefs"), "prescribers": _l("Prescribing doctors"),
        "whole_department": _l("Whole department"),
    },
    "Format": {"in_department": _l("In the department"), "off_site": _l("Off site")},
    "BudgetCategory": {
        "gifts": _l("Gifts"), "meals": _l("Meals"), "materials": _l("Materials"),
        "venue": _l("Venue"), "speaker_fee": _l("Speaker fee"), "other": _l("Other"),
    },
    # people and master data (SPEC §1, §2)
    "Role": {
        "rep": _l("Rep"), "provincial_manager": _l("Provincial manager"),
        "regional_manager": _l("Regional manager"), "marketing": _l("Marketing"),
        "staff": _l("Staff"), "admin": _l("Administrator"),
        "compliance": _l("Compliance"),
    },
    "HospitalLevel": {"tertiary": _l("Tertiary"), "secondary": _l("Secondary"),
                      "primary": _l("Primary"), "other": _l("Other")},
    "Title": {
        "chief_physician": _l("Chief physician"),
        "associate_chief_physician": _l("Associate chief physician"),
        "attending": _l("Attending physician"), "resident": _l("Resident"), "nurse": _l("Nurse"),
        "intern": _l("Intern"), "other": _l("Other"),
    },
    "Position": {
        "department_head": _l("Department head"), "academic_lead": _l("Academic lead"),
        "outpatient": _l("Outpatient"), "inpatient": _l("Inpatient"), "pharmacy": _l("Pharmacy"),
        "other": _l("Other"),
    },
    "Grade": {"A": _l("A — defend"), "B": _l("B — attack"), "C": _l("C — loyal, small"),
              "D": _l("D — low priority")},
    # invitees, sign-in (SPEC §4, §5)
    "InviteeRole": {"primary": _l("Primary invitee"), "backup": _l("Backup")},
    "InviteeStatus": {
        "invited": _l("Invited"), "confirmed": _l("Confirmed"), "declined": _l("Declined"),
        "attended": _l("Attended"), "absent": _l("Absent"),
    },
    "Source": {"staff": _l("Signed in by staff"), "self": _l("Signed in on the QR page"),
               "paper": _l("From the paper sheet")},
    # agenda (SPEC §6)
    "SegmentKind": {
        "video": _l("Company video"), "talk": _l("Product talk"), "quiz": _l("Prize quiz"),
        "qa": _l("Doctors' questions"), "chief_review": _l("Chief's review"),
        "closing": _l("Gifts and meal"),
    },
    # questions and follow-ups (SPEC §7, §8)
    "QuestionStatus": {"open": _l("Awaiting an answer"), "answered": _l("Answered"),
                       "needs_evidence": _l("Needs more evidence")},
    "QuestionSource": {"summary": _l("Meeting summary"), "chief_review": _l("Chief's disputed point"),
                       "visit": _l("Visit")},
    # routine visits (SPEC §15)
    "VisitOutcome": {"committed": _l("Committed — agreed to prescribe"), "ambiguous": _l("Ambiguous"),
                     "declined": _l("Declined"), "none": _l("No prescription ask")},
    "Stage": {"unaware": _l("Unaware"), "aware": _l("Aware"), "interested": _l("Interested"),
              "trial": _l("Trial"), "regular": _l("Regular use"),
              "advocate": _l("Advocate — prescribes for many patient types")},
    "PlanStatus": {"draft": _l("Awaiting approval"), "approved": _l("Under way"), "finished": _l("Finished")},
    "FollowUpKind": {"visit": _l("Follow-up visit"), "gift_delivery": _l("Gift delivery"),
                     "answer_relay": _l("Relay marketing's answer")},
    "FollowUpStatus": {"open": _l("To do"), "done": _l("Done")},
    # compliance (SPEC §12)
    "FlagStatus": {"open": _l("Flag open"), "answered": _l("Answered, awaiting compliance"),
                   "resolved": _l("Resolved")},  # not "Open": a button's word
    "Outcome": {"committed": _l("Committed — agreed to prescribe"), "ambiguous": _l("Ambiguous"),
                "declined": _l("Declined")},
    # evidence (SPEC §12)
    "AttachmentKind": {"receipt": _l("Receipt"), "photo": _l("Photo of the meeting"),
                       "signin_scan": _l("Scan of the paper sign-in sheet"),
                       "material_used": _l("Material used"), "other": _l("Other")},
    # the meeting's history (Transition.action)
    "action": {
        "create": _l("Created"), "submit": _l("Submitted"), "approve": _l("Approved"),
        "return": _l("Returned"), "reject": _l("Rejected"), "cancel": _l("Cancelled"),
        "start": _l("Started"), "finish": _l("Finished"), "close": _l("Closed"),
        "promote_backup": _l("Backup promoted"), "summary": _l("Summary submitted"),
        "summary_edit": _l("Summary edited"),
        # the rest of the action log's actions (the admin's action log page)
        "update": _l("Changed"), "add_invitee": _l("Invitee added"), "remove_invitee": _l("Invitee removed"),
        "confirm": _l("Attendance confirmed"), "decline": _l("Invitation declined"),
        "allocate": _l("Budget allocated"), "set_amount": _l("Budget amount set"),
        "draw": _l("Drawn from the budget"), "refund": _l("Given back to the budget"),
        "settle": _l("Settled at the actual spend"), "check_in": _l("Signed in"), "void": _l("Sign-in voided"),
        "purge_signatures": _l("Old signatures removed"), "complete": _l("Follow-up completed"),
        "support_update": _l("Support updated from prescriptions"), "grade_override": _l("Grade set by hand"),
        "erase": _l("Personal data erased"), "export": _l("Exported"), "import": _l("Imported"),
        "login": _l("Logged in"), "login_failed": _l("Login failed"), "password_change": _l("Password changed"),
        "calendar_reset": _l("Calendar address renewed"),
        "logout": _l("Logged out"), "token_revoke": _l("API token revoked"),
        "throttled": _l("Refused: too many attempts"),
        "flag": _l("Flagged by compliance"), "answer_flag": _l("Flag answered"),
        "resolve_flag": _l("Flag resolved"),
        "attach": _l("Attachment added"), "void_attachment": _l("Attachment voided"),
        "resolve": _l("Question resolved or not"),
    },
    # what an action log entry is about (ActionLogEntry.object_type)
    "object_type": {
        "meeting": _l("Meeting"), "invitee": _l("Invitee"), "checkin": _l("Sign-in"),
        "followup": _l("Follow-up task"), "budget": _l("Budget pool"), "province": _l("Province"),
        "hospital": _l("Hospital"), "department": _l("Department"), "doctor": _l("Doctor"),
        "user": _l("User"), "prescriptions": _l("Prescription data"),
        "api_token": _l("API token"), "login": _l("Login"), "self_checkin": _l("Self sign-in (QR page)"),
        "flag": _l("Compliance flag"),
        "attachment": _l("Attachment"),
        "visit": _l("Visit"), "question": _l("Question"), "upgrade_plan": _l("Upgrade plan"),
    },
    "login_failure": {"unknown_user": _l("Unknown user name"), "wrong_password": _l("Wrong password"),
                      "inactive": _l("Account deactivated")},
    "export": {"meetings": _l("Meeting list"), "attendance": _l("Sign-in list")},
    "precondition": {
        "supply_channel_open": _l("Supply channel open: the drug can be had in the pharmacy"),
        "department_head_agreed": _l("The department head has agreed"),
        "relations_ok": _l("Working relations with an outpatient and an inpatient doctor at "
                           "associate-chief level or above"),
    },
}

# Field names as they appear in API errors ("meals: …", "segments.2.quiz: …").
FIELDS: dict[str, object] = {
    # the list's and the review's query (a refusal names them)
    "q": _l("Search"), "order": _l("Order"), "filter": _l("Filter"),
    "same_name_ok": _l("Another person with the same name"),
    "topic": _l("Topic"), "hospital_id": _l("Hospital"), "department_id": _l("Department"),
    "purpose": _l("Purpose"), "audience": _l("Audience"), "format": _l("Format"),
    "venue": _l("Venue"), "starts_at": _l("Starts"), "expected_attendees": _l("Expected attendees"),
    "speaker_id": _l("Speaker"), "staff_ids": _l("Company staff"), "needs": _l("Doctors' needs"),
    "budget": _l("Budget"), "lines": _l("Budget lines"), "amount": _l("Amount"), "note": _l("Note"),
    "category": _l("Category"), "preconditions": _l("Preconditions"),
    "supply_channel_open": _l("Supply channel open"),
    "department_head_agreed": _l("Department head agreed"),
    "relations_ok": _l("Working relations"),
    "meals": _l("Meals"), "off_site": _l("Off site"), "audience_size": _l("Audience size"),
    "company_staff": _l("Company staff"), "comment": _l("Comment"),
    "doctor_id": _l("Doctor"), "backup_for": _l("Backup for"), "role": _l("Role"),
    "name": _l("Name"), "title": _l("Title"), "signature": _l("Signature"), "nonce": _l("Retry key"),
    "checked_in_at": _l("Sign-in time"), "source": _l("Source"), "meal_opt_in": _l("Stays for the meal"),
    "segments": _l("Segment"), "kind": _l("Kind"), "label": _l("Name"),
    "planned_minutes": _l("Planned minutes"), "planned_total_minutes": _l("Planned total"),
    "quiz": _l("Quiz questions"), "question": _l("Question"), "answer": _l("Answer"),
    "items": _l("Checklist item"), "id": _l("Item"),
    "organization": _l("How it was organised"), "feedback": _l("Doctors' reactions"),
    "chief_endorsed": _l("Endorsed by the chief"), "chief_disputed": _l("Disputed by the chief"),
    "next_steps": _l("Next steps"), "actual_spend": _l("Actual spend"), "questions": _l("Questions"),
    "overspend_reason": _l("Reason for spending above the approved total"),
    "text": _l("Question"), "outcome": _l("Outcome"), "notes": _l("Notes"), "status": _l("Status"),
    "username": _l("User name"), "password": _l("Password"), "display_name": _l("Name"),
    "email": _l("E-mail"), "province_id": _l("Province"), "region_id": _l("Region"),
    "period": _l("Quarter"), "approval_limit": _l("Approval limit"), "reason": _l("Reason"),
    "limit": _l("Limit reached"), "refused": _l("Refusals so far in the window"),
    "headcount": _l("Headcount"), "potential": _l("Potential"), "support": _l("Support"),
    "position": _l("Position"), "level": _l("Level"), "city": _l("City"),
    "grade_override": _l("Grade override"), "grade_override_reason": _l("Reason for the override"),
    "allocated": _l("Allocated"), "walk_in_name": _l("Name"),
    "file": _l("File"), "current_password": _l("Current password"), "new_password": _l("New password"),
    "invitees": _l("Invitees"), "group_by": _l("Group by"), "month": _l("Month"), "product": _l("Product"),
    "boxes": _l("Boxes"), "year": _l("Year"),
    "ticked": _l("Ticked"), "object_type": _l("Object"), "assignee_id": _l("Assignee"),
    "update_support": _l("Update the doctors' support"), "agenda_notes": _l("Agenda notes"),
    "object_id": _l("Object id"), "actor_id": _l("User id"), "action": _l("Action"),
    # keys of the action log's before/after values (the admin's action log page)
    "meeting_id": _l("Meeting"), "invitee_id": _l("Invitee"), "replaces_doctor_id": _l("In place of doctor"),
    "replaces_invitee_id": _l("In place of invitee"), "budget_total": _l("Budget total"),
    "actual_total": _l("Actual total"), "spent": _l("Drawn so far"), "charged": _l("Charged to the budget"),
    "grade": _l("Grade"), "computed": _l("Computed grade"), "override": _l("Grade set by hand"),
    "active": _l("Active"), "signed": _l("Signed"), "voided": _l("Voided"),
    "notes_changed": _l("Notes changed"), "texts_changed": _l("Texts changed"),
    "signed_before": _l("Signed before"), "count": _l("Number"), "rows": _l("Rows"),
    "inserted": _l("New rows"), "updated": _l("Changed rows"), "unchanged": _l("Unchanged rows"),
    "errors": _l("Rows with errors"), "support_updated": _l("Doctors' support updated"),
    "export": _l("Export"), "from": _l("From"), "to": _l("To"),
    "invitations": _l("Invitations"), "checkins": _l("Sign-ins"), "followups": _l("Follow-up tasks"),
    "spend": _l("Spend by year"), "answered_by_id": _l("Answered by"), "followup_notes": _l("Follow-up notes cleared"),
    "texts_rewritten": _l("Texts rewritten"), "prescriptions": _l("Prescription rows"),
    # attachments (SPEC §12)
    "sha256": _l("SHA-256"), "size": _l("Size (bytes)"), "content_type": _l("File type"),
    "invoice_no": _l("Invoice number"), "issued_on": _l("Invoice date"), "late": _l("Added after close"),
    "late_reason": _l("Why it comes late"),
    "visits": _l("Visits"), "visit_notes": _l("Visit notes cleared"),
    # routine visits (SPEC §15)
    "visited_at": _l("Visited at"), "minutes": _l("Minutes"),
    "key_message": _l("Key message"), "expected_objection": _l("Expected objection"),
    "next_step": _l("Next step"), "stage": _l("Adoption stage"), "week": _l("Week"),
    "rep_id": _l("Rep"), "resolutions": _l("Was the question resolved?"), "resolved": _l("Resolved"),
    "question_id": _l("Question"), "starts_on": _l("First day"), "ends_on": _l("Last day"),
    "activities": _l("Activities"), "due_on": _l("Due"),
    "activity_id": _l("Activity"), "followup_id": _l("Follow-up task"),
}

def _kind(value, kind):
    if kind:
        return kind
    return type(value).__name__ if isinstance(value, Enum) else None


def label(value, kind: str | None = None) -> str:
    """An enum member (or, with `kind`, a code) as words: Status.held → "已召开"."""
    if value is None:
        return ""
    code = getattr(value, "value", value)
    text = LABELS.get(_kind(value, kind) or "", {}).get(code)
    return str(text) if text is not None else str(code)


def label_text(code: str, kind: str):
    """The untranslated (lazy) words for a code of `kind`, or None."""
    return LABELS.get(kind, {}).get(code)


def options(enum_cls) -> list[tuple[str, str]]:
    """(value, words) pairs for a select."""
    return [(member.value, label(member)) for member in enum_cls]


def bilingual(value, kind: str | None = None) -> str:
    """"已召开 Held": printed forms are read in the hospital, whoever printed them."""
    if value is None:
        return ""
    with force_locale("zh"):
        chinese = label(value, kind)
    with force_locale("en"):
        english = label(value, kind)
    return chinese if chinese == english else f"{chinese} {english}"


def chinese(value, kind: str | None = None) -> str:
    """The Chinese words alone, for a narrow printed column."""
    with force_locale("zh"):
        return label(value, kind)


def field_label(key: str) -> str:
    """An error's field key as words: "segments.2.quiz" (the API's) or
    "segments-2-quiz" (a form's) → "Segment 3 · Quiz questions"."""
    words = []
    for part in key.replace("-", ".").split("."):
        if part.isdigit():
            if words:
                words[-1] = gettext("%(what)s no. %(n)s", what=words[-1], n=int(part) + 1)
            continue
        if part == "lines" and words:
            continue  # "budget.lines.0.amount" reads "Budget 1 · Amount"
        text = FIELDS.get(part)
        if text is None:
            for registry in LABELS.values():  # "meals", "supply_channel_open", "off_site"
                if part in registry:
                    text = registry[part]
                    break
        words.append(str(text) if text is not None else part.replace("_", " "))
    return " · ".join(words)


def _chinese() -> bool:
    locale = get_locale()
    return locale is not None and locale.language == "zh"


def colon() -> str:
    """": " in English, "：" in Chinese: after a label, before its value."""
    return "：" if _chinese() else ": "


def listed(items) -> str:
    """Words in a row: "餐费 1400.00、礼品 600.00", "Meals 1400.00, Gifts 600.00"."""
    return ("、" if _chinese() else ", ").join(items)


def field_message(field: str | None, message) -> str:
    """A message about one field for a place that does not show it beside the
    field (a flash, the API's `message`): "开始时间：必须是将来的时间"."""
    if not field or field == "_":
        return str(message)
    return field_label(field) + colon() + str(message)


def errors_text(errors: dict) -> str:
    """Messages per field (field → message), in one line for a person."""
    return ("；" if _chinese() else "; ").join(field_message(field, message)
                                             for field, message in errors.items())
