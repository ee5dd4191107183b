"""Prescription import (SPEC §9): CSV (UTF-8, with or without BOM) or XLSX
with the columns doctor_id, month, product, boxes. Every good row is upserted
on (doctor, month, product) — set-based, one comparison query and one upsert
per chunk — and every bad row is reported by row number (the header is row 1),
field and reason. A file is never trusted: bounded in size and rows,
formulas read as their cached values, wrong types reported, never a 500."""
from __future__ import annotations

import csv
import io
import re
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from decimal import ROUND_HALF_UP, Decimal
from typing import Iterable, Iterator

from flask_babel import gettext as _
from sqlalchemy import Select, func, select, text, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..actionlog import log_action
from ..auth.models import Role, User
from ..doctors.models import Department, Doctor
from ..doctors.services import computed_grade, visible_hospitals
from ..errors import Forbidden, InvalidInput
from ..extensions import db
from ..types import local_date, month_index, month_text, utcnow
from . import xlsx
from .models import Prescription

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 100_000       # rows read, blank or not (the header aside)
# reading a file stops after this long: a backstop, the counts above and in
# xlsx.py bound the work (a 100,000-row XLSX takes 3-10 s, a CSV 1-2 s)
PARSE_SECONDS = 120
COLUMNS = ("doctor_id", "month", "product", "boxes")
PRODUCT_MAX = 80
MAX_INT = 2**31 - 1
CHUNK = 2000             # keys per comparison query and per upsert
ERRORS_LISTED = 1000     # the report lists this many bad rows; errors_total counts all
SUPPORT_MONTHS = 3       # support = average boxes of the last 3 imported months
MONTH = re.compile(r"^(\d{4})-(\d{2})$")
IMPORTERS = (Role.admin, Role.marketing)


@dataclass
class ImportReport:
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[dict] = field(default_factory=list)
    errors_total: int = 0
    support_updated: int | None = None

    def error(self, row: int, field_name: str, message: str) -> None:
        self.errors_total += 1
        if len(self.errors) < ERRORS_LISTED:
            self.errors.append({"row": row, "field": field_name, "message": message})


@dataclass(frozen=True)
class Row:
    number: int
    doctor_id: int
    month: str
    product: str
    boxes: int


def may_import(user: User) -> bool:
    return user.role in IMPORTERS


# ---------------------------------------------------------------- reading the file

def _file_error(message: str) -> InvalidInput:
    return InvalidInput(message, field="file")


def _csv_records(data: bytes) -> Iterator[list]:
    try:
        text = data.decode("utf-8-sig")  # strips the BOM Excel writes
    except UnicodeDecodeError:
        raise _file_error(_("not UTF-8 text; save the CSV as UTF-8 or upload the XLSX")) from None
    try:
        yield from csv.reader(io.StringIO(text, newline=""))
    except csv.Error as exc:
        raise _file_error(_("not a readable CSV (%(reason)s)", reason=str(exc))) from None


def _xlsx_records(data: bytes) -> Iterator[list]:
    """The first worksheet's rows through the bounded reader (xlsx.py): any
    damage — a formula cell with text, a non-numeric value, unclosed XML, a
    bad date, a shared-string index past the table — is a 422 naming the file."""
    try:
        rows = xlsx.first_sheet_rows(io.BytesIO(data), PARSE_SECONDS)
        width = None
        for record in rows:
            if width is None:  # the header decides how many columns matter
                width = len(record)
            yield record[:width]
    except xlsx.Damaged as exc:
        raise _file_error(_("not a readable XLSX workbook (%(reason)s)", reason=str(exc))) from None


