"""Bring your own data: find and clean the columns of any CSV/XLSX a user points a stand-alone
command at (``jiesu network``, ``jiesu topics``, ``jiesu rank``), run the pure analysis and write the
outputs.  May read the given file and write the given output directory.
"""
