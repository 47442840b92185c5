"""docs/model.md documents every parameter and every metric the code has."""

from pathlib import Path

from simulation import QUARTER_METRICS, SUMMARY_METRICS, parameter_keys

DOC = (Path(__file__).parents[1] / "docs" / "model.md").read_text(encoding="utf-8")


def test_every_parameter_has_a_row_in_the_parameter_table():
    missing = [k for k in parameter_keys() if k not in {"name", "description"} and f"| `{k}` |" not in DOC]
    assert not missing


def test_every_metric_is_defined():
    assert not [m for m in SUMMARY_METRICS + QUARTER_METRICS if f"`{m}`" not in DOC]
