"""The contaminant quick search (plugin ``koreanap_contaminants``)."""
