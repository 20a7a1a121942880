"""Input schemas of the actions in :mod:`.action`."""
from __future__ import annotations

from ckan.logic.schema import validator_args


@validator_args
def id_only(not_empty, unicode_safe):
    """``id`` of the dataset or resource."""
    return {"id": [not_empty, unicode_safe]}


@validator_args
def package_validate(not_empty, unicode_safe, ignore):
    """``id``; ``background`` is dropped (older clients send it; the job always validates)."""
    return {"id": [not_empty, unicode_safe], "background": [ignore]}


@validator_args
def datastore_load(not_empty, unicode_safe):
    """``id`` of the resource."""
    return {"id": [not_empty, unicode_safe]}


@validator_args
def package_upload(not_empty, unicode_safe, ignore_missing):
    """``owner_org``, the ``upload`` (zip or descriptor) and the descriptor's ``files``."""
    return {"owner_org": [not_empty, unicode_safe], "upload": [not_empty],
            "files": [ignore_missing]}
