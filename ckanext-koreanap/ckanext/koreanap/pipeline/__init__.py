"""The publishing pipeline (plugin ``koreanap``): a publisher's upload becomes a
validated, recorded, DataStore-loaded and scored dataset.

Requests (``views.py``, ``logic/``) only read, or mark resources pending and
queue a job (``queue.py``). The job validates the dataset under its lock and
records the results (``validate.py``), having laid its files out
(``staging.py``, ``fetch.py``), and loads each valid table into the DataStore
(``loader.py``). ``liveness.py`` tells a pending row whose job will never
finish: pages show it, the worker's maintenance round records it. The tables
are ``model.py``. Imports go one way, down that list (the ``pipeline-layers``
contract of pyproject.toml; docs/architecture.md draws it).
"""
