"""Turn pydantic's validation errors into located, plain-language diagnostics.

Pydantic says ``exercises.0.steps.2.inhal: Extra inputs are not permitted``.
A physiotherapist needs ``morning.yaml:14:9: exercises[0].steps[2].inhal:
unknown key 'inhal'; did you mean 'inhale'?``. This module does that
translation: it finds the line from the :class:`~voicecoach.core.yamlsafe.YamlDocument`
position map, names what was expected in words, suggests the closest valid
key (difflib), and folds the several errors pydantic reports for one union
field (``ready: text or true``) into one.
"""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ValidationError

from voicecoach.core.diagnostics import Diagnostic, format_path
from voicecoach.core.routine import STEP_KINDS, Routine, RoutineValueError, Step
from voicecoach.core.yamlsafe import DataPath, YamlDocument

#: Most diagnostics reported for one file; the rest are counted.
MAX_DIAGNOSTICS = 50

#: What to write when a required field is missing.
_EXAMPLES = {
    "title": "title: Lower back relief",
    "name": "name: Knee to chest",
    "steps": "steps:\n  - inhale: Lift the knee.\n  - exhale: Lower it.",
    "exercises": "exercises:\n  - name: ...\n    steps: ...",
}

#: What each pydantic error type expects, in words (for union folding and type errors).
_EXPECTED = {
    "string_type": "text",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "list_type": "a list",
    "dict_type": "a mapping of keys and values",
    "model_type": "a mapping of keys and values",
    "model_attributes_type": "a mapping of keys and values",
    "float_type": "a number",
    "float_parsing": "a number",
}


def describe(value: object) -> str:
    """Describe a YAML value the way its author wrote it."""
    if value is None:
        return "nothing (the value is empty)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a mapping" if value else "an empty mapping {}"
    if isinstance(value, list):
        return "a list" if value else "an empty list []"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return repr(shown)
    return str(value)


def explain(
    error: ValidationError, doc: YamlDocument, file: str, root: type[BaseModel] = Routine
) -> list[Diagnostic]:
    """Every error in ``error`` as a located :class:`Diagnostic` (pass them to :func:`finish`)."""
    grouped: dict[tuple[DataPath, str], list[dict[str, Any]]] = {}
    for item in error.errors(include_url=False):
        path, rest = _split_loc(doc.data, item["loc"])
        field_name = str(rest[0]) if item["type"] == "missing" and rest else ""
        grouped.setdefault((path, field_name), []).append(dict(item))
    out: list[Diagnostic] = []
    for (path, missing), items in grouped.items():
        out += _diagnose(path, missing, items, doc, file, root)
    return out


def finish(diagnostics: list[Diagnostic], file: str) -> list[Diagnostic]:
    """Sort by position, drop duplicates, cap the count (saying how many were left out)."""
    seen: set[tuple[int, int, str, str]] = set()
    unique = []
    for diag in sorted(diagnostics, key=lambda d: (d.line, d.column, d.field)):
        key = (diag.line, diag.column, diag.field, diag.message)
        if key not in seen:
            seen.add(key)
            unique.append(diag)
    if len(unique) > MAX_DIAGNOSTICS:
        left = len(unique) - MAX_DIAGNOSTICS
        unique = unique[:MAX_DIAGNOSTICS] + [
            Diagnostic(
                file,
                0,
                0,
                "",
                f"{left} more problems not shown",
                "fix the ones above first",
                code="too-many-problems",
            )
        ]
    return unique


def _split_loc(data: object, loc: Sequence[str | int]) -> tuple[DataPath, tuple[str | int, ...]]:
    """Split a pydantic ``loc`` into the part that exists in the data and the rest.

    The rest is a missing field's name or a union branch tag such as
    ``constrained-str``; neither has a position of its own.
    """
    path: list[str | int] = []
    node = data
    for index, part in enumerate(loc):
        in_dict = isinstance(node, dict) and isinstance(part, str) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if in_dict or in_list:
            node = node[part]  # type: ignore[index]
        else:
            return tuple(path), tuple(loc[index:])
        path.append(part)
    return tuple(path), ()


def _value_at(data: object, path: DataPath) -> object:
    node = data
    for part in path:
        node = node[part]  # type: ignore[index]
    return node


def _diagnose(
    path: DataPath,
    missing: str,
    items: list[dict[str, Any]],
    doc: YamlDocument,
    file: str,
    root: type[BaseModel],
) -> list[Diagnostic]:
    first = items[0]
    kind = first["type"]

    def at(sub: DataPath, message: str, hint: str, code: str, *, key: bool = False) -> Diagnostic:
        full = (*path, *sub)
        mark = doc.mark_for(full, key=key)
        line, column = (mark.line, mark.column) if mark else (0, 0)
        return Diagnostic(file, line, column, format_path(full), message, hint, code=code)

    if missing:
        example = _EXAMPLES.get(missing, f"{missing}: ...")
        diag = at((), f"missing required key '{missing}'", f"add it here: {example}", "missing")
        return [
            Diagnostic(
                file,
                diag.line,
                diag.column,
                format_path((*path, missing)),
                diag.message,
                diag.hint,
                code="missing",
            )
        ]
    if kind == "extra_forbidden":
        return [_unknown_key(path, doc, file, root)]
    if kind == "value_error":
        exc = first.get("ctx", {}).get("error")
        if isinstance(exc, RoutineValueError):
            diags = []
            for sub, text in exc.problems:
                message, _, hint = text.partition("; ")
                if not sub:
                    hint = _empty_keys_hint(_value_at(doc.data, path), hint)
                diags.append(at(sub, message, hint, "rule"))
            return diags
        message, _, hint = str(exc if exc is not None else first["msg"]).partition("; ")
        return [at((), message, hint, "invalid-value")]
    if len(items) > 1:  # one value failed every branch of a union
        expected = []
        for item in items:
            words = _EXPECTED.get(item["type"])
            if words is None and item["type"] == "literal_error":
                words = str(item.get("ctx", {}).get("expected", "")).lower()
            if words and words not in expected:
                expected.append(words)
        message = f"expected {' or '.join(expected)}, got {describe(first['input'])}"
        if any(item["type"] == "literal_error" for item in items):
            hint = "write the text to say, or true for the default prompt"
        else:
            hint = _type_hint(first["input"], "string_type")
        return [at((), message, hint, "wrong-type")]
    message, hint = _one_error(first)
    return [at((), message, hint, "wrong-type" if kind in _EXPECTED else "invalid-value")]


