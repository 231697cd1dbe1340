"""Read a routine file's YAML as plain data, refusing anything hostile, quickly.

``yaml.safe_load`` is not enough for files people download and share: a
1.6 KB "billion laughs" alias bomb expands into millions of list items that
pydantic then walks for seconds before running out of memory, duplicate keys
silently keep the last value, and a line number is lost as soon as the data
is built. So this module works one level lower, on PyYAML's *event* stream
(libyaml's C parser when available), and builds the plain data itself:

* anchors, aliases, tags (``!!python/object`` ...) and complex keys are
  refused at the first event that carries them, before anything is built;
* nesting deeper than :data:`MAX_DEPTH` and more than :data:`MAX_NODES`
  values stop the build at once, so memory stays proportional to the (capped)
  file size;
* duplicate keys are reported (all of them), the first value is kept;
* every value's path is mapped to its line and column, so a later pydantic
  error on ``exercises[2].steps[0].hold`` can point at the exact spot.

Scalars resolve as in YAML 1.1 safe loading (``10`` is an int, ``yes`` is
``True``) but timestamps stay text, and keys always stay the text as written
(``on:`` is the key ``"on"``, not ``True``).

Bytes are checked before parsing: a size cap, UTF-8 only (a UTF-8 BOM is
accepted), no NUL or other control characters.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from yaml.constructor import SafeConstructor
from yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    Event,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
    StreamStartEvent,
)
from yaml.nodes import ScalarNode
from yaml.resolver import Resolver

#: Largest routine file accepted. The biggest bundled routine is a few KB.
MAX_BYTES = 256 * 1024
#: Deepest nesting accepted. A routine needs about 6 levels
#: (routine > exercises > exercise > steps > step > value).
MAX_DEPTH = 20
#: Most values (scalars and collections) accepted in one file. The largest
#: routine the model allows is far smaller in practice; a bundled one has ~150.
MAX_NODES = 20_000
#: Most non-fatal problems (duplicate keys) kept for one file.
MAX_PROBLEMS = 100

DataPath = tuple[str | int, ...]
"""Where a value sits: ``("exercises", 0, "steps", 2, "hold")``."""


@dataclass(frozen=True, slots=True)
class Mark:
    """A 1-based position in the file."""

    line: int
    """1-based line number."""
    column: int
    """1-based column number (in characters)."""


@dataclass(frozen=True, slots=True)
class YamlProblem:
    """A problem found while reading the YAML (before any model validation)."""

    message: str
    """What is wrong."""
    hint: str
    """How to fix it."""
    mark: Mark | None
    """Where, when known."""
    code: str
    """Stable kind, e.g. ``yaml-alias``, ``duplicate-key``, ``not-utf8``."""
    path: DataPath = ()
    """The data path the problem concerns, when it is inside the data."""


class YamlRejected(Exception):
    """Reading stopped; ``problems`` says why (one fatal problem, plus any found before)."""

    def __init__(self, problems: list[YamlProblem]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


@dataclass(slots=True)
class YamlDocument:
    """Plain data from one YAML document, with where each piece came from."""

    data: object
    """dicts, lists, str, int, float, bool and None only."""
    values: dict[DataPath, Mark] = field(default_factory=dict)
    """Where each value starts."""
    keys: dict[DataPath, Mark] = field(default_factory=dict)
    """Where each mapping key is written (path includes the key)."""
    problems: list[YamlProblem] = field(default_factory=list)
    """Non-fatal problems (duplicate keys): the data was built, but the file is wrong."""

    def mark_for(self, path: DataPath, *, key: bool = False) -> Mark | None:
        """The position of ``path``, or of its nearest ancestor that has one."""
        probe = tuple(path)
        if key and probe in self.keys:
            return self.keys[probe]
        while probe:
            if probe in self.values:
                return self.values[probe]
            probe = probe[:-1]
        return self.values.get(())


# --------------------------------------------------------------------------- bytes


def read_limited(path: Path, max_bytes: int = MAX_BYTES) -> bytes:
    """Read at most ``max_bytes`` (raising :class:`YamlRejected` if there is more)."""
    problem: tuple[str, str, str] | None = None
    raw = b""
    try:
        with path.open("rb") as handle:
            raw = handle.read(max_bytes + 1)
    except IsADirectoryError:
        problem = ("is a directory, not a routine file", "name a .yaml file", "file-unreadable")
    except FileNotFoundError:
        problem = ("file not found", "check the name and the folder", "file-not-found")
    except PermissionError:
        problem = (
            "cannot read the file (permission denied)",
            "check its permissions",
            "file-unreadable",
        )
    except OSError as exc:
        problem = (
            f"cannot read the file ({exc.strerror or exc})",
            "check the path",
            "file-unreadable",
        )
    if problem is not None:
        raise _fatal(*problem)
    if len(raw) > max_bytes:
        raise _fatal(
            f"file is larger than {max_bytes // 1024} KB; a routine file is a few KB",
            "check that this is the right file, or split the routine into several files",
            "file-too-large",
        )
    return raw


_BOMS = (
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\xfe\xff", "UTF-16"),
    (b"\xff\xfe", "UTF-16"),
)


def decode(raw: bytes) -> str:
    """Decode routine file bytes: UTF-8 (BOM optional), no NULs or control characters."""
    for bom, name in _BOMS:
        if raw.startswith(bom):
            raise _fatal(
                f"file is saved as {name}; routine files must be UTF-8",
                "save it again as UTF-8 (in most editors: Save As, encoding UTF-8)",
                "not-utf8",
                Mark(1, 1),
            )
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    nul = raw.find(b"\x00")
    if nul >= 0:
        sample = raw[:200]
        if sample.count(b"\x00") * 3 >= len(sample):  # every other byte: UTF-16 without a BOM
            raise _fatal(
                "file looks like UTF-16 text; routine files must be UTF-8",
                "save it again as UTF-8",
                "not-utf8",
                Mark(1, 1),
            )
        raise _fatal(
            "file contains NUL bytes: it is binary data, not a text file",
            "check that this is a routine .yaml file",
            "binary",
            _byte_mark(raw, nul),
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = raw[exc.start : exc.start + 1]
        guess = ""
        try:
            raw.decode("cp1252")
            guess = " (it looks like Latin-1 / Windows-1252 text)"
        except UnicodeDecodeError:
            pass
        raise _fatal(
            f"file is not valid UTF-8: byte 0x{bad.hex()} cannot be read{guess}",
            "save the file as UTF-8",
            "not-utf8",
            _byte_mark(raw, exc.start),
        ) from None
    junk = _CONTROL.search(text)
    if junk is not None:
        index = junk.start()
        code = ord(junk.group())
        line = text.count("\n", 0, index) + 1
        column = index - (text.rfind("\n", 0, index) + 1) + 1
        raise _fatal(
            f"file contains the control character U+{code:04X}: binary junk, not text",
            "delete the character, or check that this is a routine .yaml file",
            "binary",
            Mark(line, column),
        )
    return text


#: Characters that never belong in a text file: C0 controls other than tab and
#: newlines, DEL and the C1 controls, and the Unicode non-characters.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")


def _byte_mark(raw: bytes, offset: int) -> Mark:
    line = raw.count(b"\n", 0, offset) + 1
    start = raw.rfind(b"\n", 0, offset) + 1
    column = len(raw[start:offset].decode("utf-8", errors="replace")) + 1
    return Mark(line, column)


def _fatal(message: str, hint: str, code: str, mark: Mark | None = None) -> YamlRejected:
    return YamlRejected([YamlProblem(message, hint, mark, code)])


# --------------------------------------------------------------------------- events


def _make_parser(text: str) -> tuple[Callable[[], Event], Callable[[], None]]:
    """libyaml's event parser when compiled in, else PyYAML's pure-Python one."""
    try:
        from yaml._yaml import CParser

        parser = CParser(text)
        return parser.get_event, lambda: None
    except ImportError:  # pragma: no cover - depends on how PyYAML was built
        loader = yaml.SafeLoader(text)
        return loader.get_event, loader.dispose


_INT = "tag:yaml.org,2002:int"
_SCALARS = {
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
}


class _Builder:
    """Builds plain data from events, recording positions and refusing what is unsafe."""

    def __init__(self, get_event: Callable[[], Event], max_depth: int, max_nodes: int) -> None:
        self._next = get_event
        self._max_depth = max_depth
        self._max_nodes = max_nodes
        self._nodes = 0
        self._resolver = Resolver()
        self._constructor = SafeConstructor()
        self._discarding = 0
        self.doc = YamlDocument(data=None)

    def _report(self, problem: YamlProblem) -> None:
        if not self._discarding and len(self.doc.problems) < MAX_PROBLEMS:
            self.doc.problems.append(problem)

    def build(self) -> YamlDocument:
        event = self._next()
        if not isinstance(event, StreamStartEvent):  # pragma: no cover - parser contract
            raise _fatal("not a YAML stream", "check the file", "yaml-syntax")
        event = self._next()
        if isinstance(event, StreamEndEvent):
            return self.doc
        if not isinstance(event, DocumentStartEvent):  # pragma: no cover - parser contract
            raise _fatal("not a YAML document", "check the file", "yaml-syntax")
        self.doc.data = self._value(self._next(), (), 0)
        self._next()  # DocumentEndEvent
        event = self._next()
        if isinstance(event, DocumentStartEvent):
            raise _fatal(
                "file holds more than one YAML document (a second '---')",
                "keep one routine per file; remove the extra '---' line",
                "yaml-multiple-documents",
                _mark(event),
            )
        return self.doc

    def _value(self, event: Event, path: DataPath, depth: int) -> object:
        mark = _mark(event)
        self._check(event, path, depth)
        if not self._discarding:
            self.doc.values[path] = mark
        if isinstance(event, ScalarEvent):
            return self._scalar(event)
        if isinstance(event, SequenceStartEvent):
            items: list[object] = []
            while not isinstance(event := self._next(), SequenceEndEvent):
                items.append(self._value(event, (*path, len(items)), depth + 1))
            return items
        if isinstance(event, MappingStartEvent):
            return self._mapping(path, depth)
        raise _fatal(  # pragma: no cover - parser contract
            f"unexpected YAML event {type(event).__name__}", "check the file", "yaml-syntax", mark
        )

    def _mapping(self, path: DataPath, depth: int) -> dict[str, object]:
        result: dict[str, object] = {}
        while not isinstance(event := self._next(), MappingEndEvent):
            key_mark = _mark(event)
            self._check(event, path, depth + 1)
            if not isinstance(event, ScalarEvent):
                raise _fatal(
                    "a key must be a plain name, not a list or mapping",
                    "write keys as 'name: value'",
                    "yaml-complex-key",
                    key_mark,
                )
            key = event.value
            value_path = (*path, key)
            if key in result:
                first = self.doc.keys.get(value_path, key_mark)
                self._report(
                    YamlProblem(
                        f"duplicate key '{key}' (first written at line {first.line})",
                        "keep one of them; YAML would silently use only one value",
                        key_mark,
                        "duplicate-key",
                        value_path,
                    )
                )
                self._discarding += 1  # parse and drop the second value, keep the first's marks
                self._value(self._next(), value_path, depth + 1)
                self._discarding -= 1
                continue
            if not self._discarding:
                self.doc.keys[value_path] = key_mark
            result[key] = self._value(self._next(), value_path, depth + 1)
        return result

    def _check(self, event: Event, path: DataPath, depth: int) -> None:
        mark = _mark(event)
        self._nodes += 1
        if self._nodes > self._max_nodes:
            raise _fatal(
                f"file holds more than {self._max_nodes} values; a routine is far smaller",
                "check that this is the right file, or split the routine",
                "yaml-too-many-values",
                mark,
            )
        if depth > self._max_depth:
            raise YamlRejected([_too_deep(self._max_depth, mark)])
        if isinstance(event, AliasEvent):
            raise _fatal(
                f"YAML alias '*{event.anchor}' is not allowed in routine files",
                "write the value out in full instead of referring to an anchor",
                "yaml-alias",
                mark,
            )
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            raise _fatal(
                f"YAML anchor '&{anchor}' is not allowed in routine files",
                "remove '&" + anchor + "' and write each value out in full",
                "yaml-anchor",
                mark,
            )
        tag = getattr(event, "tag", None)
        if tag is not None:
            raise _fatal(
                f"YAML tag '{tag}' is not allowed in routine files",
                "routine files hold plain text, numbers and lists; remove the tag",
                "yaml-tag",
                mark,
            )

    def _scalar(self, event: ScalarEvent) -> object:
        if event.style:  # quoted, literal or folded: always text
            return event.value
        tag = self._resolver.resolve(ScalarNode, event.value, (True, False))
        if tag not in _SCALARS:
            return event.value
        value = event.value
        if (
            tag == _INT
            and value.isascii()
            and value.isdigit()
            and len(value) < 19
            and value[0] != "0"
        ):
            return int(value)  # the common case (reps: 5), without building a node
        node = ScalarNode(tag, event.value, event.start_mark, event.end_mark)
        try:
            # The tag's constructor directly: construct_object would also cache
            # every node it ever built for the life of the builder.
            return SafeConstructor.yaml_constructors[tag](self._constructor, node)
        except (ValueError, yaml.YAMLError):  # e.g. an int with 10,000 digits
            return event.value


def _mark(event: Event) -> Mark:
    start = event.start_mark
    return Mark(start.line + 1, start.column + 1)


# --------------------------------------------------------------------------- syntax errors

_SYNTAX_HINTS = (
    ("\\t", "indent with spaces, not tabs (set your editor to insert spaces)"),
    ("tab character", "indent with spaces, not tabs (set your editor to insert spaces)"),
    (
        "mapping values are not allowed",
        "text that contains ': ' must be put in quotes, e.g. say: \"Note: breathe\"; "
        "otherwise check the indentation of this line",
    ),
    ("quoted scalar", "a quote is opened but never closed; close it on the same value"),
    ("expected ',' or ']'", "a '[' list is not closed with ']'"),
    ("expected ',' or '}'", "a '{' mapping is not closed with '}'"),
    ("could not find expected ':'", "each key needs a ':' after it; check this line"),
    (
        "expected key",
        "the indentation does not line up: keys of one mapping must start in the same column",
    ),
    ("block end", "the indentation does not line up: items of one list or mapping share a column"),
    ("'-' indicator", "list items ('- ') of one list must start in the same column"),
)


def _too_deep(max_depth: int, mark: Mark | None) -> YamlProblem:
    return YamlProblem(
        f"data is nested more than {max_depth} levels deep",
        "a routine needs about 6 levels; check the indentation and brackets",
        mark,
        "yaml-too-deep",
    )


def syntax_problem(exc: yaml.YAMLError, text: str) -> YamlProblem:
    """Turn a PyYAML/libyaml syntax error into a located problem with a fix."""
    mark_obj = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    mark = Mark(mark_obj.line + 1, mark_obj.column + 1) if mark_obj is not None else None
    context_mark = getattr(exc, "context_mark", None)
    if context and "quoted scalar" in context and context_mark is not None:
        # An unclosed quote is found at the end of the file; point at where it opened.
        opened = Mark(context_mark.line + 1, context_mark.column + 1)
        return YamlProblem(
            "YAML syntax: a quoted text starts here and is never closed",
            "add the closing quote at the end of the text",
            opened,
            "yaml-syntax",
        )
    if "nesting depth" in problem:
        # PyYAML 6.0.3+ / libyaml 0.2.6 stop at 1000 levels while scanning
        # ahead, before the builder's own, lower limit sees the events.
        return _too_deep(MAX_DEPTH, mark)
    hint = "check the indentation (spaces only) and the quotes on this line and the one above"
    lines = text.splitlines()
    line_text = lines[mark.line - 1] if mark and 0 < mark.line <= len(lines) else ""
    if line_text[: len(line_text) - len(line_text.lstrip())].count("\t"):
        hint = _SYNTAX_HINTS[0][1]
    else:
        for needle, fix in _SYNTAX_HINTS:
            if needle in problem:
                hint = fix
                break
    message = f"YAML syntax: {problem}"
    if context and context_mark is not None and mark and context_mark.line + 1 != mark.line:
        message += f" ({context} started at line {context_mark.line + 1})"
    return YamlProblem(message, hint, mark, "yaml-syntax")


# --------------------------------------------------------------------------- entry points


def parse_text(
    text: str, *, max_depth: int = MAX_DEPTH, max_nodes: int = MAX_NODES
) -> YamlDocument:
    """Parse YAML text into a :class:`YamlDocument`, raising :class:`YamlRejected`."""
    get_event, dispose = _make_parser(text)
    try:
        return _Builder(get_event, max_depth, max_nodes).build()
    except yaml.YAMLError as exc:
        raise YamlRejected([syntax_problem(exc, text)]) from None
    finally:
        dispose()


def parse_bytes(raw: bytes, *, max_bytes: int = MAX_BYTES) -> YamlDocument:
    """Check, decode and parse routine file bytes."""
    if len(raw) > max_bytes:
        raise _fatal(
            f"file is larger than {max_bytes // 1024} KB; a routine file is a few KB",
            "check that this is the right file, or split the routine into several files",
            "file-too-large",
        )
    return parse_text(decode(raw))


def load_file(path: Path, *, max_bytes: int = MAX_BYTES) -> YamlDocument:
    """Read, check, decode and parse a routine file."""
    return parse_bytes(read_limited(path, max_bytes), max_bytes=max_bytes)
