from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..types import enum_column, UTCDateTime


class HospitalLevel(str, enum.Enum):
    tertiary = "tertiary"
    secondary = "secondary"
    primary = "primary"
    other = "other"


class Title(str, enum.Enum):
    chief_physician = "chief_physician"
    associate_chief_physician = "associate_chief_physician"
    attending = "attending"
    resident = "resident"
    nurse = "nurse"
    intern = "intern"
    other = "other"


class Position(str, enum.Enum):
    department_head = "department_head"
    academic_lead = "academic_lead"
    outpatient = "outpatient"
    inpatient = "inpatient"
    pharmacy = "pharmacy"
    other = "other"


class Grade(str, enum.Enum):
    A = "A"
    B = "B"
    C = "C"
    D = "D"


# SPEC §2 and §4: nurses and interns are never key customers.
NEVER_KEY_TITLES = frozenset({Title.nurse, Title.intern})


class Hospital(db.Model):
    __tablename__ = "hospitals"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    level: Mapped[HospitalLevel] = mapped_column(enum_column(HospitalLevel))
    city: Mapped[str] = mapped_column(String(80))
    province_id: Mapped[int] = mapped_column(ForeignKey("provinces.id"), index=True)  # a province's lists

    province = relationship("Province")
    departments = relationship("Department", back_populates="hospital", order_by="Department.name")


class Department(db.Model):
    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(primary_key=True)
    hospital_id: Mapped[int] = mapped_column(ForeignKey("hospitals.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    headcount: Mapped[int] = mapped_column(default=0)

    hospital = relationship("Hospital", back_populates="departments")
    doctors = relationship("Doctor", back_populates="department", order_by="Doctor.name")


class Doctor(db.Model):
    __tablename__ = "doctors"

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    title: Mapped[Title] = mapped_column(enum_column(Title))
    position: Mapped[Position] = mapped_column(enum_column(Position))
    potential: Mapped[Decimal] = mapped_column(Numeric(10, 2), default=Decimal("0"))
    support: Mapped[Decimal] = mapped_column(Numeric(10, 2), default=Decimal("0"))
    grade_override: Mapped[Grade | None] = mapped_column(enum_column(Grade))
    grade_override_reason: Mapped[str | None] = mapped_column(Text)
    grade_override_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    grade_override_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # PIPL erase (privacy.services.erase_doctor): when the person was anonymised
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    department = relationship("Department", back_populates="doctors")

    @property
    def hospital_id(self) -> int:
        return self.department.hospital_id
