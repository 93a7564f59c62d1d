"""harness.bench.scales: one rule for data scale names, for the API and for argparse."""

from __future__ import annotations

import argparse

import pytest

from harness.bench.scales import SCALES, flatten, parse_scales, receipts, scale_list, scale_name
from harness.errors import UsageError


def test_scales_are_ordered_by_size() -> None:
    assert list(SCALES) == ["1k", "10k", "100k", "1m"]
    assert list(SCALES.values()) == sorted(SCALES.values())
    assert receipts("100k") == 100_000


def test_parse_scales_splits_commas_drops_repeats_and_sorts_by_size() -> None:
    assert parse_scales(["100k,1k", " 10k ", "1k"]) == ("1k", "10k", "100k")
    assert parse_scales("1m") == ("1m",)


@pytest.mark.parametrize(
    ("given", "message"),
    [
        (["5k"], "--scale 5k: must be one of 1k, 10k, 100k, 1m"),
        (["10k,7x"], "--scale 7x: must be one of 1k, 10k, 100k, 1m"),
        ([], "--scale: give at least one scale"),
        ([" , "], "--scale: give at least one scale"),
    ],
)
def test_parse_scales_names_the_option_and_the_rule(given: list[str], message: str) -> None:
    with pytest.raises(UsageError) as e:
        parse_scales(given)
    assert str(e.value) == message


def test_the_argparse_types_use_the_same_rule() -> None:
    assert scale_list("10k, 1k") == ["10k", "1k"]
    assert scale_name("1m") == "1m"
    with pytest.raises(argparse.ArgumentTypeError, match="^5k: must be one of 1k, 10k, 100k, 1m$"):
        scale_list("10k,5k")
    with pytest.raises(argparse.ArgumentTypeError, match="^5k: must be one of 1k, 10k, 100k, 1m$"):
        scale_name("5k")
    with pytest.raises(argparse.ArgumentTypeError, match="^give at least one scale$"):
        scale_list(",")


def test_flatten_joins_repeated_options_or_gives_the_default() -> None:
    assert flatten([["100k"], ["10k", "100k"]], default=("1m",)) == ("10k", "100k")
    assert flatten(None, default=("100k", "10k")) == ("10k", "100k")
