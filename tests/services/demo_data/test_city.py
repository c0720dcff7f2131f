"""The demo city: valid check characters, real town names first."""

from stdnum.cn import uscc

from services.demo_data.city import LEQING_TOWNS, demo_town_names, uscc_check_character


def test_check_character_agrees_with_stdnum() -> None:
    for body in ("91330382MA2ABCDE1", "91110000600037341", "12330382000000000"):
        assert uscc_check_character(body) == uscc.calc_check_digit(body)


def test_town_names_are_real_then_numbered() -> None:
    names = demo_town_names(30)

    assert names[:24] == list(LEQING_TOWNS)
    assert names[24:26] == ["柳市镇2", "北白象镇2"]
    assert len(set(names)) == 30
