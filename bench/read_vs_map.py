"""What reading files into memory costs against memory-mapping them.

Runs ``jakdata validate PKG`` cold, alternating (order shuffled each round,
a pause before each run) between the code as it is (each CSV read into a
``bytes`` object) and the same code with files of 1 MiB or more
memory-mapped, as the validator did up to 0.3.1. Prints the medians.

    python bench/read_vs_map.py bench/out/n1000000 [--repeats 5]

The mapped variant exists here only, to measure it: a mapped file that
another program truncates kills the process with SIGBUS.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

MAPPED = """
import mmap, os, sys
from jakdata.table import read

class Mapped(mmap.mmap):
    def isspace(self):  # bytes.isspace, which sniff() uses; a map has none
        return bytes(self[:1 << 16]).isspace() and bytes(self).isspace()

real = read.read_bytes

def read_bytes(path, shown=None, *args, **kwargs):
    if os.path.getsize(path) >= 1 << 20:
        with open(path, "rb") as fh:
            return Mapped(fh.fileno(), 0, access=mmap.ACCESS_READ)
    return real(path, shown, *args, **kwargs)

read.read_bytes = read_bytes
from jakdata.cli import main
sys.exit(main(["validate", sys.argv[1]]))
"""
READ = "import sys; from jakdata.cli import main; sys.exit(main(['validate', sys.argv[1]]))"


def wall(code: str, pkg: Path) -> float:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code, str(pkg)], stdout=subprocess.DEVNULL, cwd="/")
    if done.returncode != 0:
        raise SystemExit(f"validate exited {done.returncode}")
    return time.perf_counter() - start


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("package", type=Path)
    ap.add_argument("--repeats", type=int, default=5)
    a = ap.parse_args()
    runs: dict[str, list[float]] = {"read (now)": [], "memory map (before)": []}
    codes = {"read (now)": READ, "memory map (before)": MAPPED}
    order = list(runs)
    shuffle = random.Random(20261130)
    for _ in range(a.repeats):
        shuffle.shuffle(order)
        for name in order:
            time.sleep(1.0)
            runs[name].append(wall(codes[name], a.package.resolve()))
            print(f"{name:<20} {runs[name][-1]:6.2f} s", file=sys.stderr)
    for name, xs in runs.items():
        print(f"{name}: median {statistics.median(xs):.2f} s (min {min(xs):.2f}, max {max(xs):.2f}, n={len(xs)})")
    m = {k: statistics.median(v) for k, v in runs.items()}
    print(f"read ÷ memory map: {m['read (now)'] / m['memory map (before)']:.2f}; load average {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
