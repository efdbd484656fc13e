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

  function store(f) {
    var body = box(f);
    if (!body) { return; }
    try {
      if (body.value.trim()) { localStorage.setItem(key(f), body.value); }
      else { localStorage.removeItem(key(f)); }
    } catch (e) { /* storage refused (private mode, quota): the page works without drafts */ }
  }

  function restore(f) {
    var body = box(f);
    if (!body) { return; }
    try {
      if (f.hasAttribute("data-draft-sent")) { localStorage.removeItem(key(f)); return; }
      var saved = localStorage.getItem(key(f));
      if (saved && !body.value.trim()) {
        body.value = saved;
        var status = f.querySelector(".draft-status");
        if (status) { status.textContent = f.getAttribute("data-draft-restored"); }
      } else {
        store(f);  // the server filled the box (a refused send, a macro): that is the draft now
      }
    } catch (e) { /* as above */ }
  }

  document.addEventListener("input", function (event) {
    var f = form();
    if (f && f.contains(event.target)) { store(f); }
  });
  document.addEventListener("htmx:afterSwap", function () {
    var f = form();
    if (!f) { return; }
    store(f);
    var body = box(f);
    if (body) { body.focus(); body.setSelectionRange(body.value.length, body.value.length); }
  });
  var initial = form();
  if (initial) { restore(initial); }
})();
