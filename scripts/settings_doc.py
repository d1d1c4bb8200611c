"""Write docs/settings.md from the settings classes and their ``#:`` comments.

    python scripts/settings_doc.py          # rewrite docs/settings.md
    python scripts/settings_doc.py --check  # exit 1 when docs/settings.md is out of date
"""

from __future__ import annotations

import ast
import sys
from dataclasses import MISSING, fields
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from storyline.config import Settings  # noqa: E402

HEADER = """# Settings

All settings live in one typed object, `storyline.config.Settings`, with the defaults below.
Override any of them, section by section, in a TOML file passed with `--config`:

```toml
[cluster]
threshold = 0.25

[enrich]
entities = "off"
```

or from Python: `Settings().with_overrides({"cluster": {"threshold": 0.25}})`. Unknown names are
an error, never silently ignored. This page is generated from `src/storyline/config.py`
(`python scripts/settings_doc.py`); a test checks that it is up to date.
"""


def comments() -> dict[tuple[str, str], str]:
    """(class name, field name) -> the ``#:`` comment lines above the field."""
    source = (ROOT / "src" / "storyline" / "config.py").read_text().splitlines()
    out: dict[tuple[str, str], str] = {}
    for node in ast.walk(ast.parse("\n".join(source))):
        if not isinstance(node, ast.ClassDef):
            continue
        for item in node.body:
            if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                lines, n = [], item.lineno - 2
                while n >= 0 and source[n].strip().startswith("#:"):
                    lines.insert(0, source[n].strip()[2:].strip())
                    n -= 1
                out[(node.name, item.target.id)] = " ".join(lines)
    return out


def render() -> str:
    notes = comments()
    parts = [HEADER]
    for section in fields(Settings):
        obj = getattr(Settings(), section.name)
        cls = type(obj).__name__
        parts.append(f"\n## `[{section.name}]`\n\n| setting | default | meaning |\n|---|---|---|")
        for f in fields(obj):
            default = f.default if f.default is not MISSING else getattr(obj, f.name)
            text = notes.get((cls, f.name), "").replace("|", "\\|")
            parts.append(f"| `{f.name}` | `{default!r}` | {text} |")
    return "\n".join(parts) + "\n"


def main() -> int:
    target = ROOT / "docs" / "settings.md"
    text = render()
    if "--check" in sys.argv:
        if not target.exists() or target.read_text() != text:
            print("docs/settings.md is out of date: python scripts/settings_doc.py")
            return 1
        return 0
    target.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
