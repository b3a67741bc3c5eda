"""A small reader for the YAML front matter transcript tools write (no YAML library in transforms).

Handles `key: value`, quoted values, `key: |` blocks and `key:` followed by `  - item` lists;
anything else is kept as raw text. "Unknown" and empty values mean unknown (None).
"""

from __future__ import annotations

import re

from transforms.parsers.base import ParseWarning

_KEY = re.compile(r"^([A-Za-z_][\w ]{0,40}):\s*(.*)$")
UNKNOWN = {"", "unknown", "none", "null", "n/a", "~"}


def split(lines: list[str], source: str, body: re.Pattern | None = None) -> tuple[list[str], int, list[ParseWarning]]:
    """Front matter lines between the opening `---` and its closing line, and the body's first index.

    Never closed: it ends at the first line matching `body` (the format's transcript line), if given.
    """
    if not lines or lines[0].strip() != "---":
        return [], 0, []
    for i in range(1, len(lines)):
        if lines[i].strip() == "---":
            return lines[1:i], i + 1, []
    end = next((i for i in range(1, len(lines)) if body is not None and body.match(lines[i])), len(lines))
    return lines[1:end], end, [ParseWarning("unclosed_front_matter", f"front matter never closed; "
                                                                        f"body taken from line {end + 1}", 1)]


def read(lines: list[str], keys: frozenset[str] | None = None) -> dict[str, object]:
    """Front matter lines -> {key: str | list[str] | None}; with `keys`, only those start a field."""
    out: dict[str, object] = {}
    key: str | None = None
    for line in lines:
        m = _KEY.match(line)
        if m and not line.startswith((" ", "\t", "-")) and (keys is None or m[1].strip() in keys):
            key, value = m[1].strip(), m[2].strip()
            out[key] = None if value in ("|", ">", "") else _scalar(value)
        elif key is not None and line.strip().startswith("- ") and not isinstance(out.get(key), str):
            items = out[key] if isinstance(out.get(key), list) else []
            out[key] = [*items, _scalar(line.strip()[2:])]
        elif key is not None and line.strip():
            prev = out.get(key)
            out[key] = f"{prev}\n{line.strip()}" if isinstance(prev, str) else line.strip()
    return out


def _scalar(value: str) -> str | None:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        value = value[1:-1]
    return None if value.strip().lower() in UNKNOWN else value


def text(fields: dict[str, object], *keys: str) -> str | None:
    """The first of `keys` that holds a string."""
    for k in keys:
        v = fields.get(k)
        if isinstance(v, str) and v:
            return v
    return None
