/* salessim dashboard: fetch what the first chart needs while the page's own JavaScript loads,
   rather than one file after another once the widgets arrive: the chart library and the widget
   files (preloads: downloaded now, run when asked for). Vue's in-browser template compiler
   (nodeps-vue-sfc.js) is not among them: the page's widgets need no compiling (assets/widgets.js).
   The chart library is then run when the browser is idle, waiting for the server's first render
   (the chart in assets/widgets.js waits for window.salessimEcharts). */
(function () {
  var solara = window.solara || {};
  var cdn = solara.cdn || "_solara/cdn";
  var jupyter = solara.jupyterRootPath !== undefined ? solara.jupyterRootPath : (solara.rootPath || "") + "/jupyter";
  var echarts = cdn + "/echarts@5.4.0/dist/echarts.common.min.js";
  [echarts, jupyter + "/nbextensions/jupyter-vue/nodeps.js", jupyter + "/nbextensions/jupyter-vuetify/nodeps.js"
  ].forEach(function (href) {
    var link = document.createElement("link");
    link.rel = "preload";
    link.as = "script";
    link.href = href;
    document.head.appendChild(link);
  });
  // The icon font (Material Design Icons, 0.3 MB) loads only once the first icon is drawn, so its
  // arrival relaid the page out during the first Step; asked for now, it is there before the charts.
  if (document.fonts && document.fonts.load) document.fonts.load('24px "Material Design Icons"').catch(function () {});
  window.salessimEcharts = new Promise(function (resolve, reject) {
    function load() {
      if (!window.requirejs) { reject(new Error("requirejs missing")); return; }
      window.requirejs([echarts], resolve, reject);
    }
    var idle = window.requestIdleCallback || function (f) { return setTimeout(f, 1500); };
    function later() { idle(load, { timeout: 4000 }); }
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", later);
    else later();
  });
  window.salessimEcharts.catch(function () { window.salessimEcharts = null; });
})();
