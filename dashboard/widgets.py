"""The page's chart widget (ECharts with the page's language and PNG and CSV downloads) and its CSS.

Each is an ipyvue template implemented by a precompiled ES module, ``assets/widgets.js``, which ipyvue
imports as it is (``ipyvue.esm``), rather than a ``.vue`` file compiled in the browser. With
``precompile_solara_widgets`` (what ``serve`` does) Solara's own two widgets around every page (its
router's navigator and the tab title) come from the same module: the page then needs no template
compiled at all, so the browser never loads Vue's in-browser compiler (0.8 MB of JavaScript) and
does not spend a third of a second compiling (benchmarks/dashboard_speed.py --breakdown). The
module is sent once per page (``use_module``); ECharts itself comes from the installed solara-assets.
"""

from __future__ import annotations

from pathlib import Path

import ipyvue
import ipyvuetify
import solara
import traitlets
from ipyvue.esm import Module

MODULE = "salessim-widgets"
CODE = (Path(__file__).parent / "assets" / "widgets.js").read_text(encoding="utf-8")  # package data, with custom.js


def use_module() -> None:
    """Send the module to this page (once: a page is one kernel, its widgets live in it)."""
    solara.use_memo(lambda: Module(name=MODULE, code=CODE, dependencies=[]), [])


def template(export: str) -> ipyvue.Template:
    """A template implemented by ``export`` of the module."""
    return ipyvue.Template(esm_module=MODULE, esm_export=export)


class Chart(ipyvuetify.VuetifyTemplate):
    """An ECharts chart (ECharts 5.4.0 from the installed solara-assets; nothing from the internet)."""

    attributes = traitlets.Dict(default_value=None, allow_none=True).tag(sync=True)
    option = traitlets.Unicode("{}").tag(sync=True)  # JSON: a string is cheap for the renderer to compare
    locale = traitlets.Unicode("en").tag(sync=True)
    filename = traitlets.Unicode("chart").tag(sync=True)  # without extension
    png_request = traitlets.Int(0).tag(sync=True)  # each increase downloads the chart as a PNG
    csv = traitlets.Unicode("").tag(sync=True)  # the chart's data, sent only when asked for
    csv_request = traitlets.Int(0).tag(sync=True)  # each increase downloads ``csv``
    drawn = traitlets.Bool(False).tag(sync=True)  # set by the browser once the chart is first drawn

    @traitlets.default("template")
    def _module_template(self) -> ipyvue.Template:
        return template("Chart")


class HeadStyle(ipyvuetify.VuetifyTemplate):
    """CSS for the page, put in the document's head."""

    value = traitlets.Unicode("").tag(sync=True)

    @traitlets.default("template")
    def _module_template(self) -> ipyvue.Template:
        return template("HeadStyle")


PRECOMPILED = {  # Solara's widgets (module, class) -> their export in assets/widgets.js, the same code
    ("solara.widgets.widgets", "Navigator"): "SolaraNavigator",
    ("solara.components.title", "TitleWidget"): "SolaraTitle",
}


def precompile_solara_widgets() -> None:
    """Give Solara's navigator and title widgets the precompiled templates of ``assets/widgets.js`` (for
    the pages of this process; they must call ``use_module``). Solara is pinned (1.58.2): the
    module's copies are of that version's ``.vue`` files."""
    import importlib

    for (module, name), export in PRECOMPILED.items():
        cls = getattr(importlib.import_module(module), name)
        if getattr(cls, "_salessim_precompiled", False):
            continue
        original = cls.__init__

        def __init__(self, *args, _original=original, _export=export, **kwargs):
            kwargs.setdefault("template", template(_export))
            _original(self, *args, **kwargs)

        cls.template_file = None  # not read from the .vue file, which the browser would compile
        cls.__init__ = __init__
        cls._salessim_precompiled = True
