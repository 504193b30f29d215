// The import status page: polls the job's JSON status while it runs, moves the progress bar,
// and reloads the page once the job has ended (the page then shows its result).
// A plain script (no build step, no inline code, so a strict Content-Security-Policy holds).
(function () {
  "use strict";

  var box = document.getElementById("import-progress");
  if (!box || !window.fetch) {
    return;
  }
  var url = box.getAttribute("data-status-url");
  var bar = box.querySelector("progress");
  var text = document.getElementById("import-progress-text");
  var state = document.getElementById("import-progress-state");
  var delay = 1000;

  function show(data) {
    bar.value = data.percent;
    bar.textContent = data.percent + "%";
    text.textContent = data.text;
    state.textContent = data.label;
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (data) {
        if (data.finished) {
          window.location.reload();
          return;
        }
        show(data);
        delay = 1000;
        window.setTimeout(poll, delay);
      })
      .catch(function () {
        // A busy server or a lost connection: try again, less often.
        delay = Math.min(delay * 2, 10000);
        window.setTimeout(poll, delay);
      });
  }

  window.setTimeout(poll, 500);
})();
