"""The shape of a Table Schema, checked before anything uses it: a schema
that is not a JSON object of the expected shape (fields without names, a
list as a type, constraints as a string, an invalid regular expression, a
foreign key without a reference, ...) is unusable input, reported in one
line naming the resource and the property."""

from __future__ import annotations

import re
from typing import Any

from jakdata.errors import UnusableInput

TYPES = {
    "string",
    "integer",
    "number",
    "boolean",
    "date",
    "any",
    "datetime",
    "time",
    "year",
    "yearmonth",
    "object",
    "array",
    "duration",
    "geopoint",
    "geojson",
}
#: A resource name is any name its Data Package profile allows (checked by
#: the profile: v1 wants ``^([-a-z0-9._/])+$``, v2 any string). Where an
#: export turns it into a file name, it must be a plain name, never a path.
FILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._ -]{0,127}$")


#: types with minimum/maximum (and their exclusive forms), as the spec lists them
BOUNDED = {"integer", "number", "date", "time", "datetime", "year", "yearmonth", "duration"}
FIELDS_MATCH = ("exact", "equal", "subset", "superset", "partial")


def check_missing_values(value: Any, bad: Any, prefix: str = "") -> None:
    """``missingValues``: a list of strings. jakdata reads an empty cell as
    missing everywhere, so the list must hold ``""`` (a documented
    difference from Frictionless, which would then read it as a value)."""
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise bad(f"{prefix}missingValues must be a list of strings")
    if "" not in value:
        raise bad(f'{prefix}missingValues must include "" (jakdata always reads an empty cell as missing)')


def missing_values(schema: dict[str, Any], field: dict[str, Any]) -> list[str]:
    """The cells of ``field`` that mean "missing": the field's own
    ``missingValues`` (Table Schema v2), else the schema's, else ``[""]``."""
    return list(field.get("missingValues", schema.get("missingValues", [""])))


def as_list(v: Any) -> list[str]:
    """A field name or list of names (``primaryKey``, ``fields``...) as a list."""
    if v is None:
        return []
    return [v] if isinstance(v, str) else list(v)


def _names(value: Any) -> list[str] | None:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return list(value)
    return None


def check_file_name(name: str, where: str | None = None) -> None:
    """Refuse a resource name that cannot become a file name as it is."""
    if not FILE_NAME.match(name) or name.endswith("."):
        raise UnusableInput(
            f"resource name {name!r} cannot be a file name "
            "(letters, digits, '.', '_', '-', spaces; no path separators)",
            where,
        )


