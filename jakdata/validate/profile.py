"""The Data Package profile check, run by frictionless (the reference
implementation) — offline, and on nothing but the package itself.

frictionless fetches a ``profile`` that is a URL and reads one that is a
path (relative to the current directory), and it reads a resource's
``schema`` or ``dialect`` given as a path or URL. Validation must never
touch the network nor read outside the package, so frictionless is handed
a copy of the descriptor that needs nothing from outside (:func:`offline`):

- a **standard** profile — ``data-package``, ``tabular-data-package``,
  ``data-resource``, ``tabular-data-resource``, or the URL of one of them on
  datapackage.org (``/profiles/<any version>/…``) or
  specs.frictionlessdata.io (``/schemas/…``), over http or https — is
  checked against the copy frictionless carries with it (its built-in
  JSON Schema of a package and of a resource; frictionless ships no files
  for them) under the profile's name;
- **any other** ``profile`` or ``$schema`` (another URL, a relative or
  absolute path, ``file:``, ``fiscal-data-package``, which frictionless
  would fetch) is refused: one ``descriptor`` finding naming it, so the
  package is not valid (exit 1), and every other check still runs. It is
  never fetched or read;
- a ``schema`` given as a path is replaced by the schema jakdata already
  read from inside the package; a ``dialect`` given as a path or URL is
  refused like a profile (jakdata reads comma-separated UTF-8 CSV only).

The check runs in this process, or in a child process so that importing
frictionless (most of a small validation's cost) runs on another core
while the tables are read and checked (for a large package, whose checks
keep every core busy, at a lower priority: see :func:`in_child`)::

    python -m jakdata.validate.profile < {"descriptor": {...}, "basepath": "..."}

prints a JSON list of messages. The child also refuses every connection.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from contextlib import suppress
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from jakdata.package.descriptor import Package

#: The standard profiles by level: names frictionless knows, and the URLs of
#: the same profiles (any version), mapped to those names.
NAMED = {
    "package": ("data-package", "tabular-data-package"),
    "resource": ("data-resource", "tabular-data-resource"),
}
_URL = {
    "package": re.compile(
        r"^https?://(?:datapackage\.org/profiles/(?:\d+\.\d+|latest)/(?P<a>tabular)?datapackage\.json"
        r"|specs\.frictionlessdata\.io/schemas/(?P<b>tabular-)?data-package\.json)$"
    ),
    "resource": re.compile(
        r"^https?://(?:datapackage\.org/profiles/(?:\d+\.\d+|latest)/(?P<a>tabular)?dataresource\.json"
        r"|specs\.frictionlessdata\.io/schemas/(?P<b>tabular-)?data-resource\.json)$"
    ),
}


def standard_name(value: str, level: str) -> str | None:
    """The name of the standard profile ``value`` denotes at ``level``
    (``"package"`` or ``"resource"``), or ``None``."""
    if value in NAMED[level]:
        return value
    m = _URL[level].match(value)
    if m is None:
        return None
    tabular = bool(m.group("a") or m.group("b"))
    return NAMED[level][1 if tabular else 0]


def _refusal(key: str, value: Any, where: str) -> str:
    return (
        f"{key} {value!r} of {where} is not a standard Data Package profile; it is never fetched "
        "or read (jakdata checks only the standard profiles, with the copies built into frictionless)"
    )


def _profiles(d: dict[str, Any], level: str, where: str, notes: list[str]) -> None:
    """Replace a standard ``profile`` by its name; refuse and drop any other
    ``profile`` or ``$schema``."""
    value = d.get("profile")
    if isinstance(value, str):
        name = standard_name(value, level)
        if name is None:
            notes.append(_refusal("profile", value, where))
            del d["profile"]
        else:
            d["profile"] = name
    value = d.get("$schema")
    if isinstance(value, str) and _URL[level].match(value) is None:
        notes.append(_refusal("$schema", value, where))
        del d["$schema"]


def offline(package: Package) -> tuple[dict[str, Any], list[str]]:
    """A copy of the descriptor frictionless can check without reading or
    fetching anything, and the refusals (one message each)."""
    notes: list[str] = []
    d = json.loads(json.dumps(package.descriptor))  # a copy (iterative in C: no recursion limit to hit)
    _profiles(d, "package", "the package", notes)
    for res in d.get("resources", []):
        if not isinstance(res, dict):
            continue
        name = res.get("name")
        where = f"resource {name!r}"
        _profiles(res, "resource", where, notes)
        if isinstance(res.get("schema"), str) and name in package.resources:
            res["schema"] = json.loads(json.dumps(package.resources[name].schema))  # read from inside the package
        if isinstance(res.get("dialect"), str):
            notes.append(
                f"dialect {res['dialect']!r} of {where} is a path or URL; it is never fetched or read "
                "(jakdata reads comma-separated UTF-8 CSV: give no dialect)"
            )
            del res["dialect"]
    return d, notes


def messages(descriptor: dict, basepath: str) -> list[str]:
    """frictionless's findings on a descriptor made by :func:`offline`."""
    from frictionless import Package as FPackage

    report = FPackage.validate_descriptor(descriptor, basepath=basepath)
    return [getattr(err, "note", "") or err.message for err in report.errors]


def in_child(descriptor: dict, basepath: str, background: bool = False) -> list[str]:
    """:func:`messages` computed by a child Python process; in this process
    if the child cannot be run or fails.

    ``background`` (a large package, whose checks keep every core busy):
    the child runs at a lower priority (niceness +10, where the system
    allows it). Its answer is needed only once the tables are checked, so it
    takes the CPU time they leave idle instead of slowing them down (at 10^6
    rows, 2.47 s against 2.63 s, medians of ten: see bench/README.md)."""
    request = json.dumps({"descriptor": descriptor, "basepath": basepath})
    try:
        with subprocess.Popen(
            [sys.executable, "-m", "jakdata.validate.profile"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        ) as child:
            if background:
                _lower_priority(child.pid)
            try:
                out, _ = child.communicate(request, timeout=120)
            except subprocess.TimeoutExpired:
                child.kill()
                child.communicate()
                raise
        if child.returncode == 0:
            return json.loads(out)
    except (OSError, subprocess.SubprocessError, ValueError):
        pass
    return messages(descriptor, basepath)


def _lower_priority(pid: int) -> None:
    """Raise a child's niceness by 10 (POSIX; nothing elsewhere, or if refused)."""
    import os

    if hasattr(os, "setpriority"):
        with suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, pid, min(19, os.getpriority(os.PRIO_PROCESS, 0) + 10))


def _no_network() -> None:
    import socket

    def refuse(*_args: Any, **_kwargs: Any) -> Any:
        raise OSError("jakdata's profile check never opens a connection")

    socket.socket.connect = refuse  # type: ignore[method-assign]
    socket.socket.connect_ex = refuse  # type: ignore[method-assign]


def main() -> int:
    _no_network()
    request = json.load(sys.stdin)
    json.dump(messages(request["descriptor"], request["basepath"]), sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
