"""Reads that every page asks for, built with Piccolo once and run many times.

Building a Piccolo select costs about 0.2 ms of CPU (more with joins), every time; the
query itself, on a kept connection, costs a fraction of that. A `Prepared` query is
built once at import with `Param` placeholders, compiled once per database dialect, and
then only bound and run. Use it for the reads of the busiest pages; anything else stays
a plain Piccolo query.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any, TypeVar

from piccolo.query.base import Query
from piccolo.table import Table


@dataclass(frozen=True)
class Param:
    """A value supplied at run time: `Document.event == Param("event")`."""

    name: str


class Prepared:
    def __init__(self, query: Query[Any, Any]) -> None:
        self.query = query
        self._compiled: dict[str, tuple[str, list[Any]]] = {}

    def _compile(self, engine_type: str) -> tuple[str, list[Any]]:
        compiled = self._compiled.get(engine_type)
        if compiled is None:
            (querystring,) = self.query.querystrings  # a single statement
            compiled = self._compiled[engine_type] = querystring.compile_string(
                engine_type=engine_type
            )
        return compiled

    async def rows(self, **values: Any) -> list[dict[str, Any]]:
        engine: Any = self.query.table._meta.db
        sql, args = self._compile(engine.engine_type)
        bound = [values[arg.name] if isinstance(arg, Param) else arg for arg in args]
        return await engine.run_compiled(sql, bound)

    async def first(self, **values: Any) -> dict[str, Any] | None:
        rows = await self.rows(**values)
        return rows[0] if rows else None


T = TypeVar("T", bound=Table)


@cache
def _column_names(table: type[Table]) -> frozenset[str]:
    return frozenset(column._meta.name for column in table._meta.columns)


def loaded(table: type[T], row: dict[str, Any]) -> T:
    """A whole row, read, as an instance of `table`. Table.__init__ walks every column and
    makes its default (about 0.1 ms for a user, three times a request for the user, the
    event and its provider); a row that has every column needs none of that."""
    missing = _column_names(table) - row.keys()
    if missing:  # a column left out would read as the Column object itself
        raise ValueError(f"{table.__name__} row without {sorted(missing)}")
    instance = table.__new__(table)
    instance.__dict__.update(row)
    instance._exists_in_db = True
    instance._was_created = None
    return instance
