"""The rules written once in butdata.vocab, checked against hand arithmetic."""

from butdata.vocab import in_band, module_kind, sum_tolerance, sums_agree


def test_sae_band_includes_its_bounds():
    # 0,4 is reached exactly by 1,6 / 4 and by 0.1 + 0.3 (float noise: 0.30000000000000004 + …)
    assert in_band(1.6 / 4, (0.4, 0.6)) is True
    assert in_band(0.1 + 0.2 + 0.3, (0.4, 0.6)) is True  # 0.6000000000000001
    assert in_band(0.3999, (0.4, 0.6)) is False
    assert in_band(0.61, (0.4, 0.6)) is False
    assert in_band(None, (0.4, 0.6)) is None


def test_rounding_tolerance_is_half_a_hundredth_per_value():
    # three values printed to two decimals: each may be 0,005 off, so the sum up to 0,015
    assert abs(sum_tolerance(3) - 0.015) < 1e-6
    assert sums_agree(10.0, 10.01, 3)
    assert not sums_agree(10.0, 10.02, 3)
    assert sum_tolerance(0) == sum_tolerance(1)


def test_module_kind_reads_the_usual_codes():
    assert module_kind("R3.07") == "ressource"
    assert module_kind("SAÉ 1.01") == "sae"
    assert module_kind("SAE3.01") == "sae"
