"""One file hasher for the whole project (koreanap_validation.filehash)."""
import hashlib
import pathlib

import pytest

from koreanap_validation import filehash

ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("size", [0, 1, filehash.CHUNK - 1, filehash.CHUNK, 2 * filehash.CHUNK + 7])
def test_digest_is_the_files_sha256_and_size_across_chunk_edges(tmp_path, size):
    """Size and SHA-256 agree with hashing the whole file at once, on and around chunk edges."""
    data = bytes(range(256)) * (size // 256) + bytes(size % 256)
    path = tmp_path / "file.bin"
    path.write_bytes(data)
    assert filehash.file_digest(path) == (size, hashlib.sha256(data).hexdigest())
    assert filehash.sha256_of(str(path)) == hashlib.sha256(data).hexdigest()


def test_no_other_module_hashes_files():
    """The publisher, the job, the engine and the 3D rule use filehash; no module of the
    project builds its own SHA-256 file reader (a hash of short text is fine)."""
    sources = [*ROOT.glob("validation/**/*.py"), *ROOT.glob("client/**/*.py"),
               *ROOT.glob("ckanext-koreanap/ckanext/**/*.py")]
    readers = [p.relative_to(ROOT) for p in sources
               if p.name != "filehash.py" and "hashlib.sha256()" in p.read_text("utf-8")]
    assert not readers, readers
