"""Reports: the monthly report page (kernel side), rendering with papermill and nbconvert, atomic
publishing, the index, the area overview and the scheduler.

May touch: ``reports/`` and ``figures/`` (or the output directory given), and read through snapshot.
"""
