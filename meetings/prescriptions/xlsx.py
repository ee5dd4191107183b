"""Reading the first worksheet of an XLSX upload with bounded work.

openpyxl holds a workbook's whole shared-strings table, builds every cell of
a row (all of them, however many) before it yields the row, and pads gaps
between row numbers with empty rows: a 12 KB upload made one row of two
million cells (640 MB, 7 s), and 54 KB of `<row/>` kept a worker busy for a
minute. This reader streams the parts it needs through expat instead:

- only the parts it reads are unpacked (package and workbook relationships,
  workbook, styles, shared strings, the first worksheet), each at most
  MAX_PART_BYTES, the sum at most MAX_PARSED_BYTES, counted as they are fed;
- the shared-strings table holds at most MAX_SHARED_STRINGS strings;
- cells past column MAX_COLUMNS are skipped without being kept, a row has at
  most MAX_ROW_CELLS cells and a cell's text at most MAX_CELL_CHARS (Excel's
  own limits), the sheet at most MAX_CELLS cells, each part MAX_ELEMENTS elements;
- rows come out one at a time, gaps included, so the caller's row count trips
  on every row read; the parse stops after `seconds`;
- a DOCTYPE (entity tricks) is refused; a damaged part is a `Damaged` error.

Values are what openpyxl's read-only, data-only mode gives: numbers as int or
float, a formula's cached value (never the formula), dates as datetimes.
"""
from __future__ import annotations

import contextlib

import posixpath
import time
import zipfile
from datetime import datetime
from typing import Iterator
from xml.parsers import expat

MAX_PART_BYTES = 48 * 1024 * 1024     # one unpacked part (a 100,000-row sheet is about 20 MB)
MAX_PARSED_BYTES = 64 * 1024 * 1024   # every part read, together
MAX_SHARED_STRINGS = 500_000          # five distinct texts per row of the largest import
MAX_COLUMNS = 50                      # cells further right are not read
MAX_ROW_CELLS = 16_384                # Excel's columns: a row with more cells is damaged
MAX_CELLS = 1_000_000                 # in the sheet: ten per row of the largest import
MAX_ELEMENTS = 3_000_000              # XML elements in each part (100,000 rows of four cells: 1.3 million)
MAX_CELL_CHARS = 32_767               # Excel's limit for one cell
CHUNK = 64 * 1024
# Built-in number formats that are dates: the ones every locale has, and the
# ones Chinese (and other East Asian) Excel uses for 年/月/日 (ids 27-36, 50-58).
DATE_FORMAT_IDS = set(range(14, 23)) | {45, 46, 47} | set(range(27, 37)) | set(range(50, 59))


class Damaged(ValueError):
    """The workbook cannot be read within the bounds; the message says why."""


def _local(name: str) -> str:
    """"namespace local" (namespace_separator=" ") or "prefix:local" → local."""
    return name.rsplit(" ", 1)[-1].rpartition(":")[2]


def _column(ref: str) -> int:
    letters = 0
    for char in ref:
        if "A" <= char <= "Z":
            letters = letters * 26 + ord(char) - 64
        else:
            break
    return letters


class _Budget:
    """What one upload may cost: bytes parsed (all parts together) and time."""

    def __init__(self, seconds: float):
        self.parsed = 0
        self.deadline = time.monotonic() + seconds

    def feed(self, parser, stream) -> Iterator[None]:
        """Feeds `stream` to `parser` in chunks; yields after each so the
        caller can hand on what the chunk completed."""
        part = 0
        while True:
            chunk = stream.read(CHUNK)
            part += len(chunk)
            self.parsed += len(chunk)
            if part > MAX_PART_BYTES:
                raise Damaged(f"a part unpacks to more than {MAX_PART_BYTES // 2**20} MB")
            if self.parsed > MAX_PARSED_BYTES:
                raise Damaged(f"the workbook unpacks to more than {MAX_PARSED_BYTES // 2**20} MB")
            if time.monotonic() > self.deadline:
                raise Damaged("reading the workbook takes too long")
            try:
                parser.Parse(chunk, not chunk)
            except expat.ExpatError as exc:
                raise Damaged(f"damaged XML ({exc})") from None
            yield
            if not chunk:
                return


def _parser(start=None, end=None, text=None, namespaces=True):
    # the sheet is parsed without namespace processing (qualified names, faster)
    parser = expat.ParserCreate(namespace_separator=" ") if namespaces else expat.ParserCreate()
    parser.buffer_text = True

    def doctype(*_args):
        raise Damaged("a DOCTYPE in a workbook part")

    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = doctype
    if start:
        parser.StartElementHandler = start
    if end:
        parser.EndElementHandler = end
    if text:
        parser.CharacterDataHandler = text
    return parser


