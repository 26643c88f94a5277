"""`retention report capacity` and the palette's "CSM capacity": the engine's load per
owner (engine/capacity.py) as rows a person reads, and the ratios it is measured by."""

from __future__ import annotations

from datetime import date

from retention_tui.engine.capacity import BANDS, csm_load
from retention_tui.engine.features import Tables


def ratios() -> str:
    """'one CSM carries 10-15 enterprise accounts (high-touch, weekly), ...' (seed A)."""
    named = [
        f"{f'{fewest}-{most}' if fewest != most else f'{most}+'} {name} ({touch})"
        for _, name, most, fewest, touch in BANDS
    ]
    return "one CSM carries " + ", ".join(named[:-1]) + " or " + named[-1] + " accounts"


def capacity_rows(t: Tables, as_of: date, cfg: dict) -> list[dict[str, object]]:
    """One row per owner, the load as a range ('0.59-0.93') before the verdict."""
    return [
        {
            **{k: v for k, v in r.items() if k not in ("load_low", "load_high", "verdict")},
            "load": f"{r['load_low']:.2f}-{r['load_high']:.2f}",
            "verdict": r["verdict"],
        }
        for r in csm_load(t, as_of, cfg).to_dicts()
    ]
