"""The JSON Schema of routine files, for editors.

Editors with a YAML language server (VS Code's YAML extension, Neovim, ...)
complete keys, show each field's description and underline mistakes as the
physiotherapist types, given a schema. Put this on the first line of a
routine file to use it::

    # yaml-language-server: $schema=routine.schema.json

The schema is generated from the same pydantic models that validate the
files, so it cannot drift from them. Rules that need more than one field
(limits raised need a reason, reps within limits) are only checked by
``voicecoach validate``.
"""

from __future__ import annotations

from typing import Any

from voicecoach.core.routine import Routine

#: The JSON Schema dialect pydantic generates.
DIALECT = "https://json-schema.org/draft/2020-12/schema"


def routine_json_schema() -> dict[str, Any]:
    """The JSON Schema of a routine file (a fresh dict each call)."""
    schema = _fix_bounds(Routine.model_json_schema(mode="validation"))
    return {
        "$schema": DIALECT,
        "title": "voicecoach routine",
        "description": (
            "A voicecoach routine script file: exercises spoken aloud, step by step. "
            "Check a file with: voicecoach validate FILE"
        ),
        **{k: v for k, v in schema.items() if k not in ("title", "description")},
    }


def _fix_bounds(node: Any) -> Any:
    """Turn pydantic's leftover ``gt`` on duration fields into standard JSON Schema.

    A ``Duration`` field declares its own schema (a number or a duration
    string); pydantic then appends the field's ``gt=0`` as a non-standard
    ``"gt"`` key. Editors ignore that, so move it onto the number branch as
    ``exclusiveMinimum``.
    """
    if isinstance(node, list):
        return [_fix_bounds(item) for item in node]
    if not isinstance(node, dict):
        return node
    fixed = {key: _fix_bounds(value) for key, value in node.items()}
    if "gt" in fixed and "anyOf" in fixed:
        bound = fixed.pop("gt")
        for branch in fixed["anyOf"]:
            if isinstance(branch, dict) and branch.get("type") == "number":
                branch.pop("minimum", None)
                branch["exclusiveMinimum"] = bound
    return fixed
