"""Keeping an engine function's last few results for the very same frames and arguments.

A scoring run and its queues ask several times for the same derived frame of the same
book and date (each account's billing status on the day: four times; its MRR: five), each
a grouping of every subscription period. A function decorated with ``@kept()`` gives its
result again when called with the same frames (the same objects: Polars frames are never
changed in place here, a reloaded book has new ones) and equal other arguments. Frames
are held weakly: a result kept for a book that is gone neither keeps its frames alive nor
is given for new frames that happen to get their addresses. Results are shared, so
callers derive new frames from them (as Polars does) and never change them in place.
Decorated functions take the frames they read, not the engine's whole tables.
"""

from __future__ import annotations

import functools
import threading
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

import polars as pl

F = TypeVar("F", bound=Callable[..., Any])
_BY_IDENTITY = (pl.DataFrame, pl.LazyFrame, pl.Series, pl.Expr)


def _frozen(value: object) -> object:
    """What an argument is compared by: a frame by identity (a weak reference to it), a
    dict or list by its items, anything else by equality."""
    if isinstance(value, _BY_IDENTITY):
        return weakref.ref(value)
    if isinstance(value, dict):
        return ("dict", tuple((k, _frozen(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return ("list", tuple(_frozen(v) for v in value))
    return ("value", type(value), value)


def _gone(key: object) -> bool:
    """Whether a kept key names a frame that no longer exists."""
    if isinstance(key, weakref.ref):
        return key() is None
    return isinstance(key, tuple) and any(_gone(part) for part in key)


def _same(kept: object, key: object) -> bool:
    if isinstance(kept, weakref.ref):  # the same frame, still alive
        return isinstance(key, weakref.ref) and kept() is not None and kept() is key()
    if isinstance(kept, tuple) and isinstance(key, tuple):
        return len(kept) == len(key) and all(_same(a, b) for a, b in zip(kept, key, strict=True))
    return type(kept) is type(key) and kept == key


def kept(size: int = 2) -> Callable[[F], F]:
    """Keep the last ``size`` results of the decorated function (see the module)."""

    def decorate(fn: F) -> F:
        entries: list[tuple[object, object]] = []
        lock = threading.Lock()

        @functools.wraps(fn)
        def call(*args: object, **kwargs: object) -> object:
            key = _frozen([*args, dict(sorted(kwargs.items()))])
            with lock:
                entries[:] = [e for e in entries if not _gone(e[0])]
                for i, (k, result) in enumerate(entries):
                    if _same(k, key):
                        entries.append(entries.pop(i))  # the most recently used last
                        return result
            result = fn(*args, **kwargs)
            with lock:
                entries.append((key, result))
                del entries[:-size]
            return result

        return call  # type: ignore[return-value]

    return decorate
