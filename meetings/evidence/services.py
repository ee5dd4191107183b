"""Attachments of a meeting and what the meeting still lacks to close
(SPEC §12). Every rule lives here, once; the API and the pages call these
functions and commit.

Who: the owner and the province's staff attach, from `approved` on (after
close only with a late reason); the owner, the province's staff and an
administrator void; everyone who may see the meeting lists and downloads.

How many: ATTACHMENT_MAX_PER_MEETING counts every attachment, voided ones
too. Nothing is ever deleted, so every row keeps its body in the store and
its place in the audit pack: counting only the live ones would let a
void-and-upload loop grow a meeting's storage and pack without bound. A
meeting that reaches the limit through voids has a person's mistake to
explain, not a file to squeeze in.
"""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import BinaryIO

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError

from .. import files
from ..actionlog import log_action
from ..auth.models import Role, User
from ..checkin.models import CheckIn, Source
from ..errors import Conflict, Forbidden, InvalidInput, NotFound
from ..extensions import db
from ..labels import label
from ..proposals.labels import status_text
from ..proposals.models import BudgetCategory, Meeting, Status
from ..proposals.services import check_on_close
from ..summary.models import SpendLine, Summary
from ..types import local_date, money, utcnow
from .content import clean_filename, judge
from .models import Attachment, AttachmentKind

# SPEC §12: attachments come from `approved` on
OPEN_FOR = {Status.approved, Status.in_progress, Status.held, Status.summarized, Status.closed}
# what the page lists as still missing, once there is something to prove
GAPS_SHOWN = {Status.in_progress, Status.held, Status.summarized}
RECEIPT_FIELDS = ("category", "amount", "invoice_no", "issued_on")
INVOICE_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-")
MAX_AMOUNT = Decimal("1000000000")


class FileTooLarge(InvalidInput):
    reason = "file_too_large"


class TooManyAttachments(Conflict):
    reason = "too_many_attachments"


class DuplicateInvoice(Conflict):
    reason = "duplicate_invoice"


class MeetingClosed(Conflict):
    reason = "meeting_closed"


# the files toolkit's collector keeps every body a row names
files.references(lambda: select(Attachment.sha256))


# ---------------------------------------------------------------- who

def may_attach(user: User, meeting: Meeting) -> bool:
    """The owner and the staff of the meeting's province."""
    return user.id == meeting.owner_id or (user.role == Role.staff and user.province_id == meeting.province_id)


def may_void(user: User, meeting: Meeting) -> bool:
    return may_attach(user, meeting) or user.role == Role.admin


def can_attach_now(user: User, meeting: Meeting) -> bool:
    return may_attach(user, meeting) and meeting.status in OPEN_FOR


# ---------------------------------------------------------------- reading

def attachments_of(meeting: Meeting):
    """A select of the meeting's attachments, oldest first (voided ones too)."""
    return (select(Attachment).where(Attachment.meeting_id == meeting.id)
            .order_by(Attachment.uploaded_at, Attachment.id))


def list_attachments(meeting: Meeting) -> list[Attachment]:
    return list(db.session.scalars(attachments_of(meeting)))


def get_attachment(meeting: Meeting, attachment_id: int) -> Attachment:
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or attachment.meeting_id != meeting.id:
        raise NotFound(_("attachment not found"))
    return attachment


def download(meeting: Meeting, attachment_id: int):
    """The stored bytes of one attachment as an HTTP answer (streamed)."""
    attachment = get_attachment(meeting, attachment_id)
    return files.body_response(files.storage(), attachment.sha256, attachment.size,
                               attachment.content_type, attachment.filename)


# ---------------------------------------------------------------- adding

def _receipt_fields(kind: AttachmentKind, category, amount, invoice_no, issued_on) -> dict:
    given = {"category": category, "amount": amount, "invoice_no": invoice_no, "issued_on": issued_on}
    if kind != AttachmentKind.receipt:
        for name, value in given.items():
            if value not in (None, ""):
                raise InvalidInput(_("only a receipt has one"), field=name)
        return dict.fromkeys(RECEIPT_FIELDS)
    for name, value in given.items():
        if value in (None, ""):
            raise InvalidInput(_("a receipt needs it"), field=name)
    try:
        category = BudgetCategory(getattr(category, "value", category))
    except ValueError:
        raise InvalidInput(_("choose a budget category"), field="category") from None
    try:
        amount = money(amount)
    except (InvalidOperation, ValueError, TypeError):
        raise InvalidInput(_("not an amount"), field="amount") from None
    if not Decimal("0") < amount < MAX_AMOUNT:
        raise InvalidInput(_("must be more than 0"), field="amount")
    invoice_no = "".join(str(invoice_no).split()).upper()
    if not 1 <= len(invoice_no) <= 40 or not set(invoice_no) <= INVOICE_CHARS:
        raise InvalidInput(_("digits and letters as printed on the invoice, at most 40"),
                           field="invoice_no")
    if not isinstance(issued_on, date):
        raise InvalidInput(_("not a date"), field="issued_on")
    if not date(2000, 1, 1) <= issued_on <= local_date(utcnow()) + timedelta(days=1):
        raise InvalidInput(_("an invoice cannot be dated in the future"), field="issued_on")
    return {"category": category, "amount": amount, "invoice_no": invoice_no, "issued_on": issued_on}


