"""import-crm: the example and the other layouts, bad data, dates, decimal commas, .xlsx, shared accounts,
a seller with no deals, pseudonymisation, and the imported scenario under every policy."""

import csv
import datetime as dt
import importlib.util
import json
import re
import sys
import tomllib
from pathlib import Path

import pandas as pd
import pytest

from experiments.crm import DataError, MappingError, import_crm
from experiments.crm.cli import main
from experiments.crm.reading import Table, date_order, parse_amounts, parse_dates
from simulation import POLICIES, load_scenario, run_simulation

ROOT = Path(__file__).parents[1]
EXAMPLE = ROOT / "examples" / "crm"


def generator():
    spec = importlib.util.spec_from_file_location("crm_generate", EXAMPLE / "generate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["crm_generate"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    out = tmp_path_factory.mktemp("example") / "dept.toml"
    return import_crm(EXAMPLE / "mapping.toml", out)


def write_csv(path, header, rows, delimiter=",", encoding="utf-8"):
    with open(path, "w", newline="", encoding=encoding) as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)


DEAL_HEADER = ["id", "owner", "account", "stage", "created", "closed", "amount"]
MAPPING = """[deals]
file = "deals.csv"
id = "id"
owner = "owner"
account = "account"
stage = "stage"
created = "created"
closed = "closed"
amount = "amount"
won = ["Won"]
lost = ["Lost"]

[consultative]
amount_at_least = 1000
"""


