"""Snapshot: one world (a data directory and a community) opened once, and everything keyed on it.

May touch: ``data/processed`` (read) and ``data/interim`` (caches: tokenized corpora, trained models).
Calls the pure analyses and caches what is expensive; the report notebook and the CLI go through here.
"""
