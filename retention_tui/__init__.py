"""retention: a local-first customer-retention cockpit for the terminal."""

__version__ = "0.1.0"
