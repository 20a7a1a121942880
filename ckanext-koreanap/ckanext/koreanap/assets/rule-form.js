/* The evaluator's "turn this report into a rule" form: only the inputs the chosen kind of
 * rule takes are shown. Without JavaScript every input stays visible, and the server reads
 * only the chosen kind's inputs either way. */
ckan.module("koreanap-rule-form", function ($) {
  "use strict";
  return {
    initialize: function () {
      var form = this.el;
      var kind = form.find("#rule-kind");
      var then = form.find("#rule-then");
      var parts = form.find("[data-rule-kinds]");
      var thenValues = form.find("[data-rule-then-values]");
      function show() {
        var chosen = kind.val();
        parts.each(function () {
          var kinds = String($(this).data("rule-kinds")).split(" ");
          this.hidden = kinds.indexOf(chosen) === -1;
        });
        // the then field's allowed values only when "one of the allowed values" is chosen
        thenValues.prop("hidden", then.val() !== "values");
      }
      kind.on("change", show);
      then.on("change", show);
      show();
    }
  };
});
