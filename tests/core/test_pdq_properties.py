"""Property tests: hex <-> bits round trips, Hamming distance, dihedral DCT group laws."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from hashwarden.core.errors import InvalidSignalError
from hashwarden.core.pdq.dct import dct_to_bits, dihedral_dcts, torben_median
from hashwarden.core.pdq.hasher import pdq_dihedral_array, pdq_hash_array
from hashwarden.core.pdq.hexbits import bits_to_hex, hamming_distance, hex_to_bits
from hashwarden.core.pdq.jarosz import axis_matrix, box_matrix, decimation_rows, jarosz_window
from hashwarden.core.signals.pdq import PDQ

hex_hashes = st.text("0123456789abcdef", min_size=64, max_size=64)
bit_arrays = arrays(np.bool_, 256)


@given(hex_hashes)
def test_hex_round_trip(value: str) -> None:
    assert bits_to_hex(hex_to_bits(value)) == value


@given(bit_arrays)
def test_bits_round_trip(bits: np.ndarray) -> None:
    assert np.array_equal(hex_to_bits(bits_to_hex(bits)), bits)


@given(bit_arrays)
def test_bit_k_is_integer_bit_k(bits: np.ndarray) -> None:
    value = int(bits_to_hex(bits), 16)
    assert all(((value >> k) & 1) == int(bits[k]) for k in range(256))


@given(hex_hashes, hex_hashes, hex_hashes)
def test_distance_is_a_metric(a: str, b: str, c: str) -> None:
    assert hamming_distance(a, a) == 0
    assert hamming_distance(a, b) == hamming_distance(b, a) == PDQ.distance(a, b)
    assert 0 <= hamming_distance(a, b) <= 256
    assert hamming_distance(a, c) <= hamming_distance(a, b) + hamming_distance(b, c)
    assert hamming_distance(a, b) == int(np.count_nonzero(hex_to_bits(a) != hex_to_bits(b)))


@given(hex_hashes, st.sets(st.integers(0, 255), max_size=40))
def test_flipping_k_bits_moves_k(value: str, positions: set[int]) -> None:
    bits = hex_to_bits(value).copy()
    for position in positions:
        bits[position] = not bits[position]
    assert hamming_distance(value, bits_to_hex(bits)) == len(positions)


def test_bad_hex_is_rejected() -> None:
    with pytest.raises(InvalidSignalError):
        hex_to_bits("abc")
    with pytest.raises(InvalidSignalError):
        hex_to_bits("z" * 64)


coefficients = arrays(np.float64, (16, 16), elements=st.floats(-1e4, 1e4, allow_nan=False))


@given(coefficients)
def test_median_bits_split_in_half_for_distinct_values(dct: np.ndarray) -> None:
    bits = dct_to_bits(dct)
    assert np.array_equal(bits, dct > np.sort(dct, axis=None)[127])
    assert torben_median(dct) == np.sort(dct, axis=None)[127]
    if len(np.unique(dct)) == 256:
        assert int(bits.sum()) == 128


@given(coefficients)
def test_dihedral_group_laws(dct: np.ndarray) -> None:
    original, rot90, rot180, _rot270, flipx, flipy, plus1, minus1 = dihedral_dcts(dct)
    assert np.array_equal(original, dct)
    # Applying rotate90 twice is rotate180; four times is the identity.
    assert np.array_equal(dihedral_dcts(rot90)[1], rot180)
    assert np.array_equal(dihedral_dcts(rot180)[2], dct)
    assert np.array_equal(dihedral_dcts(rot90)[3], dct)
    # Flips are involutions.
    for index, flipped in ((4, flipx), (5, flipy), (6, plus1), (7, minus1)):
        assert np.array_equal(dihedral_dcts(flipped)[index], dct)


@settings(max_examples=30, deadline=None)
@given(
    arrays(np.uint8, st.tuples(st.integers(5, 150), st.integers(5, 150), st.just(3))),
)
def test_dihedral_first_variant_is_the_hash(pixels: np.ndarray) -> None:
    result, variants = pdq_dihedral_array(pixels)
    assert variants[0] == result.hex
    assert result == pdq_hash_array(pixels)
    assert len(variants) == 8 and {len(v) for v in variants} == {64}


@given(st.integers(1, 5000))
def test_axis_matrix_rows_are_averages(length: int) -> None:
    matrix = axis_matrix(length)
    assert matrix.shape == (64, length)
    assert np.allclose(matrix.sum(axis=1), 1.0)
    assert (matrix >= 0).all()


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 700))
def test_axis_matrix_is_decimated_box_twice(length: int) -> None:
    box = box_matrix(length, jarosz_window(length))
    dense = (box @ box)[decimation_rows(length)]
    matrix = axis_matrix(length)
    assert np.allclose(matrix, dense, rtol=0, atol=1e-15)
    assert np.array_equal(matrix != 0, dense > 1e-15)


@given(st.integers(1, 300), st.integers(1, 40))
def test_box_matrix_rows_are_averages(length: int, window: int) -> None:
    matrix = box_matrix(length, min(window, length))
    assert np.allclose(matrix.sum(axis=1), 1.0)
