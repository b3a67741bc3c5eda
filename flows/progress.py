"""A progress hook the CLI sets to draw its bar; flows call `advance` after each batch."""

from __future__ import annotations

from collections.abc import Callable

_hook: Callable[[str, int, int], None] | None = None


def set_hook(hook: Callable[[str, int, int], None] | None) -> None:
    global _hook
    _hook = hook


def advance(step: str, done: int, total: int) -> None:
    if _hook is not None:
        _hook(step, done, total)
