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
                        [--repeats-at-1m 3] [--json OUT]
                        [--only "jakdata validate,frictionless validate"]
                        [--baseline DIR]

``--baseline DIR`` adds ``jakdata validate`` run on the code in DIR (a
checkout of an earlier commit, e.g. ``git worktree add DIR COMMIT`` or
``git archive COMMIT | tar -x -C DIR``; put first on ``PYTHONPATH``), in
the same rounds: a before/after measured side by side.
"""

from __future__ import annotations

import argparse
import compileall
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
#: after a command of LONG seconds or more (frictionless at 10^6 rows: 65 s on
#: one core), a longer pause: a run right after it was slowed by a second or
#: more (3.1-3.7 s between other commands, 4.2-4.6 s right after it)
LONG, SETTLE_LONG = 10.0, 20.0

LOAD = "import sys, jakdata; jakdata.load(sys.argv[1])"
PANDAS = (
    "import sys, json, pathlib, pandas as pd; root = pathlib.Path(sys.argv[1]); "
    "d = json.loads((root / 'datapackage.json').read_text()); "
    "[pd.read_csv(root / r['path']) for r in d['resources']]"
)


BEFORE = "jakdata validate (baseline)"


def commands(pkg: Path, baseline: Path | None = None) -> dict[str, list[str]]:
    fl = Path(PY).with_name("frictionless")
    before = {BEFORE: [PY, "-m", "jakdata", "validate", str(pkg)]} if baseline else {}
    return before | {
        "jakdata validate": [PY, "-m", "jakdata", "validate", str(pkg)],
        "frictionless validate": [str(fl), "validate", str(pkg / "datapackage.json")],
        "polars floor": [PY, str(HERE / "floor_polars.py"), str(pkg)],
        "jakdata.load()": [PY, "-c", LOAD, str(pkg)],
        "pandas read_csv": [PY, "-c", PANDAS, str(pkg)],
    }


def measure(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float, int]:
    """Wall seconds, peak RSS in MiB of the child, exit code."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd="/", env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.stderr:
        proc.stderr.close()
    if proc.returncode not in (0,):
        raise SystemExit(f"{' '.join(cmd)} exited {proc.returncode}:\n{err[-2000:]}")
    return wall, usage.ru_maxrss / 1024, proc.returncode


def ask(code: str) -> str:
    """What a child Python running ``code`` prints (this process stays small)."""
    return subprocess.run([PY, "-c", code], capture_output=True, text=True, check=True).stdout.strip()


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
    ap.add_argument("--only", default="", help="comma-separated commands to run (default: all)")
    ap.add_argument("--baseline", type=Path, default=None, help="also run `jakdata validate` on the code in DIR")
    a = ap.parse_args()
    baseline_env = None
    if a.baseline:
        where = str(a.baseline.resolve())
        paths = [where, os.environ.get("PYTHONPATH", "")]
        baseline_env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in paths if p)}

    # Bytecode compiled first, as an installed package has it: with
    # PYTHONDONTWRITEBYTECODE set (as on this machine) an editable install or
    # a baseline directory would otherwise compile every module on every run.
    code = ask("import jakdata, os; print(os.path.dirname(jakdata.__file__))")
    for where in [Path(code)] + ([a.baseline / "jakdata"] if a.baseline else []):
        compileall.compile_dir(str(where), quiet=1)

    # Packages are generated in child processes: a child's peak RSS on Linux
    # starts from its parent's at fork, so this process must stay small.
    root = ask("from jakdata.package.descriptor import bundled_root; print(bundled_root())")
    packages = {"bundled": Path(root)}
    for n in (int(x) for x in a.sizes.split(",") if x):
        pkg = OUT / f"n{n}"
        if not (pkg / "datapackage.json").exists():
            print(f"generating {n} outcome rows ...", file=sys.stderr)
            subprocess.run([PY, str(HERE / "generate.py"), str(n), str(pkg)], check=True, stdout=subprocess.DEVNULL)
        packages[f"{n:,}"] = pkg

    results = {}
    loads: list[float] = []
    for label, pkg in packages.items():
        cmds = commands(pkg, a.baseline)
        if a.only:
            keep = {x.strip() for x in a.only.split(",")} | {BEFORE}
            cmds = {k: v for k, v in cmds.items() if k in keep}
        with open(pkg / "data" / "outcomes.csv", "rb") as fh:
            rows = sum(1 for _ in fh) - 1
        repeats = a.repeats_at_1m if rows >= 1_000_000 else a.repeats
        if repeats < 1:
            continue
        runs = {name: {"wall": [], "rss": []} for name in cmds}
        order = list(cmds)
        shuffle = random.Random(20261123)
        previous = 0.0
        orders = list(itertools.permutations(order)) if len(order) <= 4 else []
        shuffle.shuffle(orders)
        for _round in range(repeats):
            # A fresh order each round: a command run right after a large one
            # is slowed (measured: a cold load of 10^6 rows took 1.88 s right
            # after the polars floor, 1.47 s after another load; a validation
            # right after frictionless at 10^6 took 4.1-5.6 s where the others
            # took 3.3-3.7), so no command may follow the same one more often
            # than another: with up to four commands the rounds go through
            # every order (a seeded shuffle had put `jakdata validate` right
            # after frictionless in 9 of 12 rounds), beyond that a seeded
            # shuffle per round.
            if orders:
                order = list(orders[_round % len(orders)])
            else:
                shuffle.shuffle(order)
            for name in list(order):
                cmd = cmds[name]
                time.sleep(SETTLE if previous < LONG else SETTLE_LONG)
                loads.append(os.getloadavg()[0])
                wall, rss, _ = measure(cmd, baseline_env if name == BEFORE else None)
                previous = wall
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
    machine["load_range"] = (min(loads), max(loads))  # 1-minute load average before each command
    a.json.parent.mkdir(parents=True, exist_ok=True)
    a.json.write_text(json.dumps({"machine": machine, "results": results}, indent=1), encoding="utf-8")
    print(report(machine, results))
    return 0


