"""`jsonsafe.loads` refuses a document exactly when it decodes to a lone surrogate.

Property: for any JSON value whose strings (keys too) draw from all of Unicode, surrogates
included, and however it is encoded (ASCII escapes, UTF-8 with surrogatepass, UTF-16), the
parse refuses it if and only if some string holds a code point in U+D800-U+DFFF; everything
else comes back equal. Paired surrogate escapes (an emoji as JavaScript writes it) are one
code point after parsing, so they are accepted.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from hypothesis import given, strategies as st

from emulator.core import jsonsafe

PAIR = re.compile("[\ud800-\udbff][\udc00-\udfff]")
# Any code point, and surrogates often (hypothesis's characters() rarely draws one). A high
# surrogate right before a low one is left out: in a Python str that is two lone surrogates,
# but as JSON escapes it is one valid pair, which a parser rightly joins.
text = st.text(
    st.one_of(
        st.characters(min_codepoint=0, max_codepoint=0x10FFFF, exclude_categories=()),
        st.sampled_from(["\ud800", "\udbff", "\udc00", "\udfff"]),
    ),
    max_size=8,
).filter(lambda s: PAIR.search(s) is None)
values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), text),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(text, inner, max_size=3)),
    max_leaves=10,
)


def _lone(value: Any) -> bool:
    return any(0xD800 <= ord(c) <= 0xDFFF for s in _texts(value) for c in s)


def _texts(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [t for k, v in value.items() for t in [k, *_texts(v)]]
    if isinstance(value, list):
        return [t for v in value for t in _texts(v)]
    return []


def _encodings(value: Any) -> list[bytes | str]:
    escaped = json.dumps(value)  # ASCII: every surrogate as a \\uXXXX escape
    raw = json.dumps(value, ensure_ascii=False)
    return [
        escaped,
        escaped.encode(),
        raw.encode("utf-8", "surrogatepass"),
        raw.encode("utf-16", "surrogatepass"),
    ]


@given(values)
def test_refused_exactly_when_a_string_holds_a_lone_surrogate(value: Any) -> None:
    for document in _encodings(value):
        if _lone(value):
            with pytest.raises(jsonsafe.JsonError):
                jsonsafe.loads(document)
        else:
            assert jsonsafe.loads(document) == value


@pytest.mark.parametrize(
    "document,value",
    [
        (b'"\\ud83d\\ude00"', "\U0001f600"),  # an emoji as JavaScript escapes it
        ('"\\uD83D\\uDE00"', "\U0001f600"),
        (b'"\\\\ud800"', "\\ud800"),  # an escaped backslash, then text
        ('"\ud55c"'.encode(), "\ud55c"),  # Hangul: UTF-8 0xED 0x95 0x9C, not a surrogate
    ],
)
def test_pairs_and_look_alikes_are_accepted(document: bytes | str, value: str) -> None:
    assert jsonsafe.loads(document) == value
