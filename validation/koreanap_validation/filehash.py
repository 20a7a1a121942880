"""The one file hasher: SHA-256 (and size) of a file, read in 1 MiB chunks.

The 3D asset rule and the engine compare files with it, the publisher checks whether an
uploaded file changed, and the validation job records the hash of the file it validated;
all four read the same digest of the same bytes.
"""
from __future__ import annotations

import hashlib
import os

CHUNK = 1 << 20


def file_digest(path: str | os.PathLike) -> tuple[int, str]:
    """Size in bytes and lower-case hex SHA-256 of a file."""
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(CHUNK), b""):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def sha256_of(path: str | os.PathLike) -> str:
    """Lower-case hex SHA-256 of a file."""
    return file_digest(path)[1]
