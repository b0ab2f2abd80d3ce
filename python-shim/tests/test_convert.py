"""Type dispatch at the shim's edge (no plugin needed)."""

from __future__ import annotations

from typing import Any, Optional

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

from remotestore_dagster import _convert
from remotestore_dagster._convert import Shape


@pytest.mark.parametrize(("tp", "want"), [
    (pa.Table, Shape("arrow")),
    (pd.DataFrame, Shape("pandas")),
    (pl.DataFrame, Shape("polars")),
    (pl.LazyFrame, Shape("polars")),
    (Optional[pd.DataFrame], Shape("pandas")),
    (pl.DataFrame | None, Shape("polars")),
    (dict[str, pa.Table], Shape("arrow", per_partition=True)),
    (dict[str, pd.DataFrame], Shape("pandas", per_partition=True)),
    (dict[str, str], Shape("object")),
    (dict[str, Any], Shape("object")),
    (Any, Shape("object")),
    (list[int], Shape("object")),
    (None, Shape("none")),
])
def test_shape_of_annotation(tp: Any, want: Shape) -> None:
    assert _convert.shape_of_annotation(tp) == want


def test_to_arrow_and_back() -> None:
    t = pa.table({"a": [1, 2], "b": ["x", "y"]})
    assert _convert.to_arrow(t) is t
    assert _convert.to_arrow(t.to_batches()[0]).equals(t)
    assert _convert.to_arrow(pd.DataFrame({"a": [1, 2], "b": ["x", "y"]})).select(["a", "b"]).to_pylist() == t.to_pylist()
    assert _convert.to_arrow(pl.DataFrame({"a": [1, 2], "b": ["x", "y"]})).to_pylist() == t.to_pylist()
    assert _convert.to_arrow(pl.DataFrame({"a": [1]}).lazy()).to_pylist() == [{"a": 1}]
    assert isinstance(_convert.from_arrow(t, "pandas"), pd.DataFrame)
    assert isinstance(_convert.from_arrow(t, "polars"), pl.DataFrame)
    assert _convert.from_arrow(t, "object") is t
    with pytest.raises(TypeError, match="cannot turn set"):
        _convert.to_arrow({1, 2})


def test_kind_of_object() -> None:
    assert _convert.kind_of_object(None) == "none"
    assert _convert.kind_of_object(pa.table({"a": [1]})) == "arrow"
    assert _convert.kind_of_object(pd.DataFrame()) == "pandas"
    assert _convert.kind_of_object(pl.DataFrame()) == "polars"
    assert _convert.kind_of_object({"a": 1}) == "object"
    assert _convert.loads(_convert.dumps({"a": [1, 2]})) == {"a": [1, 2]}
