"""Imports every model so metadata (and Alembic's autogenerate) sees all tables."""
from .actionlog import ActionLogEntry  # noqa: F401
from .auth.models import ApiToken, User  # noqa: F401
from .doctors.models import Department, Doctor, Hospital  # noqa: F401
from .invitees.models import Invitee  # noqa: F401
from .orgs.models import BudgetPool, Province, Region  # noqa: F401
from .proposals.models import BudgetLine, Meeting  # noqa: F401
from .checkin.models import CheckIn  # noqa: F401
from .notifications.models import Notification, OutgoingMail  # noqa: F401
from .agenda.models import AgendaSegment, ChecklistItem, QuizItem  # noqa: F401
from .questions.models import Question  # noqa: F401
from .summary.models import SpendLine, Summary  # noqa: F401
from .followups.models import FollowUp  # noqa: F401
from .prescriptions.models import Prescription  # noqa: F401
from .visits.models import UpgradeActivity, UpgradePlan, Visit  # noqa: F401
from .throttle import ThrottleCounter  # noqa: F401
from .flags.models import Flag  # noqa: F401
from .evidence.models import Attachment  # noqa: F401
