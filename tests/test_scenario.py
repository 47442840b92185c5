"""Scenario validation: every bad value names the key, the value and what is allowed."""

import pandas as pd
import pytest

from simulation import (
    PRESETS,
    ScenarioError,
    build_scenario,
    check_overrides,
    load_scenario,
    resolve_policy,
    resolve_run,
    resolve_scenario,
    run_simulation,
)


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


def same(a, b) -> bool:
    return pd.Series(a.summary).equals(pd.Series(b.summary)) and a.timeseries.equals(b.timeseries)


def test_crm_policy_is_shorthand_for_crm_in_use():
    """A department that has a CRM already (its current policy uses one) and switches to
    dedicated roles runs exactly like dedicated roles with crm.in_use set."""
    has_crm = {"department.current_policy": "finder_keeps_crm"}
    a = run_simulation(policy="dedicated_roles", overrides={"crm.in_use": True} | has_crm, quarters=6)
    b = run_simulation(policy="dedicated_roles_crm", overrides=has_crm, quarters=6)
    assert same(a, b) and b.scenario.crm.in_use and b.scenario.crm.adoption == 0.8


def test_explicit_crm_adoption_changes_what_crm_policies_run():
    default = run_simulation(policy="finder_keeps_crm", quarters=6)
    half = run_simulation(policy="finder_keeps_crm", overrides={"crm.adoption": 0.5}, quarters=6)
    assert half.scenario.crm.adoption == 0.5 and half.scenario.crm.used == 0.5
    assert half.summary["revenue_total"] != default.summary["revenue_total"]


def test_explicit_zero_adoption_runs_exactly_like_the_policy_without_a_crm():
    zero = run_simulation(policy="finder_keeps_crm", overrides={"crm.adoption": 0}, quarters=8, seed=3)
    plain = run_simulation(policy="finder_keeps", quarters=8, seed=3)
    assert same(zero, plain)
    assert zero.scenario.crm.adoption == 0.0 and zero.scenario.crm.in_use  # recorded as it ran


def test_a_setting_that_changes_no_run_is_an_error():
    with pytest.raises(ScenarioError, match=r"crm.adoption = 0.5 changes no run.*without a CRM"):
        run_simulation(policy="finder_keeps", overrides={"crm.adoption": 0.5}, quarters=2)
    with pytest.raises(ScenarioError, match=r"crm.adoption = 0.5 changes no run"):
        check_overrides("mature_department", ["finder_keeps", "dedicated_roles"], {"crm.adoption": 0.5})
    check_overrides("mature_department", ["finder_keeps", "finder_keeps_crm"], {"crm.adoption": 0.5})  # one uses it
    with pytest.raises(ScenarioError, match=r"strategic.seller_skill.*no dedicated strategic seller"):
        check_overrides("mature_department", ["finder_keeps"], {"strategic.seller_skill": 0.95})
    with pytest.raises(ScenarioError, match=r"selling.comfort_slope.*'dedicated_roles' does not read it"):
        check_overrides("mature_department", ["dedicated_roles"], {"selling.comfort_slope": 2.0})


def test_a_setting_that_contradicts_the_policy_is_an_error():
    with pytest.raises(ScenarioError, match=r"crm.in_use = false contradicts policy 'finder_keeps_crm'"):
        resolve_run("mature_department", "finder_keeps_crm", {"crm.in_use": False})
    with pytest.raises(ScenarioError, match=r"strategic.deals = \"none\" contradicts"):
        resolve_run("mature_department", "dedicated_roles_dedicated_strategic", {"strategic.deals": "none"})


@pytest.mark.parametrize(
    ("key", "value"),
    [("crm.adoption", True), ("crm.in_use", 1), ("quarters", 8.0), ("market.leads_per_quarter", "24")],
)
def test_booleans_are_not_numbers_nor_numbers_booleans(key, value):
    with pytest.raises(ScenarioError, match=key.replace(".", r"\.")):
        build_scenario("mature_department", {key: value})


def test_resolution_order_file_then_policy_then_overrides(tmp_path):
    path = tmp_path / "client.toml"
    path.write_text("[crm]\nin_use = false\nadoption = 0.4\n", encoding="utf-8")
    resolved = resolve_run(path, "finder_keeps_crm", {"crm.time_cost": 0.1})
    assert (resolved.crm.in_use, resolved.crm.adoption, resolved.crm.time_cost) == (True, 0.4, 0.1)
    assert resolve_run(resolved, "finder_keeps_crm") == resolved  # resolving a resolved scenario changes nothing


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


def roster_overrides():
    roster = [
        {"name": "S-a", "tenure": 20, "clients": [{"size": 30.0, "consultative": True}, {"size": 8.0}]},
        {"name": "S-b", "tenure": 2, "skill": 0.3, "clients": [{"size": 120.0, "strategic": True}]},
        {"name": "S-c", "tenure": 9, "clients": []},
    ]
    return {"department.roster": roster, "department.sellers": 3, "department.veterans": 2}


def test_a_roster_is_the_initial_department(tmp_path):
    from simulation import SalesModel

    model = SalesModel("fresh_start", overrides=roster_overrides(), log_events=False)
    sellers = model.regular_sellers()
    assert [s.tenure for s in sellers] == [20, 2, 9] and sellers[1].skill == 0.3
    assert [s.veteran for s in sellers] == [True, False, True]
    ledger = model.ledger
    assert sorted(ledger.size[sellers[0].book].tolist()) == [8.0, 30.0]
    assert ledger.strategic[sellers[1].book].tolist() == [True] and len(sellers[2].book) == 0
    # Written to TOML and read back, the roster is the same scenario.
    scenario = build_scenario("fresh_start", roster_overrides())
    path = tmp_path / "dept.toml"
    path.write_text(scenario.to_toml(), encoding="utf-8")
    assert load_scenario(path).digest() == scenario.digest()
    for policy in ("finder_keeps", "dedicated_roles_crm"):
        assert run_simulation(path, policy, quarters=4).summary["revenue_total"] > 0


def test_a_roster_must_agree_with_the_head_counts():
    with pytest.raises(ScenarioError, match=r"department.roster lists 3 sellers, 2 of them veterans"):
        build_scenario("fresh_start", roster_overrides() | {"department.sellers": 4})
