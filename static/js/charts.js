// Draws each chart of the page (templates/dashboards/_chart.html) with vega-embed, in place of
// the server's SVG. Vega, Vega-Lite and vega-embed are loaded only on pages that have a chart.
// Under the site's Content-Security-Policy: expressions go through vega-embed's interpreter
// (`ast: true`, no eval), and neither vega-embed nor its tooltip injects a <style>
// (static/css/charts.css has their rules).
(function () {
  "use strict";

  var figures = document.querySelectorAll("figure[data-chart]");
  if (!figures.length) {
    return;
  }

  function load(src) {
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = src;
      script.onload = resolve;
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }

  var OPTIONS = {
    actions: false,
    ast: true,
    defaultStyle: false,
    renderer: "svg",
    tooltip: { disableDefaultStyle: true, theme: "light" },
  };

  function draw(figure) {
    var data = document.getElementById(figure.getAttribute("data-chart"));
    var wrapper = figure.querySelector("[data-chart-interactive]");
    var canvas = figure.querySelector("[data-chart-canvas]");
    var picture = figure.querySelector("[data-chart-picture]");
    if (!data || !wrapper || !canvas) {
      return Promise.resolve();
    }
    var spec = JSON.parse(data.textContent);
    wrapper.hidden = false;
    return window
      .vegaEmbed(canvas, spec, OPTIONS)
      .then(function () {
        // Vega names its container in English ("visualization"); the wrapper is the image,
        // named in Vietnamese by the template.
        ["role", "aria-roledescription", "aria-label"].forEach(function (name) {
          canvas.removeAttribute(name);
        });
        if (picture) {
          picture.hidden = true;
        }
        figure.setAttribute("data-chart-ready", "true");
      })
      .catch(function (error) {
        // The server's picture stays; the reader loses only the interaction.
        wrapper.hidden = true;
        figure.setAttribute("data-chart-ready", "failed");
        if (window.console) {
          window.console.error(error);
        }
      });
  }

  var first = figures[0];
  load(first.getAttribute("data-vega"))
    .then(function () {
      return load(first.getAttribute("data-vega-lite"));
    })
    .then(function () {
      return load(first.getAttribute("data-vega-embed"));
    })
    .then(function () {
      Array.prototype.forEach.call(figures, draw);
    })
    .catch(function () {
      Array.prototype.forEach.call(figures, function (figure) {
        figure.setAttribute("data-chart-ready", "failed");
      });
    });

  // The data tables print open.
  var opened = [];
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("figure[data-chart] details:not([open])").forEach(function (d) {
      d.open = true;
      opened.push(d);
    });
  });
  window.addEventListener("afterprint", function () {
    opened.forEach(function (d) {
      d.open = false;
    });
    opened = [];
  });
})();
