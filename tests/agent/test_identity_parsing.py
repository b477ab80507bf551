"""Names and dates of birth in identity turns typed or transcribed with noise."""

from __future__ import annotations

import pytest

from agent.parsing import PersonName, parse_full_name


@pytest.mark.parametrize(
    "text",
    ["Margaret Chen 🙂", "👍 Margaret Chen", "my name is Margaret Chen ❤️", "Margaret 😀 Chen"],
)
def test_name_read_around_emoji(text: str) -> None:
    assert parse_full_name(text) == PersonName("Margaret", "Chen")
