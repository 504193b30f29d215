// Turns each <select multiple data-controller="kb-multiselect"> (kb/widgets.py) into a search
// box with the chosen items as removable tags, using Tom Select. Its search folds diacritics
// (đ too, and either tone placement), so "bac ninh" and "Bắc Ninh" both find "Tỉnh Bắc Ninh";
// each word typed must appear in the label. A Stimulus controller, so that selects added later
// (inline panels, modals) are set up too; a static file, as the site's CSP allows no inline
// script.
(function () {
  "use strict";

  class MultiSelectController extends window.StimulusModule.Controller {
    connect() {
      if (this.element.tomselect) return;
      this.select = new window.TomSelect(this.element, {
        plugins: { remove_button: { title: "Bỏ chọn" } },
        diacritics: true,
        maxOptions: null,
        closeAfterSelect: false,
        hidePlaceholder: true,
        placeholder: "Gõ để tìm (có dấu hay không dấu)",
        // After a choice the query is cleared, so the next search starts empty.
        onItemAdd: function () {
          this.setTextboxValue("");
          this.refreshOptions(false);
        },
        render: {
          no_results: function () {
            return '<div class="no-results">Không tìm thấy.</div>';
          },
        },
      });
    }

    disconnect() {
      if (this.select) {
        this.select.destroy();
        this.select = null;
      }
    }
  }

  window.wagtail.app.register("kb-multiselect", MultiSelectController);
})();
