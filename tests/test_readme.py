"""The README's notebook documentation holds: its parameter table matches every notebook's
``parameters`` cell, and its papermill examples run as written (from the repository root)."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys

import papermill
import pytest

from jiesu.settings import paths

HOME = paths().home
README = (HOME / "README.md").read_text(encoding="utf-8")
EXAMPLES = README.split("<!-- papermill-examples:begin -->")[1].split("<!-- papermill-examples:end -->")[0]


def _table_parameters() -> dict[str, list[str]]:
    section = README.split("## Notebooks")[1].split("\n## ")[0]
    rows = re.findall(r"^\| `(\d\d_\w+)` \|[^|]*\| (.*) \|$", section, flags=re.M)
    return {name: re.findall(r"`(\w+)` \(", cell) for name, cell in rows}


def test_the_readme_lists_every_notebook_with_exactly_its_parameters():
    documented = _table_parameters()
    notebooks = sorted(p.stem for p in (HOME / "notebooks").glob("*.ipynb"))
    assert sorted(documented) == notebooks
    for name in notebooks:
        assert documented[name] == list(
            papermill.inspect_notebook(str(HOME / "notebooks" / f"{name}.ipynb"))
        ), name


@pytest.mark.slow
def test_the_readme_papermill_examples_run_as_written(small_world, tmp_path, monkeypatch):
    """The examples use the default data directory; here it is the small world (``JIESU_DATA_DIR``)."""
    bash = EXAMPLES.split("```bash")[1].split("```")[0].strip().splitlines()
    python = EXAMPLES.split("```python")[1].split("```")[0]
    runs = HOME / "runs"
    created = not runs.exists()
    try:
        subprocess.run(shlex.split(bash[0]), cwd=HOME, check=True)  # mkdir -p runs
        # the notebook runs are independent: run them side by side (the suite's longest test otherwise)
        running = []
        for line in bash[1:]:
            argv = shlex.split(line)
            assert argv[0] == "papermill", line
            argv = [sys.executable, "-m", "papermill", *argv[1:], "--no-progress-bar"]
            running.append(
                (
                    line,
                    subprocess.Popen(
                        argv, cwd=HOME, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
                    ),
                )
            )
        monkeypatch.chdir(HOME)
        exec(compile(python, "README.md", "exec"), {})
        for line, process in running:
            _, stderr = process.communicate(timeout=600)
            assert process.returncode == 0, f"{line}\n{stderr[-2000:]}"
        for line in bash[1:]:
            assert (HOME / shlex.split(line)[2]).is_file()
    finally:
        if created:
            for notebook in runs.glob("*.ipynb"):
                notebook.unlink()
            runs.rmdir()


def test_an_unknown_parameter_stops_the_notebook_naming_it(small_world, tmp_path):
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "papermill",
            str(HOME / "notebooks" / "03_complaint_rank.ipynb"),
            str(tmp_path / "out.ipynb"),
            "-p",
            "focus",
            "甘露园南里二社区",
            "--no-progress-bar",
        ],
        cwd=HOME,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode != 0
    assert "未知参数 unknown parameter 'focus'" in done.stderr
