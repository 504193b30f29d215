// The map page (/ban-do/): draws the server's Vega-Lite spec with vega-embed (expressions
// interpreted, never compiled: the site's Content-Security-Policy forbids eval), redraws the map
// and the table from the JSON endpoint when the date slider moves, and highlights a unit on the
// map when its table row has keyboard focus. Without JavaScript the page shows the server's SVG
// and the form's button does the same through a page load.
(function () {
  "use strict";

  var chart = document.querySelector("[data-map-chart]");
  var dataNode = document.getElementById("map-data");
  if (!chart || !dataNode) return;
  var form = document.querySelector("[data-map-form]");
  var slider = form && form.querySelector("input[type=range]");
  var table = document.querySelector("[data-map-table]");
  var announce = document.querySelector("[data-map-announce]");
  var data = JSON.parse(dataNode.textContent);
  var view = null;
  var pending = null;
  var generation = 0;

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  // The slider's value is a month number (year * 12 + month - 1); its last position is today.
  function sliderDate(value) {
    var today = slider.dataset.today;
    var year = Math.floor(value / 12);
    var month = (value % 12) + 1;
    if (value === parseInt(slider.max, 10)) return today;
    return year + "-" + pad(month) + "-01";
  }

  function label(iso) {
    var p = iso.split("-");
    return p[2] + "/" + p[1] + "/" + p[0];
  }

  function draw(spec) {
    if (typeof window.vegaEmbed !== "function") return Promise.resolve();
    var mine = ++generation;
    return window.vegaEmbed(chart, spec, {
      ast: true,
      actions: false,
      renderer: "svg",
      defaultStyle: false,
      tooltip: { disableDefaultStyle: true },
    }).then(function (result) {
      if (mine !== generation) { result.finalize(); return; }
      if (view) view.finalize();
      view = result.view;
      // Vega names its container in English ("visualization"): the container is one image,
      // named in Vietnamese by the spec's description (the table beside it has the data).
      chart.removeAttribute("aria-roledescription");
      chart.setAttribute("role", "img");
      chart.setAttribute("aria-label", spec.description + " Số liệu ở bảng bên cạnh.");
    }).catch(function () {
      // The server's drawing stays in place.
    });
  }

  function cell(text, tag) {
    var node = document.createElement(tag || "td");
    node.textContent = text;
    return node;
  }

  function fillTable(rows) {
    var body = table.tBodies[0];
    var fresh = document.createElement("tbody");
    rows.forEach(function (row) {
      var tr = document.createElement("tr");
      tr.tabIndex = 0;
      tr.dataset.code = row.code;
      var head = document.createElement("th");
      head.scope = "row";
      var link = document.createElement("a");
      link.href = row.url;
      link.textContent = row.name;
      head.appendChild(link);
      tr.appendChild(head);
      tr.appendChild(cell(row.code));
      var status = document.createElement("td");
      status.dataset.status = row.status || "none";
      var badge = document.createElement("span");
      badge.className = "status status--" + (row.status || "none");
      var symbol = document.createElement("span");
      symbol.setAttribute("aria-hidden", "true");
      symbol.textContent = row.symbol;
      badge.appendChild(symbol);
      badge.appendChild(document.createTextNode(" " + row.status_label));
      status.appendChild(badge);
      tr.appendChild(status);
      tr.appendChild(cell(row.on_label));
      tr.appendChild(cell(row.instrument));
      fresh.appendChild(tr);
    });
    table.replaceChild(fresh, body);
  }

  function show(next) {
    data = next;
    document.querySelectorAll("[data-map-date]").forEach(function (node) {
      node.textContent = next.date_label;
    });
    var summary = document.querySelector("[data-map-summary]");
    if (summary) summary.textContent = next.summary;
    var source = document.querySelector("[data-map-attribution]");
    if (source) source.textContent = next.attribution;
    var csv = document.querySelector("[data-map-csv]");
    if (csv) csv.href = next.links.csv;
    fillTable(next.rows);
    history.replaceState(null, "", next.links.page);
    return draw(next.spec);
  }

  function load(iso) {
    var params = new URLSearchParams({ "giai-phap": data.practice.slug, ngay: iso });
    var url = chart.dataset.url + "?" + params.toString();
    chart.setAttribute("aria-busy", "true");
    return fetch(url, { headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.json().then(function (body) {
          if (!response.ok) throw new Error(body.error || "Không tải được dữ liệu bản đồ.");
          return body;
        });
      })
      .then(show)
      .catch(function (error) {
        if (announce) announce.textContent = error.message;
      })
      .finally(function () { chart.removeAttribute("aria-busy"); });
  }

  if (slider) {
    slider.addEventListener("input", function () {
      var iso = sliderDate(parseInt(slider.value, 10));
      var text = label(iso);
      document.querySelectorAll("[data-map-date]").forEach(function (node) {
        node.textContent = text;
      });
      slider.setAttribute("aria-valuetext", text);
      clearTimeout(pending);
      pending = setTimeout(function () { load(iso); }, 150);
    });
  }

  function rowOf(target) {
    return target && target.closest ? target.closest("tr[data-code]") : null;
  }

  function highlight(code) {
    if (view) view.signal("highlight", code || "").runAsync();
  }

  if (table) {
    table.addEventListener("focusin", function (event) {
      var tr = rowOf(event.target);
      if (!tr) return;
      highlight(tr.dataset.code);
      var row = data.rows.filter(function (r) { return r.code === tr.dataset.code; })[0];
      if (row && announce) {
        announce.textContent = row.name + ": " + row.status_label +
          (row.on_label ? ", ngày " + row.on_label : "") +
          (row.instrument ? ", " + row.instrument : "") + ".";
      }
    });
    table.addEventListener("focusout", function (event) {
      if (!rowOf(event.relatedTarget)) highlight("");
    });
    table.addEventListener("keydown", function (event) {
      var tr = rowOf(event.target);
      if (!tr || event.target !== tr) return;
      var next = null;
      if (event.key === "ArrowDown") next = tr.nextElementSibling;
      if (event.key === "ArrowUp") next = tr.previousElementSibling;
      if (event.key === "Enter") {
        var link = tr.querySelector("a");
        if (link) link.click();
        return;
      }
      if (next) { event.preventDefault(); next.focus(); }
    });
  }

  draw(data.spec);
})();
