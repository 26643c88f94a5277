"""The database room: schema migrations, the one connection factory, writes and queries.

Nothing outside this package opens the database file.
"""

from db.connection import connect, transaction
from db.errors import RetentionError

__all__ = ["RetentionError", "connect", "transaction"]
