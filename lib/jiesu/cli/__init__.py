"""The ``jiesu`` command: one entry point, thin subcommands, one error convention.

Error convention: a problem the user can fix (:class:`jiesu.errors.JiesuError`) ends the command
with exit status 1 and exactly one line on stderr; usage errors exit 2 (click's convention).
Unexpected exceptions are also reduced to one line unless ``--debug`` is given, which re-raises
with the full traceback.

Each subcommand lives in its own module in this package (``simulate.py``, ``ingest.py``, ...) and
registers itself on :data:`app`; the analysis itself lives in the library modules.
"""

from __future__ import annotations

import importlib
import sys

import click

from jiesu import __version__
from jiesu.errors import JiesuError

# Subcommand modules, in the order `jiesu --help` lists them. A module that is not written yet is
# simply absent; nothing is registered as a placeholder.
SUBCOMMAND_MODULES = (
    "simulate",
    "ingest",
    "network",
    "topics",
    "rank",
    "report",
    "schedule",
    "cut",
    "evaluate",
)


class _OrderedGroup(click.Group):
    def list_commands(self, ctx):
        order = {name: i for i, name in enumerate(SUBCOMMAND_MODULES)}
        return sorted(self.commands, key=lambda name: order.get(name, len(order)))


@click.group(
    name="jiesu",
    cls=_OrderedGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(
    __version__,
    "--version",
    prog_name="jiesu",
    message="%(prog)s %(version)s",
    help="显示版本 / Show the version and exit.",
)
@click.option("--debug", is_flag=True, help="出错时显示完整回溯 / Show the full traceback on errors.")
def app(debug: bool) -> None:
    """接诉即办 研究与报告工作台 / 12345 respond-upon-complaint research & reporting workspace.

    \b
    数据流 data flow: raw → ingest → processed → analyses → notebooks → reports
    """


def _register_subcommands() -> None:
    for name in SUBCOMMAND_MODULES:
        try:
            importlib.import_module(f"jiesu.cli.{name}")
        except ModuleNotFoundError as err:
            if err.name != f"jiesu.cli.{name}":
                raise


def fail(message: str) -> None:
    """Print one error line to stderr (no traceback)."""
    click.echo(f"错误 error: {message}", err=True)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit status (also used by ``python -m jiesu``)."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    _register_subcommands()
    try:
        status = app.main(args=args, prog_name="jiesu", standalone_mode=False)
    except click.exceptions.Exit as done:
        return done.exit_code
    except click.ClickException as usage:  # bad options/arguments: click's own one-line message
        usage.show()
        return usage.exit_code
    except click.exceptions.Abort:
        fail("已中止 aborted")
        return 130
    except JiesuError as err:
        if debug:
            raise
        fail(str(err).splitlines()[0] if str(err) else type(err).__name__)
        return 1
    except Exception as err:  # a bug: still one line unless --debug
        if debug:
            raise
        fail(
            f"内部错误 internal error: {type(err).__name__}: {err} (用 --debug 查看回溯 / rerun with --debug)"
        )
        return 1
    return status if isinstance(status, int) else 0


def run() -> None:
    sys.exit(main())
