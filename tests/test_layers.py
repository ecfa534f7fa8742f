"""The import contracts (.importlinter) hold, and an import that breaks one fails the check.

``make lint`` runs ``lint-imports``; this test runs it too, so ``make test`` (and so CI) fails on
an import that runs back up the layers, a circle inside a domain, or a rule module that imports
the web. Each bad case is written into a copy of the package and checked there.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint_imports(root: Path, src: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(src), "COLUMNS": "200"}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--config", str(root / ".importlinter")],
        cwd=root, env=env, capture_output=True, text=True, check=False,
    )


def test_the_import_contracts_hold() -> None:
    result = _lint_imports(ROOT, ROOT / "src")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "bad_import", "contract"),
    [
        # A lower domain reaching up: org below reports.
        ("org/tables.py", "from lianyan.reports import services", "Layers"),
        # The auth ↔ org circle coming back: org reading auth's accounts.
        ("org/services.py", "from lianyan.auth.tables import Account", "Layers"),
        # The shared core reaching into a domain.
        ("principal.py", "import lianyan.auth.services", "Layers"),
        # A circle inside a domain (services → notifications → services).
        ("exchanges/notifications.py", "from lianyan.exchanges import services", "circles"),
        # A rule module importing the web.
        ("topics/rules.py", "import litestar", "know nothing of the web"),
    ],
)
def test_a_bad_import_fails_the_check(
    tmp_path: Path, module: str, bad_import: str, contract: str
) -> None:
    # Arrange: a copy of the package and its contracts, with one bad import added
    src = tmp_path / "src"
    shutil.copytree(ROOT / "src" / "lianyan", src / "lianyan",
                    ignore=shutil.ignore_patterns("__pycache__", "static", "templates"))
    shutil.copy(ROOT / ".importlinter", tmp_path / ".importlinter")
    target = src / "lianyan" / module
    text = target.read_text(encoding="utf-8")
    head, sep, rest = text.partition("from __future__ import annotations\n")
    target.write_text(head + sep + f"\n{bad_import}  # noqa\n" + rest, encoding="utf-8")
    # Act
    result = _lint_imports(tmp_path, src)
    # Assert
    assert result.returncode != 0, result.stdout
    assert "BROKEN" in result.stdout
    broken = result.stdout.split("Broken contracts", 1)[1]
    assert contract in broken
    assert Path(module).stem in broken  # the report names the module that imports
