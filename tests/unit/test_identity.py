import pytest

from chalicelib.domain.identity import is_valid_national_id, mask_national_id, mask_phone, normalise_mobile


@pytest.mark.parametrize("value", ["10000000146", "12345678950", "99999999990",
                                   # (1)*7 - (9+9+9+9) = -29: the remainder must be taken non-negative (1)
                                   "19090909018"])
def test_valid_national_ids(value):
    assert is_valid_national_id(value)


@pytest.mark.parametrize("value", [
    "01234567890",      # starts with 0
    "12345678901",      # wrong checksum
    "19090909096",      # d10 computed as a C-style negative remainder (9)
    "10000000147",      # d11 off by one
    "1000000014",       # 10 digits
    "100000001460",     # 12 digits
    "1000000014a",      # a letter
    "１００００００００１４６",  # full-width digits are digits to str.isdigit, but not to us
    "",
])
def test_invalid_national_ids(value):
    assert not is_valid_national_id(value)


def test_every_single_digit_change_of_a_valid_id_is_caught_by_the_last_two_digits():
    valid = "12345678950"
    for pos in range(9, 11):
        for digit in "0123456789":
            changed = valid[:pos] + digit + valid[pos + 1:]
            assert is_valid_national_id(changed) == (changed == valid)


def test_masking_hides_the_middle_of_the_national_id():
    assert mask_national_id("12345678950") == "123******50"


@pytest.mark.parametrize("raw", ["05321234567", "0532 123 45 67", "+90 532 123 45 67", "905321234567",
                                 "(0532) 123-45-67", "5321234567", "0090 532 123 4567"])
def test_mobile_numbers_normalise_to_e164(raw):
    assert normalise_mobile(raw) == "+905321234567"


@pytest.mark.parametrize("raw", ["02161234567", "+44 7911 123456", "0532123456", "053212345678", "abc", "",
                                 "+905321234567x"])
def test_non_mobile_or_foreign_numbers_are_rejected(raw):
    assert normalise_mobile(raw) is None


def test_phone_mask():
    assert mask_phone("+905321234567") == "+90532*****67"
