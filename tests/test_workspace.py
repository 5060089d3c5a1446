"""The workspace itself: layout, pins, settings, the CLI error convention, notebook hygiene."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

import jiesu
from jiesu import contract
from jiesu.cli import app, main
from jiesu.errors import DataError, JiesuError
from jiesu.settings import paths

HOME = paths().home
CONDA_TO_PIP = {"python-igraph": "igraph"}


def _lock() -> dict[str, str]:
    pins = {}
    for line in (HOME / "requirements.lock").read_text().splitlines():
        if "==" in line and not line.startswith("#"):
            name, version = line.split("==", 1)
            pins[name.strip().lower().replace("_", "-")] = version.strip()
    return pins


def test_package_is_tracked_by_git():
    tracked = subprocess.run(
        ["git", "ls-files", "lib/jiesu"], cwd=HOME, capture_output=True, text=True, check=True
    ).stdout.split()
    assert "lib/jiesu/__init__.py" in tracked
    assert "lib/jiesu/cli/__init__.py" in tracked


def test_gitignore_does_not_hide_the_package():
    ignored = subprocess.run(["git", "check-ignore", "-q", "lib/jiesu/settings.py"], cwd=HOME)
    assert ignored.returncode == 1, "lib/jiesu is git-ignored; the package would not be committed"


def test_layout_exists():
    for folder in (
        "notebooks",
        "lib/jiesu",
        "data/raw",
        "data/processed",
        "figures",
        "reports",
        "tests",
        "bench",
    ):
        assert (HOME / folder).is_dir(), folder
    for file in (
        "environment.yml",
        "README.md",
        "Makefile",
        ".ci/run",
        "pyproject.toml",
        "requirements.lock",
    ):
        assert (HOME / file).is_file(), file


def test_environment_yml_matches_lock():
    env = yaml.safe_load((HOME / "environment.yml").read_text())
    lock = _lock()
    assert "conda-forge" in env["channels"]
    assert "python=3.11" in env["dependencies"]
    checked = 0
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            specs = [(s.split("==")[0], s.split("==")[1]) for s in dep["pip"] if "==" in s]
        elif "=" in dep and not dep.startswith("python="):
            specs = [tuple(dep.split("=", 1))]
        else:
            continue
        for name, version in specs:
            key = CONDA_TO_PIP.get(name, name).lower()
            assert key in lock, f"{name} is in environment.yml but not in requirements.lock"
            assert lock[key] == version, f"{name}: environment.yml {version} != requirements.lock {lock[key]}"
            checked += 1
    assert checked >= 25


def test_every_top_level_requirement_is_pinned():
    lock = _lock()
    for line in (HOME / "requirements.in").read_text().splitlines():
        name = re.split(r"[<>=\s\[]", line.strip(), maxsplit=1)[0].lower()
        if name and not name.startswith("#"):
            assert name in lock, f"{name} (requirements.in) has no pin in requirements.lock"


def test_settings_default_to_repo_relative_paths(monkeypatch):
    for var in ("JIESU_DATA_DIR", "JIESU_RAW_DIR", "JIESU_PROCESSED_DIR", "JIESU_REPORTS_DIR", "JIESU_HOME"):
        monkeypatch.delenv(var, raising=False)
    p = paths()
    assert p.home == HOME
    assert p.raw == HOME / "data" / "raw"
    assert p.processed == HOME / "data" / "processed"
    assert p.reports == HOME / "reports"


def test_settings_follow_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("JIESU_DATA_DIR", str(tmp_path / "d"))
    monkeypatch.setenv("JIESU_REPORTS_DIR", str(tmp_path / "r"))
    p = paths()
    assert p.raw == tmp_path / "d" / "raw"
    assert p.processed == tmp_path / "d" / "processed"
    assert p.reports == tmp_path / "r"


def test_explicit_data_dir_wins_over_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("JIESU_DATA_DIR", str(tmp_path / "env"))
    assert paths(tmp_path / "arg").processed == tmp_path / "arg" / "processed"
    assert paths("data/worlds/x").raw == HOME / "data" / "worlds" / "x" / "raw"


def test_cli_version():
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"jiesu {jiesu.__version__}"


def test_cli_help_is_bilingual_for_every_subcommand():
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    assert "接诉即办" in result.output
    for name, command in app.commands.items():
        assert re.search(r"[\u4e00-\u9fff]", command.help or ""), f"{name} has no Chinese help"
        assert re.search(r"[A-Za-z]{3,}", command.help or ""), f"{name} has no English help"


def _one_line_error(capsys, argv, monkeypatch, error):
    @app.command("_boom", hidden=True)
    def _boom():
        raise error

    try:
        status = main(argv)
    finally:
        app.commands.pop("_boom", None)
    err = capsys.readouterr().err
    return status, err


def test_cli_user_error_is_one_line_without_traceback(capsys, monkeypatch):
    status, err = _one_line_error(
        capsys, ["_boom"], monkeypatch, DataError("x.csv", "值为负数 negative", column="居住人数", rows=[7])
    )
    assert status == 1
    assert err.count("\n") == 1
    assert "Traceback" not in err
    assert "x.csv" in err and "居住人数" in err and "7" in err


def test_cli_bug_is_one_line_unless_debug(capsys, monkeypatch):
    status, err = _one_line_error(capsys, ["_boom"], monkeypatch, ZeroDivisionError("oops"))
    assert status == 1 and err.count("\n") == 1 and "ZeroDivisionError" in err
    with pytest.raises(JiesuError):
        _one_line_error(capsys, ["--debug", "_boom"], monkeypatch, JiesuError("boom"))


def test_cli_usage_error_exits_2(capsys):
    assert main(["no-such-command"]) == 2
    assert "no-such-command" in capsys.readouterr().err


def test_installed_console_script_runs():
    exe = Path(sys.executable).with_name("jiesu")
    result = subprocess.run([str(exe), "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.startswith("jiesu ")


def test_contract_readmes_are_rendered_from_the_contract():
    assert (HOME / "data/raw/README.md").read_text(encoding="utf-8") == contract.render_raw_markdown()
    assert (HOME / "data/processed/README.md").read_text(
        encoding="utf-8"
    ) == contract.render_processed_markdown()


def test_no_absolute_machine_paths_in_tracked_code():
    files = subprocess.run(
        ["git", "ls-files", "*.py", "*.ipynb", "*.toml", "*.yml", "Makefile"],
        cwd=HOME,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    pattern = re.compile(r"/(root|home|work|mnt)/[A-Za-z]")
    offenders = [
        f
        for f in files
        if f != "tests/test_workspace.py"
        and pattern.search((HOME / f).read_text(encoding="utf-8", errors="replace"))
    ]
    assert offenders == []


NOTEBOOKS = sorted((HOME / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[n.name for n in NOTEBOOKS])
def test_notebook_is_committed_clean(notebook):
    """Only `# NBVAL_CHECK_OUTPUT` cells keep outputs (plain text, compared by nbval); nothing else."""
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    tagged = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1, "exactly one cell tagged `parameters`"
    assert nb["cells"][0]["cell_type"] == "markdown", "the first cell says what the notebook answers"
    for index, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        checked = source.lstrip().startswith("# NBVAL_CHECK_OUTPUT")
        outputs = cell.get("outputs", [])
        if not checked:
            assert outputs == [], f"cell {index} has committed outputs"
            assert cell.get("execution_count") is None, f"cell {index} has an execution count"
        for out in outputs:
            assert out["output_type"] in ("stream", "execute_result"), f"cell {index}: {out['output_type']}"
            if out["output_type"] == "execute_result":
                assert set(out["data"]) == {"text/plain"}, f"cell {index} keeps rich output"
        assert len(source.splitlines()) <= 25, f"cell {index} holds too much logic: move it into lib/jiesu"


def test_expected_notebooks_are_present():
    names = {n.name for n in NOTEBOOKS}
    expected = {
        "00_monthly_report.ipynb",
        "01_resident_network.ipynb",
        "02_chat_topics.ipynb",
        "03_complaint_rank.ipynb",
    }
    missing = expected - names
    assert not missing, f"missing notebooks: {sorted(missing)}"
