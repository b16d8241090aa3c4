"""Tests of dedup.normalize: decoding and the canonical text form."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from madeup_texts import CHINESE, RUSSIAN

from dedup.errors import BinaryInputError, InputError
from dedup.normalize import decode, fold


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param("café".encode(), "café", id="utf8"),
        pytest.param("café".encode("utf-8-sig"), "café", id="utf8-bom"),
        pytest.param("“smart” – quotes".encode("cp1252"), "“smart” – quotes", id="cp1252"),
        pytest.param(  # "ß“" in cp1252 is also a valid UTF-8 pair: still cp1252
            "„Das ist zu groß“, sagte er.".encode("cp1252"),
            "„Das ist zu groß“, sagte er.",
            id="cp1252-with-utf8-like-pair",
        ),
        pytest.param(b"caf\xe9 \x81", "caf\xe9 \x81", id="latin1-fallback"),
        pytest.param("hello".encode("utf-16"), "hello", id="utf16-bom"),
        pytest.param(b"", "", id="empty"),
    ],
)
def test_decode(data: bytes, expected: str) -> None:
    assert decode(data) == expected


def test_decode_refuses_binary_and_names_the_source() -> None:
    with pytest.raises(BinaryInputError, match=r"^photo\.png: binary data"):
        decode(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", source="photo.png")


def test_decode_refuses_a_nul_byte_far_into_a_text() -> None:
    text = ("Plain prose, line after line of it. " * 400).encode()  # 14 KB
    with pytest.raises(BinaryInputError, match="NUL"):
        decode(text[:9000] + b"\x00" + text[9000:], source="f")


def test_decode_refuses_broken_utf16() -> None:
    with pytest.raises(BinaryInputError, match=r"^f: starts like UTF-16 text but is not"):
        decode(b"\xff\xfe\x00\x00binary\n", source="f")


def test_decode_refuses_control_characters() -> None:
    with pytest.raises(InputError, match="control characters"):
        decode(bytes(range(1, 32)) * 20)


@pytest.mark.parametrize(
    ("word", "key"),
    [
        pytest.param("U.S.", "us", id="abbreviation"),
        pytest.param("Moscow’s", "moscow", id="possessive"),
        pytest.param("STRASSE", "strasse", id="casefold"),
        pytest.param("some-more", "some-more", id="hyphen-kept"),
    ],
)
def test_fold(word: str, key: str) -> None:
    assert fold(word) == key


@given(st.text(alphabet=st.characters(categories=["L", "N"]), min_size=1))
def test_fold_is_idempotent(word: str) -> None:
    assert fold(fold(word)) == fold(word)


@pytest.mark.parametrize("text", [RUSSIAN, CHINESE], ids=["russian", "chinese"])
def test_one_stray_byte_changes_one_character_not_the_whole_file(text: str) -> None:
    data = text.encode("utf-8")
    middle = len(data) // 2
    while data[middle] & 0xC0 == 0x80:  # a character boundary
        middle += 1
    damaged = data[:middle] + b"\x9d" + data[middle:]
    decoded = decode(damaged)
    assert len(decoded) == len(text) + 1
    assert decoded.replace("\x9d", "") == text