def _late_reason(meeting: Meeting, late_reason: str | None) -> str | None:
    """After close, only with a reason (kept on the attachment); before, none."""
    if meeting.status != Status.closed:
        return None
    late_reason = (late_reason or "").strip()
    if not late_reason:
        raise InvalidInput(_("the meeting is closed; say why this comes late"),
                           field="late_reason")
    return late_reason[:500]


def _check_room(meeting: Meeting, *, lock: bool) -> None:
    """With `lock`, under the meeting's row lock: two uploads racing for the
    last place are counted one after the other."""
    if lock:
        db.session.execute(select(Meeting.id).where(Meeting.id == meeting.id).with_for_update())
    limit = current_app.config["ATTACHMENT_MAX_PER_MEETING"]
    count = db.session.scalar(select(func.count(Attachment.id)).where(Attachment.meeting_id == meeting.id))
    if count >= limit:
        raise TooManyAttachments(_("this meeting already has %(count)s attachments, the most "
                                   "it may hold (voided ones count: nothing is deleted)", count=count),
                                 field="file", limit=limit)


def _check_invoice_free(invoice_no: str) -> None:
    taken = db.session.scalar(select(Attachment.id).where(
        Attachment.invoice_no == invoice_no, Attachment.kind == AttachmentKind.receipt,
        Attachment.voided_at.is_(None)).limit(1))
    if taken is not None:
        raise _duplicate(invoice_no)


def _duplicate(invoice_no: str) -> DuplicateInvoice:
    return DuplicateInvoice(_("invoice %(number)s is already on another receipt; void "
                              "that one first if it was wrong", number=invoice_no), field="invoice_no")


def too_large() -> FileTooLarge:
    """A file above ATTACHMENT_MAX_BYTES (also when the request carrying it
    was cut off at that size plus the form's room)."""
    limit = current_app.config["ATTACHMENT_MAX_BYTES"]
    return FileTooLarge(_("larger than %(mb)s MB", mb=round(limit / 2**20, 1)), field="file",
                        limit=limit)


def add_attachment(actor: User, meeting: Meeting, upload: BinaryIO, *, filename: str | None,
                   kind: str | AttachmentKind, category=None, amount=None, invoice_no: str | None = None,
                   issued_on: date | None = None, late_reason: str | None = None) -> Attachment:
    """Judge the upload by its content, store its body (an image cleaned of
    its metadata) under its SHA-256 BEFORE the row is written, then the row
    and its action-log entry. Refusals leave no row; a body already stored
    for a refused row is harmless (`flask files gc`)."""
    if not may_attach(actor, meeting):
        raise Forbidden(_("only the meeting's owner or the province's staff add attachments"))
    if meeting.status not in OPEN_FOR:
        raise Conflict(_("a %(status)s meeting takes no attachments yet; they come once it is approved",
                         status=status_text(meeting.status)))
    try:
        kind = AttachmentKind(getattr(kind, "value", kind))
    except ValueError:
        raise InvalidInput(_("choose what the file is"), field="kind") from None
    receipt = _receipt_fields(kind, category, amount, invoice_no, issued_on)
    late_reason = _late_reason(meeting, late_reason)
    # refused at once, before the file is read (and again below, where it counts)
    _check_room(meeting, lock=False)
    if receipt["invoice_no"]:
        _check_invoice_free(receipt["invoice_no"])

    config, store = current_app.config, files.storage()
    limit = config["ATTACHMENT_MAX_BYTES"]
    try:
        received = files.spool(upload, limit, store.spool_dir)
    except files.TooLarge:
        raise too_large() from None
    with received:
        if received.size == 0:
            raise InvalidInput(_("the file is empty"), field="file")
        judged = judge(received.body, max_pixels=config["ATTACHMENT_MAX_PIXELS"], zone=config["TIMEZONE"],
                       work_dir=store.spool_dir)
        try:
            files.store(judged.body)  # before the row: a crash never leaves a row without its body
        finally:
            judged.body.path.unlink(missing_ok=True)
    # the meeting's row is locked only now, for the insert: not while a photo is re-encoded
    _check_room(meeting, lock=True)
    attachment = Attachment(
        meeting_id=meeting.id, kind=kind, filename=clean_filename(filename, kind.value, judged.extension),
        content_type=judged.content_type, size=judged.body.size, sha256=judged.body.sha256,
        uploaded_by_id=actor.id, uploaded_at=utcnow(), taken_at=judged.taken_at,
        late_reason=late_reason, **receipt)
    try:
        with db.session.begin_nested():  # a receipt racing this one for the invoice number
            db.session.add(attachment)
    except IntegrityError:
        raise _duplicate(receipt["invoice_no"]) from None
    log_action(actor, "attach", "attachment", attachment.id, after={
        "meeting_id": meeting.id, "kind": kind, "sha256": attachment.sha256, "size": attachment.size,
        "content_type": attachment.content_type, "category": receipt["category"],
        "amount": receipt["amount"], "invoice_no": receipt["invoice_no"], "late": late_reason is not None})
    return attachment