def records(data: bytes) -> Iterator[list | tuple]:
    """The file's rows as lists of cells, whatever its format."""
    if len(data) > MAX_BYTES:
        raise _file_error(_("larger than %(mb)s MB", mb=MAX_BYTES // 2**20))
    if data[:4] == b"PK\x03\x04":
        return _xlsx_records(data)
    return _csv_records(data)


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _header(cells) -> dict[str, int]:
    names = [str(c).strip().lower() if c is not None else "" for c in cells]
    positions = {name: names.index(name) for name in COLUMNS if name in names}
    missing = [name for name in COLUMNS if name not in positions]
    if missing:
        raise _file_error(_("row 1 must name the columns %(columns)s; missing: %(missing)s",
                            columns=", ".join(COLUMNS), missing=", ".join(missing)))
    return positions


def _whole(value, name: str) -> int:
    """A whole number from a CSV string or an XLSX cell (int, or a float
    that is whole); anything else names the field."""
    if isinstance(value, bool):
        raise ValueError(_("not a whole number"))
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise ValueError(_("not a whole number"))
    text = str(value).strip()
    if not re.fullmatch(r"-?[0-9]{1,12}", text):
        raise ValueError(_("not a whole number"))
    return int(text)


def month_bounds(today: date | None = None) -> tuple[str, str]:
    """From 2000-01 to 12 months after the current (local) month."""
    today = today or local_date(utcnow())
    return "2000-01", month_text(month_index(today) + 12)


def _month(value, bounds: tuple[str, str]) -> str:
    if isinstance(value, (datetime, date)):  # an XLSX date cell
        text = f"{value.year:04d}-{value.month:02d}"
    else:
        text = str(value).strip()
        m = MONTH.match(text)
        if not m or not 1 <= int(m.group(2)) <= 12:
            raise ValueError(_("write the month as 2026-09"))
    if not bounds[0] <= text <= bounds[1]:
        raise ValueError(_("%(month)s is outside %(low)s … %(high)s",
                           month=text, low=bounds[0], high=bounds[1]))
    return text


def _parse(number: int, cells, positions: dict[str, int], bounds, report: ImportReport) -> Row | None:
    def cell(name):
        i = positions[name]
        return cells[i] if i < len(cells) else None

    values, ok = {}, True
    for name in COLUMNS:
        raw = cell(name)
        try:
            if _blank(raw):
                raise ValueError(_("required"))
            if name == "doctor_id":
                values[name] = _whole(raw, name)
                if not 1 <= values[name] <= MAX_INT:
                    raise ValueError(_("no such doctor (%(id)s)", id=values[name]))
            elif name == "month":
                values[name] = _month(raw, bounds)
            elif name == "product":
                text = str(int(raw)) if isinstance(raw, float) and raw.is_integer() else str(raw).strip()
                if len(text) > PRODUCT_MAX:
                    raise ValueError(_("at most %(n)s characters", n=PRODUCT_MAX))
                values[name] = text
            else:
                values[name] = _whole(raw, name)
                if values[name] < 0:
                    raise ValueError(_("must be 0 or more"))
                if values[name] > MAX_INT:
                    raise ValueError(_("too large"))
        except ValueError as exc:
            report.error(number, name, str(exc))
            ok = False
    return Row(number, **values) if ok else None


def _clean(number: int, cells, positions: dict[str, int], bounds) -> Row | None:
    """The common case, quickly: a row whose four cells are plainly right
    (digits, YYYY-MM in range, a product name). Anything else — including
    every bad row — goes through _parse, which names what is wrong."""
    try:
        d, m, p, b = (cells[positions[name]] for name in COLUMNS)
    except IndexError:
        return None
    if type(d) is str:
        d = d.strip()
        if not (d.isascii() and d.isdigit() and len(d) <= 10):
            return None
        d = int(d)
    elif type(d) is not int:
        return None
    if type(b) is str:
        b = b.strip()
        if not (b.isascii() and b.isdigit() and len(b) <= 10):
            return None
        b = int(b)
    elif type(b) is not int:
        return None
    if type(m) is not str or type(p) is not str:
        return None
    m, p = m.strip(), p.strip()
    if not (len(m) == 7 and m[4] == "-" and m[:4].isdigit() and m[5:].isdigit()
            and "01" <= m[5:] <= "12" and bounds[0] <= m <= bounds[1]):
        return None
    if not (0 < len(p) <= PRODUCT_MAX and 1 <= d <= MAX_INT and 0 <= b <= MAX_INT):
        return None
    return Row(number, d, m, p, b)


def parse_file(data: bytes, report: ImportReport) -> list[Row]:
    """Good rows, in file order; bad ones go to the report. Refuses the whole
    file (nothing stored) when it is unreadable or too large."""
    rows: list[Row] = []
    bounds = month_bounds()
    positions = None
    seen: dict[tuple, int] = {}
    deadline = time.monotonic() + PARSE_SECONDS
    for number, cells in enumerate(records(data), start=1):
        if positions is None:
            positions = _header(cells)
            continue
        # every row read counts against the bound, blank or not: a file of
        # millions of empty rows stops here, not after reading them all
        if number - 1 > MAX_ROWS:
            raise _file_error(_("more than %(n)s data rows; split the file", n=MAX_ROWS))
        if number % 1000 == 0 and time.monotonic() > deadline:
            raise _file_error(_("reading the file takes too long; split it"))
        row = _clean(number, cells, positions, bounds)
        if row is None:
            if all(_blank(c) for c in cells):
                continue  # an empty line is not a data row (but it was counted as read)
            row = _parse(number, cells, positions, bounds, report)
        report.rows += 1
        if row is None:
            continue
        key = (row.doctor_id, row.month, row.product)
        if key in seen:
            report.error(number, "product", _("the same doctor, month and product as row %(row)s",
                                              row=seen[key]))
            continue
        seen[key] = number
        rows.append(row)
    if positions is None:
        raise _file_error(_("the file is empty; row 1 is the header %(columns)s", columns=", ".join(COLUMNS)))
    return rows


# ---------------------------------------------------------------- storing

def _chunks(items: list, size: int = CHUNK) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _known_doctors(doctor_ids: set[int]) -> set[int]:
    known: set[int] = set()
    for chunk in _chunks(sorted(doctor_ids), 5000):
        known.update(db.session.scalars(select(Doctor.id).where(Doctor.id.in_(chunk))))
    return known


_UPSERT_PG = text(
    "INSERT INTO prescriptions (doctor_id, month, product, boxes, updated_at) "
    "SELECT k.doctor_id, k.month, k.product, k.boxes, CAST(:now AS timestamp) FROM "
    "unnest(CAST(:d AS integer[]), CAST(:m AS varchar[]), CAST(:p AS varchar[]), CAST(:b AS integer[])) "
    "AS k(doctor_id, month, product, boxes) "
    "ON CONFLICT (doctor_id, month, product) DO UPDATE "
    "SET boxes = EXCLUDED.boxes, updated_at = EXCLUDED.updated_at")


def _upsert(connection, writes: list[dict], now) -> None:
    """INSERT … ON CONFLICT DO UPDATE of the new and changed rows: on
    PostgreSQL one statement per chunk (arrays), on SQLite an executemany."""
    if not writes:
        return
    if connection.dialect.name == "postgresql":
        connection.execute(_UPSERT_PG, {
            "now": now.astimezone(timezone.utc).replace(tzinfo=None),  # stored as naive UTC
            "d": [w["doctor_id"] for w in writes], "m": [w["month"] for w in writes],
            "p": [w["product"] for w in writes], "b": [w["boxes"] for w in writes]})
        return
    table = Prescription.__table__
    stmt = sqlite_insert(table)
    connection.execute(stmt.on_conflict_do_update(
        index_elements=[table.c.doctor_id, table.c.month, table.c.product],
        set_={"boxes": stmt.excluded.boxes, "updated_at": stmt.excluded.updated_at}),
        [{**w, "updated_at": now} for w in writes])


# PostgreSQL: the chunk's keys as three arrays joined to the table. (A
# 2,000-tuple IN list is planned as a nested loop while the table's statistics
# still say it is empty, which made a first import of 100,000 rows take minutes.)
_STORED_PG = text(
    "SELECT p.doctor_id, p.month, p.product, p.boxes FROM prescriptions p "
    "JOIN unnest(CAST(:d AS integer[]), CAST(:m AS varchar[]), CAST(:p AS varchar[])) "
    "AS k(doctor_id, month, product) "
    "ON p.doctor_id = k.doctor_id AND p.month = k.month AND p.product = k.product")


def _stored(connection, keys: list[tuple]):
    """What is stored for these (doctor_id, month, product) keys: one query."""
    if connection.dialect.name == "postgresql":
        return connection.execute(_STORED_PG, {"d": [k[0] for k in keys], "m": [k[1] for k in keys],
                                               "p": [k[2] for k in keys]})
    # SQLite: the keys come sorted (see store), so the chunk's doctors are one
    # range of the unique index; rows of it the file does not name are ignored.
    table = Prescription.__table__
    return connection.execute(
        select(table.c.doctor_id, table.c.month, table.c.product, table.c.boxes)
        .where(table.c.doctor_id.between(keys[0][0], keys[-1][0]),
               table.c.month.between(min(k[1] for k in keys), max(k[1] for k in keys))))


def store(rows: list[Row], report: ImportReport) -> None:
    """Per chunk: one query reads what is stored for the chunk's keys, one
    upsert writes the new and changed rows; equal rows are not touched."""
    now = utcnow()
    connection = db.session.connection()
    rows = sorted(rows, key=lambda r: (r.doctor_id, r.month, r.product))
    for chunk in _chunks(rows):
        keys = [(r.doctor_id, r.month, r.product) for r in chunk]
        stored = dict(((d, m, p), b) for d, m, p, b in _stored(connection, keys))
        writes = []
        for row, key in zip(chunk, keys):
            before = stored.get(key)
            if before is None:
                report.inserted += 1
            elif before != row.boxes:
                report.updated += 1
            else:
                report.unchanged += 1
                continue
            writes.append({"doctor_id": row.doctor_id, "month": row.month, "product": row.product,
                           "boxes": row.boxes})
        _upsert(connection, writes, now)


def update_support(actor: User | None, doctor_ids: Iterable[int]) -> int:
    """SPEC §9: a doctor's support becomes the average monthly boxes (all
    products) of their last 3 imported months; each change is written to the
    doctor's history with the grade before and after. Returns how many changed."""
    changed = 0
    for chunk in _chunks(sorted(set(doctor_ids)), 5000):
        monthly = (select(Prescription.doctor_id, Prescription.month,
                          func.sum(Prescription.boxes).label("boxes"))
                   .where(Prescription.doctor_id.in_(chunk))
                   .group_by(Prescription.doctor_id, Prescription.month).subquery())
        ranked = select(monthly.c.doctor_id, monthly.c.boxes, func.row_number().over(
            partition_by=monthly.c.doctor_id, order_by=monthly.c.month.desc()).label("n")).subquery()
        rows = db.session.execute(
            select(ranked.c.doctor_id, func.sum(ranked.c.boxes), func.count(),
                   Doctor.support, Doctor.potential)
            .join(Doctor, Doctor.id == ranked.c.doctor_id)
            .where(ranked.c.n <= SUPPORT_MONTHS)
            .group_by(ranked.c.doctor_id, Doctor.support, Doctor.potential)).all()
        updates = []
        for doctor_id, total, months, before, potential in rows:
            after = (Decimal(total) / months).quantize(Decimal("0.01"), ROUND_HALF_UP)
            if Decimal(before) == after:
                continue
            updates.append({"id": doctor_id, "support": after})
            log_action(actor, "support_update", "doctor", doctor_id,
                       before={"support": before, "grade": computed_grade(potential, before)},
                       after={"support": after, "grade": computed_grade(potential, after),
                              "source": "prescriptions"})
        if updates:
            db.session.execute(update(Doctor), updates)
            changed += len(updates)
    if changed:
        db.session.expire_all()  # doctors in the session read their new support
    return changed


def import_file(actor: User | None, data: bytes, *, refresh_support: bool = False) -> ImportReport:
    """The whole import: parse, report unknown doctors, upsert the good rows,
    optionally refresh support; one audit entry. `actor` None: the CLI."""
    if actor is not None and not may_import(actor):
        raise Forbidden(_("only marketing or an administrator imports prescriptions"))
    report = ImportReport()
    rows = parse_file(data, report)
    known = _known_doctors({r.doctor_id for r in rows})
    good = []
    for row in rows:
        if row.doctor_id in known:
            good.append(row)
        else:
            report.error(row.number, "doctor_id", _("no such doctor (%(id)s)", id=row.doctor_id))
    report.errors.sort(key=lambda e: (e["row"], COLUMNS.index(e["field"])))
    store(good, report)
    if refresh_support:
        report.support_updated = update_support(actor, {r.doctor_id for r in good})
    log_action(actor, "import", "prescriptions", None,
               after={"rows": report.rows, "inserted": report.inserted, "updated": report.updated,
                      "unchanged": report.unchanged, "errors": report.errors_total,
                      "support_updated": report.support_updated})
    db.session.flush()
    return report


# ---------------------------------------------------------------- reading back

def search_prescriptions(user: User, *, doctor_id: int | None = None, product: str | None = None,
                         from_: str | None = None, to: str | None = None) -> Select:
    """GET /prescriptions: the doctors of the hospitals the user may see."""
    query = (select(Prescription).join(Doctor, Doctor.id == Prescription.doctor_id)
             .join(Department, Department.id == Doctor.department_id)
             .where(Department.hospital_id.in_(visible_hospitals(user))))
    if doctor_id is not None:
        query = query.where(Prescription.doctor_id == doctor_id)
    if product:
        query = query.where(Prescription.product == product.strip())
    if from_:
        query = query.where(Prescription.month >= from_)
    if to:
        query = query.where(Prescription.month <= to)
    return query.order_by(Prescription.doctor_id, Prescription.month, Prescription.product)


def template_xlsx() -> bytes:
    """The import template: the header row, month as text so Excel keeps 2026-09."""
    import openpyxl
    from openpyxl.styles import Font

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "prescriptions"
    sheet.append(list(COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCD", (12, 10, 24, 10)):
        sheet.column_dimensions[letter].width = width
        if letter == "B":
            sheet.column_dimensions[letter].number_format = "@"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
