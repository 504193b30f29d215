/* Suggestions as you type for every search box marked `data-suggest`.
 *
 * The box stays an ordinary form field: without this script (or when the API fails) the
 * form simply submits to /tim-kiem/. With it, the field becomes an ARIA 1.2 combobox with
 * a listbox of links: arrow keys move through the suggestions, Enter opens the chosen one,
 * Escape closes the list, and Enter with nothing chosen submits the search as usual.
 */
(function () {
  "use strict";

  var ENDPOINT = "/api/v1/search/suggest/?q=";
  var DELAY = 200; // ms of quiet typing before asking
  var MIN_CHARS = 2;
  var TYPE_LABELS = {
    practice: "Giải pháp",
    adoption: "Kết quả áp dụng",
    agency: "Cơ quan, đơn vị",
    guidance: "Hướng dẫn, văn bản"
  };
  var counter = 0;

  function setup(input) {
    if (!window.fetch || input.hasAttribute("role")) return;
    counter += 1;
    var id = "goi-y-" + counter;
    var wrapper = document.createElement("div");
    wrapper.className = "suggest";
    input.parentNode.insertBefore(wrapper, input);
    wrapper.appendChild(input);

    var list = document.createElement("ul");
    list.id = id;
    list.className = "suggest__list";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "Gợi ý");
    list.hidden = true;
    wrapper.appendChild(list);

    var status = document.createElement("div");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    wrapper.appendChild(status);

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", id);

    var timer = null;
    var controller = null;
    var items = [];
    var active = -1;
    var lastAsked = "";

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      items.forEach(function (item, i) {
        item.setAttribute("aria-selected", i === index ? "true" : "false");
      });
      active = index;
      if (index >= 0) {
        input.setAttribute("aria-activedescendant", items[index].id);
        items[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function render(suggestions) {
      list.textContent = "";
      items = suggestions.map(function (suggestion, i) {
        var option = document.createElement("li");
        option.id = id + "-" + i;
        option.className = "suggest__option";
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.dataset.url = suggestion.url;
        var text = document.createElement("span");
        text.className = "suggest__text";
        text.textContent = suggestion.text;
        var kind = document.createElement("span");
        kind.className = "suggest__type";
        kind.textContent = TYPE_LABELS[suggestion.type] || suggestion.type || "";
        option.appendChild(text);
        option.appendChild(kind);
        list.appendChild(option);
        return option;
      });
      active = -1;
      if (items.length) {
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
        status.textContent = items.length + " gợi ý; dùng phím mũi tên để chọn.";
      } else {
        close();
        status.textContent = "";
      }
    }

    function ask() {
      var text = input.value.trim();
      if (text === lastAsked) return;
      lastAsked = text;
      if (controller) controller.abort();
      if (text.length < MIN_CHARS) {
        render([]);
        return;
      }
      controller = window.AbortController ? new AbortController() : null;
      fetch(ENDPOINT + encodeURIComponent(text), {
        headers: { Accept: "application/json" },
        signal: controller ? controller.signal : undefined
      })
        .then(function (response) {
          return response.ok ? response.json() : { suggestions: [] };
        })
        .then(function (data) {
          if (input.value.trim() === text) render(data.suggestions || []);
        })
        .catch(function () {
          /* Aborted or offline: the form still works without suggestions. */
        });
    }

    function open(index) {
      var url = items[index] && items[index].dataset.url;
      if (url) window.location.assign(url);
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(ask, DELAY);
    });

    input.addEventListener("keydown", function (event) {
      var visible = !list.hidden && items.length > 0;
      if (event.key === "ArrowDown") {
        if (!visible) {
          lastAsked = "";
          ask();
          return;
        }
        event.preventDefault();
        highlight(active < items.length - 1 ? active + 1 : 0);
      } else if (event.key === "ArrowUp" && visible) {
        event.preventDefault();
        highlight(active > 0 ? active - 1 : items.length - 1);
      } else if (event.key === "Enter" && visible && active >= 0) {
        event.preventDefault();
        open(active);
      } else if (event.key === "Escape" && visible) {
        event.preventDefault();
        close();
      }
    });

    input.addEventListener("blur", function () {
      // Let a click on an option land before the list goes away.
      window.setTimeout(close, 150);
    });

    list.addEventListener("mousedown", function (event) {
      event.preventDefault(); // keep focus in the field
    });

    list.addEventListener("click", function (event) {
      var option = event.target.closest(".suggest__option");
      if (option) open(items.indexOf(option));
    });
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("input[data-suggest]"), setup);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