def check_schema(schema: Any, resource: str, where: str) -> None:
    """Raise :class:`UnusableInput` for the first shape error in ``schema``."""

    def bad(what: str) -> UnusableInput:
        return UnusableInput(f"resource {resource!r}: schema {what}", where)

    if not isinstance(schema, dict) or not isinstance(schema.get("fields"), list):
        raise bad("has no fields")
    names: set[str] = set()
    for i, fld in enumerate(schema["fields"]):
        if not isinstance(fld, dict):
            raise bad(f"fields[{i}] is not an object")
        name = fld.get("name")
        if not isinstance(name, str) or not name:
            raise bad(f"fields[{i}] has no name")
        if name in names:
            raise bad(f"field {name!r} is declared twice")
        names.add(name)
        t = fld.get("type", "string")
        if not isinstance(t, str) or t not in TYPES:
            raise bad(f"field {name!r} has type {t!r}, not a Table Schema type")
        c = fld.get("constraints", {})
        if not isinstance(c, dict):
            raise bad(f"field {name!r}: constraints must be an object")
        if "pattern" in c:
            if not isinstance(c["pattern"], str):
                raise bad(f"field {name!r}: pattern must be a string")
            try:
                re.compile(c["pattern"])
            except re.error as exc:
                raise bad(f"field {name!r}: pattern is not a valid regular expression ({exc})") from None
        if "enum" in c and not (isinstance(c["enum"], list) and c["enum"]):
            raise bad(f"field {name!r}: enum must be a non-empty list")
        if "enum" in c and t == "string" and not all(isinstance(v, str) for v in c["enum"]):
            raise bad(f"field {name!r}: enum of a string field must list strings")
        for key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
            if key not in c:
                continue
            if t not in BOUNDED:
                raise bad(f"field {name!r}: {key} is not a constraint of type {t}")
            if isinstance(c[key], bool) or not isinstance(c[key], (int, float, str)):
                raise bad(f"field {name!r}: {key} must be a number or a value of the field's type written as text")
        for key in ("minLength", "maxLength"):
            if key in c and (isinstance(c[key], bool) or not isinstance(c[key], int) or c[key] < 0):
                raise bad(f"field {name!r}: {key} must be a whole number")
        for key in ("required", "unique"):
            if key in c and not isinstance(c[key], bool):
                raise bad(f"field {name!r}: {key} must be true or false")
        if "missingValues" in fld:
            check_missing_values(fld["missingValues"], bad, f"field {name!r}: ")
        for key in ("trueValues", "falseValues"):
            if key in fld and not (isinstance(fld[key], list) and all(isinstance(v, str) for v in fld[key])):
                raise bad(f"field {name!r}: {key} must be a list of strings")
    if "missingValues" in schema:
        check_missing_values(schema["missingValues"], bad)
    if schema.get("fieldsMatch", "exact") not in FIELDS_MATCH:
        raise bad(f"fieldsMatch must be one of {', '.join(FIELDS_MATCH)}")
    pk = schema.get("primaryKey")
    if pk is not None:
        keys = _names(pk)
        if keys is None:
            raise bad("primaryKey must be a field name or a list of field names")
        for k in keys:
            if k not in names:
                raise bad(f"primaryKey names {k!r}, which is not a field")
    for prop in ("foreignKeys", "listForeignKeys"):
        fks = schema.get(prop, [])
        if fks is None:
            continue
        if not isinstance(fks, list):
            raise bad(f"{prop} must be a list")
        for j, fk in enumerate(fks):
            if not isinstance(fk, dict):
                raise bad(f"{prop}[{j}] is not an object")
            fields = _names(fk.get("fields"))
            if fields is None:
                raise bad(f"{prop}[{j}] has no fields")
            for f in fields:
                if f not in names:
                    raise bad(f"{prop}[{j}] names {f!r}, which is not a field")
            ref = fk.get("reference")
            if not isinstance(ref, dict):
                raise bad(f"{prop}[{j}] has no reference")
            ref_fields = _names(ref.get("fields"))
            if ref_fields is None or len(ref_fields) != len(fields):
                raise bad(f"{prop}[{j}].reference must name as many fields as {prop}[{j}].fields")
            if not isinstance(ref.get("resource", ""), str):
                raise bad(f"{prop}[{j}].reference.resource must be a resource name")
            if prop == "listForeignKeys":
                if len(fields) != 1:
                    raise bad(f"{prop}[{j}] must name exactly one field")
                if not isinstance(fk.get("delimiter", "|"), str) or not fk.get("delimiter", "|"):
                    raise bad(f"{prop}[{j}].delimiter must be a non-empty string")
    er = schema.get("entityReference")
    if er is not None:
        if (
            not isinstance(er, dict)
            or not isinstance(er.get("field"), str)
            or not isinstance(er.get("typeField"), str)
            or not isinstance(er.get("resources"), dict)
            or not all(isinstance(v, str) for v in er["resources"].values())
        ):
            raise bad("entityReference must give field, typeField and resources {type: resource}")
        for f in (er["field"], er["typeField"]):
            if f not in names:
                raise bad(f"entityReference names {f!r}, which is not a field")
    groups = schema.get("exactlyOneOf")
    if groups is not None and not (
        isinstance(groups, list) and all(_names(g) for g in groups) and all(f in names for g in groups for f in g)
    ):
        raise bad("exactlyOneOf must be a list of lists of field names")
