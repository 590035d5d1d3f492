"""`make bench-growth` (`python -m bench.growth`): the benchmark on the province (1×) and on one five
times larger (5×: 500 departments, 250,000 items, 1,000,000 matters), each in its own process, then one
table of every figure at 1× and 5× and how much it grew, against bench/targets.py's GROWTH. Exits 1
when a figure grew more than its target allows or a run failed."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time

from .targets import GROWTH, GROWTH_FACTOR, GROWTH_MINUTES


def _run(growth: int, folder: str) -> dict:
    out = os.path.join(folder, f"bench-{growth}x.json")
    print(f"=== {growth}× ===", flush=True)
    subprocess.run([sys.executable, "-m", "bench", "--growth", str(growth), "--json", out], check=False)
    with open(out) as fh:
        return json.load(fh)


def grown(figure_1: dict, figure_n: dict) -> float | None:
    """The slowdown of a rate, or the growth of a time, from the small province to the large one."""
    a, b = figure_1.get("value"), figure_n.get("value")
    if not a or not b:
        return None
    return a / b if figure_1["higher_is_better"] else b / a


def main() -> int:
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="portal-growth-") as folder:
        small, large = _run(1, folder), _run(GROWTH_FACTOR, folder)
    by_key = {f["key"]: f for f in large["figures"] if f["key"]}
    print(f"\n{'figure':52s} {'1×':>12s} {f'{GROWTH_FACTOR}×':>12s} {'grew':>6s} {'target':>7s}")
    failed = False
    for f in small["figures"]:
        other = by_key.get(f["key"])
        if not f["key"] or other is None:
            continue
        factor = grown(f, other)
        limit = GROWTH.get(f["key"])
        ok = factor is not None and (limit is None or factor <= limit)
        failed |= limit is not None and not ok
        value = (lambda x: "—" if x is None else f"{x:,.2f}")
        print(f"{f['name'][:52]:52s} {value(f['value']):>12s} {value(other['value']):>12s} "
              f"{'—' if factor is None else f'{factor:.2f}':>6s} {'≤ %g' % limit if limit else '':>7s} "
              f"{'✓' if ok and limit else ('✗' if limit else '')}")
    minutes = (time.perf_counter() - started) / 60
    print(f"(both runs took {minutes:.1f} min; limit {GROWTH_MINUTES} min)")
    if minutes > GROWTH_MINUTES:
        failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
