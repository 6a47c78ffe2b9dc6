"""The list of benchmarks and the table they print."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Row:
    benchmark: str
    measure: str
    value: float
    unit: str
    target: str = ""
    failed: bool = False

    def formatted(self) -> str:
        return f"{self.value:,.1f}" if isinstance(self.value, float) else f"{self.value:,}"


@dataclass
class Benchmark:
    name: str
    run: Callable[[], list[Row]]


def _load() -> list[Benchmark]:
    from . import audit, cases, hotline, load, pages, powers, queues

    return [
        Benchmark("audit", audit.run),
        Benchmark("powers", powers.run),
        Benchmark("cases", cases.run),
        Benchmark("queues", queues.run),
        Benchmark("pages", pages.run),
        Benchmark("hotline", hotline.run),
        Benchmark("load", load.run),
    ]


BENCHMARKS: list[Benchmark] = _load()


def _width(text: str) -> int:
    """Columns a text takes in a terminal (Chinese characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def print_table(rows: list[Row]) -> None:
    headers = ["benchmark", "measure", "value", "unit", "target", "ok"]
    table = [[r.benchmark, r.measure, r.formatted(), r.unit, r.target, "FAIL" if r.failed else "ok"] for r in rows]
    widths = [max(_width(str(x)) for x in col) for col in zip(headers, *table, strict=False)]

    def line(cells):
        padded = (str(c) + " " * (w - _width(str(c))) for c, w in zip(cells, widths, strict=False))
        return "| " + " | ".join(padded) + " |"

    print(line(headers))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in table:
        print(line(row))
