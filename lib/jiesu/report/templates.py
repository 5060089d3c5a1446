"""The HTML templates of reports and index pages (Jinja2, ``report/templates/*.html.j2``), one
environment with autoescaping: every value a template shows is escaped unless it is ``Markup``
(tables rendered by pandas, plotly divs).
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

__all__ = ["Markup", "css", "render"]


@lru_cache(maxsize=1)
def environment() -> Environment:
    return Environment(
        loader=PackageLoader("jiesu.report", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )


def render(template: str, **context) -> str:
    """``templates/<template>.html.j2`` rendered with ``context`` (missing names are an error)."""
    return environment().get_template(f"{template}.html.j2").render(**context)


def css() -> str:
    """The report stylesheet (screen and print), inlined into every page."""
    return resources.files("jiesu.report").joinpath("templates", "report.css").read_text(encoding="utf-8")
