"""Reports for the board and "where to go next".

- ``suppression.py``: the one rule for small numbers (1 to 4 people shown as "fewer than 5",
  0 stays 0, a lone hidden cell takes the next smallest of its group with it, children of a
  hidden total are hidden). The coordinator's own screen shows exact figures with a note; the
  board version (``?for=board``), the PDF, the CSV and the API (unless ``for=coordinator``)
  are protected.
- ``queries.py``: the figures as GROUP BY statements; ``report.py``: the tables as plain data;
  ``service.py`` and ``where_next.py``: load and build; ``pages.py``/``api.py``: thin routes.
"""
