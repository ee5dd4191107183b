"""Meeting states as words for messages: "a draft meeting cannot be …" reads
"会议状态为草稿" in Chinese instead of showing the machine code."""
from flask_babel import lazy_gettext as _l

from .models import Status

STATUS_TEXT = {
    Status.draft: _l("draft"), Status.submitted: _l("submitted"),
    Status.pending_regional: _l("awaiting regional approval"), Status.approved: _l("approved"),
    Status.rejected: _l("rejected"), Status.cancelled: _l("cancelled"),
    Status.in_progress: _l("in progress"), Status.held: _l("held"),
    Status.summarized: _l("summarized"), Status.closed: _l("closed"),
}


def status_text(status: Status) -> str:
    return str(STATUS_TEXT[status])
