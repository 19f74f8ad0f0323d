from cpms.coding.variants import hgvs_problem


def test_it_accepts_valid_hgvs():
    assert hgvs_problem("NM_000088.3:c.589G>T") is None
    assert hgvs_problem(" NC_000001.11:g.12345del ") is None


def test_it_says_what_is_expected_of_invalid_hgvs():
    assert "not a valid HGVS description" in hgvs_problem("NM_000088.3:c.589G>")
    assert "Enter the variant" in hgvs_problem("  ")
