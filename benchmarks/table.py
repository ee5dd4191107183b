"""The one table `make bench` prints: figure, value, floor, ratio, bar.

Each benchmark script reports its headline figures through `row()`; run
alone it prints them readably, under `benchmarks/bench.py` (which sets
BENCH_ROWS=1) as tab-separated lines that the runner gathers into one table.
A ratio compares a figure with a floor measured in the same run on the same
machine, so a loaded or slow machine moves both; `bar` is the issue's target."""
from __future__ import annotations

import os

PREFIX = "ROW\t"


def row(figure: str, value: float, floor: float | None = None, bar: str = "", unit: str = "") -> None:
    """One figure; with a floor, its ratio to the floor."""
    ratio = value / floor if floor else None
    if os.environ.get("BENCH_ROWS"):
        print(PREFIX + "\t".join([figure, _num(value, unit), _num(floor, unit) if floor is not None else "",
                                  f"{ratio:.2f}" if ratio is not None else "", bar]), flush=True)
    else:
        tail = f" / {_num(floor, unit)} = {ratio:.2f}×" if ratio is not None else ""
        print(f"{figure}: {_num(value, unit)}{tail}  (bar {bar})" if bar else f"{figure}: {_num(value, unit)}{tail}",
              flush=True)


def _num(value: float, unit: str) -> str:
    if float(value).is_integer():
        return f"{int(value)}{unit}"
    return f"{value:.2f}{unit}" if abs(value) >= 0.1 else f"{value:.3f}{unit}"
