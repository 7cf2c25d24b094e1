import itertools

from chalicelib.domain import numbers


def test_new_numbers_are_valid_unambiguous_and_formatted():
    for _ in range(200):
        no = numbers.new_application_no()
        assert numbers.normalise_application_no(no) == no
        assert not set(no) & set("01OIL")
        formatted = numbers.format_application_no(no)
        assert len(formatted) == 12 and formatted[4] == formatted[9] == "-"
        assert numbers.normalise_application_no(formatted) == no
        assert numbers.normalise_application_no(formatted.lower()) == no


def test_every_single_character_error_is_rejected():
    no = numbers.new_application_no()
    for pos, char in itertools.product(range(len(no)), numbers.ALPHABET):
        typo = no[:pos] + char + no[pos + 1:]
        if typo != no:
            assert numbers.normalise_application_no(typo) is None, typo


def test_every_swap_of_neighbours_in_the_body_is_rejected():
    for _ in range(50):
        no = numbers.new_application_no()
        for pos in range(numbers.BODY_LENGTH - 1):
            swapped = no[:pos] + no[pos + 1] + no[pos] + no[pos + 2:]
            if swapped != no:
                assert numbers.normalise_application_no(swapped) is None


def test_malformed_numbers_are_rejected():
    for bad in ["", "ABC", "0000-0000-00", "XB6Q-479A-G", "XB6Q-479A-GMM", None, 12345]:
        assert numbers.normalise_application_no(bad) is None


def test_access_codes_carry_more_than_40_bits():
    import math
    assert numbers.ACCESS_CODE_LENGTH * math.log2(len(numbers.ALPHABET)) > 40
    codes = {numbers.new_access_code() for _ in range(1000)}
    assert len(codes) == 1000
