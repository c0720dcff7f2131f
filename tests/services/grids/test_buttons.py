"""The /grid browser's callback data: the payloads buttons already carry, and forged ones."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.grids.buttons import GridOpen, GridScreen


@pytest.mark.parametrize(
    ("press", "data"),
    [
        (GridOpen(GridScreen.CITY), "grid:c"),
        (GridOpen(GridScreen.TOWN, 12), "grid:t:12"),
        (GridOpen(GridScreen.GRID, 345), "grid:g:345"),
    ],
)
def test_payloads_are_the_ones_buttons_already_carry(press: GridOpen, data: str) -> None:
    assert press.pack() == data
    assert GridOpen.parse(data) == press
    assert GridOpen.pattern().match(data)


@pytest.mark.parametrize(
    "forged",
    ["grid:c:", "grid:c:1", "grid:t", "grid:t:", "grid:x:1", "grid:g:1;drop", "grid:g:1:2", "grid"],
)
def test_forged_payloads_are_refused(forged: str) -> None:
    assert GridOpen.parse(forged) is None


def test_a_town_or_grid_needs_an_id_and_the_city_has_none() -> None:
    with pytest.raises(ValueError, match="node id"):
        GridOpen(GridScreen.TOWN)
    with pytest.raises(ValueError, match="node id"):
        GridOpen(GridScreen.CITY, 1)


@given(screen=st.sampled_from([GridScreen.TOWN, GridScreen.GRID]), node_id=st.integers(1, 10**12))
def test_round_trip(screen: GridScreen, node_id: int) -> None:
    press = GridOpen(screen, node_id)
    assert GridOpen.parse(press.pack()) == press


@given(data=st.text(max_size=70))
def test_any_text_parses_to_a_press_that_packs_back_or_to_none(data: str) -> None:
    press = GridOpen.parse(data)
    assert press is None or press.pack() == data