NAMES = (
    BEFORE,
    "jakdata validate",
    "frictionless validate",
    "polars floor",
    "jakdata.load()",
    "pandas read_csv",
)


def report(machine: dict, results: dict) -> str:
    med = statistics.median
    lo, hi = machine.get("load_range", (None, None))
    lines = [
        (
            f"Machine: {machine['cpus']} CPUs, {machine['memory_gib']} GiB, {machine['platform']}, "
            f"Python {machine['python']}."
            + (f" Load average (1 min) during the run: {lo:.1f}–{hi:.1f}." if lo is not None else "")
        ),
        "",
    ]
    ran = [n for n in NAMES if any(n in r["runs"] for r in results.values())]
    lines += [
        "| package | outcome rows | CSV MiB | " + " | ".join(f"{n} s" for n in ran) + " |",
        "| --- | ---: | ---: |" + " ---: |" * len(ran),
    ]
    for label, r in results.items():
        w = {k: v["wall"] for k, v in r["runs"].items()}
        lines.append(
            f"| {label} | {r['outcome_rows']:,} | {r['csv_bytes'] / 2**20:.1f} | "
            + " | ".join(fmt(w[k]) if k in w else "" for k in ran)
            + " |"
        )
    ratios = {
        "frictionless ÷ jakdata (≥ 20 at 10^6)": ("frictionless validate", "jakdata validate", ".1f"),
        "frictionless ÷ baseline": ("frictionless validate", BEFORE, ".1f"),
        "baseline ÷ jakdata": (BEFORE, "jakdata validate", ".2f"),
        "jakdata ÷ polars floor (≤ 2.5)": ("jakdata validate", "polars floor", ".2f"),
        "jakdata ÷ frictionless (≤ 1.0 bundled)": ("jakdata validate", "frictionless validate", ".2f"),
        "load ÷ pandas (≤ 1.15)": ("jakdata.load()", "pandas read_csv", ".2f"),
    }
    ratios = {k: v for k, v in ratios.items() if v[0] in ran and v[1] in ran}
    lines += [
        "",
        "Ratios of medians:",
        "",
        "| package | " + " | ".join(ratios) + " | validate peak RSS MiB | RSS ÷ CSV bytes (≤ 8) |",
        "| --- |" + " ---: |" * (len(ratios) + 2),
    ]
    for label, r in results.items():
        w = {k: med(v["wall"]) for k, v in r["runs"].items()}
        rss = med(r["runs"]["jakdata validate"]["rss"]) if "jakdata validate" in r["runs"] else float("nan")
        lines.append(
            f"| {label} | "
            + " | ".join(f"{w[a] / w[b]:{spec}}" for a, b, spec in ratios.values())
            + f" | {rss:.0f} | {rss * 2**20 / r['csv_bytes']:.1f} |"
        )
    sizes = [
        (r["outcome_rows"], med(r["runs"]["jakdata validate"]["wall"]))
        for k, r in results.items()
        if k != "bundled" and "jakdata validate" in r["runs"]
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
