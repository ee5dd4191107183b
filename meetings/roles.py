"""Who a user is (SPEC §1). In the base layer so that the org chart, which
checks roles, need not import the users' package."""
from __future__ import annotations

import enum


class Role(str, enum.Enum):
    rep = "rep"
    provincial_manager = "provincial_manager"
    regional_manager = "regional_manager"
    marketing = "marketing"
    staff = "staff"
    admin = "admin"
    compliance = "compliance"  # 合规: reads everything, flags meetings (SPEC §1, §12)
