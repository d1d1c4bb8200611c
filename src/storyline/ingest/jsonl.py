"""JSON Lines readers: one article a line, or one cluster of articles a line (WCEP, DUC 2006).

Article lines: ``{"id", "title", "text", "time", "source", "url"}``; only ``text`` or ``title`` is
required, keys are matched leniently (``body``/``content``, ``date``/``published``...), and the
news-tls/Timeline17 shape ``{"id", "time", "text"}`` is the same thing. Cluster lines:
``{"id", "topic"?, "articles": [...], "references": [...]}``; each article gets ``cluster=id``.
A line of either kind is accepted in either file.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from storyline.config import IngestSettings
from storyline.ingest._records import IdMinter, as_text, record_to_article
from storyline.ingest._source import open_lines
from storyline.ingest.base import IngestReport
from storyline.models import Article

__all__ = ["CLUSTER_LINE_FACTOR", "iter_json_objects", "read_clusters", "read_jsonl"]

#: a cluster line holds many articles: its cap is this many times ``max_record_chars``
CLUSTER_LINE_FACTOR = 16


def iter_json_objects(
    path: Path, report: IngestReport, max_chars: int
) -> Iterator[tuple[str, dict[str, Any]]]:
    """``(where, object)`` for every line of ``path`` that is a JSON object; other lines are
    reported (invalid JSON, not an object, too long) and skipped. Blank lines are ignored."""
    for line in open_lines(path, report, max_chars):
        where = f"{path}:{line.number}"
        text = line.text.strip()
        if not text:
            continue
        if line.truncated:
            report.skip(where, "record too long", f"line longer than {max_chars} characters")
            continue
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            report.skip(where, "invalid JSON", f"{exc.msg} at column {exc.colno}")
            continue
        except RecursionError:
            report.skip(where, "invalid JSON", "nested too deeply")
            continue
        if not isinstance(value, dict):
            report.skip(where, "not a JSON object", f"found {type(value).__name__}")
            continue
        yield where, value


def _is_cluster(value: dict[str, Any]) -> bool:
    return isinstance(value.get("articles"), list)


def cluster_articles(
    value: dict[str, Any],
    where: str,
    report: IngestReport,
    mint: IdMinter,
    settings: IngestSettings,
    fallback_id: str,
) -> tuple[str, list[Article]]:
    """The id of a cluster object and its valid articles (bad ones reported)."""
    cluster_id = as_text(value.get("id") or value.get("cluster_id") or "").strip() or fallback_id
    articles: list[Article] = []
    for i, item in enumerate(value.get("articles") or [], 1):
        item_where = f"{where} article {i}"
        if isinstance(item, str):
            item = {"text": item}
        if not isinstance(item, dict):
            report.skip(item_where, "not a JSON object", f"found {type(item).__name__}")
            continue
        article = record_to_article(
            item, item_where, report, mint, settings.max_record_chars, cluster_id, prefix="a"
        )
        if article is not None:
            articles.append(article)
    return cluster_id, articles


def read_jsonl(
    path: Path,
    report: IngestReport,
    settings: IngestSettings = IngestSettings(),  # noqa: B008 - frozen, safe as default
    mint: IdMinter | None = None,
) -> Iterator[Article]:
    """Articles from a JSON Lines file of articles and/or clusters, in file order."""
    mint = mint or IdMinter()
    cap = settings.max_record_chars * CLUSTER_LINE_FACTOR
    for where, value in iter_json_objects(path, report, cap):
        if _is_cluster(value):
            _, articles = cluster_articles(
                value, where, report, mint, settings, f"{path.name}:{where.rsplit(':', 1)[1]}"
            )
            report.ok(len(articles))
            yield from articles
            continue
        article = record_to_article(value, where, report, mint, settings.max_record_chars)
        if article is not None:
            report.ok()
            yield article


def read_clusters(
    path: str | Path,
    report: IngestReport | None = None,
    settings: IngestSettings = IngestSettings(),  # noqa: B008 - frozen, safe as default
    mint: IdMinter | None = None,
) -> Iterator[tuple[str, list[Article]]]:
    """``(cluster id, articles)`` for each cluster line of a cluster file, in file order.

    Lines without an ``articles`` list, and clusters left with no valid article, are reported
    and skipped. A missing cluster id becomes ``<file name>:<line>``.
    """
    from storyline.ingest import check_path  # late: the package imports this module

    path = check_path(path)
    report = report if report is not None else IngestReport()
    if not report.files or report.files[-1].path != str(path):
        report.begin_file(path, "clusters")
    mint = mint or IdMinter()
    cap = settings.max_record_chars * CLUSTER_LINE_FACTOR
    for where, value in iter_json_objects(path, report, cap):
        if not _is_cluster(value):
            report.skip(where, "not a cluster", 'no "articles" list')
            continue
        number = where.rsplit(":", 1)[1]
        cluster_id, articles = cluster_articles(
            value, where, report, mint, settings, f"{path.name}:{number}"
        )
        if not articles:
            report.skip(where, "empty cluster", f"cluster {cluster_id!r} has no valid article")
            continue
        report.ok(len(articles))
        yield cluster_id, articles
