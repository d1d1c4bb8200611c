"""CSV/TSV: column lookup by settings, sniffed delimiters, bad rows."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from pathlib import Path

import pytest

from storyline.config import IngestSettings
from storyline.ingest import IngestReport, detect_format, read_inputs


@pytest.mark.parametrize("delimiter", [",", "\t", ";"])
def test_delimiters_are_sniffed(tmp_path: Path, delimiter: str) -> None:
    d = delimiter
    path = tmp_path / "news.csv"
    path.write_text(
        f"ID{d}Headline{d}Body{d}Published{d}Publisher{d}Link\n"
        f'1{d}"Port strike ends{d} ships move"{d}Dockers return.{d}2014-03-10{d}Wire{d}'
        f"https://a.example/1\n"
        f"2{d}Second headline{d}{d}1394470370698{d}{d}https://www.b.example/2\n",
        encoding="utf-8",
    )
    report = IngestReport()
    first, second = read_inputs([path], report=report)
    assert first.id == "1" and first.title == f"Port strike ends{d} ships move"
    assert first.text == "Dockers return." and first.source == "Wire"
    assert first.time == datetime(2014, 3, 10, tzinfo=UTC)
    assert second.text == "" and second.source == "b.example"
    assert second.time is not None and second.time.year == 2014
    assert second.origin == f"{path}:3"
    assert report.read == 2


def test_quoted_multiline_field_and_empty_rows(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_text('title,text\nA,"line one\nline two"\n,\nB,plain\n,   \n')
    report = IngestReport()
    articles = list(read_inputs([path], report=report))
    assert [a.title for a in articles] == ["A", "B"]
    assert articles[0].text == "line one\nline two"
    assert articles[1].origin == f"{path}:5"
    assert report.total_skipped == 0


def test_custom_column_names(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("kop,tekst\nNieuws,Iets gebeurd.\n")
    settings = IngestSettings(csv_title=("kop",), csv_text=("tekst",))
    [article] = read_inputs([path], settings=settings)
    assert article.title == "Nieuws" and article.text == "Iets gebeurd."


def test_no_title_or_text_column_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "numbers.csv"
    path.write_text("a,b\n1,2\n")
    report = IngestReport()
    assert list(read_inputs([path], report=report)) == []
    assert report.skipped == {"no title or text column": 1}
    assert "expected one of" in report.problems[0].reason


def test_rows_without_title_or_text_are_skipped(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("id,title,url\n1,Kept,u\n2,,https://x.example\n3,Also kept,\n")
    report = IngestReport()
    assert [a.id for a in read_inputs([path], report=report)] == ["1", "3"]
    assert report.skipped == {"no text or title": 1}
    assert report.problems[0].where == f"{path}:3"


def test_gzipped_tsv(tmp_path: Path) -> None:
    path = tmp_path / "feed.tsv.gz"
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.write("title\ttext\nOne\tFirst body, with a comma.\n")
    assert detect_format(path) == "csv"
    [article] = read_inputs([path])
    assert article.text == "First body, with a comma."


def test_a_quote_left_open_costs_one_row(tmp_path: Path) -> None:
    short = tmp_path / "short.csv"
    short.write_text('title,text\nA,"open quote\nB,ok\nC,"fine, quoted"\n')
    report = IngestReport()
    assert [a.title for a in read_inputs([short], report=report)] == ["B", "C"]
    assert report.skipped == {"invalid CSV row": 1}
    assert report.problems[0].where == f"{short}:2"

    long = tmp_path / "long.csv"
    rows = ["title,text", *(f"T{i},body {i}" for i in range(1500))]
    rows[5] = 'T4,"never closed'
    long.write_text("\n".join(rows) + "\n")
    report = IngestReport()
    titles = [a.title for a in read_inputs([long], report=report)]
    assert len(titles) == 1499 and "T4" not in titles and titles[-1] == "T1499"
    assert report.skipped == {"invalid CSV row": 1}
