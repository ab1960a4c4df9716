// Dashboard charts. Data comes from <script type="application/json"
// id="dashboard-data"> (Django json_script): no inline script, strict CSP.
(function () {
  "use strict";

  document.querySelectorAll(".js-autosubmit").forEach(function (el) {
    el.addEventListener("change", function () {
      // A new ledger has other periods: drop the period when the ledger changes.
      if (el.name === "ledger") {
        var period = el.form.querySelector("[name=period]");
        if (period) { period.disabled = true; }
      }
      el.form.submit();
    });
  });

  var source = document.getElementById("dashboard-data");
  if (!source || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var colors = { "已完成": "#2e9e4f", "推进中": "#2f6fd1", "滞后": "#d9342b", "未启动": "#f2b705", "本期无任务": "#ced4da", "未填报": "#868e96" };
  var charts = [];

  function chart(id, option) {
    var el = document.getElementById(id);
    if (!el) { return; }
    if (option.rows) {
      // One bar per unit: grow the container rather than squeeze the bars.
      el.style.height = Math.max(300, option.rows * 22 + 70) + "px";
      delete option.rows;
    }
    var c = echarts.init(el, null, { renderer: "canvas" });
    c.setOption(option);
    charts.push(c);
  }

  chart("chart-units", {
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    rows: data.units.names.length,
    legend: { top: 0, data: ["已报", "未报"] },
    grid: { left: 8, right: 16, bottom: 8, top: 32, containLabel: true },
    xAxis: { type: "value", minInterval: 1 },
    yAxis: { type: "category", data: data.units.names, inverse: true, axisLabel: { width: 110, overflow: "truncate" } },
    series: [
      { name: "已报", type: "bar", stack: "n", data: data.units.reported, itemStyle: { color: "#2e9e4f" } },
      { name: "未报", type: "bar", stack: "n", data: data.units.missing, itemStyle: { color: "#d9342b" } }
    ]
  });

  chart("chart-status", {
    tooltip: { trigger: "item", formatter: "{b}：{c}项（{d}%）" },
    legend: { bottom: 0 },
    series: [{
      type: "pie", radius: ["40%", "70%"], center: ["50%", "45%"],
      label: { formatter: "{b}\n{c}项" },
      data: data.status.map(function (d) { return { name: d.name, value: d.value, itemStyle: { color: colors[d.name] } }; })
    }]
  });

  chart("chart-sections", {
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    legend: { top: 0 },
    grid: { left: 8, right: 16, bottom: 8, top: 48, containLabel: true },
    xAxis: { type: "value", minInterval: 1 },
    yAxis: { type: "category", data: data.sections.names, inverse: true, axisLabel: { width: 140, overflow: "truncate" } },
    series: data.sections.series.filter(function (s) { return s.data.some(function (n) { return n > 0; }); }).map(function (s) {
      return { name: s.name, type: "bar", stack: "n", data: s.data, itemStyle: { color: colors[s.name] } };
    })
  });

  chart("chart-trend", {
    tooltip: { trigger: "axis", valueFormatter: function (v) { return v + "%"; } },
    legend: { top: 0, data: ["已完成占比", "已报送占比"] },
    grid: { left: 8, right: 16, bottom: 8, top: 32, containLabel: true },
    xAxis: { type: "category", data: data.trend.labels },
    yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
    series: [
      { name: "已完成占比", type: "line", data: data.trend.done_share, itemStyle: { color: "#2e9e4f" }, label: { show: true, formatter: "{c}%" } },
      { name: "已报送占比", type: "line", data: data.trend.reported_share, itemStyle: { color: "#2f6fd1" }, lineStyle: { type: "dashed" } }
    ]
  });

  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();

// Print buttons (no inline onclick under the CSP).
document.querySelectorAll(".js-print").forEach(function (el) {
  el.addEventListener("click", function () { window.print(); });
});
