"""Chinese identifiers: resident ID numbers, bank cards and mobile numbers, and how they are masked."""

from __future__ import annotations

import datetime

import pytest
from django.utils import translation

from gonghui.core.errors import ServiceError
from gonghui.core.identifiers import (
    clean_bank_card,
    clean_id_number,
    clean_mobile,
    id_number_facts,
    normalize_id_number,
)
from gonghui.core.masking import mask_bank_card, mask_id_number, mask_mobile, mask_name

# GB 11643's own example (a woman born on 31 December 1949 in Beijing's Chaoyang district) and a man born
# in Hangzhou's Xihu district; both have correct check characters.
WOMAN = "11010519491231002X"
MAN = "330106199001011213"


@pytest.fixture(autouse=True)
def english():
    """The messages are matched in English, whatever language an earlier test left active."""
    with translation.override("en"):
        yield


# --- ID numbers -------------------------------------------------------------------------------------------


def test_it_accepts_a_valid_id_number():
    assert clean_id_number(WOMAN) == WOMAN
    assert clean_id_number(MAN) == MAN


def test_it_rejects_an_id_number_with_a_wrong_check_character():
    with pytest.raises(ServiceError) as exc:
        clean_id_number("110105194912310021")
    assert exc.value.code == "invalid_id_number"
    assert exc.value.field == "id_number"
    assert "110105" not in str(exc.value)  # the message never repeats the number


def test_it_accepts_a_lower_case_x_and_stores_an_upper_case_one():
    assert clean_id_number("11010519491231002x") == WOMAN


def test_it_accepts_full_width_digits_and_spaces():
    assert clean_id_number("１１０１０５ １９４９１２３１ ００２Ｘ") == WOMAN
    assert clean_id_number(" 110105 19491231 002X ") == WOMAN


def test_it_derives_the_birth_date_and_sex():
    assert id_number_facts(WOMAN) == (datetime.date(1949, 12, 31), "female")
    assert id_number_facts(MAN) == (datetime.date(1990, 1, 1), "male")


def test_it_converts_an_old_15_digit_number_to_18_characters():
    assert clean_id_number("110105491231002") == WOMAN
    assert normalize_id_number("110105491231002") == WOMAN
    assert id_number_facts("110105491231002") == (datetime.date(1949, 12, 31), "female")


@pytest.mark.parametrize(
    "value",
    [
        "",
        "11010519491231002",  # 17 characters
        "1101051949123100XX",
        "11010519491231002Y",
        "11010549123100",  # 14 digits
    ],
)
def test_it_rejects_id_numbers_of_the_wrong_shape(value):
    with pytest.raises(ServiceError) as exc:
        clean_id_number(value)
    assert exc.value.code == "invalid_id_number"


def test_it_rejects_an_id_number_with_an_impossible_birth_date():
    first17 = "11010519491331002"  # month 13
    from stdnum.cn import ric

    with pytest.raises(ServiceError, match="birth date"):
        clean_id_number(first17 + ric.calc_check_digit(first17 + "0"))


def test_it_rejects_an_id_number_born_in_the_future():
    first17 = "11010529991231002"
    from stdnum.cn import ric

    with pytest.raises(ServiceError, match="birth date"):
        clean_id_number(first17 + ric.calc_check_digit(first17 + "0"))


def test_the_future_is_judged_by_the_current_date_even_when_time_moves():
    """The date is cached for at most a minute (bulk imports): travelling in time still moves it."""
    import time_machine
    from stdnum.cn import ric

    first17 = "11010520300101002"  # born on 1 January 2030
    number = first17 + ric.calc_check_digit(first17 + "0")
    with (
        time_machine.travel(datetime.datetime(2029, 12, 31, 12, tzinfo=datetime.UTC), tick=False),
        pytest.raises(ServiceError, match="birth date"),
    ):
        clean_id_number(number)
    with time_machine.travel(datetime.datetime(2030, 1, 2, 12, tzinfo=datetime.UTC), tick=False):
        assert clean_id_number(number) == number


def test_compact_ascii_and_messy_spellings_normalise_alike():
    assert normalize_id_number("11010519491231002x") == WOMAN
    assert normalize_id_number(" 110105-1949 1231 002x ") == WOMAN
    assert normalize_id_number("１１０１０５１９４９１２３１００２ｘ") == WOMAN


