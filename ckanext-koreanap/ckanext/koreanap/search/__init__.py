"""The koreanap_search plugin: CKAN's search index kept in PostgreSQL."""
