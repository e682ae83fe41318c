"""Where a shopper's data is still written down: every log line, every row of the shop's database."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

#: What an order keeps after its customer is forgotten (docs/privacy.md): who bought (the channel's
#: customer key, which on WhatsApp is the phone number) and where to deliver (in ``details``).
ORDER_FIELDS = {("orders", "customer_key"), ("orders", "details")}


def in_logs(logged: str, private: list[str]) -> list[str]:
    """The private values that appear in the log text (also JSON-escaped, as a renderer writes them)."""
    escaped = [json.dumps(value, ensure_ascii=True)[1:-1] for value in private]
    return [value for value, form in zip(private, escaped, strict=True) if value in logged or form in logged]


def in_database(path: Path, private: list[str]) -> set[tuple[str, str, str]]:
    """(table, column, value) for every private value found in any column of any row."""
    found: set[tuple[str, str, str]] = set()
    db = sqlite3.connect(path)
    try:
        tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            cursor = db.execute(f'SELECT * FROM "{table}"')  # table names from sqlite_master
            columns = [d[0] for d in cursor.description]
            for row in cursor:
                for column, cell in zip(columns, row, strict=True):
                    text = str(cell)
                    # JSON columns may escape non-ASCII text; look for both forms.
                    for value in private:
                        if value in text or json.dumps(value)[1:-1] in text:
                            found.add((table, column, value))
    finally:
        db.close()
    return found


def outside_orders(found: set[tuple[str, str, str]]) -> set[tuple[str, str, str]]:
    return {(table, column, value) for table, column, value in found if (table, column) not in ORDER_FIELDS}
