"""The package descriptor: where the package is, what it declares.

Reads ``datapackage.json`` and the Table Schemas it references with the
standard library only (cheap at import). Every resource path is checked to
stay inside the package directory: absolute paths, ``..`` and URLs are
refused, never read or fetched.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import Any

from jakdata.errors import UnusableInput

DESCRIPTOR = "datapackage.json"
_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")


def bundled_root() -> Path:
    """Directory holding the bundled ``datapackage.json``.

    In an installed wheel it is ``jakdata/_package``; in a source checkout
    (editable install or running from the repository) the repository root.
    """
    here = Path(__file__).resolve().parent
    packaged = here / "_package"
    if (packaged / DESCRIPTOR).is_file():
        return packaged
    return here.parent


@lru_cache(maxsize=1)
def bundled_version() -> str:
    return read_json(bundled_root() / DESCRIPTOR)["version"]


def read_json(path: Path) -> Any:
    try:
        text = path.read_bytes()
    except FileNotFoundError:
        raise UnusableInput("file not found", str(path)) from None
    except IsADirectoryError:
        raise UnusableInput("is a directory, not a JSON file", str(path)) from None
    except OSError as exc:
        raise UnusableInput(f"cannot be read ({exc.strerror})", str(path)) from None
    try:
        return json.loads(text.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise UnusableInput(f"not UTF-8 text (byte {exc.start})", str(path)) from None
    except json.JSONDecodeError as exc:
        raise UnusableInput(
            f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}", str(path)
        ) from None


def locate(path: str | Path | None) -> Path:
    """Resolve a user's PATH (directory or descriptor file) to the descriptor."""
    if path is None:
        return bundled_root() / DESCRIPTOR
    p = Path(path)
    if p.is_dir():
        p = p / DESCRIPTOR
        if not p.is_file():
            raise UnusableInput(f"no {DESCRIPTOR} in this directory", str(p.parent))
        return p
    if not p.exists():
        raise UnusableInput("no such file or directory", str(p))
    if p.suffix.lower() != ".json":
        raise UnusableInput(f"is not a {DESCRIPTOR}: give the package directory or its {DESCRIPTOR}", str(p))
    return p


def safe_relative(root: Path, ref: Any, what: str, owner: str) -> Path:
    """Resolve a path the descriptor declares, refusing anything that
    could leave the package directory or reach the network."""
    where = f"{owner}: {what}"
    if not isinstance(ref, str) or not ref:
        raise UnusableInput(f"{where} must be a relative path, got {ref!r}")
    if _URL.match(ref):
        raise UnusableInput(f"{where} {ref!r} is a URL; remote resources are never fetched")
    pure = PurePosixPath(ref.replace("\\", "/"))
    if pure.is_absolute() or re.match(r"^[a-zA-Z]:", ref):
        raise UnusableInput(f"{where} {ref!r} is an absolute path; only paths inside the package are read")
    if ".." in pure.parts:
        raise UnusableInput(f"{where} {ref!r} climbs out of the package with '..'")
    full = (root / pure).resolve()
    try:
        full.relative_to(root.resolve())
    except ValueError:
        raise UnusableInput(f"{where} {ref!r} resolves outside the package") from None
    return full


@dataclass
class Resource:
    """One table of the package, with its schema already read."""

    name: str
    path: Path
    relpath: str
    schema: dict[str, Any]
    descriptor: dict[str, Any] = field(repr=False)

    @property
    def fields(self) -> list[dict[str, Any]]:
        return self.schema.get("fields", [])

    @property
    def field_names(self) -> list[str]:
        return [f["name"] for f in self.fields]


@dataclass
class Package:
    root: Path
    path: Path
    descriptor: dict[str, Any]
    resources: dict[str, Resource]

    @property
    def name(self) -> str | None:
        return self.descriptor.get("name")

    @property
    def version(self) -> str | None:
        return self.descriptor.get("version")


def open_package(path: str | Path | None = None) -> Package:
    """Read the descriptor at ``path`` (default: bundled) and its schemas.

    Raises :class:`UnusableInput` when the descriptor or a schema cannot be
    read, or a resource is not a safe local tabular file.
    """
    desc_path = locate(path)
    descriptor = read_json(desc_path)
    if not isinstance(descriptor, dict):
        raise UnusableInput("the descriptor must be a JSON object", str(desc_path))
    root = desc_path.parent
    raw = descriptor.get("resources")
    if not isinstance(raw, list) or not raw:
        raise UnusableInput("the descriptor declares no resources", str(desc_path))
    resources: dict[str, Resource] = {}
    for i, res in enumerate(raw):
        if not isinstance(res, dict) or not isinstance(res.get("name"), str):
            raise UnusableInput(f"resources[{i}] has no name", str(desc_path))
        name = res["name"]
        if "data" in res and "path" not in res:
            raise UnusableInput(f"resource {name!r}: inline data is not supported", str(desc_path))
        ref = res.get("path")
        if isinstance(ref, list):
            raise UnusableInput(f"resource {name!r}: multipart paths are not supported", str(desc_path))
        full = safe_relative(root, ref, "path", f"resource {name!r}")
        schema = res.get("schema")
        if isinstance(schema, str):
            schema_path = safe_relative(root, schema, "schema", f"resource {name!r}")
            schema = read_json(schema_path)
        if not isinstance(schema, dict) or not isinstance(schema.get("fields"), list):
            raise UnusableInput(f"resource {name!r}: schema has no fields", str(desc_path))
        if name in resources:
            raise UnusableInput(f"resource name {name!r} is declared twice", str(desc_path))
        resources[name] = Resource(name, full, ref, schema, res)
    return Package(root, desc_path, descriptor, resources)
