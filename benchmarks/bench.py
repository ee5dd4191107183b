"""`make bench`: every benchmark once, one table of figure, value, floor,
ratio and the bar it must hold — with the machine it ran on.

    python benchmarks/bench.py            # every benchmark
    python benchmarks/bench.py read_layer signin_sheet_pdf

Each script runs as its own process (BENCH_ROWS=1) with the arguments below;
its full output goes to out/bench/<name>.log. Asserts nothing: the figures
are read by people, medians of several runs, ratios rather than times.
"""
from __future__ import annotations

import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.table import PREFIX  # noqa: E402

BENCHMARKS = {  # name → arguments (each a few minutes at most: the whole table in under 15)
    "read_layer": ["--rounds", "3", "--small", "200", "--large", "20000"],
    "checkin_statements": [],
    "checkin_http": ["--rounds", "3", "--workers", "3", "--threads", "4", "--staff-clients", "16"],
    "signin_sheet_pdf": ["--runs", "7", "--sizes", "60"],
    "run_jobs": ["--meetings", "600", "--repeat", "5"],
    "reports": ["--rounds", "3", "--small", "200", "--large", "20000"],
    "evaluation": [],
}


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    return f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, load {load}"


def main(names: list[str]) -> int:
    logs = ROOT / "out" / "bench"
    logs.mkdir(parents=True, exist_ok=True)
    rows, failed = [], []
    print(f"machine: {machine()}", flush=True)
    for name in names or [n for n in BENCHMARKS if (ROOT / "benchmarks" / f"{n}.py").exists()]:
        started = time.monotonic()
        with open(logs / f"{name}.log", "w") as log:
            done = subprocess.run([sys.executable, f"benchmarks/{name}.py", *BENCHMARKS.get(name, [])],
                                  cwd=ROOT, env={**os.environ, "BENCH_ROWS": "1"}, stdout=subprocess.PIPE,
                                  stderr=log, text=True)
            log.write(done.stdout)
        mine = [line[len(PREFIX):].split("\t") for line in done.stdout.splitlines() if line.startswith(PREFIX)]
        rows += mine
        state = "ok" if done.returncode == 0 else f"FAILED ({done.returncode}, see out/bench/{name}.log)"
        if done.returncode:
            failed.append(name)
        print(f"  {name}: {len(mine)} figures in {time.monotonic() - started:.0f} s, {state}", flush=True)
    heads = ["figure", "value", "floor", "ratio", "bar"]
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(heads)]
    print()
    print("| " + " | ".join(h.ljust(w) for h, w in zip(heads, widths)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for r in rows:
        print("| " + " | ".join(c.ljust(w) for c, w in zip(r, widths)) + " |")
    print(f"\nmachine at the end: {machine()}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
