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
from storyline.ingest._source import open_lines, open_text, sniff
from storyline.ingest.base import IngestReport
from storyline.models import Article

__all__ = [
    "CLUSTER_LINE_FACTOR",
    "is_json_stream",
    "iter_json_objects",
    "iter_json_values",
    "read_clusters",
    "read_jsonl",
]

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


_WHITESPACE_OR_COMMA = frozenset(" \t\r\n,\ufeff")


def is_json_stream(path: Path) -> bool:
    """True for a file that is not one JSON value a line: a JSON array of objects
    (``[{...}, ...]``, minified or pretty-printed), or a ``.json`` file whose first line is not
    a whole JSON value (pretty-printed objects). Lines that are each an array (Timeline17's
    ``timelines.jsonl``) stay JSON Lines."""
    try:
        head = sniff(path).head_text.lstrip("\ufeff \t\r\n")
    except OSError:
        return False
    if not head.startswith("[") and not path.name.lower().removesuffix(".gz").endswith(".json"):
        return False
    first = head.split("\n", 1)[0].strip()
    try:
        value = json.loads(first)
    except (ValueError, RecursionError):
        return True  # not a whole value on its first line: pretty-printed or very long
    return isinstance(value, list) and any(isinstance(v, dict) for v in value)


def iter_json_values(
    path: Path, report: IngestReport, max_chars: int
) -> Iterator[tuple[str, dict[str, Any]]]:
    """``(where, object)`` for each object of a JSON array or a stream of (pretty-printed) JSON
    values, read in chunks (bounded memory). A value that does not parse within ``max_chars``
    ends the file, reported; values that are not objects are reported and skipped."""
    decoder = json.JSONDecoder()
    buf, pos, index = "", 0, 0
    for chunk in open_text(path, report):
        buf = buf[pos:] + chunk
        pos = 0
        while True:
            while pos < len(buf) and (buf[pos] in _WHITESPACE_OR_COMMA or buf[pos] in "[]"):
                pos += 1
            if pos >= len(buf):
                break
            try:
                value, end = decoder.raw_decode(buf, pos)
            except json.JSONDecodeError as exc:
                if len(buf) - pos > max_chars:
                    where = f"{path} item {index + 1}"
                    report.skip(where, "invalid JSON", f"{exc.msg}; stopped reading the file")
                    return
                break  # an incomplete value: read more
            except RecursionError:
                report.skip(f"{path} item {index + 1}", "invalid JSON", "nested too deeply")
                return
            index += 1
            pos = end
            where = f"{path} item {index}"
            if isinstance(value, dict):
                yield where, value
            else:
                report.skip(where, "not a JSON object", f"found {type(value).__name__}")
    rest = buf[pos:].strip(" \t\r\n,]")
    if rest:
        where = f"{path} item {index + 1}"
        report.skip(where, "invalid JSON", "malformed or incomplete value at the end of the file")


def _objects(
    path: Path, report: IngestReport, max_chars: int
) -> Iterator[tuple[str, dict[str, Any]]]:
    if is_json_stream(path):
        return iter_json_values(path, report, max_chars)
    return iter_json_objects(path, report, max_chars)


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


def _fallback_id(path: Path, where: str) -> str:
    """``name:line`` (or ``name:item``) for a cluster without an id."""
    return f"{path.name}:{where.rsplit(':' if where.startswith(f'{path}:') else ' ', 1)[1]}"


def read_jsonl(
    path: Path,
    report: IngestReport,
    settings: IngestSettings = IngestSettings(),
    mint: IdMinter | None = None,
) -> Iterator[Article]:
    """Articles from a JSON Lines file of articles and/or clusters, in file order."""
    mint = mint or IdMinter()
    cap = settings.max_record_chars * CLUSTER_LINE_FACTOR
    for where, value in _objects(path, report, cap):
        if _is_cluster(value):
            _, articles = cluster_articles(
                value, where, report, mint, settings, _fallback_id(path, where)
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
    settings: IngestSettings = IngestSettings(),
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
    for where, value in _objects(path, report, cap):
        if not _is_cluster(value):
            report.skip(where, "not a cluster", 'no "articles" list')
            continue
        cluster_id, articles = cluster_articles(
            value, where, report, mint, settings, _fallback_id(path, where)
        )
        if not articles:
            report.skip(where, "empty cluster", f"cluster {cluster_id!r} has no valid article")
            continue
        report.ok(len(articles))
        yield cluster_id, articles
