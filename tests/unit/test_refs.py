import itertools

from chalicelib.domain import refs


def test_new_numbers_are_valid_unambiguous_and_formatted():
    for _ in range(200):
        no = refs.new_application_no()
        assert refs.normalise_application_no(no) == no
        assert not set(no) & set("01OIL")
        formatted = refs.format_application_no(no)
        assert len(formatted) == 12 and formatted[4] == formatted[9] == "-"
        assert refs.normalise_application_no(formatted) == no
        assert refs.normalise_application_no(formatted.lower()) == no


def test_every_single_character_error_is_rejected():
    no = refs.new_application_no()
    for pos, char in itertools.product(range(len(no)), refs.ALPHABET):
        typo = no[:pos] + char + no[pos + 1:]
        if typo != no:
            assert refs.normalise_application_no(typo) is None, typo


def test_every_swap_of_neighbours_in_the_body_is_rejected():
    for _ in range(50):
        no = refs.new_application_no()
        for pos in range(refs.BODY_LENGTH - 1):
            swapped = no[:pos] + no[pos + 1] + no[pos] + no[pos + 2:]
            if swapped != no:
                assert refs.normalise_application_no(swapped) is None


def test_malformed_numbers_are_rejected():
    for bad in ["", "ABC", "0000-0000-00", "XB6Q-479A-G", "XB6Q-479A-GMM", None, 12345]:
        assert refs.normalise_application_no(bad) is None


def test_access_codes_carry_more_than_40_bits():
    import math
    assert refs.ACCESS_CODE_LENGTH * math.log2(len(refs.ALPHABET)) > 40
    codes = {refs.new_access_code() for _ in range(1000)}
    assert len(codes) == 1000