def test_it_rejects_an_id_number_from_an_unknown_province_but_not_an_unknown_county():
    from stdnum.cn import ric

    unknown_province = "99010519491231002"
    with pytest.raises(ServiceError, match="region"):
        clean_id_number(unknown_province + ric.calc_check_digit(unknown_province + "0"))
    unknown_county = "33019919900101121"  # Zhejiang exists; county 99 of Hangzhou does not
    number = unknown_county + ric.calc_check_digit(unknown_county + "0")
    assert clean_id_number(number) == number


def test_a_custom_field_name_is_reported():
    with pytest.raises(ServiceError) as exc:
        clean_id_number("123", field="applicant_id_number")
    assert exc.value.field == "applicant_id_number"


# --- bank cards -------------------------------------------------------------------------------------------


def test_it_accepts_a_bank_card_with_a_valid_luhn_digit():
    assert clean_bank_card("6222 0212 3456 7890 128") == "6222021234567890128"
    assert clean_bank_card("4111-1111-1111-1111") == "4111111111111111"
    assert clean_bank_card("６２２２０２１２３４５６７８９０１２８") == "6222021234567890128"


def test_it_rejects_a_bank_card_with_a_wrong_luhn_digit():
    with pytest.raises(ServiceError) as exc:
        clean_bank_card("6222021234567890123")
    assert exc.value.code == "invalid_bank_card"
    assert exc.value.field == "bank_card"


@pytest.mark.parametrize("value", ["", "12345678901", "12345678901234567890", "6222abcd12345678"])
def test_it_rejects_a_bank_card_of_the_wrong_length_or_with_letters(value):
    with pytest.raises(ServiceError, match="12 to 19 digits"):
        clean_bank_card(value)


# --- mobile numbers ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        *(f"138000000{i:02d}" for i in range(1, 11)),
        "13900000001",
        "13900000002",
        "13711112222",
        "13712345678",
        "13700000000",
        "13700000001",
        "19912345678",
        "16612345678",
    ],
)
def test_the_numbers_of_the_test_cast_and_new_ranges_are_valid_mobiles(value):
    assert clean_mobile(value) == value


def test_it_accepts_spaces_dashes_full_width_digits_and_the_country_code():
    assert clean_mobile("139 0000 0001") == "13900000001"
    assert clean_mobile("+86 139-0000-0001") == "13900000001"
    assert clean_mobile("１３９００００００01") == "13900000001"


@pytest.mark.parametrize("value", ["", "1390000000", "23900000001", "12012345678", "139000000012"])
def test_it_rejects_numbers_that_are_not_shaped_like_a_mobile(value):
    with pytest.raises(ServiceError) as exc:
        clean_mobile(value)
    assert exc.value.code == "invalid_mobile"


def test_it_rejects_a_range_that_phonenumbers_knows_is_not_for_phones():
    with pytest.raises(ServiceError, match="not in a range"):
        clean_mobile("14012345678")


# --- masks ------------------------------------------------------------------------------------------------


def test_masks_match_the_issue_examples():
    assert mask_id_number("33010619900101123X") == "330106********123X"
    assert mask_mobile("13812345678") == "138****5678"
    assert mask_bank_card("6222021234567891234") == "6222 **** **** 1234"
    assert mask_bank_card("622202123456") == "6222 **** **** 3456"


def test_masks_hide_short_values_completely_and_keep_empty_ones_empty():
    assert mask_mobile("1234") == "****"
    assert mask_id_number("12345") == "*****"
    assert mask_bank_card("12345678901") == "*" * 11
    for mask in (mask_mobile, mask_id_number, mask_bank_card, mask_name):
        assert mask("") == ""
        assert mask(None) == ""


def test_masked_names_keep_the_first_and_last_character():
    assert mask_name("张") == "张"
    assert mask_name("张三") == "张*"
    assert mask_name("李小明") == "李*明"
    assert mask_name("欧阳小明") == "欧**明"


def test_mobile_ranges_are_judged_by_their_first_five_digits_and_179_never_crashes():
    import random

    from gonghui.core.identifiers import _mobile_range

    rng = random.Random(4)
    for number in ("13912345678", "17400012345", "17912001234", "19912345678"):
        prefix = number[:5]
        try:
            clean_mobile(number)
            valid = True
        except ServiceError:
            valid = False
        assert valid == _mobile_range(prefix)
        for _ in range(20):
            other = prefix + "".join(rng.choice("0123456789") for _ in range(6))
            try:
                clean_mobile(other)
                assert valid
            except ServiceError:
                assert not valid
