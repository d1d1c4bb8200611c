"""A tiny two-file news pile written for these tests (made-up events, one day), and one Spark run
over it shared by the tests of this folder."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

DAY = "2026-03-14"

# three made-up events, a duplicate wire copy, a near copy, an id repeated across files
FILE_1 = [
    ("flood-1", "08:10", "Wire", "River Lenne bursts its banks in Marlowe",
     "The River Lenne burst its banks in the town of Marlowe early on Saturday after two days of "
     "rain. Firefighters evacuated about 300 residents from the lower town. The mayor of Marlowe "
     "said the water had reached the market square by dawn. Schools in the district will stay "
     "closed on Monday."),
    ("chess-1", "09:00", "Daily Post", "Veltra chess final goes to a tie-break",
     "The final of the Veltra open chess championship will be decided by a tie-break after Irena "
     "Solt and Marco Diaz drew all four classical games. The rapid games are set for Sunday "
     "afternoon. Solt, the defending champion, said she felt calm before the play-off. The prize "
     "fund of the tournament is a record 400,000 euros."),
    ("bank-1", "10:30", "Finance Today", "Kestrel Bank raises its key rate to 4.5 percent",
     "Kestrel Bank raised its key interest rate by a quarter point to 4.5 percent on Saturday, "
     "citing stubborn inflation in services. The bank's governor said further increases were "
     "possible if wages keep rising quickly. Mortgage lenders are expected to pass the increase "
     "on to borrowers within weeks."),
    ("flood-2", "11:05", "Regional News", "Hundreds evacuated as Marlowe floods",
     "Around 300 people were evacuated from their homes in Marlowe as the River Lenne flooded the "
     "lower town. Rescue boats carried elderly residents from the market square. The district "
     "council opened an emergency shelter in the sports hall. More rain is forecast for Sunday."),
    ("chess-2", "12:15", "Chess Weekly", "Solt and Diaz head to rapid play-off in Veltra",
     "Irena Solt and Marco Diaz will meet in a rapid play-off on Sunday after their four classical "
     "games in the Veltra final ended in draws. Diaz had the better chances in the last game but "
     "could not break through. The winner takes the largest share of the record prize fund."),
]
FILE_2 = [
    ("bank-2", "13:00", "Business Desk", "Borrowers face higher costs after Kestrel Bank move",
     "Borrowers face higher monthly payments after Kestrel Bank lifted its key rate to 4.5 "
     "percent. The governor of Kestrel Bank warned that services inflation remains too high. "
     "Several lenders said they would raise mortgage rates next week."),
    # an exact copy of flood-1 under another id (a wire story reprinted)
    ("flood-1-mirror", "13:20", "Morning Herald", "River Lenne bursts its banks in Marlowe",
     "The River Lenne burst its banks in the town of Marlowe early on Saturday after two days of "
     "rain. Firefighters evacuated about 300 residents from the lower town. The mayor of Marlowe "
     "said the water had reached the market square by dawn. Schools in the district will stay "
     "closed on Monday."),
    # a near copy of chess-1: two words added at the end
    ("chess-1-copy", "14:00", "Sports Roundup", "Veltra chess final goes to a tie-break",
     "The final of the Veltra open chess championship will be decided by a tie-break after Irena "
     "Solt and Marco Diaz drew all four classical games. The rapid games are set for Sunday "
     "afternoon. Solt, the defending champion, said she felt calm before the play-off. The prize "
     "fund of the tournament is a record 400,000 euros, organisers said."),
    ("flood-3", "15:40", "Wire", "Marlowe flood waters begin to recede",
     "Flood waters in Marlowe began to recede on Saturday afternoon, the district council said. "
     "The River Lenne is still above its normal level and residents evacuated from the lower "
     "town cannot yet return home. Engineers will inspect the old stone bridge on Monday."),
    # an id already used in the first file (a sloppy feed): renumbered bank-1~2
    ("bank-1", "16:45", "Market Wire", "Kestrel Bank rate rise hits the currency",
     "The currency fell slightly against the euro after Kestrel Bank raised its key rate, as "
     "traders had expected a larger increase. Analysts said Kestrel Bank may raise rates again "
     "in the summer if inflation does not ease."),
]


def write_pile(folder: Path) -> list[Path]:
    """Write the two files of the pile; return their paths in order."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, records in (("part-1.jsonl", FILE_1), ("part-2.jsonl", FILE_2)):
        path = folder / name
        with open(path, "w", encoding="utf-8") as fh:
            for doc_id, hhmm, source, title, text in records:
                fh.write(json.dumps({"id": doc_id, "time": f"{DAY}T{hhmm}:00+00:00",
                                     "source": source, "title": title, "text": text}) + "\n")
        paths.append(path)
    return paths


def spark_unavailable() -> str | None:
    """Why Spark cannot run here (None when it can)."""
    try:
        import pyarrow  # noqa: F401
        import pyspark  # noqa: F401
    except ImportError:
        return "pyspark/pyarrow not installed: pip install 'storyline[spark]'"
    java = shutil.which("java", path=os.environ.get("JAVA_HOME", "") + "/bin:" +
                        os.environ.get("PATH", ""))
    if java is None:
        return "Java not found (Spark needs Java 17+: apt-get install openjdk-17-jre-headless)"
    try:
        subprocess.run([java, "-version"], capture_output=True, timeout=30, check=True)
    except (OSError, subprocess.SubprocessError):
        return f"{java} -version failed"
    return None


@pytest.fixture(scope="session")
def pile(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return write_pile(tmp_path_factory.mktemp("pile"))


@pytest.fixture(scope="session")
def spark_output(
    pile: list[Path], fast_settings: Any, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Any]:
    """One local-mode Spark run over the pile (model-free embedder): (output folder, result)."""
    reason = spark_unavailable()
    if reason:
        pytest.skip(f"Spark test skipped: {reason}")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from storyline.scale import spark_run

    out = tmp_path_factory.mktemp("spark") / "out"
    result = spark_run(str(pile[0].parent / "*.jsonl"), out, fast_settings, master="local[2]",
                       conf={"spark.sql.shuffle.partitions": "4"})
    return out, result
