"""The synthetic world: a deterministic generator of raw exports with planted truths.

May touch: the raw directory it is asked to write.  Never imported by analysis, ingest, snapshot,
evaluation, report or byod (import-linter enforces it): analyses must work on data they did not
generate.
"""
