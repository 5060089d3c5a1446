"""``python -m jiesu.contract``: rewrite the raw and processed READMEs from the contract."""

from jiesu.contract.docs import render_processed_markdown, render_raw_markdown
from jiesu.settings import paths
from jiesu.storage import write_text

home = paths().home
write_text(home / "data" / "raw" / "README.md", render_raw_markdown())
write_text(home / "data" / "processed" / "README.md", render_processed_markdown())
