"""The ingest report counts bytes read (for progress); malformed URLs never raise."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from storyline.ingest import read_inputs
from storyline.ingest.base import IngestReport


def test_bytes_read_counts_plain_and_gzipped_input(tmp_path: Path):
    lines = "".join(json.dumps({"id": str(i), "text": f"Item number {i}."}) + "\n"
                    for i in range(1000))
    plain, packed = tmp_path / "a.jsonl", tmp_path / "b.jsonl.gz"
    plain.write_text(lines)
    with gzip.open(packed, "wt") as fh:
        fh.write(lines)
    report = IngestReport()
    assert sum(1 for _ in read_inputs([plain, packed], report=report)) == 2000
    assert report.bytes_read == 2 * len(lines.encode())  # decompressed bytes for gzip


def test_malformed_urls_do_not_raise():
    from storyline.ingest.urls import canonical_url

    # found by the fuzz test: a bracket makes urllib read an IPv6 literal and raise ValueError
    assert canonical_url("https://a.org/x?utm_source=1", "https://[news.example.org/x") == (
        "https://a.org/x"
    )
    assert canonical_url("https://[bad") == "https://[bad"
