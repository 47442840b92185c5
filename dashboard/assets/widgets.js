/* The page's own front-end components, as one ES module that ipyvue imports as it is (see
   widgets.py): no template for the browser to compile, so the page never loads Vue's in-browser
   compiler (nodeps-vue-sfc.js, 0.8 MB) nor spends its first second compiling.

   Chart: Solara's ECharts widget (solara/components/echarts.vue, ECharts 5.4.0 from the pinned
   solara-assets, served by the Solara server itself), plus what the dashboard needs: numbers
   formatted in the page's language, a tooltip without the spread bands, PNG and CSV downloads on
   request, a resize when the container changes size, and a "drawn" report after its first drawing.
   The lighter echarts.common build (line and bar charts and the usual components) loads fastest. */
import { h } from "vue";

const VERSION = "5.4.0";

function cdn() {
  return (window.solara && window.solara.cdn) || "_solara/cdn";
}

function loadEcharts() {
  // Usually loading already: dashboard/assets/custom.js starts it with the page.
  if (window.salessimEcharts) return window.salessimEcharts;
  const url = `${cdn()}/echarts@${VERSION}/dist/echarts.common.min.js`;
  return new Promise((resolve, reject) => {
    if (window.requirejs) {
      window.requirejs([url], resolve, reject);
      return;
    }
    const script = document.createElement("script");
    script.src = url;
    script.onload = () => resolve(window.echarts);
    script.onerror = reject;
    document.head.appendChild(script);
  });
}

function formatter(locale, kind) {
  const decimal = new Intl.NumberFormat(locale || "en", { maximumFractionDigits: 2 });
  const percent = new Intl.NumberFormat(locale || "en", { style: "percent", maximumFractionDigits: 0 });
  return kind === "percent" ? (v) => percent.format(v) : (v) => decimal.format(v);
}

export function prepare(option, locale) {
  const copy = JSON.parse(option || "{}");
  const axes = [].concat(copy.xAxis || [], copy.yAxis || []);
  axes.forEach((axis) => {
    if (axis.axisLabel && axis.axisLabel.numberFormat) {
      axis.axisLabel.formatter = formatter(locale, axis.axisLabel.numberFormat);
    } else if (axis.type === "value") {
      axis.axisLabel = Object.assign({}, axis.axisLabel || {}, { formatter: formatter(locale, "decimal") });
    }
  });
  if (copy.tooltip) {
    const format = formatter(locale, copy.tooltip.numberFormat || "decimal");
    copy.tooltip.formatter = (params) => {
      const list = [].concat(params).filter((p) => !String(p.seriesId || "").startsWith("band-"));
      if (!list.length) return "";
      const head = list[0].axisValueLabel !== undefined ? `<b>${list[0].axisValueLabel}</b><br>` : "";
      return head + list.map((p) => {
        const value = Array.isArray(p.value) ? p.value[p.value.length - 1] : p.value;
        return `${p.marker}${p.seriesName}: <b>${format(value)}</b>`;
      }).join("<br>");
    };
  }
  return copy;
}

function save(url, name) {
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  document.body.appendChild(link);
  link.click();
  link.remove();
}

export const Chart = {
  mounted() {
    loadEcharts().then((echarts) => {
      if (this.gone) return;
      this.chart = echarts.init(this.$refs.echarts, null, { renderer: "canvas" });
      this.chart.setOption(prepare(this.option, this.locale), true);
      this.chart.on("finished", () => { if (!this.drawn) this.drawn = true; });
      if (this.png_request) this.downloadPng();
    });
    this.resizeObserver = new ResizeObserver(() => { if (this.chart) this.chart.resize(); });
    this.resizeObserver.observe(this.$refs.echarts);
  },
  beforeUnmount() {
    this.gone = true;
    if (this.resizeObserver) this.resizeObserver.disconnect();
    if (this.chart) this.chart.dispose();
  },
  watch: {
    option() {
      if (this.chart) this.chart.setOption(prepare(this.option, this.locale), true);
    },
    png_request() {
      this.downloadPng();
    },
    csv_request() {
      this.downloadCsv();
    },
  },
  methods: {
    downloadPng() {
      if (!this.chart) return;
      save(this.chart.getDataURL({ type: "png", pixelRatio: 2, backgroundColor: "#ffffff" }), `${this.filename}.png`);
    },
    downloadCsv() {
      if (!this.csv) return;
      const url = URL.createObjectURL(new Blob([this.csv], { type: "text/csv;charset=utf-8" }));
      save(url, `${this.filename}.csv`);
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    },
  },
  render() {
    return h("div", { ref: "echarts", class: "salessim-echarts", ...(this.attributes || {}) });
  },
};

/* Solara's own two widgets around every page, the same code as their .vue files in solara 1.58.2
   (solara/widgets/vue/navigator.vue, solara/components/title.vue; MIT licence), here so that the
   browser need not compile them (dashboard.widgets.precompile_solara_widgets). */
