// Vote result charts of the congress pages (console/congress/poll.html and the big screen). Each
// <div class="chart" data-vote-chart="ID"> is drawn from the JSON in <script id="ID"> (Django's json_script),
// as static/js/charts.js does: for, against and abstain per item or candidate on one scale, with a line at the
// approvals needed to pass (more than half of all delegates). The big screen's state is refreshed by htmx every
// three seconds; an unchanged answer is not swapped in, so the chart does not flicker.
(function () {
  var COLORS = ["#16a34a", "#dc2626", "#94a3b8"];

  function draw(el) {
    var source = document.getElementById(el.dataset.voteChart);
    if (!source || !window.echarts) return;
    var data = JSON.parse(source.textContent);
    var ink = data.dark ? "#e2e8f0" : "#1f2329";
    var grid = data.dark ? "#1e2a47" : "#e5e7eb";
    var narrow = el.clientWidth < 600;
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      animation: !data.dark,
      color: COLORS,
      textStyle: { color: ink, fontSize: data.dark ? 18 : 12 },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0, textStyle: { color: ink, fontSize: data.dark ? 18 : 12 } },
      grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
      xAxis: {
        type: "category", data: data.labels,
        axisLabel: { color: ink, fontSize: data.dark ? 18 : 12, interval: 0, rotate: narrow && data.labels.length > 2 ? 30 : 0,
          formatter: function (v) { var n = narrow ? 6 : 10; return v.length > n ? v.slice(0, n) + "…" : v; } },
      },
      yAxis: { type: "value", minInterval: 1, axisLabel: { color: ink, fontSize: data.dark ? 16 : 12 }, splitLine: { lineStyle: { color: grid } } },
      series: data.series.map(function (s, i) {
        var series = { name: s.name, type: "bar", data: s.data, barMaxWidth: data.dark ? 60 : 28,
          label: { show: true, position: "top", color: ink } };
        if (i === 0 && data.needed) {
          series.markLine = { symbol: "none", silent: true, lineStyle: { color: "#f59e0b", type: "dashed", width: 2 },
            label: { formatter: data.needed_label, color: "#f59e0b", position: "insideEndTop" },
            data: [{ yAxis: data.needed }] };
        }
        return series;
      }),
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function drawAll(root) {
    root.querySelectorAll(".chart[data-vote-chart]").forEach(draw);
  }

  document.addEventListener("DOMContentLoaded", function () { drawAll(document); });

  var last = {};
  document.addEventListener("htmx:beforeSwap", function (evt) {
    var target = evt.detail.target;
    if (!target || !target.hasAttribute("data-screen-state")) return;
    var xhr = evt.detail.xhr;
    if (!xhr || xhr.status !== 200 || (xhr.responseURL && xhr.responseURL.indexOf("/screen/state") === -1)) {
      evt.detail.shouldSwap = false;  // signed out or the server is away: keep what the hall sees
      return;
    }
    var text = xhr.responseText;
    if (last[target.id] === text) {
      evt.detail.shouldSwap = false;  // nothing changed since the last refresh
      return;
    }
    last[target.id] = text;
    if (window.echarts) {
      target.querySelectorAll(".chart[data-vote-chart]").forEach(function (el) {
        var old = window.echarts.getInstanceByDom(el);
        if (old) old.dispose();
      });
    }
  });
  document.addEventListener("htmx:afterSettle", function (evt) {
    var target = evt.detail.target;
    if (target && target.hasAttribute("data-screen-state")) drawAll(target);
  });
})();
