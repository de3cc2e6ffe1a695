"""BPMN data stores: a ``bpmn:dataStore`` is a value shared by every case of every process, kept in the
database under the store's id. A task with a data output association to a reference of the store writes its
variable of that name into the store (and no longer holds it); one with a data input association reads the
stored value into that variable. Reads and writes happen in the command's transaction."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from .clock import utcnow
from .models import DataStoreValue


class DataStores:
    """Set on a case's workflow for one command: data store values, read and written in its session."""

    def __init__(self, session: so.Session, json_safe: Any) -> None:
        self.session = session
        self.json_safe = json_safe

    def read(self, key: str) -> Any:
        return self.session.scalar(sa.select(DataStoreValue.value).where(DataStoreValue.key == key))

    def write(self, key: str, value: Any) -> None:
        insert = sqlite_insert if self.session.get_bind().dialect.name == "sqlite" else pg_insert
        row = {"key": key, "value": self.json_safe(value), "updated_at": utcnow()}
        stmt = insert(DataStoreValue).values(**row)
        self.session.execute(stmt.on_conflict_do_update(index_elements=["key"], set_={
            "value": stmt.excluded.value, "updated_at": stmt.excluded.updated_at}))
