"""engine.kept: an engine function's results given again for the very same frames and
equal arguments, worked out anew for anything else."""

from __future__ import annotations

from datetime import date

import polars as pl

from retention_tui.engine.kept import kept


def counting(size: int = 4):
    calls: list[tuple] = []

    @kept(size)
    def total(frame: pl.DataFrame, day: date, *, scale: float = 1.0, cfg: dict | None = None):
        calls.append((day, scale))
        return frame.select(pl.col("x").sum() * scale)

    return total, calls


def test_the_same_frame_and_arguments_give_the_same_result_once_worked_out() -> None:
    total, calls = counting()
    frame = pl.DataFrame({"x": [1, 2]})
    first = total(frame, date(2026, 1, 1), scale=2.0, cfg={"rates": {"EUR": 1.1}})
    again = total(frame, date(2026, 1, 1), cfg={"rates": {"EUR": 1.1}}, scale=2.0)
    assert again is first and len(calls) == 1
    assert first.item() == 6


def test_other_frames_or_arguments_are_worked_out_anew() -> None:
    total, calls = counting()
    frame = pl.DataFrame({"x": [1, 2]})
    total(frame, date(2026, 1, 1), cfg={"rates": {"EUR": 1.1}})
    # an equal frame that is another object (a book loaded again): anew
    total(pl.DataFrame({"x": [1, 2]}), date(2026, 1, 1), cfg={"rates": {"EUR": 1.1}})
    assert total(frame, date(2026, 1, 2), cfg={"rates": {"EUR": 1.1}}).item() == 3
    assert total(frame, date(2026, 1, 1), cfg={"rates": {"EUR": 1.2}}).item() == 3
    assert total(frame, date(2026, 1, 1), scale=3.0, cfg={"rates": {"EUR": 1.1}}).item() == 9
    assert len(calls) == 5


def test_only_the_last_few_are_kept() -> None:
    total, calls = counting(size=2)
    frame = pl.DataFrame({"x": [1]})
    days = [date(2026, 1, d) for d in (1, 2, 1, 3, 2)]
    for day in days:
        total(frame, day)
    # 1, 2 worked out; 1 kept; 3 worked out (2 dropped: 1 was used after it); 2 anew
    assert [c[0].day for c in calls] == [1, 2, 3, 2]


def test_a_config_changed_in_place_is_not_taken_for_the_one_kept() -> None:
    total, calls = counting()
    frame = pl.DataFrame({"x": [1]})
    cfg = {"rates": {"EUR": 1.1}}
    total(frame, date(2026, 1, 1), cfg=cfg)
    cfg["rates"]["EUR"] = 1.3
    total(frame, date(2026, 1, 1), cfg=cfg)
    assert len(calls) == 2


def test_a_frame_that_is_gone_is_not_kept_alive_nor_taken_for_a_new_one() -> None:
    import gc
    import weakref

    total, calls = counting()
    frame = pl.DataFrame({"x": [1]})
    result = weakref.ref(total(frame, date(2026, 1, 1)))
    gone = weakref.ref(frame)
    del frame
    gc.collect()
    assert gone() is None  # the old book's frame is not held by what was kept
    new = pl.DataFrame({"x": [2]})  # perhaps at the old one's address: worked out
    assert total(new, date(2026, 1, 1)).item() == 2
    gc.collect()
    assert len(calls) == 2 and result() is None  # and the old result was let go
