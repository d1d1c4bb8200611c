"""Scale-out on Apache Spark: the pipeline's own stage functions run as Spark tasks over a corpus
of files, with Parquet output that ``import_parquet`` loads into the SQLite store for serving.

``spark_run`` needs ``pip install 'storyline[spark]'`` (pyspark, pandas, pyarrow) and Java 17+;
``import_parquet`` needs pyarrow only. Importing this package imports neither: the embedded
pipeline never touches Spark. See ``docs/scale.md``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from storyline.scale.job import SparkRunResult, spark_run
    from storyline.scale.parquet import ImportResult, import_parquet

__all__ = ["ImportResult", "SparkRunResult", "import_parquet", "spark_run"]


def __getattr__(name: str) -> Any:
    if name in ("spark_run", "SparkRunResult"):
        from storyline.scale import job

        return getattr(job, name)
    if name in ("import_parquet", "ImportResult"):
        from storyline.scale import parquet

        return getattr(parquet, name)
    raise AttributeError(f"module 'storyline.scale' has no attribute {name!r}")
