// Starts the admin widgets that Wagtail starts with inline scripts, which the site's
// Content-Security-Policy refuses: our templates (templates/wagtailadmin/widgets, panels) put a
// marker element in place of each script, and this Stimulus controller makes the same call when
// the marker appears, including in forms added later (inline panels, modals).
(function () {
  "use strict";
  var CALLS = {
    date: function (target, options) { window.initDateChooser(target, options); },
    time: function (target, options) { window.initTimeChooser(target, options); },
    datetime: function (target, options) { window.initDateTimeChooser(target, options); },
    "inline-panel": function (target, options) { new window.InlinePanel(options); },
    "multiple-chooser-panel": function (target, options) { new window.MultipleChooserPanel(options); },
    chooser: function (target, options, widget) {
      if (CHOOSERS.indexOf(widget) !== -1) new window[widget](target, options);
    },
  };
  // The chooser widgets' constructors (accounts/inline_scripts.py).
  var CHOOSERS = ["Chooser", "PageChooser", "SnippetChooser", "DocumentChooser", "ImageChooser"];

  class InitController extends window.StimulusModule.Controller {
    static values = { call: String, target: String, options: Object, widget: String };

    connect() {
      var call = CALLS[this.callValue];
      if (!call) return;
      // Run once: dropping the controller disconnects it, so a moved marker never runs twice.
      this.element.removeAttribute("data-controller");
      call(this.targetValue, this.optionsValue, this.widgetValue);
    }
  }

  window.wagtail.app.register("kb-init", InitController);
})();
