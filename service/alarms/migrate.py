"""Bring an older alarm database up to the current tables: add the nullable columns it lacks.

``metadata.create_all`` creates missing *tables* only. A column added to a table after release
(``alarms.heatmap_snapshot``) is added here with ``ALTER TABLE ... ADD COLUMN`` (SQLite and
PostgreSQL alike); only nullable columns are ever added this way, so old rows stay valid (NULL).
"""

from __future__ import annotations

import logging

from sqlalchemy import Engine, inspect, text
from sqlalchemy.schema import CreateColumn

from service.alarms.schema import metadata

logger = logging.getLogger(__name__)


def add_missing_columns(engine: Engine) -> list[str]:
    """Add every nullable column of the metadata missing from the database; ``table.column``s."""
    inspector = inspect(engine)
    added: list[str] = []
    for table in metadata.sorted_tables:
        present = {c["name"] for c in inspector.get_columns(table.name)}
        missing = [c for c in table.columns if c.name not in present and c.nullable]
        for column in missing:
            ddl = CreateColumn(column).compile(dialect=engine.dialect)
            with engine.begin() as conn:
                conn.execute(text(f"ALTER TABLE {table.name} ADD COLUMN {ddl}"))
            added.append(f"{table.name}.{column.name}")
            logger.warning("alarm store: added column %s.%s", table.name, column.name)
    return added
