"""Ingest: raw exports → validated, pseudonymized processed tables, every community of a raw folder
into one store.

Modules, in the order a run uses them: ``discover`` (communities and their files), ``readers`` (CSV
and XLSX as the user sees them), ``validation`` (one file against the contract, with pandera),
``checks`` (rules that need other files or every community), ``normalize`` (addresses, dates, masks),
``linkage`` and ``pseudonyms`` (registry and keyed ids), ``build`` (one community's processed tables),
``community`` (one community end to end, the unit of parallel work) and ``pipeline`` (lock, plan,
build, publish).

May touch: ``data/raw`` (read only), ``data/processed`` (written only through :mod:`jiesu.processed`,
as a new generation switched in atomically, under the folder's lock) and ``data/interim/quarantine``.
Imports the base modules (settings, errors, contract, storage, months, categories, chinese, privacy,
processed, pii, locks) and nothing from analysis, snapshot, report, world or cli.
"""