def small_export(folder, rows=None, mapping=MAPPING, extra=""):
    """A small export: two sellers, repeat business over 2023-2024 (ISO dates) unless ``rows`` are given."""
    if rows is None:
        rows = []
        for q in range(8):
            month = 3 * (q % 4) + 2
            for k, (owner, account) in enumerate(
                [
                    ("Alma Quist", "Fenwick Tools"),
                    ("Bo Rydell", "Garnet Mills"),
                    ("Alma Quist", "Hollin Dairy"),
                    ("Bo Rydell", "Ivory Paper"),
                ]
            ):
                created = dt.date(2023 + q // 4, month, 3 + k)
                rows.append(
                    [
                        f"{q}-{k}",
                        owner,
                        account,
                        "Won",
                        created.isoformat(),
                        (created + dt.timedelta(days=20)).isoformat(),
                        "1500.50",
                    ]
                )
            rows.append(
                [
                    f"{q}-L",
                    "Bo Rydell",
                    "",
                    "Lost",
                    dt.date(2023 + q // 4, month, 1).isoformat(),
                    dt.date(2023 + q // 4, month, 25).isoformat(),
                    "",
                ]
            )
    write_csv(folder / "deals.csv", DEAL_HEADER, rows)
    (folder / "mapping.toml").write_text(mapping + extra, encoding="utf-8")
    return folder / "mapping.toml"


def error_of(mapping, tmp_path, kind=(DataError, MappingError)):
    with pytest.raises(kind) as caught:
        import_crm(mapping, tmp_path / "out.toml")
    return str(caught.value)


# --- the example -----------------------------------------------------------------------------------


def test_example_import_derives_the_department(example):
    teams = pd.read_csv(EXAMPLE / "sales_teams.csv", keep_default_na=False)
    on_staff = teams[(teams.termination_date == "") & (pd.to_datetime(teams.hire_date) <= "2024-12-31")]
    scenario = load_scenario(example.scenario)
    assert scenario.department.sellers == len(on_staff)
    assert 0 < scenario.department.veterans < scenario.department.sellers
    text = example.scenario.read_text(encoding="utf-8")
    aggregates = text.split("[[department.roster]]")[0]  # the roster's lines are the export's own rows
    derived = [
        line for line in aggregates.splitlines() if re.match(r"^[a-z_]+ = ", line) and not line.startswith("base")
    ]
    assert derived and all("  # " in line for line in derived)  # every derived line names its data
    assert 0.3 < scenario.market.consultative_share < 0.6  # the generator draws 45% consultative leads
    observed = tomllib.loads(example.observed.read_text(encoding="utf-8"))
    assert observed["policy"] == "finder_keeps"
    assert set(observed["kpi"]) >= {"win_rate", "client_churn_rate", "seller_turnover_annual"}
    for name in (
        "report.md",
        "report.html",
        "figures/deal_sizes.png",
        "figures/book_sizes.png",
        "figures/win_rate_by_tenure.png",
        "figures/inflow.png",
    ):
        assert (example.report / name).is_file()


def test_example_unusable_rows_are_counted_by_reason(example):
    reasons = {reason: count for _, reason, count, _ in example.records.set_aside.table()}
    assert reasons == {"no owner": 1, "won or lost deal without a close date": 2}
    report = (example.report / "report.md").read_text(encoding="utf-8")
    assert "| no owner | 1 | 7 |" in report


@pytest.mark.parametrize("layout", ["salesforce", "hubspot", "bitrix24", "amocrm"])
def test_ready_layouts_give_the_same_department(layout, tmp_path, example):
    gen = generator()
    mapping = gen.write(gen.generate(), tmp_path / layout, layout)
    assert 'base = "' + layout + '"' in mapping.read_text(encoding="utf-8")
    result = import_crm(mapping, tmp_path / "dept.toml")
    ours = {k: v[0] for k, v in result.derived.overrides.items()}
    assert ours == {k: v[0] for k, v in example.derived.overrides.items()}


def test_bitrix24_layout_is_read_as_cp1251_semicolons_and_decimal_commas(tmp_path):
    gen = generator()
    mapping = gen.write(gen.generate(), tmp_path, "bitrix24")
    raw = (tmp_path / "deals.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    result = import_crm(mapping, tmp_path / "dept.toml")
    notes = " ".join(result.records.notes)
    assert "cp1251" in notes and "delimiter ';'" in notes and "decimal comma" in notes


# --- bad data ----------------------------------------------------------------------------------------


def test_a_missing_column_gets_did_you_mean(tmp_path):
    mapping = small_export(tmp_path, mapping=MAPPING.replace('amount = "amount"', 'amount = "amuont"'))
    message = error_of(mapping, tmp_path)
    assert "deals.csv" in message and "'amuont'" in message and "did you mean 'amount'?" in message


def test_an_unknown_mapping_key_gets_did_you_mean(tmp_path):
    mapping = small_export(tmp_path, mapping=MAPPING.replace("created =", "creatd ="))
    message = error_of(mapping, tmp_path)
    assert "unknown key 'creatd'" in message and "did you mean 'created'?" in message


def test_a_won_stage_absent_from_the_data_gets_did_you_mean(tmp_path):
    mapping = small_export(tmp_path, mapping=MAPPING.replace('won = ["Won"]', 'won = ["Closed Won"]'))
    message = error_of(mapping, tmp_path)
    assert "no deal has a won stage" in message and "did you mean 'Won'?" in message


@pytest.mark.parametrize(
    ("column", "value", "allowed"),
    [
        ("created", "yesterday", "ISO yyyy-mm-dd"),
        ("closed", "2023-02-30", "a calendar date"),
        ("amount", "12abc", "a number"),
        ("amount", "-40", "0 or more"),
    ],
)
def test_a_bad_value_names_file_row_column_value_and_what_is_allowed(tmp_path, column, value, allowed):
    mapping = small_export(tmp_path)
    frame = pd.read_csv(tmp_path / "deals.csv", dtype=str, keep_default_na=False)
    frame.loc[6, column] = value  # spreadsheet row 8
    frame.to_csv(tmp_path / "deals.csv", index=False)
    message = error_of(mapping, tmp_path)
    assert f"deals.csv, row 8, column '{column}': '{value}' is not allowed; allowed: " in message
    assert allowed in message


def test_a_ragged_row_is_named(tmp_path):
    mapping = small_export(tmp_path)
    with open(tmp_path / "deals.csv", "a", encoding="utf-8") as handle:
        handle.write("x,Bo Rydell,Ivory Paper,Won,2024-01-02,2024-01-05,10,extra\n")
    message = error_of(mapping, tmp_path)
    assert "row 42:" in message and "8 fields where the header has 7" in message


def test_a_missing_file_is_named(tmp_path):
    mapping = small_export(tmp_path, mapping=MAPPING.replace("deals.csv", "dealz.csv"))
    assert "dealz.csv" in error_of(mapping, tmp_path) and "no such file" in error_of(mapping, tmp_path)


def test_rows_that_cannot_be_used_are_counted_not_dropped_silently(tmp_path):
    mapping = small_export(tmp_path)
    frame = pd.read_csv(tmp_path / "deals.csv", dtype=str, keep_default_na=False)
    frame.loc[0, "owner"] = ""
    frame.loc[1, "closed"] = ""
    frame.loc[2, "account"] = ""
    frame.loc[3, "id"] = frame.loc[4, "id"]
    frame.loc[5, "closed"] = "2022-01-01"
    frame.to_csv(tmp_path / "deals.csv", index=False)
    result = import_crm(mapping, tmp_path / "out.toml")
    table = {reason: (count, rows) for _, reason, count, rows in result.records.set_aside.table()}
    assert table["no owner"] == (1, "2")
    assert table["won or lost deal without a close date"] == (1, "3")
    assert table["won deal without an account"] == (1, "4")
    assert table["duplicate id (the first is kept)"] == (1, "6")
    assert table["closed before it was created"] == (1, "7")
    assert len(result.records.deals) == 40 - 5


def test_the_command_line_prints_one_error_line_and_no_traceback(tmp_path, capsys):
    mapping = small_export(tmp_path, mapping=MAPPING.replace('amount = "amount"', 'amount = "amuont"'))
    code = main(["import-crm", str(mapping), "--out", str(tmp_path / "out.toml")])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err


def one_error_line(capsys, code):
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err, err
    return err


def test_a_mapping_without_a_consultative_rule_is_refused(tmp_path, capsys):
    """Without a rule every client would count as transactional: a department with no golden fund."""
    mapping = small_export(tmp_path, mapping=MAPPING.split("[consultative]")[0])
    out = tmp_path / "out.toml"
    err = one_error_line(capsys, main(["import-crm", str(mapping), "--out", str(out)]))
    assert "no [consultative] rule" in err and "consultative clients" in err and "e.g. [consultative]" in err
    assert not out.exists()
    (tmp_path / "empty.toml").write_text(MAPPING.split("[consultative]")[0] + "[consultative]\n", encoding="utf-8")
    with pytest.raises(MappingError, match="no \\[consultative\\] rule"):
        import_crm(tmp_path / "empty.toml", out)


def test_the_imported_department_starts_with_its_consultative_clients(tmp_path):
    mapping = small_export(tmp_path)  # every won deal is 1,500.50: consultative by amount_at_least = 1000
    roster = load_scenario(import_crm(mapping, tmp_path / "out.toml").scenario).department.roster
    clients = [client for seller in roster for client in seller.clients]
    assert clients and all(client.consultative for client in clients)


def outputs_of(out):
    """Every file an import to ``out`` wrote (scenario, KPIs, the report folder's files), with its bytes."""
    files = [out, out.with_name(f"{out.stem}.observed.toml"), *out.with_name(f"{out.stem}_report").rglob("*")]
    return {f: f.read_bytes() for f in files if f.is_file()}


def test_a_second_import_to_the_same_paths_is_refused_and_force_replaces_its_own_files(tmp_path, capsys):
    mapping = small_export(tmp_path)
    out = tmp_path / "dept.toml"
    assert main(["import-crm", str(mapping), "--out", str(out)]) == 0
    capsys.readouterr()
    first = outputs_of(out)
    (out.with_name("dept_report") / "report.md").write_text("edited by hand", encoding="utf-8")
    err = one_error_line(capsys, main(["import-crm", str(mapping), "--out", str(out)]))
    assert f"--out: {out} already exists" in err and "--force" in err
    assert outputs_of(out)[out.with_name("dept_report") / "report.md"] == b"edited by hand"
    out.with_name("dept.observed.toml").rename(tmp_path / "kept.toml")
    out.rename(tmp_path / "kept_scenario.toml")  # the report folder alone is refused too
    err = one_error_line(capsys, main(["import-crm", str(mapping), "--out", str(out)]))
    assert "--report: " in err and "already exists" in err and "--force" in err
    assert main(["import-crm", str(mapping), "--out", str(out), "--force"]) == 0
    again = outputs_of(out)
    assert sorted(again) == sorted(first)
    for path in (out, out.with_name("dept.observed.toml")):  # the same export gives the same files
        assert again[path] == first[path]
    report = out.with_name("dept_report")
    assert again[report / "report.md"].startswith(b"# Import report")  # the hand edit replaced
    assert json.loads(again[report / "manifest.json"])["command"][-1] == "--force"


def test_force_never_replaces_a_file_import_crm_did_not_write(tmp_path, capsys):
    mapping = small_export(tmp_path)
    notes = tmp_path / "notes.toml"
    notes.write_text("# my notes\nbudget = 3\n", encoding="utf-8")
    for extra in ([], ["--force"]):
        err = one_error_line(capsys, main(["import-crm", str(mapping), "--out", str(notes), *extra]))
        assert str(notes) in err and ("not written by import-crm" in err if extra else "already exists" in err)
    assert notes.read_text(encoding="utf-8") == "# my notes\nbudget = 3\n"
    assert not (tmp_path / "notes_report").exists() and not (tmp_path / "notes.observed.toml").exists()


def test_force_never_replaces_another_commands_results_folder(tmp_path, capsys):
    mapping = small_export(tmp_path)
    results = tmp_path / "compare-folder"
    (results / "figures").mkdir(parents=True)
    files = {
        "manifest.json": '{"subcommand": "compare", "status": "complete"}',
        "report.md": "# compare report",
        "summary.csv": "policy,metric\n",
        "figures/revenue.png": "png",
    }
    for name, text in files.items():
        (results / name).write_text(text, encoding="utf-8")
    out = tmp_path / "dept.toml"
    for extra in ([], ["--force"]):
        code = main(["import-crm", str(mapping), "--out", str(out), "--report", str(results), *extra])
        err = one_error_line(capsys, code)
        assert str(results) in err and ("not an import report" in err if extra else "already exists" in err)
    assert {name: (results / name).read_text(encoding="utf-8") for name in files} == files
    assert sorted(p.name for p in results.rglob("*")) == sorted(Path(name).name for name in [*files, "figures"])
    assert not out.exists()


# --- dates and numbers --------------------------------------------------------------------------------


def table_of(values):
    frame = pd.DataFrame({"d": values})
    return Table("t.csv", frame, pd.RangeIndex(2, len(frame) + 2).to_numpy())


def dates(values, given=None):
    table = table_of(values)
    order, _ = date_order(table, {"d": table.frame["d"]}, given)
    return [None if pd.isna(v) else v.date().isoformat() for v in parse_dates(table, "d", table.frame["d"], order)]


def test_dates_in_the_usual_formats():
    assert dates(["2024-03-05", "2024-03-05T10:20:00", "2024-03-05 10:20", ""]) == ["2024-03-05"] * 3 + [None]
    assert dates(["05.03.2024", "5.3.2024 14:00"]) == ["2024-03-05", "2024-03-05"]


def test_slashed_dates_are_resolved_from_the_data_or_refused():
    assert dates(["03/05/2024", "12/25/2024"]) == ["2024-03-05", "2024-12-25"]  # 25 can only be a day
    assert dates(["03/05/2024", "25/12/2024"]) == ["2024-05-03", "2024-12-25"]
    with pytest.raises(MappingError, match="date_order"):
        dates(["03/05/2024", "04/06/2024"])
    assert dates(["03/05/2024"], given="mdy") == ["2024-03-05"]
    with pytest.raises(DataError, match="one date order per file"):
        dates(["12/25/2024", "25/12/2024"])


def test_decimal_commas_and_thousands_separators():
    def amounts(values):
        table = table_of(values)
        return parse_amounts(table, "d", table.frame["d"], None)[0].tolist()

    assert amounts(["1 234,5", "12,75", "3"]) == [1234.5, 12.75, 3.0]
    assert amounts(["1.234,50", "7,1"]) == [1234.5, 7.1]
    assert amounts(["1,234.50", "7.1", "€ 12"]) == [1234.5, 7.1, 12.0]
    assert amounts(["1\u00a0234,5 ₽"]) == [1234.5]
    with pytest.raises(DataError, match="one decimal separator"):
        amounts(["1,5", "2.5"])


# --- .xlsx, shared accounts, a seller with no deals ------------------------------------------------


def test_an_xlsx_export_gives_what_the_same_csv_gives(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    mapping = small_export(tmp_path)
    from_csv = import_crm(mapping, tmp_path / "csv.toml")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(DEAL_HEADER)
    for row in pd.read_csv(tmp_path / "deals.csv", dtype=str, keep_default_na=False).itertuples(index=False):
        created = dt.datetime.fromisoformat(row.created)
        closed = dt.datetime.fromisoformat(row.closed)
        sheet.append(
            [row.id, row.owner, row.account, row.stage, created, closed, float(row.amount) if row.amount else None]
        )
    book.save(tmp_path / "deals.xlsx")
    (tmp_path / "x.toml").write_text(MAPPING.replace("deals.csv", "deals.xlsx"), encoding="utf-8")
    from_xlsx = import_crm(tmp_path / "x.toml", tmp_path / "xlsx.toml")
    assert {k: v[0] for k, v in from_xlsx.derived.overrides.items()} == {
        k: v[0] for k, v in from_csv.derived.overrides.items()
    }
    assert "Excel sheet" in " ".join(from_xlsx.records.notes)


def test_shared_accounts_go_to_the_seller_with_most_won_revenue_and_are_warned_about(tmp_path):
    rows = []
    for q in range(8):
        day = dt.date(2023 + q // 4, 3 * (q % 4) + 2, 10)
        for k, account in enumerate(["Fenwick Tools", "Garnet Mills", "Hollin Dairy"]):
            rows.append([f"{q}{k}a", "Alma Quist", account, "Won", day.isoformat(), day.isoformat(), "100"])
            rows.append([f"{q}{k}b", "Bo Rydell", account, "Won", day.isoformat(), day.isoformat(), "300"])
    result = import_crm(small_export(tmp_path, rows), tmp_path / "out.toml")
    assert set(result.derived.accounts["owner"]) == {"Bo Rydell"}
    warning = next(w for w in result.derived.warnings if w.startswith("Accounts are shared"))
    assert "3 of 3 accounts" in warning and "(100%)" in warning and "75%" in warning
    roster = result.derived.roster
    assert roster.loc["Bo Rydell", "book"] == 3 and roster.loc["Alma Quist", "book"] == 0


def test_a_seller_with_no_deals_is_on_staff_with_an_empty_book(tmp_path):
    write_csv(
        tmp_path / "sellers.csv",
        ["name", "hired"],
        [["Alma Quist", "2015-01-10"], ["Bo Rydell", "2016-05-01"], ["Cyd Lorne", "2024-11-02"]],
    )
    extra = '\n[sellers]\nfile = "sellers.csv"\nname = "name"\nhired = "hired"\n'
    result = import_crm(small_export(tmp_path, extra=extra), tmp_path / "out.toml")
    assert load_scenario(result.scenario).department.sellers == 3
    assert result.derived.roster.loc["Cyd Lorne", "book"] == 0
    assert result.derived.roster.loc["Cyd Lorne", "hired_from"] == "hire date"
    assert any("have no deal" in note for note in result.derived.notes)


def test_without_hire_dates_tenure_comes_from_the_first_deal_and_it_says_so(tmp_path):
    result = import_crm(small_export(tmp_path), tmp_path / "out.toml")
    assert set(result.derived.roster["hired_from"]) == {"first deal"}
    assert "tenure from first deal" in result.scenario.read_text(encoding="utf-8")
    assert any("lower bound" in w for w in result.derived.warnings)


# --- personal data ---------------------------------------------------------------------------------


def real_names():
    teams = pd.read_csv(EXAMPLE / "sales_teams.csv", keep_default_na=False)
    accounts = pd.read_csv(EXAMPLE / "accounts.csv", keep_default_na=False)
    deals = pd.read_csv(EXAMPLE / "deals.csv", keep_default_na=False)
    names = set(teams.sales_agent) | set(teams.manager) | set(accounts.account) | set(deals.account)
    return {n for n in names | set(deals.sales_agent) if n}


def output_files(result):
    files = [result.scenario, result.observed, *result.report.rglob("*")]
    return [f for f in files if f.is_file()]


def test_no_real_name_in_any_output_file(example):
    names = real_names()
    assert len(names) > 300
    for path in output_files(example):
        text = path.read_bytes().decode("utf-8", errors="replace")
        leaked = [n for n in names if n in text]
        assert not leaked, f"{path.name} holds {leaked[:3]}"


def test_pseudonyms_are_stable_and_keep_names_keeps_them(example, tmp_path):
    again = import_crm(EXAMPLE / "mapping.toml", tmp_path / "again.toml")
    assert (again.report / "report.md").read_text(encoding="utf-8").split("## Data quality")[1] == (
        example.report / "report.md"
    ).read_text(encoding="utf-8").split("## Data quality")[1]
    kept = import_crm(EXAMPLE / "mapping.toml", tmp_path / "kept.toml", keep_names=True)
    report = (kept.report / "report.md").read_text(encoding="utf-8")
    assert any(name in report for name in real_names())


# --- the imported scenario runs ---------------------------------------------------------------------


@pytest.mark.parametrize("policy", list(POLICIES))
def test_the_imported_scenario_runs_under_every_policy(example, policy):
    result = run_simulation(example.scenario, policy, seed=1, quarters=3)
    assert result.summary["revenue_total"] > 0


def test_the_imported_scenario_starts_from_the_departments_own_sellers_and_books(tmp_path):
    from experiments.crm.importer import import_crm
    from simulation import SalesModel, load_scenario

    result = import_crm(EXAMPLE / "mapping.toml", tmp_path / "dept.toml")
    scenario = load_scenario(result.scenario)
    roster = scenario.department.roster
    staff = result.derived.roster[result.derived.roster["on_staff"]]
    assert len(roster) == scenario.department.sellers == len(staff)
    assert sorted(s.tenure for s in roster) == sorted(staff["tenure"].tolist())
    active = result.derived.accounts[result.derived.accounts["active"] & (result.derived.accounts["size"] > 0)]
    assert sum(len(s.clients) for s in roster) == len(active)  # every active client, once
    assert all(s.name.startswith("S-") for s in roster)  # pseudonymised
    model = SalesModel(scenario, log_events=False)
    assert [len(s.book) for s in model.regular_sellers()] == [len(s.clients) for s in roster]
