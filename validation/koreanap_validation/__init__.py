"""Quality rules for the catalogue's data packages (package ``koreanap_validation``).

One copy of the rules and their data, used by the ``koreanap`` command line
and, later, by CKAN on every upload. See ``validation/koreanap_validation/README.md`` for what
each rule checks and the report structure.
"""
