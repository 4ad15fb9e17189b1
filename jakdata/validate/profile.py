"""The Data Package profile check, run by frictionless (the reference
implementation) — in this process, or in a child process so that importing
frictionless (most of a small validation's cost) runs on another core while
the tables are read and checked.

    python -m jakdata.validate.profile < {"descriptor": {...}, "basepath": "..."}

prints a JSON list of messages.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from jakdata.package.descriptor import Package


def messages(descriptor: dict, basepath: str) -> list[str]:
    from frictionless import Package as FPackage

    report = FPackage.validate_descriptor(descriptor, basepath=basepath)
    return [getattr(err, "note", "") or err.message for err in report.errors]


def in_child(package: Package) -> list[str]:
    """:func:`messages` computed by a child Python process; in this process
    if the child cannot be run or fails."""
    request = json.dumps({"descriptor": package.descriptor, "basepath": str(package.root)})
    try:
        done = subprocess.run(
            [sys.executable, "-m", "jakdata.validate.profile"],
            input=request,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=120,
        )
        if done.returncode == 0:
            return json.loads(done.stdout)
    except (OSError, subprocess.SubprocessError, ValueError):
        pass
    return messages(package.descriptor, str(package.root))


def main() -> int:
    request = json.load(sys.stdin)
    json.dump(messages(request["descriptor"], request["basepath"]), sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
