import pytest

from models.evaluate.paper_numbers import (
    TABLE2,
    TABLE2_AVERAGE,
    TABLE4,
    TABLE4_AVERAGE,
    paper_accuracy,
    paper_table,
    paper_test_size,
)


def test_tables_hold_twenty_lifts_per_model() -> None:
    assert set(TABLE2) == {"siamese-paper", "classifier-paper"}
    assert set(TABLE4) == {"siamese-paper", "classifier-paper", "resnet50", "vgg16"}
    assert all(len(rows) == 20 for rows in (*TABLE2.values(), *TABLE4.values()))


def test_numbers_as_printed() -> None:
    assert paper_accuracy("siamese-paper", "small", 1) == 95.39
    assert paper_accuracy("classifier-paper", "small", 15) == 70.17
    assert paper_accuracy("siamese-paper", "large", 17) == 98.33
    assert paper_accuracy("vgg16", "large", 17) == 98.51
    assert paper_accuracy("resnet50", "large", 13) == 99.22
    assert TABLE2_AVERAGE == {"siamese-paper": 90.94, "classifier-paper": 87.76}
    assert TABLE4_AVERAGE["siamese-paper"] == 99.44 and TABLE4_AVERAGE["vgg16"] == 99.76


def test_no_column_where_the_paper_has_none() -> None:
    assert paper_table("siamese-fast", "small") is None
    assert paper_table("vgg16", "small") is None  # Table 2 has only the two tiny networks
    assert paper_accuracy("siamese-paper", "small", 21) is None


@pytest.mark.parametrize("model", ["siamese-paper", "classifier-paper"])
def test_table2_average_is_the_test_size_weighted_mean(model: str) -> None:
    rows = TABLE2[model]
    sizes = [paper_test_size(k) for k in range(1, 21)]
    weighted = sum(a * n for a, n in zip(rows, sizes, strict=True)) / sum(sizes)
    assert round(weighted, 2) == TABLE2_AVERAGE[model]
    assert round(sum(rows) / 20, 2) != TABLE2_AVERAGE[model]