export const SolaraNavigator = {
  created() {
    history.scrollRestoration = "manual";
    if (!window.solara) {
      window.solara = {};
    }
    if (!window.solara.router) {
      window.solara.router = {};
    }
    window.solara.router.push = (href) => {
      const url = new URL(href, window.location.origin + solara.rootPath);
      this.location = url.pathname + url.search;
      this.hash = url.hash;
    };
    let location = window.location.pathname.slice(solara.rootPath.length);
    this.location = location + window.location.search;
    this.hash = window.location.hash;
    window.addEventListener("popstate", this.onPopState);
    window.addEventListener("scroll", this.onScroll);
    window.addEventListener("hashchange", this.onHashChange);
    window.addEventListener("solara.pageReady", this.onPageLoad);
  },
  unmounted() {
    window.removeEventListener("popstate", this.onPopState);
    window.removeEventListener("scroll", this.onScroll);
    window.removeEventListener("hashchange", this.onHashChange);
    window.removeEventListener("solara.pageReady", this.onPageLoad);
  },
  methods: {
    checkRoot() {
      if (!window.location.pathname.startsWith(solara.rootPath)) {
        throw `window.location.pathname = ${window.location.pathname}, but it should start with the solara.rootPath = ${solara.rootPath}`;
      }
    },
    onScroll() {
      window.history.replaceState({ top: document.documentElement.scrollTop }, null, window.location.href);
    },
    onPopState() {
      this.checkRoot();
      this.location = window.location.pathname.slice(solara.rootPath.length) + window.location.search;
    },
    onHashChange() {
      this.checkRoot();
      this.hash = window.location.hash;
    },
    onPageLoad() {
      this.checkRoot();
      // If we've navigated to a hash with the same name on a different page the watch on hash won't trigger
      if (this.hash && this.hash === window.location.hash) {
        this.navigateToHash(this.hash);
      }
      this.hash = window.location.hash;
    },
    makeFullRelativeUrl() {
      const url = new URL(this.location, window.location.origin + solara.rootPath);
      return url.pathname + url.search + this.hash;
    },
    navigateToHash(hash) {
      const targetEl = document.getElementById(hash.slice(1));
      if (targetEl) {
        targetEl.scrollIntoView();
      }
    },
  },
  watch: {
    location(value) {
      const newUrl = new URL(value, window.location);
      if (newUrl.origin != window.location.origin) {
        window.location = newUrl; // external navigation
        return;
      }
      const pathnameNew = newUrl.pathname;
      const pathnameOld = window.location.pathname;
      this.checkRoot();
      const oldLocation = window.location.pathname.slice(solara.rootPath.length) + window.location.search;
      if (oldLocation != this.location) {
        window.history.pushState({ top: 0 }, null, this.makeFullRelativeUrl());
        if (pathnameNew != pathnameOld) {
          window.scrollTo(0, 0); // to the top only on a new page, not on a new search string
        }
        window.dispatchEvent(new Event("solara.router"));
      }
    },
    hash(value) {
      if (value) {
        this.navigateToHash(value);
      }
    },
  },
  data() {
    return { hash: "" };
  },
  render() {
    return h("span");
  },
};

export const SolaraTitle = {
  mounted() {
    if (window._solaraTitles === undefined) {
      window._solaraTitles = [];
    }
    window._solaraTitles.push(this);
    this.updateTitle();
  },
  unmounted() {
    window._solaraTitles.splice(window._solaraTitles.indexOf(this), 1);
    if (window._solaraTitles.length) {
      window._solaraTitles[0].updateTitle();
    }
  },
  watch: {
    title() {
      this.updateTitle();
    },
    level() {
      this.updateTitle();
    },
  },
  methods: {
    updateTitle() {
      let deepestTitle = window._solaraTitles[0];
      for (let i = 1; i < window._solaraTitles.length; i++) {
        if (window._solaraTitles[i].level > deepestTitle.level) {
          deepestTitle = window._solaraTitles[i];
        }
      }
      document.title = deepestTitle.title;
    },
  },
  render() {
    return h("span", { style: "display: none" }, this.title);
  },
};

/* The page's CSS, in the document's head (as solara.Style puts it, without a template to compile):
   a <style> element inside the page's own elements costs every Step a style recalculation
   (about 10 ms a Step, benchmarks/dashboard_speed.py). */
export const HeadStyle = {
  mounted() {
    this.sheet = document.createElement("style");
    this.sheet.textContent = this.value;
    document.head.appendChild(this.sheet);
  },
  watch: {
    value() {
      this.sheet.textContent = this.value;
    },
  },
  unmounted() {
    this.sheet.remove();
  },
  render() {
    return h("span", { style: "display: none" });
  },
};
