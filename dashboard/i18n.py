"""Russian and English: translated texts (gettext), plural forms and number formats (Babel).

Import-light on purpose (the standard library, and Babel only when a Russian catalogue or a
locale's number format is needed; never Solara or matplotlib), so that reports outside the
dashboard can use the same terms::

    from dashboard.i18n import translator
    t = translator("ru")
    t._("Golden fund")                       # 'Золотой фонд клиентов'
    t.count(5, "{n} client", "{n} clients")  # '5 клиентов'
    t.money(1234.5, 1)                       # '1 234,5 тыс. €'
    t.policy("dedicated_roles_crm")          # 'Разделение ролей + CRM'

Texts are marked in the source as ``t._("...")`` / ``t.ngettext("...", "...", n)`` (module-level
constants as ``N_("...")`` and translated where shown). The Russian catalogue is
``dashboard/locale/ru/LC_MESSAGES/salessim.po``; it is compiled to a ``.mo`` in memory when first
used, so the shipped ``.po`` is the only source of truth (no stale ``.mo`` can be loaded).
"""

from __future__ import annotations

import functools
import gettext
import io
import os
from dataclasses import dataclass
from pathlib import Path

LANGUAGES = ("en", "ru")
DEFAULT_LANGUAGE = "en"
DOMAIN = "salessim"
LOCALE_DIR = Path(__file__).with_name("locale")
LANG_ENV = "SALESSIM_LANG"  # the page's starting language, set by serve(lang=...)
MINUS = "\u2212"  # a real minus sign: readable from the back row, and what Russian typography uses


def N_(message: str) -> str:
    """Mark a module-level text for translation; it is translated where it is shown."""
    return message


def language(lang: str | None = None) -> str:
    """A supported language code: ``lang``, else $SALESSIM_LANG, else English."""
    code = (lang or os.environ.get(LANG_ENV) or DEFAULT_LANGUAGE).split("_")[0].split("-")[0].lower()
    if code not in LANGUAGES:
        raise ValueError(f"unsupported language {lang!r}: choose one of {', '.join(LANGUAGES)}")
    return code


@functools.cache
def catalogue(lang: str) -> gettext.NullTranslations:
    """The compiled gettext catalogue of ``lang`` (English: the source texts themselves)."""
    po = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    if lang == "en" or not po.exists():
        return gettext.NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as handle:
        compiled = read_po(handle, locale=lang, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, compiled)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


@dataclass(frozen=True)
class Translator:
    """Texts, plurals and numbers in one language."""

    lang: str

    @property
    def _catalogue(self) -> gettext.NullTranslations:
        return catalogue(self.lang)

    def _(self, message: str, **values: object) -> str:
        """The translated text, with ``{name}`` placeholders filled from ``values``."""
        text = self._catalogue.gettext(message)
        return text.format(**values) if values else text

    def ngettext(self, singular: str, plural: str, n: int, **values: object) -> str:
        """The plural form for ``n`` (Russian has three: 1 клиент, 2 клиента, 5 клиентов); ``{n}`` is filled."""
        return self._catalogue.ngettext(singular, plural, n).format(n=self.number(n), **values)

    def count(self, n: int, singular: str, plural: str, **values: object) -> str:
        """``ngettext`` under a name that reads better at the call site."""
        return self.ngettext(singular, plural, n, **values)

    # Numbers -------------------------------------------------------------------------------------
    def number(self, value: float, digits: int = 0) -> str:
        """Grouped digits in the language's way: 1,234.5 or 1 234,5."""
        pattern = "#,##0" + ("." + "0" * digits if digits else "")
        if self.lang == "en":
            text = f"{value:,.{digits}f}"
        else:
            from babel.numbers import format_decimal

            text = format_decimal(value, format=pattern, locale=self.lang)
        return text.replace("-", MINUS)

    def signed(self, value: float, digits: int = 0) -> str:
        """A number with its sign, +3 or −3."""
        text = self.number(value, digits)
        return text if text.startswith(MINUS) or _is_zero(text) else "+" + text

    def money(self, keur: float, digits: int = 0, signed: bool = False) -> str:
        """Thousands of euros: '1,234.5 k€' or '1 234,5 тыс. €'."""
        amount = self.signed(keur, digits) if signed else self.number(keur, digits)
        return self._("{amount} k€", amount=amount)

    def percent(self, share: float, digits: int = 0, signed: bool = False) -> str:
        """A share as a percentage: '15%' or '15 %' (and '+15%' when ``signed``)."""
        amount = self.signed(100 * share, digits) if signed else self.number(100 * share, digits)
        return amount + ("%" if self.lang == "en" else "\u00a0%")

    def change(self, now: float, before: float) -> str:
        """The relative change from ``before`` to ``now``, signed; '–' when undefined."""
        return self.percent((now - before) / before, signed=True) if before else "–"

    # Terms ---------------------------------------------------------------------------------------
    def policy(self, name: str) -> str:
        """A policy's name in words: 'dedicated_roles_crm' -> 'Dedicated roles + CRM'."""
        base, extras = policy_parts(name)
        words = [self._(POLICY_WORDS[base])] + [self._(EXTRA_WORDS[extra]) for extra in extras]
        return " + ".join(words)

    def term(self, key: str) -> str:
        """A glossary term (see ``TERMS``) in this language."""
        return self._(TERMS[key])

    def quarter(self, quarter: int) -> str:
        """'Q12' or 'кв. 12'."""
        return self._("Q{quarter}", quarter=quarter)


def _is_zero(text: str) -> bool:
    return not any(ch in "123456789" for ch in text)


@functools.cache
def translator(lang: str | None = None) -> Translator:
    """The translator for ``lang`` (default: $SALESSIM_LANG, else English)."""
    return Translator(language(lang))


POLICY_WORDS = {"finder_keeps": N_("Finder keeps"), "dedicated_roles": N_("Dedicated roles")}
EXTRA_WORDS = {
    "crm": N_("CRM"),
    "head_strategic": N_("head on strategic deals"),
    "dedicated_strategic": N_("strategic seller"),
}


def policy_parts(name: str) -> tuple[str, list[str]]:
    """'dedicated_roles_crm' -> ('dedicated_roles', ['crm'])."""
    for base in POLICY_WORDS:
        if name == base or name.startswith(base + "_"):
            rest = name[len(base) + 1 :]
            return base, [rest] if rest else []
    raise KeyError(f"unknown policy {name!r}")


# The words a trainer uses, for reports and the page alike (keys are stable, texts translated).
TERMS = {
    "golden_fund": N_("golden fund"),
    "golden_fund_long": N_("golden fund of clients"),
    "consultative": N_("consultative"),
    "consultative_selling": N_("consultative selling"),
    "transactional": N_("transactional"),
    "strategic": N_("strategic"),
    "hunter": N_("hunter"),
    "hunters": N_("hunters"),
    "account_manager": N_("account manager"),
    "account_managers": N_("account managers"),
    "generalist": N_("generalist"),
    "veteran": N_("veteran"),
    "veterans": N_("veterans"),
    "newcomer": N_("newcomer"),
    "newcomers": N_("newcomers"),
    "head": N_("head of department"),
    "strategic_seller": N_("strategic seller"),
    "servicing": N_("servicing (invoicing)"),
    "revenue": N_("revenue"),
    "quits": N_("quits"),
    "hires": N_("hires"),
    "skill": N_("consultative skill"),
    "lead": N_("lead"),
    "handoff": N_("handoff"),
    "quarter": N_("quarter"),
}

__all__ = ["LANGUAGES", "MINUS", "N_", "TERMS", "Translator", "catalogue", "language", "translator"]
