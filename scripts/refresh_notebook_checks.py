"""Re-execute the notebooks on the small synthetic world and write back the outputs nbval checks.

Only the cells that start with ``# NBVAL_CHECK_OUTPUT`` keep outputs in the repository (plain-text
stdout, compared by nbval in ``make test``); every other output is stripped.  After a change that
moves a checked number on purpose, run::

    make notebooks          # or: .venv/bin/python scripts/refresh_notebook_checks.py [NOTEBOOK ...]

then read the diff of the checked lines before committing: each changed line is a finding that moved.
The small world is the one the test suite builds (``data/worlds/small-seed0``, salt ``jiesu-test-salt``).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

import papermill

HOME = Path(__file__).resolve().parents[1]
SMALL_WORLD = HOME / "data" / "worlds" / "small-seed0"
CHECK_MARK = "# NBVAL_CHECK_OUTPUT"


def _checked(cell: dict) -> bool:
    return cell["cell_type"] == "code" and "".join(cell["source"]).lstrip().startswith(CHECK_MARK)


def _kept_outputs(outputs: list[dict]) -> list[dict]:
    """The stdout streams of an executed cell, in the committed form (no execution counts, no rich data)."""
    kept = []
    for out in outputs:
        if out.get("output_type") == "stream" and out.get("name") == "stdout":
            kept.append({"name": "stdout", "output_type": "stream", "text": out["text"]})
    return kept


def refresh(notebook: Path) -> int:
    """Execute ``notebook`` on the small world and rewrite its checked outputs; returns cells changed."""
    source = json.loads(notebook.read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as tmp:
        executed = Path(tmp) / notebook.name
        papermill.execute_notebook(
            str(notebook),
            str(executed),
            kernel_name="python3",
            cwd=str(notebook.parent),
            progress_bar=False,
            log_output=False,
        )
        ran = json.loads(executed.read_text(encoding="utf-8"))
    changed = 0
    ran_cells = [
        c for c in ran["cells"] if "injected-parameters" not in c.get("metadata", {}).get("tags", [])
    ]
    for cell, done in zip(source["cells"], ran_cells, strict=True):
        if cell["cell_type"] != "code":
            continue
        new = _kept_outputs(done.get("outputs", [])) if _checked(cell) else []
        if cell.get("outputs", []) != new:
            changed += 1
        # nbval only compares a reference cell that has an execution count ("unrun" cells are skipped)
        cell["outputs"], cell["execution_count"] = (
            new,
            (done.get("execution_count") if _checked(cell) else None),
        )
    notebook.write_text(json.dumps(source, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return changed


def main(argv: list[str]) -> int:
    if not (SMALL_WORLD / "processed").is_dir():
        print(f"{SMALL_WORLD} is missing: run `make test` once (it builds the small world)", file=sys.stderr)
        return 1
    os.environ["JIESU_DATA_DIR"] = str(SMALL_WORLD)
    os.environ.setdefault("JIESU_SALT", "jiesu-test-salt")
    notebooks = [Path(a).resolve() for a in argv] or sorted((HOME / "notebooks").glob("*.ipynb"))
    for notebook in notebooks:
        print(f"{notebook.name}: {refresh(notebook)} checked cell(s) changed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
