"""Scenario validation: every bad value names the key, the value and what is allowed."""

import pandas as pd
import pytest

from simulation import PRESETS, ScenarioError, build_scenario, load_scenario, resolve_scenario, run_simulation
from simulation.model import resolve_policy


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"department.sellers": -3}, ["department.sellers", "-3", ">= 1"]),
        ({"market.consultative_share": 1.7}, ["market.consultative_share", "1.7", "<= 1"]),
        ({"crm.adoption": -0.1}, ["crm.adoption", "-0.1", ">= 0"]),
        ({"strategic.deals": "sometimes"}, ["strategic.deals", "sometimes", "none", "dedicated_seller"]),
        ({"department.veterans": 30}, ["department.veterans", "30", "department.sellers"]),
        ({"selling.pursuit_effort_transactional": 0}, ["selling.pursuit_effort_transactional", "0", "> 0"]),
    ],
)
def test_bad_values_name_key_value_and_allowed(overrides, expected):
    with pytest.raises(ScenarioError) as error:
        build_scenario("mature_department", overrides)
    for part in expected:
        assert part in str(error.value)


def test_unknown_key_suggests_the_near_miss():
    with pytest.raises(
        ScenarioError, match=r"unknown key 'market.consultative_shar'.*did you mean 'market.consultative_share'"
    ):
        build_scenario("mature_department", {"market.consultative_shar": 0.3})


def test_unknown_policy_and_preset_are_named():
    with pytest.raises(ScenarioError, match=r"unknown policy 'finders_keep'.*allowed: finder_keeps"):
        resolve_policy("finders_keep")
    with pytest.raises(ScenarioError, match=r"unknown scenario 'mature'.*mature_department"):
        build_scenario("mature")


def test_presets_validate_and_required_keys_exist():
    for name in PRESETS:
        assert build_scenario(name).name == name
    scenario = build_scenario(
        "mature_department",
        {
            "market.leads_per_quarter": 10,
            "market.consultative_share": 0.0,
            "skill.learning_rate": 0.3,
            "skill.forgetting_rate": 0.0,
            "crm.adoption": 1.0,
            "department.sellers": 12,
        },
    )
    assert scenario.department.sellers == 12 and scenario.skill.forgetting_rate == 0.0


def test_toml_file_round_trips_and_malformed_file_is_named(tmp_path):
    path = tmp_path / "client.toml"
    path.write_text('base = "growing_team"\n[market]\nconsultative_share = 0.3\n', encoding="utf-8")
    scenario = load_scenario(path)
    assert scenario.market.consultative_share == 0.3 and scenario.department.sellers == 4
    resolved = tmp_path / "resolved.toml"
    resolved.write_text(scenario.to_toml(), encoding="utf-8")
    assert resolve_scenario(str(resolved)).digest() == scenario.digest()
    bad = tmp_path / "bad.toml"
    bad.write_text("[market\nleads = 3", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"bad.toml: malformed TOML"):
        load_scenario(bad)
    wrong = tmp_path / "wrong.toml"
    wrong.write_text("[market]\nconsultative_share = 1.7\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"wrong.toml: market.consultative_share = 1.7"):
        load_scenario(wrong)


def test_crm_policy_is_shorthand_and_explicit_override_wins():
    a = run_simulation(policy="dedicated_roles", overrides={"crm.adoption": 0.8}, quarters=6)
    b = run_simulation(policy="dedicated_roles_crm", quarters=6)
    assert pd.Series(a.summary).equals(pd.Series(b.summary))  # NaN-aware equality
    c = run_simulation(policy="dedicated_roles_crm", overrides={"crm.adoption": 0.3}, quarters=6)
    assert c.scenario.crm.adoption == 0.3
    assert b.scenario.crm.adoption == b.scenario.crm.default_adoption


def test_strategic_option_is_selectable_on_any_policy():
    for policy in ("finder_keeps", "dedicated_roles"):
        result = run_simulation(policy=policy, overrides={"strategic.deals": "dedicated_seller"}, quarters=4)
        assert result.scenario.strategic.deals == "dedicated_seller"
    preset = run_simulation(policy="finder_keeps_head_strategic", quarters=4)
    assert preset.scenario.strategic.deals == "head_part_time"


def test_unknown_base_in_a_file_names_the_key(tmp_path):
    path = tmp_path / "x.toml"
    path.write_text('base = "big_company"\n', encoding="utf-8")
    with pytest.raises(
        ScenarioError, match=r"x.toml: base = 'big_company' is not a preset; allowed: mature_department"
    ):
        load_scenario(path)
