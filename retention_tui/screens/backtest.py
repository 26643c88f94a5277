"""The backtest screen: the latest saved backtest's figures and its lift by tier."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from textual.widgets import DataTable, Static

from db.results import latest_backtest
from retention_tui.formatting import tier_label
from retention_tui.reports.backtest import lift_rows
from retention_tui.screens.loading import TableScreen

if TYPE_CHECKING:
    pass

COLUMNS = (
    "Tier",
    "Account-months",
    "Churned or contracted",
    "Rate",
    "Lift",
    "MRR at start",
    "MRR lost",
)


class BacktestScreen(TableScreen):
    SUMMARY_ID = "backtest-summary"
    TABLE_ID = "backtest-lift"
    COLUMNS = COLUMNS
    LOADING = "Loading the latest backtest…"

    def fetch(self) -> dict[str, object] | None:
        return self.read(latest_backtest)

    def show(self, run: dict[str, object] | None) -> None:
        table = self.query_one(DataTable)
        table.clear()
        summary = self.query_one("#backtest-summary", Static)
        if run is None:
            summary.update(
                "No backtest yet: run 'retention backtest' to see how well the "
                "score predicted churn."
            )
            return
        s = json.loads(str(run["summary"]))
        auc = "n/a" if s["roc_auc"] is None else f"{s['roc_auc']:.3f}"
        lead = "n/a" if s["median_lead_days"] is None else f"{s['median_lead_days']:.0f} days"
        summary.update(
            f"Backtest of {run['first_as_of']} to {run['last_as_of']}, horizon "
            f"{run['horizon_days']} days, preset {run['preset']} · ROC AUC {auc} · "
            f"median lead time {lead} · {s['events']} of {s['observations']} account-months "
            "churned or contracted"
        )
        table.add_rows(
            (
                tier_label(r["tier"]),
                f"{r['observations']:,}",
                f"{r['events']:,}",
                r["event_rate"],
                r["lift"],
                r["mrr_at_start"],
                r["mrr_lost"],
            )
            for r in lift_rows(s["lift"], True, s.get("currency", ""))
        )
