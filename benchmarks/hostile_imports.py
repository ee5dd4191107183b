"""Hostile prescription uploads (issue 32, finding 1): time and peak memory
of reading each worst case, against a legitimate 100,000-row file.

Each case runs in its own process (peak memory is the process's maximum
resident size, so cases do not mask each other) and calls the import's
parser (`services.parse_file`) on bytes built in memory; nothing is stored.
The probe that found the issue measured, before the bounds: 6 million empty
`<row/>` 60 s / 1.2 GB, 14 million shared strings and 280 MB of whitespace
191 s / 1.9 GB, a 7.9 MB CSV of newlines 18 s. Prints figures; asserts nothing.

    python benchmarks/hostile_imports.py            # every case
    python benchmarks/hostile_imports.py wide_row   # some
"""
from __future__ import annotations

import io
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
HEADER = ('<row r="1"><c r="A1" t="inlineStr"><is><t>doctor_id</t></is></c>'
          '<c r="B1" t="inlineStr"><is><t>month</t></is></c>'
          '<c r="C1" t="inlineStr"><is><t>product</t></is></c>'
          '<c r="D1" t="inlineStr"><is><t>boxes</t></is></c></row>').encode()


def _repeat(piece: bytes, times: int, batch: int = 100_000):
    while times > 0:
        n = min(batch, times)
        yield piece * n
        times -= n


def workbook(sheet_data, strings=None) -> bytes:
    """An XLSX whose sheetData (after the header) and shared strings are
    written from iterables of byte chunks, so huge parts never sit in memory."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>")
        archive.writestr("_rels/.rels", f'<Relationships xmlns="{PKG}"><Relationship Id="rId1" '
                         f'Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        archive.writestr("xl/workbook.xml", f'<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>'
                         '<sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>')
        archive.writestr("xl/_rels/workbook.xml.rels", f'<Relationships xmlns="{PKG}">'
                         f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
                         f'<Relationship Id="rId3" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
                         '</Relationships>')
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            part.write(f'<worksheet xmlns="{MAIN}"><sheetData>'.encode() + HEADER)
            for chunk in sheet_data:
                part.write(chunk)
            part.write(b"</sheetData></worksheet>")
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
            part.write(f'<sst xmlns="{MAIN}">'.encode())
            for chunk in strings or ():
                part.write(chunk)
            part.write(b"</sst>")
    return out.getvalue()


def _legit_rows(n: int):
    for i in range(2, n + 2):
        yield (f'<row r="{i}"><c r="A{i}"><v>{i}</v></c><c r="B{i}" t="s"><v>{i % 12}</v></c>'
               f'<c r="C{i}" t="s"><v>{12 + i % 50}</v></c><c r="D{i}"><v>{i % 100}</v></c></row>').encode()


def legit_xlsx() -> bytes:
    strings = [f"<si><t>2026-{m:02d}</t></si>".encode() for m in range(1, 13)]
    strings += [f"<si><t>product {p}</t></si>".encode() for p in range(50)]
    return workbook(_legit_rows(100_000), strings)


def legit_csv() -> bytes:
    lines = ["doctor_id,month,product,boxes"] + [f"{i},2026-{i % 12 + 1:02d},product {i % 50},{i % 100}"
                                                 for i in range(1, 100_001)]
    return "\n".join(lines).encode()


CASES = {  # name → (what, builder)
    "legit_xlsx": ("100,000 good rows, XLSX (shared strings)", legit_xlsx),
    "legit_csv": ("100,000 good rows, CSV", legit_csv),
    "empty_rows": ("6 million <row/>", lambda: workbook(_repeat(b"<row/>", 6_000_000))),
    "row_gap": ("one row numbered 1,000,000", lambda: workbook([b'<row r="1000000"><c><v>1</v></c></row>'])),
    "shared_strings": ("14 million shared strings", lambda: workbook(
        [], _repeat(b"<si><t>x</t></si>", 14_000_000))),
    "shared_strings_fit": ("2.5 million shared strings in 42 MB (under the part limit)", lambda: workbook(
        [], _repeat(b"<si><t>x</t></si>", 2_500_000))),
    "whitespace": ("280 MB of whitespace in the sheet", lambda: workbook(_repeat(b" " * 1000, 280_000))),
    "whitespace_fit": ("47 MB of whitespace in the sheet (under the part limit)", lambda: workbook(
        _repeat(b" " * 1000, 47_000))),
    "wide_row": ("one row of 8 million <c/> (32 MB)", lambda: workbook(
        [b"<row>", *_repeat(b"<c/>", 8_000_000), b"</row>"])),
    "wide_rows": ("100,000 rows of 30 cells (44 MB)", lambda: workbook(
        _repeat(b"<row>" + b"<c><v>1</v></c>" * 30 + b"</row>", 100_000))),
    "csv_newlines": ("7.9 MB CSV of newlines", lambda: b"doctor_id,month,product,boxes\n" + b"\n" * 7_900_000),
}


def _peak_mb() -> float:
    """The process's peak resident size (VmHWM: reset by exec, unlike ru_maxrss)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def run_one(name: str, path: str) -> None:
    from meetings import create_app
    from meetings.errors import InvalidInput
    from meetings.prescriptions import services

    data = Path(path).read_bytes()
    app = create_app({"TESTING": True, "SECRET_KEY": "x" * 40, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with app.app_context():
        services.parse_file(b"doctor_id,month,product,boxes\n1,2026-01,P,1\n", services.ImportReport())
        before = _peak_mb()
        start = time.perf_counter()
        try:
            rows = services.parse_file(data, services.ImportReport())
            outcome = f"read, {len(rows)} good rows"
        except InvalidInput as exc:
            outcome = f"refused: {exc}"
        seconds = time.perf_counter() - start
    peak = _peak_mb()
    print(f"{name}\t{len(data) / 1024:.0f} KB\t{seconds:.2f} s\t+{peak - before:.0f} MB (peak {peak:.0f})"
          f"\t{outcome[:90]}", flush=True)


def main(names: list[str]) -> None:
    print(f"load {os.getloadavg()[0]:.2f}; case, upload size, parse time, peak memory above the "
          "process's before the parse (the process's peak), outcome")
    with tempfile.TemporaryDirectory() as folder:
        for name in names or list(CASES):
            print(f"# {CASES[name][0]}", flush=True)
            path = Path(folder) / name
            path.write_bytes(CASES[name][1]())  # built here: the child measures the parse alone
            subprocess.run([sys.executable, __file__, "--one", name, str(path)], cwd=ROOT, check=False)
            path.unlink()
    print(f"load {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--one"]:
        run_one(sys.argv[2], sys.argv[3])
    else:
        main(sys.argv[1:])
