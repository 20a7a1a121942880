"""ckanext-koreanap: CKAN plugins for Korea's 4th OGP National Action Plan catalogue."""
