"""The publishing pipeline (plugin ``koreanap``): a publisher's upload becomes a
validated, recorded, DataStore-loaded and scored dataset.

Requests (``views.py``, ``logic/``) only mark resources pending and queue a
validation job; the job worker fetches URL resources (``fetch.py``) and loads
the DataStore (``loader.py``); the tables are ``model.py``.
"""
