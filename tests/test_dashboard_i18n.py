"""Russian and English: every text of the page is translated; plurals and numbers as a Russian reader expects."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

babel = pytest.importorskip("babel")

from babel.messages.extract import extract_from_dir  # noqa: E402
from babel.messages.pofile import read_po  # noqa: E402

from dashboard.i18n import LOCALE_DIR, MINUS, TERMS, language, translator  # noqa: E402
from simulation import POLICIES  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "count": (2, 3)}


def source_texts() -> set:
    return {
        message
        for _f, _l, message, _c, _x in extract_from_dir(
            ROOT / "dashboard", method_map=[("**.py", "python")], keywords=KEYWORDS
        )
    }


def test_every_text_of_the_page_has_a_russian_translation():
    with (LOCALE_DIR / "ru" / "LC_MESSAGES" / "salessim.po").open("rb") as handle:
        catalog = read_po(handle, locale="ru")
    translated = {m.id for m in catalog if m.id and all(m.string if isinstance(m.string, tuple) else [m.string])}
    missing = source_texts() - translated
    assert not missing, f"not translated in salessim.po: {sorted(map(str, missing))}"
    for message in catalog:
        if message.id and isinstance(message.string, tuple):
            assert len(message.string) == 3, f"Russian needs three plural forms: {message.id}"
        if message.id:
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            wanted = {part.split("}")[0] for part in ids[0].split("{")[1:]}
            for string in strings:
                assert {part.split("}")[0] for part in string.split("{")[1:]} == wanted, message.id


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (1, "1 клиент"),
        (2, "2 клиента"),
        (5, "5 клиентов"),
        (11, "11 клиентов"),
        (21, "21 клиент"),
        (22, "22 клиента"),
        (112, "112 клиентов"),
    ],
)
def test_russian_plural_forms(n: int, text: str):
    assert translator("ru").count(n, "{n} client", "{n} clients") == text


def test_number_formats():
    ru, en = translator("ru"), translator("en")
    assert ru.money(1234.5, 1) == "1\u00a0234,5 тыс. €"
    assert en.money(1234.5, 1) == "1,234.5 k€"
    assert ru.percent(-0.153, signed=True) == f"{MINUS}15\u00a0%"
    assert en.percent(0.153, signed=True) == "+15%"
    assert en.change(90, 100) == f"{MINUS}10%" and en.change(1, 0) == "–"


def test_terms_as_a_russian_trainer_says_them():
    ru = translator("ru")
    assert ru.term("golden_fund_long") == "золотой фонд клиентов"
    assert ru.term("consultative_selling") == "консультационные продажи"
    assert ru.term("hunters") == "охотники" and ru.term("account_managers") == "аккаунт-менеджеры"
    assert {ru.policy(name) for name in POLICIES} and all(
        ru.policy(name) != translator("en").policy(name) for name in POLICIES
    )
    assert set(TERMS) >= {"golden_fund", "veterans", "newcomers"}


def test_language_choice():
    assert language("ru") == "ru" and language("ru_RU") == "ru" and language("EN") == "en"
    with pytest.raises(ValueError, match="unsupported language"):
        language("de")


def test_the_module_is_import_light():
    """Reports outside the dashboard can use it without Solara, matplotlib or the model."""
    code = (
        "import sys, dashboard.i18n as i; i.translator('ru').money(1.5, 1); "
        "bad = {'solara', 'matplotlib', 'mesa', 'simulation'} & set(sys.modules); assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


def test_python_m_dashboard_takes_a_language():
    out = subprocess.run(
        [sys.executable, "-m", "dashboard", "--help"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert "--lang {en,ru}" in out
