"""docs/model.md documents every parameter and every metric the code has."""

from pathlib import Path

from simulation import QUARTER_METRICS, SUMMARY_METRICS, Scenario, parameter_keys
from simulation.scenario import _flatten as flatten

DOC = (Path(__file__).parents[1] / "docs" / "model.md").read_text(encoding="utf-8")


def test_every_parameter_has_a_row_in_the_parameter_table():
    missing = [k for k in parameter_keys() if k not in {"name", "description"} and f"| `{k}` |" not in DOC]
    assert not missing


def test_every_metric_is_defined():
    assert not [m for m in SUMMARY_METRICS + QUARTER_METRICS if f"`{m}`" not in DOC]


def test_parameter_table_defaults_match_the_code():
    defaults = flatten(Scenario().model_dump())
    wrong = []
    for line in DOC.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[0].startswith("`") and cells[0].strip("`") in defaults:
            key, shown = cells[0].strip("`"), cells[2].replace(",", "")
            value = defaults[key]
            if isinstance(value, list):
                same = shown == "none" and not value
            elif isinstance(value, bool):
                same = shown == str(value).lower()
            elif isinstance(value, str):
                same = shown == value
            else:
                same = float(shown) == float(value)
            if not same:
                wrong.append((key, shown, value))
    assert not wrong


def test_every_summary_metric_has_a_plain_language_label():
    from experiments.labels import SUMMARY_LABELS

    assert not [m for m in SUMMARY_METRICS if m not in SUMMARY_LABELS]
