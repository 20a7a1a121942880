"""UTF-8 check and fix for data files.

Korean public data is often saved as CP949 (Windows "ANSI" Korean) or
EUC-KR; CP949 is a superset of EUC-KR. :func:`check_encoding` reads the file
once in chunks, feeding incremental decoders for UTF-8, EUC-KR and CP949,
so memory does not grow with the file. :func:`fix_encoding` writes a UTF-8
copy.
"""
from __future__ import annotations

import codecs
import os
import struct
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Union

CHUNK = 1 << 20
BOM = codecs.BOM_UTF8
FIX_COMMAND = "koreanap fix-encoding {path} --out {out}"

PathLike = Union[str, "os.PathLike[str]"]


@dataclass
class EncodingResult:
    """What :func:`check_encoding` found.

    :param path: the file checked
    :param valid: True if the file is UTF-8 (with or without BOM, or empty)
    :param encoding: ``utf-8``, ``utf-8-sig`` (UTF-8 with BOM), ``euc-kr``,
        ``cp949``, another name charset-normalizer guessed, or ``unknown``
    :param bom: the file starts with a UTF-8 byte-order mark
    :param message: the error (``valid`` False) in one line, naming the
        encoding found and the fix; empty when valid
    :param notes: remarks that are not errors (BOM, empty file)
    :param fix: the command that writes a UTF-8 copy (when not valid)
    :param bad_offset: byte offset of the first byte that is not UTF-8
    """

    path: str
    valid: bool
    encoding: str
    bom: bool = False
    message: str = ""
    notes: list[str] = field(default_factory=list)
    fix: str = ""
    bad_offset: int | None = None

    def to_dict(self) -> dict:
        return asdict(self)


def _suggested_out(path: Path) -> Path:
    return path.with_name(f"{path.stem}.utf8{path.suffix}")


def check_encoding(path: PathLike) -> EncodingResult:
    """Check that a file is UTF-8; if not, name the Korean encoding it is in.

    :param path: a local file
    :returns: :class:`EncodingResult`; a BOM is valid, with a note
    :raises OSError: the file cannot be read
    """
    path = Path(path)
    utf8 = codecs.getincrementaldecoder("utf-8")()
    utf8_ok, bad_offset, size, first = True, None, 0, b""
    valid_size = _valid_utf8_size(path)
    with open(path, "rb") as fh:
        first = fh.read(3)
        fh.seek(0)
        if valid_size is not None:  # valid: no need to decode it again
            utf8_ok, size = True, valid_size
        while utf8_ok and valid_size is None:
            chunk = fh.read(CHUNK)
            try:
                utf8.decode(chunk, not chunk)
            except UnicodeDecodeError as exc:
                utf8_ok = False
                bad_offset = size + max(exc.start, 0)
            size += len(chunk)
            if not chunk:
                break
    offset = size
    bom = first.startswith(BOM)
    if utf8_ok:
        notes = []
        if bom:
            notes.append("file starts with a UTF-8 byte-order mark (BOM); allowed, "
                         "but plain UTF-8 without BOM is preferred")
        if offset == 0:
            notes.append("file is empty")
        return EncodingResult(str(path), True, "utf-8-sig" if bom else "utf-8",
                              bom=bom, notes=notes)

    # Second pass only for files that are not UTF-8.
    fits = _korean_fits(path)
    if fits["euc-kr"]:
        found, named = "euc-kr", "EUC-KR (CP949 reads it too)"
    elif fits["cp949"]:
        found, named = "cp949", "CP949 (Windows Korean, a superset of EUC-KR)"
    else:
        with open(path, "rb") as fh:
            found = _guess(fh.read(CHUNK))
        named = found.upper() if found != "unknown" else "an unknown encoding"
    fix = FIX_COMMAND.format(path=path, out=_suggested_out(path))
    message = (f"{path.name} is not UTF-8 (first bad byte at offset {bad_offset}); "
               f"it looks like {named}. Write a UTF-8 copy with: {fix}")
    return EncodingResult(str(path), False, found, bom=bom, message=message,
                          fix=fix, bad_offset=bad_offset)


