"""DCAT for the catalogue: a ckanext-dcat RDF profile (see :mod:`.profile`)."""
