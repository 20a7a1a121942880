"""UTF-8 check and fix (validation/koreanap_validation/encoding.py)."""
import random

import pytest

from koreanap_validation.encoding import check_encoding, fix_encoding

KOREAN = "지역,이름\n11,서울특별시\n42,강원도\n"
CP949_ONLY = "지역,이름\n11,똠방각하 햏\n"  # 똠/햏 are outside EUC-KR (KS X 1001)


def test_plain_utf8_passes_without_notes(tmp_path):
    """A UTF-8 file is valid and has nothing to say."""
    path = tmp_path / "a.csv"
    path.write_text(KOREAN, encoding="utf-8")
    result = check_encoding(path)
    assert (result.valid, result.encoding, result.notes) == (True, "utf-8", [])


def test_bom_passes_with_a_note(tmp_path):
    """A UTF-8 file with a BOM is valid, and the BOM is noted."""
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + KOREAN.encode("utf-8"))
    result = check_encoding(path)
    assert result.valid and result.bom and result.encoding == "utf-8-sig"
    assert any("BOM" in note for note in result.notes)


def test_euc_kr_is_detected_and_named_with_the_fix(tmp_path):
    """An EUC-KR file is an error naming EUC-KR and the fix-encoding command."""
    path = tmp_path / "euckr.csv"
    path.write_bytes(KOREAN.encode("euc_kr"))
    result = check_encoding(path)
    assert not result.valid and result.encoding == "euc-kr"
    assert "EUC-KR" in result.message
    assert f"koreanap fix-encoding {path}" in result.message and "--out" in result.fix


def test_cp949_is_detected_and_named(tmp_path):
    """A file using CP949-only syllables is named CP949, not EUC-KR."""
    path = tmp_path / "cp949.csv"
    path.write_bytes(CP949_ONLY.encode("cp949"))
    with pytest.raises(UnicodeDecodeError):
        CP949_ONLY.encode("cp949").decode("euc_kr")
    result = check_encoding(path)
    assert not result.valid and result.encoding == "cp949"
    assert "CP949" in result.message


def test_bad_byte_late_in_a_large_file_is_found(tmp_path):
    """A non-UTF-8 byte after the first read chunk is still found (the whole file is read)."""
    path = tmp_path / "late.csv"
    path.write_bytes(("a,b\n" + "1,가\n" * 400_000).encode("utf-8") + "2,나\n".encode("cp949"))
    result = check_encoding(path)
    assert not result.valid and result.bad_offset > 1_000_000


def test_utf8_verdict_and_bad_offset_match_pythons_decoder_across_chunks(tmp_path, monkeypatch):
    """Valid or not as Python's UTF-8 decoder says of the whole file, also when a character
    or a bad byte falls on the boundary of the chunks the file is read in."""
    from koreanap_validation import encoding
    monkeypatch.setattr(encoding, "CHUNK", 4)
    rng = random.Random(14)
    pieces = ["a", "µ", "가", "😀", "\n"]
    broken = [b"\xff", b"\xed\xa0\x80", b"\xc0\xaf", b"\xe0\x80", b"\xf4\x90\x80\x80", b"\xea"]
    for trial in range(400):
        data = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 12))).encode()
        if trial % 2:
            at = rng.randint(0, len(data))
            data = data[:at] + rng.choice(broken) + data[at:]
        path = tmp_path / f"{trial}.csv"
        path.write_bytes(data)
        try:
            data.decode("utf-8")
            valid = True
        except UnicodeDecodeError:
            valid = False
        assert check_encoding(path).valid is valid, data


@pytest.mark.parametrize("text,codec", [(KOREAN, "euc_kr"), (CP949_ONLY, "cp949")])
def test_fix_encoding_round_trips_korean_text(tmp_path, text, codec):
    """fix_encoding writes a UTF-8 copy with the same Korean text and leaves the source alone."""
    src = tmp_path / "src.csv"
    raw = text.encode(codec)
    src.write_bytes(raw)
    info = fix_encoding(src, tmp_path / "out.csv")
    assert (tmp_path / "out.csv").read_text(encoding="utf-8") == text
    assert src.read_bytes() == raw
    assert check_encoding(tmp_path / "out.csv").valid
    assert info["bytes_in"] == len(raw)


def test_fix_encoding_default_name_and_no_silent_overwrite(tmp_path):
    """Without dst the copy goes beside the source; replacing a file needs overwrite."""
    src = tmp_path / "src.csv"
    src.write_bytes(KOREAN.encode("euc_kr"))
    info = fix_encoding(src)
    assert info["dst"] == str(tmp_path / "src.utf8.csv")
    with pytest.raises(FileExistsError):
        fix_encoding(src)
    with pytest.raises(FileExistsError):
        fix_encoding(src, src)
    fix_encoding(src, src, overwrite=True)
    assert src.read_text(encoding="utf-8") == KOREAN


def test_fix_encoding_strips_bom(tmp_path):
    """A BOM file converts to plain UTF-8 without the BOM."""
    src = tmp_path / "bom.csv"
    src.write_bytes(b"\xef\xbb\xbf" + KOREAN.encode("utf-8"))
    fix_encoding(src, tmp_path / "out.csv")
    assert (tmp_path / "out.csv").read_bytes() == KOREAN.encode("utf-8")