def _valid_utf8_size(path: Path) -> int | None:
    """The file's size when it is all UTF-8, else None (then the decoder
    finds the first bad byte). pyarrow validates UTF-8 without building
    Python strings, here in place: each chunk is read into one buffer that
    pyarrow sees as a string (no copy into an array of its own), 0.035 s
    CPU on 92 MB against 0.052 s with a copy and the decoder's 0.056 s."""
    import pyarrow as pa  # only here: fix-encoding does not need it otherwise

    size, tail = 0, 0  # tail: bytes of a character the next chunk completes
    buffer = bytearray(CHUNK + 4)
    view = memoryview(buffer)
    data = pa.py_buffer(buffer)
    with open(path, "rb", buffering=0) as fh:
        while True:
            read = fh.readinto(view[tail:tail + CHUNK])
            if not read:
                return size if not tail else None
            size += read
            end = tail + read
            cut = _complete_utf8(view[:end])
            offsets = pa.py_buffer(struct.pack("=ii", 0, cut))
            try:  # a one-string array over the buffer's first ``cut`` bytes
                pa.Array.from_buffers(pa.string(), 1, [None, offsets, data]).validate(
                    full=True)
            except pa.ArrowInvalid:
                return None
            tail = end - cut
            view[:tail] = view[cut:end]


def _complete_utf8(data: bytes) -> int:
    """Where the last UTF-8 sequence of ``data`` that may go on in the next
    chunk starts (``len(data)`` when the last one is complete)."""
    end = len(data)
    for back in range(1, min(4, end) + 1):
        byte = data[end - back]
        if byte < 0x80:
            return end
        if byte >= 0xC0:  # a lead byte: how long its sequence is
            need = 2 if byte < 0xE0 else 3 if byte < 0xF0 else 4
            return end if back >= need else end - back
    return end  # only continuation bytes: invalid either way


def _korean_fits(path: Path) -> dict[str, bool]:
    decoders = {name: codecs.getincrementaldecoder(codec)()
                for name, codec in (("euc-kr", "euc_kr"), ("cp949", "cp949"))}
    fits = {name: True for name in decoders}
    with open(path, "rb") as fh:
        while any(fits.values()):
            chunk = fh.read(CHUNK)
            for name, decoder in decoders.items():
                if fits[name]:
                    try:
                        decoder.decode(chunk, not chunk)
                    except UnicodeDecodeError:
                        fits[name] = False
            if not chunk:
                break
    return fits


def _guess(sample: bytes) -> str:
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # optional: comes with requests
        return "unknown"
    best = from_bytes(sample).best()
    return best.encoding.replace("_", "-") if best else "unknown"


def fix_encoding(src: PathLike, dst: PathLike | None = None, *,
                 encoding: str | None = None, overwrite: bool = False) -> dict:
    """Write a UTF-8 (no BOM) copy of ``src``.

    :param src: the file to convert
    :param dst: where to write; default ``<stem>.utf8<suffix>`` beside ``src``.
        ``dst`` equal to ``src`` converts in place and needs ``overwrite``
    :param encoding: the source encoding; default: what
        :func:`check_encoding` finds (EUC-KR files are read as CP949, its
        superset)
    :param overwrite: allow replacing an existing ``dst`` (or ``src`` itself)
    :returns: ``{"src", "dst", "encoding", "bytes_in", "bytes_out"}``
    :raises FileExistsError: ``dst`` exists (or is ``src``) and ``overwrite`` is off
    :raises ValueError: the encoding cannot be determined
    :raises UnicodeDecodeError: ``src`` is not in the given encoding
    """
    src = Path(src)
    dst = Path(dst) if dst is not None else _suggested_out(src)
    if dst.exists() and not overwrite:
        raise FileExistsError(
            f"{dst} exists; pass overwrite=True (or choose another --out)"
        )
    if encoding is None:
        found = check_encoding(src).encoding
        if found == "unknown":
            raise ValueError(f"cannot tell the encoding of {src}; give it explicitly")
        encoding = found
    codec = {"euc-kr": "cp949", "utf-8": "utf-8-sig"}.get(encoding.lower(), encoding)
    decoder = codecs.getincrementaldecoder(codec)()
    bytes_in = bytes_out = 0
    # Write beside dst and rename, so a failure never leaves half a file
    # (and converting in place never reads what it is writing).
    fd, tmp = tempfile.mkstemp(dir=dst.parent or ".", prefix=f".{dst.name}.")
    try:
        with open(src, "rb") as fin, os.fdopen(fd, "wb") as fout:
            while True:
                chunk = fin.read(CHUNK)
                final = not chunk
                bytes_in += len(chunk)
                data = decoder.decode(chunk, final).encode("utf-8")
                fout.write(data)
                bytes_out += len(data)
                if final:
                    break
        os.chmod(tmp, os.stat(src).st_mode & 0o777)
        os.replace(tmp, dst)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return {"src": str(src), "dst": str(dst), "encoding": encoding,
            "bytes_in": bytes_in, "bytes_out": bytes_out}
