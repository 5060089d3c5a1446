"""Pure analyses: DataFrames and graphs in, DataFrames, dicts and plotly figures out.

No file I/O, no printing, no global randomness (a ``seed`` argument), inputs never mutated.  Imports
only the base modules (settings, errors, contract, months, categories, chinese, privacy) and other
analysis modules; never snapshot, report, cli, ingest, world or evaluation.
"""
