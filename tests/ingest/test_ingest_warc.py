"""WARC and WARC.gz: HTML responses extracted, everything else counted, broken archives kept."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from storyline.ingest import IngestReport, detect_format, read_inputs
from storyline.ingest.warc import read_warc

from .ingest_fixtures import build_warc

pytest.importorskip("warcio")
pytest.importorskip("trafilatura")

EXPECTED_SKIPS = {"not a page record": 3, "HTTP status": 1, "not HTML": 1, "no main text": 1}


def _read(path: Path) -> tuple[list, IngestReport]:
    report = IngestReport()
    return list(read_inputs([path], report=report)), report


@pytest.mark.parametrize("compressed", [True, False])
def test_warc_pages_and_counted_skips(tmp_path: Path, compressed: bool) -> None:
    path = tmp_path / ("crawl.warc.gz" if compressed else "crawl.warc")
    build_warc(path, gzip=compressed)
    assert detect_format(path) == "warc"
    articles, report = _read(path)
    assert [a.title for a in articles] == ["Ferry Story Number 0", "Ferry Story Number 1"]
    assert articles[0].url == "https://news.example.org/0"  # tracking parameter dropped
    assert articles[0].id.startswith("u-")
    assert articles[0].origin == f"{path} record 2"
    assert report.skipped == EXPECTED_SKIPS
    assert "skipped 6:" in report.summary()


def test_warc_detected_without_suffix(tmp_path: Path) -> None:
    path = tmp_path / "archive.bin"
    build_warc(path, gzip=True, pages=1)
    assert detect_format(path) == "warc"


def test_truncated_warc_gz_keeps_earlier_records(tmp_path: Path) -> None:
    full = tmp_path / "full.warc.gz"
    build_warc(full, gzip=True, pages=6)
    data = full.read_bytes()
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(data[: int(len(data) * 0.6)])
    articles, report = _read(cut)
    assert 1 <= len(articles) < 6
    assert [a.title for a in articles] == [f"Ferry Story Number {i}" for i in range(len(articles))]
    assert report.skipped["truncated gzip"] + report.skipped["bad WARC record"] == 1


def test_bad_record_headers_skip_to_the_next_record(tmp_path: Path) -> None:
    good = tmp_path / "good.warc"
    build_warc(good, gzip=False, pages=3)
    data = good.read_bytes()
    starts = [i for i in range(len(data)) if data.startswith(b"WARC/1.", i)]
    # break the header block of the fourth record (the second page's response)
    fourth = starts[3]
    bad = tmp_path / "bad.warc"
    bad.write_bytes(data[:fourth] + b"GARBAGE HEADER\r\nno: colon here\r\n" + data[fourth + 8 :])
    articles, report = _read(bad)
    # the broken record is lost; reading goes on at the next header: the third page comes through
    assert [a.title for a in articles] == ["Ferry Story Number 0", "Ferry Story Number 2"]
    assert report.skipped["bad WARC record"] == 1
    where = next(p.where for p in report.problems if "bad WARC" in p.reason)
    assert where == f"{bad} record 4"
    assert report.skipped["not HTML"] == 1 and report.skipped["HTTP status"] == 1


def test_not_a_warc_and_progress(tmp_path: Path) -> None:
    path = tmp_path / "fake.warc.gz"
    path.write_bytes(gzip.compress(b"this is not an archive\n" * 10))
    articles, report = _read(path)
    assert articles == [] and report.skipped == {"not a WARC file": 1}
    calls: list[tuple[int, int]] = []
    real = tmp_path / "r.warc"
    build_warc(real, gzip=False, pages=2)
    import storyline.ingest.warc as warc_module

    old = warc_module.PROGRESS_BYTES
    warc_module.PROGRESS_BYTES = 1
    try:
        report = IngestReport()
        report.begin_file(real, "warc")
        list(read_warc(real, report, progress=lambda b, r: calls.append((b, r))))
    finally:
        warc_module.PROGRESS_BYTES = old
    assert calls and calls[-1][1] == 8 and calls[-1][0] == real.stat().st_size
