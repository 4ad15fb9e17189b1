"""Benchmark: wall time and peak RSS, cold process by cold process.

For each size (bundled package, then 10^3 ... 10^6 outcome rows made by
``generate.py``) it runs, interleaved round by round so that machine noise
falls on every command alike:

- ``jakdata validate PKG``            vs ``frictionless validate PKG/datapackage.json``
- ``bench/floor_polars.py PKG``       (the same checks hand-written in polars)
- ``import jakdata; jakdata.load(PKG)`` vs a bare ``pandas.read_csv`` of the same files

and prints a Markdown table of medians (min-max), ratios and the machine.
The order of the commands is shuffled (seeded) from round to round, with a
pause of ``SETTLE`` seconds before each, so that none always runs after the
same one.

    python bench/run.py [--sizes 1000,10000,100000,1000000] [--repeats 5]
                        [--frictionless-repeats-at-1m 3] [--json OUT]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
PY = sys.executable
SETTLE = 1.0  # seconds between commands, for the previous one's memory to be returned

LOAD = "import sys, jakdata; jakdata.load(sys.argv[1])"
PANDAS = (
    "import sys, json, pathlib, pandas as pd; root = pathlib.Path(sys.argv[1]); "
    "d = json.loads((root / 'datapackage.json').read_text()); "
    "[pd.read_csv(root / r['path']) for r in d['resources']]"
)


def commands(pkg: Path) -> dict[str, list[str]]:
    fl = Path(PY).with_name("frictionless")
    return {
        "jakdata validate": [PY, "-m", "jakdata", "validate", str(pkg)],
        "frictionless validate": [str(fl), "validate", str(pkg / "datapackage.json")],
        "polars floor": [PY, str(HERE / "floor_polars.py"), str(pkg)],
        "jakdata.load()": [PY, "-c", LOAD, str(pkg)],
        "pandas read_csv": [PY, "-c", PANDAS, str(pkg)],
    }


def measure(cmd: list[str]) -> tuple[float, float, int]:
    """Wall seconds, peak RSS in MiB of the child, exit code."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd="/")
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.stderr:
        proc.stderr.close()
    if proc.returncode not in (0,):
        raise SystemExit(f"{' '.join(cmd)} exited {proc.returncode}:\n{err[-2000:]}")
    return wall, usage.ru_maxrss / 1024, proc.returncode


def csv_bytes(pkg: Path) -> int:
    d = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
    return sum((pkg / r["path"]).stat().st_size for r in d["resources"])


def fmt(xs: list[float], unit: str = "s") -> str:
    med = statistics.median(xs)
    if unit == "s":
        return f"{med:.2f} ({min(xs):.2f}–{max(xs):.2f})"
    return f"{med:.0f} ({min(xs):.0f}–{max(xs):.0f})"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1000,10000,100000,1000000")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--repeats-at-1m", type=int, default=3)
    ap.add_argument("--json", type=Path, default=OUT / "results.json")
    a = ap.parse_args()

    # Packages are generated in child processes: a child's peak RSS on Linux
    # starts from its parent's at fork, so this process must stay small.
    root = subprocess.run(
        [PY, "-c", "from jakdata.package.descriptor import bundled_root; print(bundled_root())"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    packages = {"bundled": Path(root)}
    for n in (int(x) for x in a.sizes.split(",") if x):
        pkg = OUT / f"n{n}"
        if not (pkg / "datapackage.json").exists():
            print(f"generating {n} outcome rows ...", file=sys.stderr)
            subprocess.run([PY, str(HERE / "generate.py"), str(n), str(pkg)], check=True, stdout=subprocess.DEVNULL)
        packages[f"{n:,}"] = pkg

    results = {}
    for label, pkg in packages.items():
        cmds = commands(pkg)
        with open(pkg / "data" / "outcomes.csv", "rb") as fh:
            rows = sum(1 for _ in fh) - 1
        repeats = a.repeats_at_1m if rows >= 1_000_000 else a.repeats
        runs = {name: {"wall": [], "rss": []} for name in cmds}
        order = list(cmds)
        shuffle = random.Random(20261123)
        for _round in range(repeats):
            # A fresh order each round (seeded: the run can be repeated): a
            # command run right after a large one is slowed (measured: a cold
            # load of 10^6 rows took 1.88 s right after the polars floor,
            # 1.47 s after another load), so no command may always follow
            # the same one. (Rotating a fixed order would keep predecessors.)
            shuffle.shuffle(order)
            for name in list(order):
                cmd = cmds[name]
                time.sleep(SETTLE)
                wall, rss, _ = measure(cmd)
                runs[name]["wall"].append(wall)
                runs[name]["rss"].append(rss)
                print(f"{label:>10} {name:<22} {wall:7.2f} s {rss:7.0f} MiB", file=sys.stderr)
        results[label] = {"outcome_rows": rows, "csv_bytes": csv_bytes(pkg), "runs": runs}

    machine = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "processor": platform.processor() or platform.machine(),
        "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
    }
    a.json.parent.mkdir(parents=True, exist_ok=True)
    a.json.write_text(json.dumps({"machine": machine, "results": results}, indent=1), encoding="utf-8")
    print(report(machine, results))
    return 0


def report(machine: dict, results: dict) -> str:
    med = statistics.median
    lines = [
        (
            f"Machine: {machine['cpus']} CPUs, {machine['memory_gib']} GiB, {machine['platform']}, "
            f"Python {machine['python']}."
        ),
        "",
    ]
    lines += [
        (
            "| package | outcome rows | CSV MiB | jakdata validate s | frictionless validate s | polars floor s "
            "| jakdata.load() s | pandas read_csv s |"
        ),
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for label, r in results.items():
        w = {k: v["wall"] for k, v in r["runs"].items()}
        lines.append(
            f"| {label} | {r['outcome_rows']:,} | {r['csv_bytes'] / 2**20:.1f} | "
            + " | ".join(
                fmt(w[k])
                for k in (
                    "jakdata validate",
                    "frictionless validate",
                    "polars floor",
                    "jakdata.load()",
                    "pandas read_csv",
                )
            )
            + " |"
        )
    lines += [
        "",
        "Ratios of medians:",
        "",
        (
            "| package | frictionless ÷ jakdata (≥ 20 at 10^6) | jakdata ÷ polars floor (≤ 2.5) "
            "| jakdata ÷ frictionless (≤ 1.3 bundled) | load ÷ pandas (≤ 1.15) "
            "| validate peak RSS MiB | RSS ÷ CSV bytes (≤ 8) |"
        ),
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for label, r in results.items():
        w = {k: med(v["wall"]) for k, v in r["runs"].items()}
        rss = med(r["runs"]["jakdata validate"]["rss"])
        lines.append(
            f"| {label} | {w['frictionless validate'] / w['jakdata validate']:.1f} | "
            f"{w['jakdata validate'] / w['polars floor']:.2f} | "
            f"{w['jakdata validate'] / w['frictionless validate']:.2f} | "
            f"{w['jakdata.load()'] / w['pandas read_csv']:.2f} | {rss:.0f} | "
            f"{rss * 2**20 / r['csv_bytes']:.1f} |"
        )
    sizes = [
        (r["outcome_rows"], med(r["runs"]["jakdata validate"]["wall"])) for k, r in results.items() if k != "bundled"
    ]
    if len(sizes) >= 2:
        lines += [
            "",
            "Growth of `jakdata validate` (median time per 10× rows): "
            + ", ".join(f"{b[0]:,}/{a[0]:,}: ×{b[1] / a[1]:.1f}" for a, b in itertools.pairwise(sizes)),
        ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
