"""`retention account NAME score`: one account's score, dimension by dimension, signal by
signal, with the raw value behind each and its points."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from retention_tui.engine.health import NO_SCORE
from retention_tui.engine.run import ScoreRun
from retention_tui.formatting import tier_label


@dataclass(frozen=True)
class AccountScore:
    account_id: str
    name: str
    as_of: str
    preset: str
    total: float | None
    tier: str | None
    label: str | None
    coverage: float
    rows: list[dict[str, object]]  # dimension, weight, dimension_score, signal, raw, points
    risks: list[dict[str, object]]

    def header(self) -> str:
        label = f" ({self.label})" if self.label and self.label != self.tier else ""
        score = (
            f"{NO_SCORE} (no data for any signal yet)"
            if self.total is None
            else f"{self.total:.1f}, {tier_label(self.tier or '')}{label}"
        )
        return (
            f"{self.name} ({self.account_id}) as of {self.as_of}: {score}; "
            f"preset {self.preset}, data coverage {self.coverage:.0%}"
        )


def account_score(run: ScoreRun, account_id: str, name: str, cfg: dict) -> AccountScore | None:
    score = run.scores.filter(pl.col("account_id") == account_id)
    if score.height == 0:
        return None
    s = score.row(0, named=True)
    dims = {d["dimension"]: d["score"] for d in s["dimensions"] or []}
    weights = cfg["presets"][run.preset]["weights"]
    weights = cfg["presets"][run.preset].get("segment_weights", {}).get(s["segment"] or "", weights)
    rows = []
    for r in run.signals.filter(pl.col("account_id") == account_id).iter_rows(named=True):
        d = dims.get(r["dimension"])
        rows.append(
            {
                "dimension": r["dimension"],
                "weight": weights.get(r["dimension"], 0),
                "dimension_score": None if d is None else round(d, 1),
                "signal": r["signal"],
                "raw": r["raw"] if r["present"] else "no data",
                "points": r["points"],
            }
        )
    order = list(cfg["presets"][run.preset]["signals"])
    rows.sort(key=lambda r: (order.index(str(r["dimension"])), str(r["signal"])))
    risks = [
        {
            "code": r["code"],
            "severity": r["severity"],
            "respond_by": r["respond_by"].isoformat(),
            "action": r["action"],
            "evidence": "; ".join(r["evidence"]),
        }
        for r in run.risks.filter(pl.col("account_id") == account_id).iter_rows(named=True)
    ]
    return AccountScore(
        account_id,
        name,
        run.as_of.isoformat(),
        run.preset,
        s["total"],
        s["tier"],
        s["label"],
        s["coverage"] or 0.0,
        rows,
        risks,
    )
