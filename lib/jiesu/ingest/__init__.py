"""Ingest: raw exports → validated, pseudonymized processed tables.

May touch: ``data/raw`` (read only) and ``data/processed`` (written, atomically).  Imports the base
modules (settings, errors, contract, storage, months, categories, chinese, privacy, processed) and
nothing from analysis, snapshot, report, world or cli.
"""
