"""Backtest and calibrate against the database: load once, run the engine, save results."""

from __future__ import annotations

import json
import sqlite3
from datetime import date

from db import transaction
from db.clock import utc_now
from db.frames import load_all
from db.results import save_backtest
from retention_tui.config import config_hash
from retention_tui.engine.backtest import BacktestSummary, backtest_rows, summarize
from retention_tui.engine.calibrate import Calibration, calibrate, proposal_toml
from retention_tui.engine.money import periods_fx


def run_backtest(
    conn: sqlite3.Connection, dates: list[date], cfg: dict, horizon: int, contraction: float
) -> BacktestSummary:
    """Backtest ``dates`` and save the summary (the dashboard shows the latest)."""
    tables = load_all(conn)
    rows = backtest_rows(tables, dates, cfg, horizon, contraction)
    base = periods_fx(tables["subscription_periods"], cfg["currency"]).base
    del tables
    summary = summarize(rows, dates, horizon, contraction, base)
    with transaction(conn):
        save_backtest(
            conn,
            run_at=utc_now(),
            first_as_of=dates[0].isoformat(),
            last_as_of=dates[-1].isoformat(),
            horizon_days=horizon,
            contraction_share=contraction,
            preset=cfg["scoring"]["preset"],
            config_hash=config_hash(cfg),
            summary_json=json.dumps(summary.as_dict()),
        )
    return summary


def run_calibration(
    conn: sqlite3.Connection,
    dates: list[date],
    cfg: dict,
    horizon: int,
    contraction: float,
    split: date,
    made_on: date,
) -> tuple[Calibration, str | None]:
    """Fit weights for the active preset; return the calibration and the proposal text."""
    from db.errors import RetentionError

    preset = cfg["scoring"]["preset"]
    rows = backtest_rows(load_all(conn), dates, cfg, horizon, contraction)
    weights = {d: float(w) for d, w in cfg["presets"][preset]["weights"].items()}
    try:
        cal = calibrate(rows, weights, split)
    except ValueError as exc:
        raise RetentionError(str(exc)) from exc
    text = proposal_toml(cal, preset, made_on) if cal.proposed_weights else None
    return cal, text