def _one_error(item: dict[str, Any]) -> tuple[str, str]:
    kind = item["type"]
    ctx = item.get("ctx", {})
    value = item["input"]
    if kind in _EXPECTED:
        return f"expected {_EXPECTED[kind]}, got {describe(value)}", _type_hint(value, kind)
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        bound = next(iter(ctx.values()), "?")
        words = {
            "greater_than": "more than",
            "greater_than_equal": "at least",
            "less_than": "less than",
            "less_than_equal": "at most",
        }[kind]
        return f"must be {words} {bound}, got {describe(value)}", "change the number"
    if kind == "string_too_short":
        return "text is empty", "write the text, or remove the key"
    if kind == "string_too_long":
        limit = ctx.get("max_length")
        return (
            f"text is {len(str(value))} characters, longer than {limit}",
            "split it into shorter sentences or steps; longer notes belong in 'description'",
        )
    if kind == "too_short":
        return (
            f"needs at least {ctx.get('min_length')} item(s), has {ctx.get('actual_length', 0)}",
            "add items with '- ' on their own lines",
        )
    if kind == "too_long":
        return (
            f"has {ctx.get('actual_length')} items, at most {ctx.get('max_length')} allowed",
            "split it into several exercises or routines",
        )
    if kind == "string_pattern_mismatch":
        return (
            f"{describe(value)} is not a language code",
            "write a lowercase code like en, de or en-GB",
        )
    if kind == "literal_error":
        return f"expected {ctx.get('expected')}, got {describe(value)}", ""
    return str(item["msg"]), ""


def _type_hint(value: object, kind: str) -> str:
    if value is None:
        return "write a value after the colon, or remove the key"
    if isinstance(value, bool) and kind == "string_type":
        return "YAML reads yes, no, on, off, true and false as true/false; put the text in quotes"
    if isinstance(value, dict) and kind == "string_type":
        return "text containing ': ' is read as a key; put the whole text in quotes"
    if isinstance(value, (int, float)) and kind == "string_type":
        return "put the text in quotes"
    if kind in ("model_type", "dict_type") and isinstance(value, str):
        return "write keys and values, e.g. '- say: Lie on your back.' or 'name: ...'"
    if kind == "list_type":
        return "write a list: [left, right], or one '- item' per line"
    if kind.startswith("int"):
        return "write a whole number like 10"
    if kind.startswith("bool"):
        return "write true or false"
    return ""


def _empty_keys_hint(value: object, hint: str) -> str:
    if isinstance(value, dict):
        empty = [key for key, item in value.items() if item is None]
        if empty:
            return f"'{empty[0]}' has no value: write it after the colon, e.g. '{empty[0]}: 10s'"
    return hint


def _unknown_key(path: DataPath, doc: YamlDocument, file: str, root: type[BaseModel]) -> Diagnostic:
    key = str(path[-1])
    model = model_at(root, path[:-1])
    allowed = list(model.model_fields) if model is not None else []
    mark = doc.mark_for(path, key=True)
    line, column = (mark.line, mark.column) if mark else (0, 0)
    lowered = {name.lower(): name for name in allowed}
    match = lowered.get(key.lower().strip())
    if match is None:
        close = difflib.get_close_matches(key.lower(), list(lowered), n=1, cutoff=0.6)
        match = lowered[close[0]] if close else None
    if match is not None:
        hint = f"did you mean '{match}'?"
    elif model is Step:
        hint = f"a step is one of: {', '.join(STEP_KINDS)}"
    else:
        hint = f"allowed keys here: {', '.join(allowed)}" if allowed else "remove it"
    what = "step kind" if model is Step and key not in ("duration", "cue") else "key"
    return Diagnostic(
        file, line, column, format_path(path), f"unknown {what} '{key}'", hint, code="unknown-key"
    )


def model_at(root: type[BaseModel], path: DataPath) -> type[BaseModel] | None:
    """The model class that validates the mapping at ``path`` (None if not a model)."""
    current: Any = root
    for part in path:
        if isinstance(part, int):
            current = _list_item(current)
        else:
            model = _as_model(current)
            if model is None or part not in model.model_fields:
                return None
            current = model.model_fields[part].annotation
    return _as_model(current)


def _as_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in _union_args(annotation):
        found = _as_model(arg)
        if found is not None:
            return found
    return None


def _list_item(annotation: Any) -> Any:
    if typing.get_origin(annotation) is list:
        return typing.get_args(annotation)[0]
    for arg in _union_args(annotation):
        if typing.get_origin(arg) is list:
            return typing.get_args(arg)[0]
    return None


def _union_args(annotation: Any) -> tuple[Any, ...]:
    origin = typing.get_origin(annotation)
    if origin is typing.Union or origin is types.UnionType:
        return typing.get_args(annotation)
    return ()
