"""The chart widget: Solara's ECharts widget with the page's language and PNG and CSV downloads."""

from __future__ import annotations

import ipyvuetify
import traitlets


class Chart(ipyvuetify.VuetifyTemplate):
    """An ECharts chart (ECharts 5.4.0 from the installed solara-assets; nothing from the internet)."""

    template_file = (__file__, "echarts.vue")

    attributes = traitlets.Dict(default_value=None, allow_none=True).tag(sync=True)
    option = traitlets.Unicode("{}").tag(sync=True)  # JSON: a string is cheap for the renderer to compare
    locale = traitlets.Unicode("en").tag(sync=True)
    filename = traitlets.Unicode("chart").tag(sync=True)  # without extension
    png_request = traitlets.Int(0).tag(sync=True)  # each increase downloads the chart as a PNG
    csv = traitlets.Unicode("").tag(sync=True)  # the chart's data, sent only when asked for
    csv_request = traitlets.Int(0).tag(sync=True)  # each increase downloads ``csv``
    drawn = traitlets.Bool(False).tag(sync=True)  # set by the browser once the chart is first drawn
    cdn = traitlets.Unicode(None, allow_none=True).tag(sync=True)

    @traitlets.default("cdn")
    def _cdn(self):
        import solara.settings

        if not solara.settings.assets.proxy:
            return solara.settings.assets.cdn
        return None
