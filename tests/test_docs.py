"""The docs are tested: every setting is documented, and docs/settings.md is up to date."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import fields

from storyline.config import Settings
from tests.conftest import ROOT


def test_settings_page_is_current():
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "settings_doc.py"), "--check"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout


def test_every_setting_has_a_description():
    text = (ROOT / "docs" / "settings.md").read_text()
    for section in fields(Settings):
        for f in fields(getattr(Settings(), section.name)):
            row = next(line for line in text.splitlines() if line.startswith(f"| `{f.name}` |"))
            assert not row.endswith("|  |"), f"setting {section.name}.{f.name} has no description"
