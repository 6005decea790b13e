"""The engine: a scenario turned into simulated futures and their statistics.

``plan`` (scenario -> arrays, named random streams), ``model`` (one SimPy
replication), ``runner`` and ``cluster`` (many replications, local pool or
Dask), ``results`` and ``summary`` (tables and paired statistics), ``value``
(the product lens) and ``drivers`` (sensitivity, criticality). It imports the
scenario layer only (``docs/reference/model.md``).
"""