# ---------------------------------------------------------------- voiding

def void_attachment(actor: User, meeting: Meeting, attachment_id: int, reason: str | None) -> Attachment:
    """Kept on record with who, when and why; out of every check from now on.
    Voiding twice keeps the first. A closed meeting's evidence stands: what
    was wrong is answered by a late attachment, not by taking one away."""
    if not may_void(actor, meeting):
        raise Forbidden(_("only the owner, the province's staff or an administrator void an attachment"))
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("say why the attachment is void"), field="reason")
    attachment = get_attachment(meeting, attachment_id)
    if attachment.voided:
        return attachment
    if meeting.status == Status.closed:
        raise MeetingClosed(_("the meeting is closed: its evidence stands; add a late attachment instead"))
    attachment.voided_at, attachment.voided_by_id, attachment.void_reason = utcnow(), actor.id, reason[:500]
    db.session.flush()
    log_action(actor, "void_attachment", "attachment", attachment.id,
               before={"meeting_id": meeting.id, "voided": False},
               after={"meeting_id": meeting.id, "voided": True, "sha256": attachment.sha256})
    return attachment


# ---------------------------------------------------------------- the close gate's evidence

def evidence_gaps(meeting: Meeting) -> dict[str, str]:
    """What the meeting's evidence still lacks (SPEC §12 close), keyed by gap,
    each said in words; empty when complete. Voided attachments and voided
    check-ins count for nothing.

    - each category of the summary's actual spend but `speaker_fee` with an
      amount above 0: live receipts of that category adding up to it;
    - `signin_scan`: when a counted check-in came from the paper sheet;
    - `photo`: at least EVIDENCE_PHOTOS_MIN live photos."""
    gaps: dict[str, str] = {}
    live = (Attachment.meeting_id == meeting.id, Attachment.voided_at.is_(None))
    spent = dict(db.session.execute(
        select(SpendLine.category, func.sum(SpendLine.amount)).join(Summary)
        .where(Summary.meeting_id == meeting.id).group_by(SpendLine.category)).all())
    covered = dict(db.session.execute(
        select(Attachment.category, func.sum(Attachment.amount))
        .where(*live, Attachment.kind == AttachmentKind.receipt).group_by(Attachment.category)).all())
    for category in BudgetCategory:
        if category == BudgetCategory.speaker_fee:
            continue  # paid to the speaker under contract (SPEC §13), proved by the payment
        amount = money(spent.get(category) or 0)
        short = amount - money(covered.get(category) or 0)
        if amount > 0 and short > 0:
            gaps[category.value] = _("%(category)s receipts are %(amount)s 元 short",
                                     category=label(category), amount=short)
    photos, scans = db.session.execute(select(
        func.coalesce(func.sum(case((Attachment.kind == AttachmentKind.photo, 1), else_=0)), 0),
        func.coalesce(func.sum(case((Attachment.kind == AttachmentKind.signin_scan, 1), else_=0)), 0))
        .where(*live)).one()
    paper = db.session.scalar(select(CheckIn.id).where(
        CheckIn.meeting_id == meeting.id, CheckIn.voided_at.is_(None), CheckIn.source == Source.paper).limit(1))
    if paper is not None and not scans:
        gaps["signin_scan"] = _("The scan of the signed paper sign-in sheet is missing")
    needed = current_app.config["EVIDENCE_PHOTOS_MIN"]
    if photos < needed:
        gaps["photo"] = _("Photos of the meeting: %(num)s more needed", num=needed - photos)
    return gaps


def shows_gaps(meeting: Meeting) -> bool:
    return meeting.status in GAPS_SHOWN


def connect() -> None:
    """Hand the close gate the evidence's gaps (meetings/subscriptions.py; idempotent)."""
    check_on_close(evidence_gaps)
