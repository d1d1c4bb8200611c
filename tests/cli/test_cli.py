"""CLI contract tests: the JSON shapes of the batch commands, exit codes, no tracebacks."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from storyline.cli import build_parser, main
from storyline.ingest import read_inputs
from tests.conftest import EXAMPLES, ROOT

FAST = ["--embedder", "tfidf"]


def lines(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


@pytest.fixture
def cluster_file(tmp_path: Path) -> Path:
    rows = [json.loads(line) for line in (EXAMPLES / "demo-news.jsonl").read_text().splitlines()]
    clusters = {}
    for r in rows:
        clusters.setdefault(r["id"].split("-")[0], []).append(r)
    path = tmp_path / "clusters.jsonl.gz"
    with gzip.open(path, "wt") as fh:
        for cid, arts in clusters.items():
            fh.write(json.dumps({"id": cid, "articles": arts}) + "\n")
    return path


def test_summarize_contract(cluster_file: Path, capsys):
    assert main([*FAST, "summarize", str(cluster_file), "--words", "40"]) == 0
    out = lines(capsys.readouterr().out)
    assert [o["id"] for o in out] == ["port", "misc", "fire", "rate"]  # file order
    for o in out:
        assert set(o) == {"id", "summary", "sentences", "off_topic"}
        assert isinstance(o["off_topic"], list)
        assert len(o["summary"].split()) <= 40
        assert o["summary"] == " ".join(s["text"] for s in o["sentences"])
        for s in o["sentences"]:
            assert s["articles"] and all(a.startswith(o["id"]) for a in s["articles"])


def test_cluster_contract(cluster_file: Path, capsys):
    assert main([*FAST, "cluster", str(cluster_file)]) == 0
    out = lines(capsys.readouterr().out)
    assert len(out) == 17
    assert all({"id", "story"} <= set(o) for o in out)
    story = {o["id"]: o["story"] for o in out}
    assert story["fire-1"] == story["fire-2"]
    assert story["fire-1"] != story["port-1"]


def test_filter_contract(cluster_file: Path, capsys):
    assert main([*FAST, "filter", str(cluster_file)]) == 0
    out = lines(capsys.readouterr().out)
    assert [o["id"] for o in out] == ["port", "misc", "fire", "rate"]
    assert all(isinstance(o["off_topic"], list) for o in out)


def test_summarize_and_filter_take_a_pile_as_one_cluster(tmp_path: Path, capsys):
    pile = tmp_path / "pile.txt"
    items = ["Rockets hit an air base in Iraq hosting US troops",
             "Four US soldiers were wounded when rockets struck the Balad air base in Iraq.",
             "The rocket attack on the Iraqi air base came days after the Iranian missile strikes.",
             "US troops at the air base in Iraq had been warned of a rocket attack.",
             "Iraq's military said eight rockets struck the air base north of Baghdad.",
             "Giant sinkhole swallows a bus in China"]
    pile.write_text("\n\n".join(items), encoding="utf-8")
    assert main([*FAST, "filter", str(pile)]) == 0
    [flagged] = lines(capsys.readouterr().out)
    assert main([*FAST, "summarize", str(pile), "--words", "30", "--format", "text"]) == 0
    [summary] = lines(capsys.readouterr().out)
    sinkhole = next(a.id for a in read_inputs(pile) if "sinkhole" in (a.title or a.text))
    assert flagged == {"id": "pile", "off_topic": [sinkhole]}
    assert summary["id"] == "pile" and summary["off_topic"] == [sinkhole]
    assert summary["sentences"] and all(s["articles"] for s in summary["sentences"])


def test_filter_flags_the_specimen_piles_intruders(minilm, capsys):
    specimen = ROOT.parent / "shared" / "examples" / "iraq-airbase-pile.txt"
    if not specimen.exists():
        pytest.skip(f"specimen not found: {specimen}")
    text = {a.id: a.title or a.text for a in read_inputs(specimen)}
    assert main(["filter", str(specimen)]) == 0
    [out] = lines(capsys.readouterr().out)
    assert out["id"] == "iraq-airbase-pile"
    assert sorted(text[i].split()[0] for i in out["off_topic"]) == ["Giant", "Oscars"]


def test_run_stories_show_json(tmp_path: Path, capsys):
    db = str(tmp_path / "s.db")
    assert main([*FAST, "--db", db, "run", str(EXAMPLES / "demo-news.jsonl"), "--json"]) == 0
    run_out = lines(capsys.readouterr().out)
    assert run_out and all({"id", "headline", "summary", "sentences"} <= set(s) for s in run_out)
    assert main(["--db", db, "stories", "--json", "--min-size", "1"]) == 0
    stories = lines(capsys.readouterr().out)
    assert sum(s["size"] for s in stories) == 17
    biggest = stories[0]["id"]
    assert main(["--db", db, "show", biggest, "--json"]) == 0
    (full,) = lines(capsys.readouterr().out)
    assert full["id"] == biggest and len(full["articles"]) == full["size"] + len(full["off_topic"])
    assert main(["--db", db, "show", biggest]) == 0
    text = capsys.readouterr().out
    assert "Summary:" in text and "sources:" in text


def test_run_says_how_to_date_an_undated_pile(tmp_path: Path, capsys):
    pile = tmp_path / "pile.txt"
    pile.write_text("Rockets hit an air base in Iraq on Sunday\n\nFour soldiers were wounded.\n",
                    encoding="utf-8")
    assert main([*FAST, "--db", str(tmp_path / "a.db"), "run", str(pile)]) == 0
    assert "2 new item(s) have no publication date" in capsys.readouterr().err
    assert main([*FAST, "--db", str(tmp_path / "b.db"), "run", str(pile),
                 "--published", "2020-01-13"]) == 0
    assert "no publication date" not in capsys.readouterr().err


def test_errors_are_one_line_no_traceback(tmp_path: Path, capsys):
    assert main(["--db", str(tmp_path / "none.db"), "stories"]) == 2
    assert "no store at" in capsys.readouterr().err
    assert main([*FAST, "--db", str(tmp_path / "x.db"), "run", str(tmp_path / "missing.txt")]) == 2
    err = capsys.readouterr().err
    assert "missing.txt" in err and "Traceback" not in err
    junk = tmp_path / "junk.db"
    junk.write_bytes(os.urandom(4096))
    assert main(["--db", str(junk), "stories"]) == 2
    assert "not a storyline store" in capsys.readouterr().err
    assert main(["--db", str(tmp_path / "x.db"), "show", "nope"]) == 2


def test_every_command_is_documented():
    readme = (ROOT / "README.md").read_text()
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for name in sub.choices:  # type: ignore[union-attr]
        assert f"storyline {name}" in readme, f"command {name} is not in the README"


@pytest.mark.slow
def test_installed_entry_point(tmp_path: Path):
    exe = Path(sys.executable).parent / "storyline"
    if not exe.exists():
        pytest.skip("storyline is not installed in this interpreter's environment")
    proc = subprocess.run(
        [str(exe), *FAST, "--db", str(tmp_path / "s.db"), "run", str(EXAMPLES / "demo-pile.txt")],
        capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Cedar Ridge" in proc.stdout or "Havenmouth" in proc.stdout


def test_fast_mode_without_the_distilled_model_says_how_to_get_it(tmp_path: Path, capsys,
                                                                   monkeypatch):
    monkeypatch.setenv("STORYLINE_DATA", str(tmp_path / "empty"))
    db = str(tmp_path / "x.db")
    assert main(["--fast", "--db", db, "run", str(EXAMPLES / "demo-news.jsonl")]) == 2
    err = capsys.readouterr().err
    assert "distill-static.sh" in err and "Traceback" not in err
