"""The notebooks: each .ipynb is paired with a py:percent file (same cells, no outputs) and runs top to bottom.

Needs the ``notebooks`` extra (jupytext, nbclient, nbformat and ipykernel).
"""

import time
from pathlib import Path

import pytest

jupytext = pytest.importorskip("jupytext", reason="needs the notebooks extra: pip install -e '.[notebooks]'")
nbformat = pytest.importorskip("nbformat", reason="needs the notebooks extra: pip install -e '.[notebooks]'")
nbclient = pytest.importorskip("nbclient", reason="needs the notebooks extra: pip install -e '.[notebooks]'")

NOTEBOOKS = Path(__file__).parents[1] / "notebooks"
IPYNB = sorted(NOTEBOOKS.glob("*.ipynb"))
EXPECTED = {"01_the_pitfall", "02_policy_comparison", "03_what_if"}
CELL_TIMEOUT = 120  # seconds for any one cell
NOTEBOOK_LIMIT = 120  # seconds for a whole notebook, kernel start included (under 2 minutes)


def cells(notebook) -> list[tuple[str, str]]:
    return [(cell.cell_type, cell.source) for cell in notebook.cells]


def files() -> set[Path]:
    return {p for p in NOTEBOOKS.rglob("*") if ".ipynb_checkpoints" not in p.parts and "__pycache__" not in p.parts}


def test_every_notebook_is_paired_with_a_py_percent_file():
    ipynb = {p.stem for p in NOTEBOOKS.glob("*.ipynb")}
    py = {p.stem for p in NOTEBOOKS.glob("*.py")}
    assert ipynb == py
    assert ipynb >= EXPECTED
    assert 'formats = "ipynb,py:percent"' in (NOTEBOOKS / "jupytext.toml").read_text(encoding="utf-8")


@pytest.mark.parametrize("path", IPYNB, ids=lambda p: p.stem)
def test_notebook_and_py_file_have_the_same_cells_and_no_outputs(path):
    stored = nbformat.read(path, as_version=4)
    text = jupytext.read(path.with_suffix(".py"))
    assert cells(stored) == cells(text), f"{path.name} and {path.stem}.py differ: run 'jupytext --sync {path}'"
    assert text.metadata["jupytext"]["text_representation"]["format_name"] == "percent"
    assert stored.metadata["kernelspec"]["name"] == "python3"
    for cell in stored.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{path.name} is committed with outputs"


@pytest.mark.slow
@pytest.mark.parametrize("path", IPYNB, ids=lambda p: p.stem)
def test_notebook_runs_top_to_bottom_with_inline_plots(path):
    notebook = nbformat.read(path, as_version=4)
    before = files()
    client = nbclient.NotebookClient(
        notebook, timeout=CELL_TIMEOUT, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}
    )
    start = time.perf_counter()
    client.execute()  # raises CellExecutionError, naming the cell, when any cell fails
    elapsed = time.perf_counter() - start
    plots = [
        output
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if "image/png" in output.get("data", {})
    ]
    assert plots, f"{path.name} shows no inline plot"
    assert elapsed < NOTEBOOK_LIMIT, f"{path.name} took {elapsed:.0f} s"
    assert files() == before, f"{path.name} left files behind: {sorted(files() - before)}"
