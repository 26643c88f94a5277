-- 0003: saved backtests (`retention backtest`), newest read by the dashboard's lift screen.
CREATE TABLE backtest_runs (
    id                  INTEGER PRIMARY KEY,
    run_at              TEXT NOT NULL,
    first_as_of         TEXT NOT NULL,
    last_as_of          TEXT NOT NULL,
    horizon_days        INTEGER NOT NULL,
    contraction_share   REAL NOT NULL,
    preset              TEXT NOT NULL,
    config_hash         TEXT NOT NULL,
    summary             TEXT NOT NULL   -- JSON: the figures, the lift table, signal rates
);
