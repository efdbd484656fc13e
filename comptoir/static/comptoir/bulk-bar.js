/* The bulk toolbar (desk/_bulk_bar.html, issue 10): show only the value field the chosen action
   needs ("Assign to…" shows the agent, "Set status" the status, "Reply to each" the text) and
   make it required; actions that need no value show none. Without this file every field shows
   and the form works the same. Loaded as a file (the CSP allows no inline script). */
(function () {
  "use strict";

  function update(form) {
    var action = form.querySelector("select[name=action]");
    if (!action) { return; }
    var chosen = action.value;
    var needed = 0;
    form.querySelectorAll("[data-bulk-for]").forEach(function (field) {
      var wanted = field.getAttribute("data-bulk-for").split(" ").indexOf(chosen) !== -1;
      field.hidden = !wanted;
      if (wanted) { needed += 1; }
      field.querySelectorAll("input, select, textarea").forEach(function (control) {
        control.disabled = !wanted;
        control.required = wanted;
      });
    });
    var group = form.querySelector(".bulk-values");
    if (group) { group.hidden = needed === 0; }
  }

  function init() {
    document.querySelectorAll("form#bulk-form").forEach(function (form) {
      if (form.hasAttribute("data-bulk-ready")) { return; }
      form.setAttribute("data-bulk-ready", "");
      var action = form.querySelector("select[name=action]");
      if (action) { action.addEventListener("change", function () { update(form); }); }
      update(form);
    });
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); }
  else { init(); }
  document.addEventListener("htmx:afterSettle", init);
})();
