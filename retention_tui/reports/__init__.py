"""Reports: rows built from engine results, rendered by retention_tui.output."""
