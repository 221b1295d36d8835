"""Settings checked at start-up: OPEN_DATA_LG_CODE must be a real 全国地方公共団体コード."""
import pytest

from civictest import create_app
from civictest.config import ConfigError, TestConfig, check_open_data_lg_code
from civictest.geo import with_check_digit


def _config(code: str) -> type[TestConfig]:
    return type("LgConfig", (TestConfig,), {"OPEN_DATA_LG_CODE": code})


@pytest.mark.parametrize(("value", "expected"), [
    ("131083", "131083"), ("13108", "131083"), (" 131083 ", "131083"), ("130001", "130001"),
    ("011002", "011002"), ("", ""), (None, ""),
])
def test_valid_codes_are_kept_as_six_digits(value, expected):
    assert check_open_data_lg_code(value) == expected


def test_a_wrong_check_digit_stops_the_app_naming_the_setting():
    with pytest.raises(ConfigError) as caught:
        create_app(_config("131080"))
    message = str(caught.value)
    assert "OPEN_DATA_LG_CODE" in message and "check digit is wrong" in message and "131083" in message


@pytest.mark.parametrize("value", ["1310", "13108x", "1310831", "江東区"])
def test_malformed_codes_stop_the_app(value):
    with pytest.raises(ConfigError, match="OPEN_DATA_LG_CODE"):
        create_app(_config(value))


def test_a_code_of_no_local_government_is_refused():
    nowhere = with_check_digit("99999")
    with pytest.raises(ConfigError, match="not the code of"):
        check_open_data_lg_code(nowhere)

