/* Suggestions card (desk/_ticket_suggestions.html, issue 11): "Insert link" puts an article's
   help-centre address into the reply at the cursor (or at the end), then gives the reply the
   focus with the cursor after it. The buttons are hidden until this file shows them: without
   JavaScript the address is there to copy. Loaded as a file (the CSP allows no inline script). */
(function () {
  "use strict";

  function reveal(root) {
    (root || document).querySelectorAll("[data-insert-link][hidden]").forEach(function (button) {
      button.hidden = false;
    });
  }

  function insert(url) {
    var area = document.querySelector("#reply-form textarea[name=body]");
    if (!area) { return false; }
    var value = area.value;
    var start = typeof area.selectionStart === "number" ? area.selectionStart : value.length;
    var end = typeof area.selectionEnd === "number" ? area.selectionEnd : value.length;
    var before = value.slice(0, start);
    var after = value.slice(end);
    var text = url;
    if (before && !/\s$/.test(before)) { text = " " + text; }
    if (after && !/^\s/.test(after)) { text = text + " "; }
    area.value = before + text + after;
    var caret = before.length + text.length;
    area.focus();
    area.setSelectionRange(caret, caret);
    // The draft keeper and the questions check listen for typing.
    area.dispatchEvent(new Event("input", { bubbles: true }));
    return true;
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-insert-link]") : null;
    if (!button) { return; }
    event.preventDefault();
    insert(button.getAttribute("data-insert-link"));
  });
  document.addEventListener("htmx:afterSettle", function (event) { reveal(event.target); });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { reveal(); });
  } else {
    reveal();
  }
})();
