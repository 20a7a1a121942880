"""Quality rules for the catalogue's data packages (package ``koreanap_validation``).

One copy of the rules and their data, used by the ``koreanap`` command line
and, later, by CKAN on every upload. See ``validation/koreanap_validation/README.md`` for what
each rule checks and the report structure.
"""
import os as _os
import sys as _sys

if "pyarrow" not in _sys.modules:
    # pyarrow's allocator (mimalloc, which reads its options when pyarrow loads)
    # keeps the pages a batch freed for a while before giving them back; the
    # reader frees a batch every few milliseconds, so on a million rows the
    # process held 50-70 MiB it no longer used (peak 283-307 MiB against
    # 231-249 with this). An operator's own setting wins.
    _os.environ.setdefault("MIMALLOC_PURGE_DELAY", "0")
