/* Reply drafts (issue 10): what an agent types in a ticket's reply box is kept in this browser
   (localStorage, one entry per ticket), so leaving or reloading the page loses nothing. The entry
   goes once the server says the reply was sent (data-draft-sent on the next page). Nothing is
   sent anywhere: a draft stays on the agent's own machine. Loaded as a file (the CSP allows no
   inline script); works the same after htmx swaps the form (a macro inserted). */
(function () {
  "use strict";
  var PREFIX = "comptoir:draft:";

  function form() { return document.getElementById("reply-form"); }
  function box(f) { return f.querySelector("textarea[name=body]"); }
  function key(f) { return PREFIX + f.getAttribute("data-draft-key"); }

  // What the form posts besides the text and the file: the public/internal switch, the macro
  // inserted (its actions apply on send), the macro picked, the configuration items. "Then" is
  // the send button pressed, not a choice kept in the form.
  var KEPT = ["internal", "macro", "macro_pick", "configuration_items"];

  function fields(f) {
    var kept = {};
    KEPT.forEach(function (name) {
      var els = f.querySelectorAll("[name=" + name + "]");
      Array.prototype.forEach.call(els, function (el) {
        if (el.type === "radio" || el.type === "checkbox") { if (el.checked) { kept[name] = el.value; } }
        else { kept[name] = el.value; }
      });
    });
    return kept;
  }

  function store(f) {
    var body = box(f);
    if (!body) { return; }
    try {
      if (body.value.trim()) { localStorage.setItem(key(f), JSON.stringify({ body: body.value, fields: fields(f) })); }
      else { localStorage.removeItem(key(f)); }
    } catch (e) { /* storage refused (private mode, quota): the page works without drafts */ }
  }

  function parse(saved) {
    try {
      var data = JSON.parse(saved);
      if (data && typeof data.body === "string") { return data; }
    } catch (e) { /* an older draft: the text alone */ }
    return { body: saved, fields: {} };
  }

  function put(f, kept) {
    Object.keys(kept || {}).forEach(function (name) {
      if (KEPT.indexOf(name) < 0) { return; }
      Array.prototype.forEach.call(f.querySelectorAll("[name=" + name + "]"), function (el) {
        if (el.type === "radio" || el.type === "checkbox") { el.checked = el.value === kept[name]; }
        else if (el.type !== "file") { el.value = kept[name]; }
      });
    });
  }

  function restore(f) {
    var body = box(f);
    if (!body) { return; }
    try {
      if (f.hasAttribute("data-draft-sent")) { localStorage.removeItem(key(f)); return; }
      var saved = localStorage.getItem(key(f));
      if (saved && !body.value.trim()) {
        var draft = parse(saved);
        body.value = draft.body;
        put(f, draft.fields);
        var status = f.querySelector(".draft-status");
        if (status) { status.textContent = f.getAttribute("data-draft-restored"); }
      } else {
        store(f);  // the server filled the box (a refused send, a macro): that is the draft now
      }
    } catch (e) { /* as above */ }
  }

  ["input", "change"].forEach(function (type) {
    document.addEventListener(type, function (event) {
      var f = form();
      if (f && f.contains(event.target)) { store(f); }
    });
  });
  // Only the reply form's own swap (a macro inserted) moves the focus into the box: another part
  // of the page loading (the questions check) must not take the keyboard from the shortcuts.
  document.addEventListener("htmx:afterSwap", function (event) {
    var f = form(), target = event.detail && event.detail.target;
    if (!f || !target || target.id !== "reply-form") { return; }
    store(f);
    var body = box(f);
    if (body) { body.focus(); body.setSelectionRange(body.value.length, body.value.length); }
  });
  var initial = form();
  if (initial) { restore(initial); }
})();
