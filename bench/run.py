"""Run every benchmark and rewrite the results table in bench/README.md.

Each benchmark is a case in ``bench/cases.py``: a function that does the work once and returns a
dict of extra figures (throughput, agreement, counts).  Every repetition runs in a fresh Python
process under ``/usr/bin/time -v`` so wall time and peak memory (max RSS) are measured by a public
tool and one case's caches or allocations cannot flatter another.  We report the median of the
repetitions; ratios (e.g. fast vs reference tokenizer) are computed from figures measured in the
same process, never across runs.

Usage::

    python bench/run.py                 # all cases, default repetitions
    python bench/run.py tokenizer rank  # only these cases
    python bench/run.py --repeat 1      # quicker, noisier
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
HOME = BENCH.parent
README = BENCH / "README.md"
RESULTS = BENCH / "results"
BEGIN, END = "<!-- results:begin -->", "<!-- results:end -->"

sys.path.insert(0, str(BENCH))
import cases  # noqa: E402


def _time_v(argv: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Run ``argv`` under /usr/bin/time -v; return (wall seconds, max RSS MiB, stdout)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
        if Path("/usr/bin/time").exists():
            full = ["/usr/bin/time", "-v", "-o", report.name, *argv]
        else:  # still measured, with Python's own clock and getrusage
            full = argv
        start = time.perf_counter()
        proc = subprocess.run(full, capture_output=True, text=True, env=env, cwd=HOME)
        wall = time.perf_counter() - start
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(argv)} failed:\n{proc.stderr[-3000:]}")
        text = report.read()
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
    elapsed = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", text)
    if elapsed:
        hours, minutes, seconds = elapsed.groups()
        wall = int(hours or 0) * 3600 + int(minutes) * 60 + float(seconds)
    return wall, (int(rss.group(1)) / 1024 if rss else float("nan")), proc.stdout


def run_case(name: str, repeat: int) -> dict:
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    walls, rsss, extras = [], [], []
    for _ in range(repeat):
        wall, rss, out = _time_v([sys.executable, str(BENCH / "cases.py"), name], env)
        walls.append(wall)
        rsss.append(rss)
        extras.append(json.loads(out.strip().splitlines()[-1]))
    figures = {
        k: statistics.median([e[k] for e in extras])
        if isinstance(extras[0][k], (int, float)) and not isinstance(extras[0][k], bool)
        else extras[-1][k]
        for k in extras[0]
    }
    return {
        "case": name,
        "repeat": repeat,
        "wall_s": statistics.median(walls),
        "max_rss_mib": max(rsss),
        **figures,
    }


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}, {cpu}, "
        f"{os.cpu_count()} cores, {mem:.0f} GiB RAM"
    )


def render(results: list[dict], when: str) -> str:
    lines = [
        f"Run {when} on {machine()}.",
        "",
        "| case | goal | result | wall (median) | peak RSS | notes |",
        "|---|---|---|---|---|---|",
    ]
    for r in results:
        spec = cases.CASES[r["case"]]
        lines.append(
            f"| {r['case']} | {spec.goal} | {spec.verdict(r)} | {r['wall_s']:.1f} s | "
            f"{r['max_rss_mib']:.0f} MiB | {spec.describe(r)} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", nargs="*", help=f"cases to run (default all: {', '.join(cases.CASES)})")
    parser.add_argument("--repeat", type=int, default=3, help="repetitions per case (median reported)")
    args = parser.parse_args(argv)
    names = args.cases or list(cases.CASES)
    results = []
    for name in names:
        spec = cases.CASES[name]
        print(f"bench: {name} x{min(args.repeat, spec.max_repeat)} ...", flush=True)
        results.append(run_case(name, min(args.repeat, spec.max_repeat)))
        print(f"bench: {name}: {cases.CASES[name].describe(results[-1])}", flush=True)
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{time.strftime('%Y%m%dT%H%M%S', time.gmtime())}.json").write_text(
        json.dumps({"machine": machine(), "when": when, "results": results}, ensure_ascii=False, indent=2)
    )
    if set(names) == set(cases.CASES):
        text = README.read_text(encoding="utf-8")
        head, rest = text.split(BEGIN, 1)
        tail = rest.split(END, 1)[1]
        README.write_text(f"{head}{BEGIN}\n{render(results, when)}\n{END}{tail}", encoding="utf-8")
        print(f"bench: table written to {README.relative_to(HOME)}")
    else:
        print(render(results, when))
    return 0


if __name__ == "__main__":
    sys.exit(main())
