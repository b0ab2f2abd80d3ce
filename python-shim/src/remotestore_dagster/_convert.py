"""Table conversions at the shim's edge: pyarrow is the wire type; pandas and polars are chosen by the
Python type annotation on load and by the object's own type on store. Everything else is pickled."""

from __future__ import annotations

import pickle
import typing
from typing import Any, Literal

import pyarrow as pa

Kind = Literal["arrow", "pandas", "polars", "object", "none"]

__all__ = ["Kind", "Shape", "kind_of_object", "shape_of_annotation", "to_arrow", "from_arrow", "dumps", "loads"]


class Shape(typing.NamedTuple):
    """What a load should return: a table ``kind``, and whether it is a ``dict[str, kind]`` keyed by
    partition (``per_partition``) rather than one table with a partition column."""

    kind: Kind
    per_partition: bool = False


def _qualname(tp: Any) -> str:
    return f"{getattr(tp, '__module__', '')}.{getattr(tp, '__qualname__', getattr(tp, '__name__', ''))}"


def _table_kind(tp: Any) -> Kind | None:
    """The table kind a (non-generic) annotation names, or None."""
    if tp is pa.Table or tp is pa.RecordBatch:
        return "arrow"
    name = _qualname(tp)
    if name in ("pandas.core.frame.DataFrame", "pandas.DataFrame"):
        return "pandas"
    if name.startswith("polars.") and name.split(".")[-1] in ("DataFrame", "LazyFrame"):
        return "polars"
    return None


def shape_of_annotation(tp: Any) -> Shape:
    """Map a Dagster input's ``dagster_type.typing_type`` to a :class:`Shape`.

    ``pa.Table``/``pd.DataFrame``/``pl.DataFrame`` → that kind; ``dict[str, T]`` (or ``Mapping``) with T
    one of them → per-partition dict; ``None`` → "none" (a Nothing dependency); anything else (``Any``,
    a missing annotation, other classes, ``dict[str, str]``) → "object", which loads tables as pyarrow
    and unpickles objects (several pickled partitions come back as ``dict[key, object]``).
    ``Optional[T]`` is read as ``T``.
    """
    if tp is None or tp is type(None):
        return Shape("none")
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is typing.Union or (origin is not None and _qualname(origin) == "types.UnionType"):
        rest = [a for a in args if a is not type(None)]
        if len(rest) == 1:
            return shape_of_annotation(rest[0])
        return Shape("object")
    if origin is not None and _qualname(origin) in ("builtins.dict", "collections.abc.Mapping", "typing.Mapping"):
        inner = _table_kind(args[1]) if len(args) == 2 else None
        if inner is not None:
            return Shape(inner, per_partition=True)
        return Shape("object")  # dict[str, str] etc.: an object that is itself a dict
    return Shape(_table_kind(tp) or "object")


def kind_of_object(obj: Any) -> Kind:
    """The table kind of a value to store; "object" when it is not a table (it will be pickled)."""
    if obj is None:
        return "none"
    if isinstance(obj, (pa.Table, pa.RecordBatch)):
        return "arrow"
    return _table_kind(type(obj)) or "object"


def to_arrow(obj: Any) -> pa.Table:
    """A pyarrow Table from a pyarrow, pandas or polars value."""
    if isinstance(obj, pa.Table):
        return obj
    if isinstance(obj, pa.RecordBatch):
        return pa.Table.from_batches([obj])
    kind = kind_of_object(obj)
    if kind == "pandas":
        # A default RangeIndex is dropped; a meaningful index is kept as a column (pyarrow's default).
        return pa.Table.from_pandas(obj)
    if kind == "polars":
        if hasattr(obj, "collect"):
            obj = obj.collect()
        return obj.to_arrow()
    raise TypeError(f"remotestore: cannot turn {type(obj).__name__} into an Arrow table")


def from_arrow(table: pa.Table, kind: Kind) -> Any:
    """Convert a loaded table to the requested kind ("object"/"arrow" → pyarrow)."""
    if kind == "pandas":
        return table.to_pandas()
    if kind == "polars":
        import polars as pl

        return pl.from_arrow(table)
    return table


def dumps(obj: Any) -> bytes:
    """Serialize a non-table output."""
    return pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)


def loads(data: bytes) -> Any:
    """Deserialize what :func:`dumps` stored."""
    return pickle.loads(data)
