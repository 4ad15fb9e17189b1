"""The package descriptor: where the package is, what it declares.

Reads ``datapackage.json`` and the Table Schemas it references with the
standard library only (cheap at import). Every resource path is checked to
stay inside the package directory: absolute paths, ``..`` and URLs are
refused, never read or fetched.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from jakdata.errors import UnusableInput
from jakdata.package.files import read_json, safe_relative
from jakdata.package.schema import check_schema

DESCRIPTOR = "datapackage.json"

#: The JSON type of every descriptor property a command reads (Data Package
#: v1 and v2), checked before any of them is read: a ``hash`` that is a
#: number or ``contributors`` that are a string is one line, exit 2.
_OBJECTS = {"name": str, "title": str, "path": str, "email": str, "role": str, "roles": list, "version": str}
PACKAGE_TYPES: dict[str, type | tuple[type, ...]] = {
    "$schema": str,
    "profile": str,
    "name": str,
    "id": str,
    "title": str,
    "description": str,
    "homepage": str,
    "version": str,
    "created": str,
    "image": str,
    "keywords": list,
    "licenses": list,
    "contributors": list,
    "sources": list,
    "resources": list,
}
RESOURCE_TYPES: dict[str, type | tuple[type, ...]] = {
    "$schema": str,
    "profile": str,
    "name": str,
    "path": (str, list),
    "type": str,
    "title": str,
    "description": str,
    "homepage": str,
    "format": str,
    "mediatype": str,
    "encoding": str,
    "bytes": int,
    "hash": str,
    "schema": (str, dict),
    "dialect": (str, dict),
    "sources": list,
    "licenses": list,
}
LIST_ITEMS = {"keywords": str, "licenses": dict, "contributors": dict, "sources": dict}
_JSON = {
    str: "a string",
    int: "a whole number",
    list: "a list",
    dict: "an object",
    float: "a number",
    bool: "true or false",
}


def _json_name(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if value is None:
        return "null"
    return _JSON.get(type(value), type(value).__name__)


def _expect(value: Any, kinds: type | tuple[type, ...], what: str, where: str) -> None:
    kinds = kinds if isinstance(kinds, tuple) else (kinds,)
    if (isinstance(value, bool) and bool not in kinds) or not isinstance(value, kinds):
        wanted = " or ".join(_JSON[k] for k in kinds)
        raise UnusableInput(f"{what} must be {wanted}, not {_json_name(value)}", where)


def check_json_types(d: dict[str, Any], spec: dict[str, type | tuple[type, ...]], prefix: str, where: str) -> None:
    """Raise :class:`UnusableInput` for the first property of ``d`` (a
    package or resource descriptor) whose JSON type is not the spec's."""
    for key, kinds in spec.items():
        if key not in d:
            continue
        what = f"{prefix}{key}"
        _expect(d[key], kinds, what, where)
        item = LIST_ITEMS.get(key)
        if item is None or not isinstance(d[key], list) or key == "resources":
            continue
        for i, v in enumerate(d[key]):
            _expect(v, item, f"{what}[{i}]", where)
            if isinstance(v, dict):
                for k, kind in _OBJECTS.items():
                    if k in v:
                        _expect(v[k], kind, f"{what}[{i}].{k}", where)


def bundled_root() -> Path:
    """Directory holding the bundled ``datapackage.json``.

    In an installed wheel it is ``jakdata/_package``; in a source checkout
    (editable install or running from the repository) the repository root.
    """
    here = Path(__file__).resolve().parent.parent  # the jakdata directory
    packaged = here / "_package"
    if (packaged / DESCRIPTOR).is_file():
        return packaged
    return here.parent


@lru_cache(maxsize=1)
def bundled_version() -> str:
    return str(read_json(bundled_root() / DESCRIPTOR)["version"])


def default_package() -> tuple[Path, str]:
    """The package a command uses when no PATH is given: the one in the
    current directory if it has a ``datapackage.json``, else the bundled
    copy; with a few words saying which."""
    here = Path.cwd() / DESCRIPTOR
    if here.is_file():
        return here, "the package in the current directory"
    return bundled_root() / DESCRIPTOR, "the bundled copy (no datapackage.json in the current directory)"


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

    def own_files(self) -> set[Path]:
        """The package's own files: its descriptor, data files and schemas
        (no output of jakdata may replace one of them)."""
        out = {self.path.resolve()}
        for res in self.resources.values():
            out.add(res.path.resolve())
            schema = res.descriptor.get("schema")
            if isinstance(schema, str):
                out.add((self.root / schema).resolve())
        return out


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
    check_json_types(descriptor, PACKAGE_TYPES, "", str(desc_path))
    raw = descriptor.get("resources")
    if not isinstance(raw, list) or not raw:
        raise UnusableInput("the descriptor declares no resources", str(desc_path))
    resources: dict[str, Resource] = {}
    for i, res in enumerate(raw):
        if not isinstance(res, dict) or not isinstance(res.get("name"), str) or not res["name"]:
            raise UnusableInput(f"resources[{i}] has no name", str(desc_path))
        name = res["name"]
        check_json_types(res, RESOURCE_TYPES, f"resources[{i}].", str(desc_path))
        if "data" in res and "path" not in res:
            raise UnusableInput(f"resource {name!r}: inline data is not supported", str(desc_path))
        ref = res.get("path")
        if isinstance(ref, list):
            raise UnusableInput(f"resource {name!r}: multipart paths are not supported", str(desc_path))
        full = safe_relative(root, ref, "path", f"resource {name!r}")
        schema = res.get("schema")
        schema_path = desc_path
        if isinstance(schema, str):
            schema_path = safe_relative(root, schema, "schema", f"resource {name!r}")
            schema = read_json(schema_path)
        check_schema(schema, name, str(schema_path))
        assert isinstance(schema, dict)
        if name in resources:
            raise UnusableInput(f"resource name {name!r} is declared twice", str(desc_path))
        resources[name] = Resource(name, full, str(ref), schema, res)
    return Package(root, desc_path, descriptor, resources)