class Workbook:
    def __init__(self, archive: zipfile.ZipFile, seconds: float):
        self.archive = archive
        self.budget = _Budget(seconds)
        self.names = {info.filename: info for info in archive.infolist()}

    def _open(self, name: str):
        info = self.names.get(name)
        if info is None:
            return None
        if info.file_size > MAX_PART_BYTES:
            raise Damaged(f"a part unpacks to more than {MAX_PART_BYTES // 2**20} MB")
        return self.archive.open(info)

    def _parse(self, name: str, start=None, end=None, text=None) -> bool:
        stream = self._open(name)
        if stream is None:
            return False
        elements = 0

        def counted(element, attrs):
            nonlocal elements
            elements += 1
            if elements > MAX_ELEMENTS:
                raise Damaged(f"a part has more than {MAX_ELEMENTS} XML elements")
            if start:
                start(element, attrs)

        start_handler = counted
        with stream:
            for _ in self.budget.feed(_parser(start_handler, end, text), stream):
                pass
        return True

    def _relationships(self, part: str) -> dict[str, tuple[str, str]]:
        """id → (type, target path inside the zip) of a part's .rels."""
        folder, base = posixpath.split(part)
        found: dict[str, tuple[str, str]] = {}

        def start(name, attrs):
            if _local(name) == "Relationship" and attrs.get("TargetMode") != "External":
                target = attrs.get("Target", "")
                path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                    posixpath.join(folder, target))
                found[attrs.get("Id", "")] = (attrs.get("Type", ""), path)

        self._parse(posixpath.join(folder, "_rels", base + ".rels"), start)
        return found

    def first_sheet(self) -> Iterator[list]:
        package = self._relationships("")
        workbook = next((path for kind, path in package.values() if kind.endswith("/officeDocument")),
                        "xl/workbook.xml")
        sheets: list[str] = []
        epoch = [datetime(1899, 12, 30)]

        def start(name, attrs):
            local = _local(name)
            if local == "sheet":
                rid = next((v for k, v in attrs.items() if _local(k) == "id" and k != "id"), None)
                sheets.append(rid)
            elif local == "workbookPr" and attrs.get("date1904") in ("1", "true"):
                epoch[0] = datetime(1904, 1, 1)

        if not self._parse(workbook, start):
            raise Damaged("no workbook part")
        relations = self._relationships(workbook)
        sheet = next((relations[rid][1] for rid in sheets
                      if rid in relations and relations[rid][0].endswith("/worksheet")), None)
        if sheet is None:
            return iter(())
        styles = next((p for k, p in relations.values() if k.endswith("/styles")), None)
        strings = next((p for k, p in relations.values() if k.endswith("/sharedStrings")), None)
        dates = self._date_styles(styles) if styles else set()
        table = self._shared_strings(strings) if strings else []
        return self._rows(sheet, table, dates, epoch[0])

    def _date_styles(self, part: str) -> set[int]:
        """Indices of the cell formats (cellXfs) that show a date."""
        from openpyxl.styles.numbers import is_date_format

        custom: dict[int, str] = {}
        formats: list[int] = []
        inside = [False]

        def start(name, attrs):
            local = _local(name)
            if local == "numFmt":
                with contextlib.suppress(ValueError):  # a format without a number is ignored
                    custom[int(attrs.get("numFmtId", ""))] = attrs.get("formatCode", "")
            elif local == "cellXfs":
                inside[0] = True
            elif local == "xf" and inside[0]:
                try:
                    formats.append(int(attrs.get("numFmtId", "0")))
                except ValueError:
                    formats.append(0)

        def end(name):
            if _local(name) == "cellXfs":
                inside[0] = False

        self._parse(part, start, end)
        return {i for i, fmt in enumerate(formats)
                if (fmt in custom and is_date_format(custom[fmt])) or (fmt not in custom and fmt in DATE_FORMAT_IDS)}

    def _shared_strings(self, part: str) -> list[str]:
        """The table, bounded in count; the phonetic runs (rPh) are not text."""
        table: list[str] = []
        pieces: list[str] = []
        state = {"t": False, "phonetic": 0, "chars": 0}

        def start(name, attrs):
            local = _local(name)
            if local == "t":
                state["t"] = True
            elif local == "rPh":
                state["phonetic"] += 1
            elif local == "si":
                if len(table) >= MAX_SHARED_STRINGS:
                    raise Damaged(f"more than {MAX_SHARED_STRINGS} shared strings")
                pieces.clear()
                state["chars"] = 0

        def end(name):
            local = _local(name)
            if local == "t":
                state["t"] = False
            elif local == "rPh":
                state["phonetic"] -= 1
            elif local == "si":
                table.append("".join(pieces))

        def text(data):
            if state["t"] and not state["phonetic"]:
                state["chars"] += len(data)
                if state["chars"] > MAX_CELL_CHARS:
                    raise Damaged(f"a text longer than {MAX_CELL_CHARS} characters")
                pieces.append(data)

        self._parse(part, start, end, text)
        return table

    def _rows(self, part: str, table: list[str], dates: set[int], epoch: datetime) -> Iterator[list]:
        from openpyxl.utils.datetime import from_excel, from_ISO8601

        stream = self._open(part)
        if stream is None:
            raise Damaged("the first worksheet is missing")
        done: list[tuple[int, dict]] = []   # rows the last chunk completed
        row: dict[int, object] = {}
        pieces: list[str] = []
        kinds: dict[str, str] = {}           # element name → its local name (names repeat: cached)
        # the parse's state, as closure variables (the callbacks run millions of times)
        row_number = col = style = chars = cells = total = inline = elements = 0
        kind, keep, collect = "n", False, False

        def local(name: str) -> str:
            found = kinds.get(name)
            if found is None:
                found = kinds[name] = _local(name)
            return found

        def value(raw: str):
            if kind == "s":
                index = int(raw)
                if not 0 <= index < len(table):
                    raise Damaged(f"a shared-string index past the table ({index})")
                return table[index]
            if kind in ("str", "inlineStr", "e"):
                return raw
            if raw == "":
                return None
            if kind == "b":
                return raw.strip() in ("1", "true")
            if kind == "d":
                return from_ISO8601(raw.strip())
            number = float(raw) if any(c in raw for c in ".eE") else int(raw)
            if style in dates:
                return from_excel(number, epoch)
            return number

        def start(name, attrs):
            nonlocal row_number, col, style, chars, cells, total, inline, elements, kind, keep, collect
            elements += 1
            if elements > MAX_ELEMENTS:
                raise Damaged(f"the sheet has more than {MAX_ELEMENTS} XML elements")
            name = local(name)
            if name == "c":
                cells += 1
                total += 1
                if cells > MAX_ROW_CELLS:
                    raise Damaged(f"row {row_number} has more than {MAX_ROW_CELLS} cells")
                if total > MAX_CELLS:
                    raise Damaged(f"more than {MAX_CELLS} cells; keep only the four columns")
                ref = attrs.get("r")
                col = _column(ref) if ref else col + 1
                keep = 1 <= col <= MAX_COLUMNS
                if keep:
                    kind = attrs.get("t", "n")
                    try:
                        style = int(attrs.get("s", 0))
                    except ValueError:
                        style = 0
                    chars = 0
                    pieces.clear()
            elif name == "v" or (name == "t" and inline):
                collect = keep
            elif name == "row":
                ref = attrs.get("r")
                number = row_number + 1
                if ref and ref.isdigit() and int(ref) > number:
                    number = int(ref)
                row_number = number
                col = cells = 0
                row.clear()
            elif name == "is":
                inline += 1

        def end(name):
            nonlocal inline, keep, collect
            name = local(name)
            if name == "c":
                if keep and (pieces or kind == "inlineStr"):
                    try:
                        row[col] = value("".join(pieces))
                    except Damaged:
                        raise
                    except (ValueError, OverflowError, TypeError) as exc:
                        raise Damaged(f"cell {col} of row {row_number}: {exc}") from None
                keep = collect = False
            elif name == "v" or name == "t":
                collect = False
            elif name == "row":
                done.append((row_number, dict(row)))
            elif name == "is":
                inline -= 1

        def text(data):
            nonlocal chars
            if collect:
                chars += len(data)
                if chars > MAX_CELL_CHARS:
                    raise Damaged(f"a cell longer than {MAX_CELL_CHARS} characters")
                pieces.append(data)

        previous = 0
        with stream:
            for _ in self.budget.feed(_parser(start, end, text, namespaces=False), stream):
                for number, values in done:
                    while previous + 1 < number:  # a gap: the rows between are empty, and read
                        previous += 1
                        yield []
                    previous = number
                    width = max(values, default=0)
                    yield [values.get(i) for i in range(1, width + 1)]
                done.clear()


def first_sheet_rows(data_stream, seconds: float) -> Iterator[list]:
    """The rows of the workbook's first worksheet, as lists of cell values."""
    try:
        archive = zipfile.ZipFile(data_stream)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise Damaged(f"not a zip archive ({exc})") from None
    with archive:
        try:
            yield from Workbook(archive, seconds).first_sheet()
        except Damaged:
            raise
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, KeyError, NotImplementedError,
                RuntimeError, OverflowError) as exc:  # a damaged zip member (bad CRC, unknown method…)
            raise Damaged(f"a damaged part ({exc.__class__.__name__})") from None
