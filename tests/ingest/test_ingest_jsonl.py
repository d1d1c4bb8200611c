"""JSON Lines articles and cluster files: shapes, lenient keys, bad lines reported."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from storyline.config import IngestSettings
from storyline.errors import InputError
from storyline.ingest import IngestReport, read_clusters, read_groups, read_inputs


def _write_lines(path: Path, lines: list[object]) -> Path:
    path.write_text(
        "\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n",
        encoding="utf-8",
    )
    return path


def test_articles_full_shape(tmp_path: Path) -> None:
    path = _write_lines(
        tmp_path / "a.jsonl",
        [
            {
                "id": "a1",
                "title": "Dam opens",
                "text": "The dam opened.",
                "time": "2024-03-01",
                "source": "Daily",
                "url": "https://news.example.org/a1",
            },
            {"id": "a2", "text": "Only a body.", "time": 1709251200},
            {"title": "Only a headline", "url": "https://www.example.com/x?id=1"},
        ],
    )
    report = IngestReport()
    a1, a2, a3 = read_inputs([path], report=report)
    assert a1.id == "a1" and a1.title == "Dam opens" and a1.source == "Daily"
    assert a1.time == datetime(2024, 3, 1, tzinfo=UTC)
    assert a1.origin == f"{path}:1"
    assert a2.time == datetime(2024, 3, 1, tzinfo=UTC) and a2.title == ""
    assert a3.id.startswith("j-") and a3.source == "example.com"
    assert report.read == 3 and report.total_skipped == 0


def test_news_tls_shape_and_lenient_keys(tmp_path: Path) -> None:
    path = _write_lines(
        tmp_path / "articles.jsonl",
        [
            {"id": "17", "time": "2010-05-15", "text": "Oil reached the coast ."},
            {
                "ID": 5,
                "Headline": "Upper-case keys",
                "Body": ["para one", "para two"],
                "Date": "2010-05-16T10:00:00Z",
                "source": {"id": None, "name": "Wire"},
            },
        ],
    )
    first, second = read_inputs([path])
    assert first.id == "17" and first.time == datetime(2010, 5, 15, tzinfo=UTC)
    assert second.id == "5" and second.title == "Upper-case keys"
    assert second.text == "para one\npara two" and second.source == "Wire"
    assert second.time == datetime(2010, 5, 16, 10, tzinfo=UTC)


def test_bad_lines_are_reported_and_good_ones_kept(tmp_path: Path) -> None:
    path = _write_lines(
        tmp_path / "bad.jsonl",
        [
            {"id": "ok1", "text": "Fine."},
            '{"id": "broken", "text": "no closing brace"',
            "[1, 2, 3]",
            '"just a string"',
            {"id": "empty", "title": "", "text": ""},
            "",
            {"id": "ok2", "title": "Fine too", "time": "not a date"},
        ],
    )
    report = IngestReport()
    articles = list(read_inputs([path], report=report))
    assert [a.id for a in articles] == ["ok1", "ok2"]
    assert articles[1].time is None
    assert report.skipped == {"invalid JSON": 1, "not a JSON object": 2, "no text or title": 1}
    assert report.warned == {"unreadable time": 1}
    wheres = [p.where for p in report.problems]
    assert f"{path}:2" in wheres and f"{path}:3" in wheres and f"{path}:5" in wheres
    assert report.files[0].read == 2 and report.files[0].skipped == 4


def test_overlong_line_is_capped_and_reported(tmp_path: Path) -> None:
    path = _write_lines(
        tmp_path / "long.jsonl",
        [
            {"id": "huge", "text": "x" * 100_000},  # the line itself is too long: skipped
            {"id": "big", "text": "y " * 1500},  # the line fits the cap x16, the text is cut
            {"id": "after", "text": "Still read."},
        ],
    )
    settings = IngestSettings(max_record_chars=2000)
    report = IngestReport()
    articles = list(read_inputs([path], settings=settings, report=report))
    assert [a.id for a in articles] == ["big", "after"]
    assert len(articles[0].text) == 2000
    assert report.skipped == {"record too long": 1}
    assert report.warned == {"truncated": 1}


def test_clusters_duc_shape(tmp_path: Path) -> None:
    path = _write_lines(
        tmp_path / "clusters.jsonl",
        [
            {
                "id": "C1",
                "topic": {"title": "Floods"},
                "references": ["A summary."],
                "articles": [
                    {
                        "id": "c1a",
                        "source": "AP",
                        "time": "1998-06-12 22:16",
                        "title": "Rain",
                        "text": "It rained.",
                    },
                    {
                        "id": "c1b",
                        "source": "NYT",
                        "time": "08/12/1998 13:29:00",
                        "title": "More",
                        "text": "It rained more.",
                    },
                ],
            },
            {"id": "C2", "articles": [{"id": "c2a", "text": "Quake hits."}]},
        ],
    )
    articles = list(read_inputs([path]))
    assert [(a.id, a.cluster) for a in articles] == [("c1a", "C1"), ("c1b", "C1"), ("c2a", "C2")]
    assert articles[1].time == datetime(1998, 8, 12, 13, 29, tzinfo=UTC)
    clusters = list(read_clusters(path))
    assert [(cid, [a.id for a in arts]) for cid, arts in clusters] == [
        ("C1", ["c1a", "c1b"]),
        ("C2", ["c2a"]),
    ]


def test_clusters_wcep_like_lenient(tmp_path: Path) -> None:
    path = _write_lines(
        tmp_path / "wcep.jsonl",
        [
            {
                "id": 7,
                "date": "2019-01-02",
                "summary": "Ref.",
                "articles": [
                    {
                        "url": "https://www.paper.example/story",
                        "title": "A",
                        "content": "Body A.",
                        "time": "2019-01-02T08:00:00",
                        "origin": "WCEP",
                    },
                    {"title": "B", "text": "Body B."},
                    "A bare string article.",
                    42,
                    {"url": "https://x.example/empty"},
                ],
            },
            {"articles": []},
            {"id": "no-articles", "text": "not a cluster"},
        ],
    )
    report = IngestReport()
    clusters = list(read_clusters(path, report))
    assert len(clusters) == 1
    cid, arts = clusters[0]
    assert cid == "7"
    assert [a.text for a in arts] == ["Body A.", "Body B.", "A bare string article."]
    assert all(a.id.startswith("a-") and a.cluster == "7" for a in arts)
    assert arts[0].source == "paper.example"
    assert report.skipped == {
        "not a JSON object": 1,
        "no text or title": 1,
        "empty cluster": 1,
        "not a cluster": 1,
    }
    assert report.problems[0].where == f"{path}:1 article 4"


def test_missing_cluster_id_uses_file_and_line(tmp_path: Path) -> None:
    path = _write_lines(tmp_path / "c.jsonl", [{"articles": [{"text": "x y z."}]}])
    [(cid, _)] = read_clusters(path)
    assert cid == "c.jsonl:1"


def test_json_array_and_pretty_printed_objects(tmp_path: Path) -> None:
    array = tmp_path / "export.json"
    array.write_text(
        json.dumps(
            [
                {"title": "Pretty", "text": "Body one."},
                {"id": "x2", "text": "Body two."},
                42,
                {"id": "K", "articles": [{"text": "In a cluster."}]},
            ],
            indent=2,
        )
    )
    report = IngestReport()
    articles = list(read_inputs([array], report=report))
    assert [a.title or a.text for a in articles] == ["Pretty", "Body two.", "In a cluster."]
    assert articles[0].origin == f"{array} item 1" and articles[2].cluster == "K"
    assert report.skipped == {"not a JSON object": 1}

    pretty = tmp_path / "objects.json"
    pretty.write_text('{"title": "A",\n "text": "one"}\n{\n  "title": "B"\n}\n')
    assert [a.title for a in read_inputs([pretty])] == ["A", "B"]


def test_json_array_cut_short_and_minified_large(tmp_path: Path) -> None:
    cut = tmp_path / "cut.json"
    cut.write_text('[{"title": "kept", "text": "x"}, {"title": "lost')
    report = IngestReport()
    assert [a.title for a in read_inputs([cut], report=report)] == ["kept"]
    assert report.skipped == {"invalid JSON": 1}
    # a minified array on one line, far longer than the line cap, still streams record by record
    big = tmp_path / "big.json"
    records = [{"id": f"r{i}", "text": "word " * 200} for i in range(3000)]
    big.write_text(json.dumps(records))
    settings = IngestSettings(max_record_chars=10_000)
    report = IngestReport()
    assert sum(1 for _ in read_inputs([big], settings=settings, report=report)) == 3000
    assert report.total_skipped == 0


def test_lines_that_are_arrays_stay_json_lines(tmp_path: Path) -> None:
    path = _write_lines(tmp_path / "timelines.jsonl", [["2010-01-01", ["a"]], ["2010-01-02", []]])
    report = IngestReport()
    assert list(read_inputs([path], report=report)) == []
    assert report.skipped == {"not a JSON object": 2}  # one per line, not per element
    one_line = tmp_path / "min.json"
    one_line.write_text(json.dumps([{"title": "A"}, {"title": "B"}]))
    assert [a.title for a in read_inputs([one_line])] == ["A", "B"]


def test_groups_of_a_cluster_file_are_its_clusters(tmp_path: Path) -> None:
    path = _write_lines(tmp_path / "c.jsonl", [
        {"id": "a", "articles": [{"id": "a1", "text": "One two three."}]},
        {"id": "b", "articles": [{"id": "b1", "text": "Four five six."},
                                 {"id": "b2", "text": "Seven eight."}]},
    ])
    assert [(cid, [a.id for a in arts]) for cid, arts in read_groups(path)] == [
        ("a", ["a1"]), ("b", ["b1", "b2"])]


def test_any_other_input_is_one_group_named_after_it(tmp_path: Path) -> None:
    pile = tmp_path / "iraq-pile.txt.gz"
    with gzip.open(pile, "wt", encoding="utf-8") as fh:
        fh.write("Rockets hit an air base\n\nFour soldiers were wounded.\n\n"
                 "A sinkhole swallows a bus\n")
    report = IngestReport()
    [(gid, arts)] = read_groups(pile, report=report)
    assert gid == "iraq-pile"
    assert [a.text or a.title for a in arts] == [
        "Rockets hit an air base", "Four soldiers were wounded.", "A sinkhole swallows a bus"]
    assert report.read == 3
    articles = _write_lines(tmp_path / "news.jsonl", [{"id": "x", "text": "Some text here."}])
    assert [(g, [a.id for a in arts]) for g, arts in read_groups(articles)] == [("news", ["x"])]
    assert [g for g, _ in read_groups(tmp_path, fmt="jsonl")] == [tmp_path.name]


def test_groups_of_nothing_and_bad_formats(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    assert list(read_groups(empty)) == []
    with pytest.raises(InputError, match="unknown input format"):
        list(read_groups(empty, fmt="pdf"))
    with pytest.raises(InputError):
        list(read_groups(tmp_path / "missing.txt"))
