"""Find the line a TOML key was written on, by a light scan of the file text.

:mod:`tomllib` reports line numbers only for syntax errors; a value that
parses but is wrong ("rate = 3") would otherwise be reported without a line.
This scan follows table headers and ``key = value`` lines, skipping the
insides of multi-line strings and arrays, which is all a config file of flat
tables needs. A key it cannot place is reported at line 0 (the file only).
"""

from __future__ import annotations

import re

__all__ = ["key_lines"]

_HEADER = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]\s*(?:#.*)?$")
_PART = r"""(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')"""
_KEY = re.compile(rf"^\s*({_PART}(?:\s*\.\s*{_PART})*)\s*=")


def _parts(dotted: str) -> list[str]:
    return [p.strip().strip("\"'") for p in re.split(r"\.(?=(?:[^\"']*[\"'][^\"']*[\"'])*[^\"']*$)",
                                                     dotted)]


def key_lines(text: str) -> dict[str, int]:
    """Map every dotted key (``section.name``) and table (``section``) to its 1-based line."""
    lines: dict[str, int] = {}
    table: list[str] = []
    open_quote: str | None = None  # inside a multi-line string
    depth = 0  # inside a multi-line array
    for number, line in enumerate(text.splitlines(), start=1):
        if open_quote is not None:
            if line.count(open_quote) % 2 == 1:
                open_quote = None
            continue
        if depth > 0:
            depth = max(0, depth + _brackets(line))
            continue
        header = _HEADER.match(line)
        if header and not line.lstrip().startswith("[["):
            table = _parts(header.group(1))
            lines.setdefault(".".join(table), number)
            continue
        key = _KEY.match(line)
        if key is None:
            continue
        dotted = ".".join([*table, *_parts(key.group(1))])
        lines.setdefault(dotted, number)
        rest = line[key.end():]
        for quote in ('"""', "'''"):
            if rest.count(quote) % 2 == 1:
                open_quote = quote
        if open_quote is None:
            depth = max(0, _brackets(rest))
    return lines


def _brackets(text: str) -> int:
    """Net ``[`` minus ``]`` outside strings and comments (enough for arrays of words)."""
    count = 0
    quote: str | None = None
    for char in text:
        if quote:
            if char == quote:
                quote = None
        elif char in "\"'":
            quote = char
        elif char == "#":
            break
        elif char == "[":
            count += 1
        elif char == "]":
            count -= 1
    return count
