"""Calibrate: fit dimension weights from the user's own history.

A regularised logistic regression of "churned or contracted within the horizon" on the
dimension scores, fitted on the earlier backtest dates and judged on the later ones (a
time-ordered split, so the judge never saw the future it is judged on). The fitted
coefficients become a weight proposal: a dimension whose higher score means less churn
gets weight in proportion; one that does not predict gets none. Pure functions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import polars as pl

from retention_tui.engine.backtest import roc_auc

L2 = 1.0  # ridge penalty on the standardised coefficients
MAX_ITERATIONS = 50


def dimension_matrix(rows: pl.DataFrame, dims: list[str]) -> pl.DataFrame:
    """Backtest rows widened to one column per dimension score (null = no data)."""
    wide = rows.select(
        "as_of",
        "account_id",
        "total",
        "event",
        *[
            pl.col("dimensions")
            .list.eval(pl.element().filter(pl.element().struct.field("dimension") == d))
            .list.first()
            .struct.field("score")
            .alias(d)
            for d in dims
        ],
    )
    return wide


def _solve(a: list[list[float]], b: list[float]) -> list[float]:
    """Solve a x = b by Gaussian elimination with partial pivoting (small systems only)."""
    n = len(b)
    m = [[*row, b[i]] for i, row in enumerate(a)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(m[r][col]))
        m[col], m[pivot] = m[pivot], m[col]
        if abs(m[col][col]) < 1e-12:
            raise ArithmeticError("singular system")
        for r in range(n):
            if r != col:
                f = m[r][col] / m[col][col]
                m[r] = [x - f * y for x, y in zip(m[r], m[col], strict=True)]
    return [m[i][n] / m[i][i] for i in range(n)]


def fit_logistic(x: pl.DataFrame, y: pl.Series, l2: float = L2) -> list[float]:
    """Ridge logistic regression by Newton's method: [intercept, one coefficient per column].

    Columns are standardised inside; the returned coefficients are per raw unit."""
    cols = x.columns
    means = {c: float(x[c].mean() or 0.0) for c in cols}  # type: ignore[arg-type]
    sds = {c: float(x[c].std() or 1.0) or 1.0 for c in cols}  # type: ignore[arg-type]
    z = x.select([((pl.col(c) - means[c]) / sds[c]).alias(c) for c in cols]).with_columns(
        pl.lit(1.0).alias("_1"), y.cast(pl.Float64).alias("_y")
    )
    names = ["_1", *cols]
    beta = [0.0] * len(names)
    for _ in range(MAX_ITERATIONS):
        eta = sum((pl.col(n) * b for n, b in zip(names, beta, strict=True)), pl.lit(0.0))
        p = 1 / (1 + (-eta).exp())
        w = p * (1 - p)
        stats = z.select(
            *[((pl.col("_y") - p) * pl.col(n)).sum().alias(f"g{i}") for i, n in enumerate(names)],
            *[
                (w * pl.col(a) * pl.col(b)).sum().alias(f"h{i}_{j}")
                for i, a in enumerate(names)
                for j, b in enumerate(names)
            ],
        ).row(0, named=True)
        k = len(names)
        grad = [stats[f"g{i}"] - (l2 * beta[i] if i else 0.0) for i in range(k)]
        hess = [
            [stats[f"h{i}_{j}"] + (l2 if i == j and i else 0.0) for j in range(k)] for i in range(k)
        ]
        step = _solve(hess, grad)
        beta = [b + s for b, s in zip(beta, step, strict=True)]
        if max(abs(s) for s in step) < 1e-8:
            break
    # Back to raw units: b_raw = b_std / sd; intercept absorbs the means.
    raw = [beta[i + 1] / sds[c] for i, c in enumerate(cols)]
    intercept = beta[0] - sum(r * means[c] for r, c in zip(raw, cols, strict=True))
    return [intercept, *raw]


def weighted_total(frame: pl.DataFrame, weights: dict[str, float]) -> pl.Expr:
    """The total a set of weights gives, renormalised over dimensions with data."""
    num = sum((pl.col(d).fill_null(0) * w for d, w in weights.items()), pl.lit(0.0))
    den = sum(
        (pl.col(d).is_not_null().cast(pl.Float64) * w for d, w in weights.items()), pl.lit(0.0)
    )
    return pl.when(den > 0).then(num / den)


@dataclass(frozen=True)
class Calibration:
    split: date
    train_rows: int
    test_rows: int
    test_events: int
    coefficients: dict[str, float]
    current_weights: dict[str, float]
    proposed_weights: dict[str, int] | None
    current_auc: float | None
    proposed_auc: float | None


def calibrate(rows: pl.DataFrame, current: dict[str, float], split: date) -> Calibration:
    """Fit on rows before ``split``, judge on rows from ``split`` on."""
    dims = list(current)
    wide = dimension_matrix(rows.filter(pl.col("total").is_not_null()), dims)
    train = wide.filter(pl.col("as_of") < split)
    test = wide.filter(pl.col("as_of") >= split)
    if train["event"].sum() == 0 or test.height == 0:
        raise ValueError("not enough history: need churn or contraction before the split date")
    means = {d: float(train[d].mean() or 50.0) for d in dims}  # type: ignore[arg-type]
    x = train.select([pl.col(d).fill_null(means[d]) for d in dims])
    beta = fit_logistic(x, train["event"])
    coefficients = dict(zip(dims, beta[1:], strict=True))
    raw = {d: max(0.0, -b) for d, b in coefficients.items()}
    proposed = None
    proposed_auc = None
    if sum(raw.values()) > 0:
        total = sum(raw.values())
        proposed = {d: round(100 * v / total) for d, v in raw.items()}
        if sum(proposed.values()) > 0:
            score = test.select(weighted_total(test, {d: float(w) for d, w in proposed.items()}))
            proposed_auc = roc_auc(100 - score.to_series(), test["event"])
    current_auc = roc_auc(100 - test["total"], test["event"])
    return Calibration(
        split,
        train.height,
        test.height,
        int(test["event"].sum()),
        coefficients,
        dict(current),
        proposed,
        current_auc,
        proposed_auc,
    )


def proposal_toml(cal: Calibration, preset: str, made_on: date) -> str:
    assert cal.proposed_weights is not None

    def fmt(v: float | None) -> str:
        return "n/a" if v is None or math.isnan(v) else f"{v:.3f}"

    lines = [
        f"# Proposed by 'retention calibrate' on {made_on.isoformat()}: weights fitted on the",
        f"# history before {cal.split.isoformat()} ({cal.train_rows} account-months) and judged on",
        f"# the {cal.test_rows} after it: ROC AUC {fmt(cal.current_auc)} with the current weights,",
        f"# {fmt(cal.proposed_auc)} with these. Review it; to adopt, copy this table into",
        "# retention.toml beside the database. Nothing changes until you do.",
        "",
        f"[presets.{preset}.weights]",
    ]
    lines += [f"{d} = {w}" for d, w in cal.proposed_weights.items()]
    return "\n".join(lines) + "\n"
