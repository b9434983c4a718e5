// Dashboard charts: each <div class="chart" data-chart="ID"> is drawn from the JSON in <script id="ID">
// (Django's json_script), so pages carry data, never inline code.
(function () {
  function draw(el) {
    var source = document.getElementById(el.dataset.chart);
    if (!source || !window.echarts) return;
    var data = JSON.parse(source.textContent);
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    var colors = ["#c8102e", "#f59e0b"];
    var narrow = el.clientWidth < 600;  // phones: slant and shorten the labels so they never overlap
    if (data.type === "pie") {  // shares of a whole: {type: "pie", labels: [...], values: [...]}
      chart.setOption({
        color: ["#c8102e", "#f59e0b", "#2563eb", "#16a34a", "#7c3aed", "#64748b"],
        tooltip: { trigger: "item" },
        legend: { bottom: 0 },
        series: [{ type: "pie", radius: ["35%", "62%"], top: 0, bottom: 40,
          label: { formatter: "{b}: {c}" },
          data: data.labels.map(function (l, i) { return { name: l, value: data.values[i] }; }) }],
      });
      window.addEventListener("resize", function () { chart.resize(); });
      return;
    }
    chart.setOption({
      color: colors,
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0 },
      grid: { left: narrow ? 30 : 8, right: 8, top: 36, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: data.labels, axisLabel: { interval: 0, rotate: narrow || data.labels.length > 4 ? 35 : 0,
        formatter: function (v) { var n = narrow ? 6 : 8; return v.length > n ? v.slice(0, n) + "…" : v; } } },
      yAxis: [{ type: "value", name: "" }, { type: "value", name: "", splitLine: { show: false } }],
      series: data.series.map(function (s, i) {
        return { name: s.name, type: "bar", data: s.data, yAxisIndex: i, barMaxWidth: 28 };
      }),
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".chart[data-chart]").forEach(draw);
  });
})();
