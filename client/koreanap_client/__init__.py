"""The CKAN-free client (package ``koreanap_client``): the ``koreanap`` command
(:mod:`.console`), the publisher that talks to a catalogue through ckanapi
(:mod:`.publishing`), the mapping between Frictionless data packages and CKAN datasets
(:mod:`.datapackage`) and the plan package's reader (:mod:`.planpackage`).

It imports no CKAN (import-linter contract ``client-without-ckan``), so a publisher
runs it on a machine without CKAN; the catalogue (``ckanext.koreanap``) imports it too.
"""
