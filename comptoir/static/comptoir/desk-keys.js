/* Desk keyboard shortcuts (issue 10). Lists: j/k (or ]/[) move between rows, Enter opens one.
   A ticket opened from a list: j/k (or ]/[) open the next/previous ticket of that list, u goes
   back to it; r writes a reply, n an internal note, a takes the ticket; ? shows the list of
   shortcuts. Nothing fires while typing in a field or with Ctrl/Alt/Meta held. Loaded as a file:
   the CSP allows no inline script; the page works the same without it. */
(function () {
  "use strict";

  function typing(el) {
    if (!el || !el.tagName) { return false; }
    var tag = el.tagName.toUpperCase();
    return el.isContentEditable || tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT";
  }

  function follow(selector) {
    var el = document.querySelector(selector);
    if (!el) { return false; }
    el.click();
    return true;
  }

  function write(note) {
    var form = document.querySelector('[data-testid="message-form"]');
    if (!form) { return false; }
    var mode = form.querySelector(note ? '[data-testid="mode-note"]' : '[data-testid="mode-public"]');
    if (mode && !mode.checked) { mode.click(); }
    var legacy = form.querySelector('input[type="checkbox"][name="internal"]');
    if (legacy) { legacy.checked = note; }
    var body = form.querySelector('textarea[name="body"]');
    if (!body) { return false; }
    body.focus();
    return true;
  }

  function moveRow(step) {
    var rows = Array.prototype.slice.call(document.querySelectorAll('[data-testid="queue-row"] a.row-link'));
    if (!rows.length) { return false; }
    var i = rows.indexOf(document.activeElement);
    i = i < 0 ? (step > 0 ? 0 : rows.length - 1) : Math.max(0, Math.min(rows.length - 1, i + step));
    rows[i].focus();
    return true;
  }

  function help() {
    var dialog = document.getElementById("shortcuts");
    if (!dialog || typeof dialog.showModal !== "function") { return false; }
    if (dialog.open) { dialog.close(); } else { dialog.showModal(); }
    return true;
  }

  document.addEventListener("keydown", function (e) {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) { return; }
    if (document.querySelector("dialog[open]") && e.key !== "?" && e.key !== "Escape") { return; }
    var done = false;
    switch (e.key) {
      case "j": case "]": done = follow('a[data-shortcut="next"]') || moveRow(1); break;
      case "k": case "[": done = follow('a[data-shortcut="prev"]') || moveRow(-1); break;
      case "u": done = follow('a[data-shortcut="list"]'); break;
      case "r": done = write(false); break;
      case "n": done = write(true); break;
      case "a": done = follow('[data-shortcut="take"]'); break;
      case "?": done = help(); break;
      default: break;
    }
    if (done) { e.preventDefault(); }
  });

  document.addEventListener("click", function (e) {
    var opener = e.target.closest && e.target.closest("[data-shortcut-help]");
    if (opener && help()) { e.preventDefault(); }
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-shortcut-help]").forEach(function (b) { b.hidden = false; });
    document.documentElement.setAttribute("data-shortcuts", "on");  // listening (tests wait for it)
  });
}());
