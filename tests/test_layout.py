"""The package's shape rules (issue 17): module and function sizes, and imports inside functions.

import-linter checks which folder may import which (``make lint``); these are the rules it cannot
state.  The exceptions are listed here with their reason, and the README points at this file.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "lib" / "jiesu"
MODULE_LINES = 800
FUNCTION_LINES = 80

# Functions allowed past FUNCTION_LINES, each with why splitting would not make it clearer.
LONG_FUNCTIONS: dict[str, str] = {}


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _name(path: Path) -> str:
    return path.relative_to(PACKAGE.parent).with_suffix("").as_posix().replace("/", ".")


def _functions(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node


def test_no_module_is_longer_than_the_limit():
    long = {
        _name(p): n for p in _modules() if (n := p.read_text(encoding="utf-8").count("\n")) > MODULE_LINES
    }
    assert long == {}, f"modules over {MODULE_LINES} lines: {long}"


def test_no_function_is_longer_than_the_limit_unless_listed():
    long = {}
    for path in _modules():
        for node in _functions(ast.parse(path.read_text(encoding="utf-8"))):
            length = node.end_lineno - node.lineno + 1
            qualified = f"{_name(path)}.{node.name}"
            if length > FUNCTION_LINES and qualified not in LONG_FUNCTIONS:
                long[qualified] = length
    assert long == {}, f"functions over {FUNCTION_LINES} lines: {long}"


def _has_reason(lines: list[str], lineno: int) -> bool:
    """A ``#`` comment on the import's line, or on a line of the contiguous block of imports and
    comments it belongs to (one reason may head a group of imports from the same library)."""
    index = lineno - 1
    while index >= 0:
        text = lines[index].strip()
        if "#" in text:
            return True
        if not (text.startswith(("import ", "from ")) or text.startswith(")")):
            return False
        index -= 1
    return False


def _inner_imports():
    for path in _modules():
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        for function in _functions(ast.parse(source)):
            for node in ast.walk(function):
                if isinstance(node, ast.Import | ast.ImportFrom):
                    module = node.module if isinstance(node, ast.ImportFrom) else node.names[0].name
                    yield path, node.lineno, module, lines


def test_imports_inside_functions_are_heavy_libraries_with_a_reason():
    stdlib, unexplained = [], []
    for path, lineno, module, lines in _inner_imports():
        where = f"{_name(path)}:{lineno} ({module})"
        if module.split(".")[0] in sys.stdlib_module_names:
            stdlib.append(where)
        elif not _has_reason(lines, lineno):
            unexplained.append(where)
    assert stdlib == [], f"standard-library imports belong at the top of the module: {stdlib}"
    assert unexplained == [], f"imports inside functions need a one-line reason: {unexplained}"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("def f():\n    import gensim  # heavy\n", True),
        ("def f():\n    # heavy: training only\n    from gensim import a\n    from gensim import b\n", True),
        ("def f():\n    x = 1\n    import gensim\n", False),
    ],
)
def test_the_reason_rule_itself(source, expected):
    lines = source.splitlines()
    last_import = max(i for i, line in enumerate(lines, 1) if "import" in line)
    assert _has_reason(lines, last_import) is expected
