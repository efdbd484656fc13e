/* Live desk pages (issue 10), loaded by desk/_bell.html on every desk page. No connection is held
   open (waitress has a fixed thread pool): short polls that the server answers 204 when nothing
   changed.
   - Every page: GET /desk/live/ every 5 s with the bell's count, the desk's change stamp and the
     presence shown; on a change, the bell's count is updated, a list ([data-testid=queue] or
     [data-live-list]) refreshes its rows from the page's own URL (checked boxes kept), and its
     rows show who else is on each ticket.
   - A ticket page ([data-live-ticket]): GET its live URL every 4 s, also the presence heartbeat
     ("writing" when the reply box has text); a 200 brings the parts to swap ([data-live-part]),
     never the reply form, so what the agent types stays. */
(function () {
  "use strict";
  var DESK_EVERY = 5000, TICKET_EVERY = 4000;
  var bell = document.querySelector("[data-live-desk]");
  if (!bell || !window.fetch) { return; }
  var state = { unread: bell.getAttribute("data-unread"), stamp: bell.getAttribute("data-stamp"), p: "" };

  function get(url) {
    return fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" }, cache: "no-store" });
  }

  function announce(text) {
    var region = document.querySelector("[data-live-announce]");
    if (region) { region.textContent = ""; region.textContent = text; }
  }

  /* ---- lists ---- */
  // What a list page refreshes when the desk changed: the list itself, and the views' counts.
  var REGIONS = ["[data-live-list]", "[data-testid=queue]", "[data-testid=views]"];
  function listEl() { return document.querySelector("[data-live-list]") || document.querySelector("[data-testid=queue]"); }

  function listRefs(list) {
    var refs = [], seen = {};
    Array.prototype.forEach.call(list.querySelectorAll("a[href*='/desk/tickets/']"), function (a) {
      var m = a.getAttribute("href").match(/\/desk\/tickets\/([^/?#]+)\/(?:[?#].*)?$/);
      if (m && !seen[m[1]]) { seen[m[1]] = true; refs.push(decodeURIComponent(m[1])); }
    });
    return refs.slice(0, 100);
  }

  function showPeople(list, people) {
    Array.prototype.forEach.call(list.querySelectorAll(".presence-badge[data-live-row]"), function (b) { b.remove(); });
    Object.keys(people || {}).forEach(function (ref) {
      var link = list.querySelector("a[href*='/desk/tickets/" + encodeURIComponent(ref) + "/']");
      if (!link) { return; }
      var names = people[ref].map(function (p) {
        return p.name + " (" + (p.writing ? bell.getAttribute("data-writing-text") : bell.getAttribute("data-viewing-text")) + ")";
      });
      var badge = document.createElement("span");
      badge.className = "badge presence-badge" + (people[ref].some(function (p) { return p.writing; }) ? " writing" : "");
      badge.setAttribute("data-live-row", "");
      badge.setAttribute("data-testid", "row-presence");
      badge.textContent = names.join(", ");
      link.insertAdjacentElement("afterend", badge);
    });
  }

  // The agent is typing or choosing in the region (a text field, a select: the bulk form's); a
  // focused link, button or row checkbox does not stop a refresh (ticked boxes are kept anyway).
  function busy(region) {
    var a = document.activeElement;
    if (!a || !region.contains(a)) { return false; }
    if (a.tagName === "TEXTAREA" || a.tagName === "SELECT" || a.isContentEditable) { return true; }
    return a.tagName === "INPUT" && ["checkbox", "radio", "button", "submit", "reset", "hidden"].indexOf(a.type) < 0;
  }

  function refreshList() {
    return get(window.location.href).then(function (r) { return r.ok ? r.text() : null; }).then(function (html) {
      if (!html) { return; }
      var doc = new DOMParser().parseFromString(html, "text/html");
      REGIONS.forEach(function (selector) {
        var region = document.querySelector(selector), fresh = doc.querySelector(selector);
        if (!region || !fresh || busy(region) || region.innerHTML === fresh.innerHTML) { return; }
        var checked = {};
        Array.prototype.forEach.call(region.querySelectorAll("input[type=checkbox]:checked"), function (c) { checked[c.name + "=" + c.value] = true; });
        region.innerHTML = fresh.innerHTML;
        Array.prototype.forEach.call(region.querySelectorAll("input[type=checkbox]"), function (c) { c.checked = !!checked[c.name + "=" + c.value]; });
        if (window.htmx) { window.htmx.process(region); }
      });
    });
  }

  function pollDesk() {
    var list = listEl();
    var refs = list ? listRefs(list) : [];
    var url = bell.getAttribute("data-live-desk") + "?unread=" + encodeURIComponent(state.unread) +
      "&stamp=" + encodeURIComponent(state.stamp) + "&p=" + encodeURIComponent(state.p) +
      "&refs=" + encodeURIComponent(refs.join(","));
    get(url).then(function (r) { return r.status === 200 ? r.json() : null; }).then(function (data) {
      if (!data) { return; }
      var count = bell.querySelector("[data-testid=bell-count]");
      if (String(data.unread) !== state.unread && count) {
        count.textContent = data.label;
        count.classList.toggle("zero", !data.unread);
      }
      var changed = data.stamp !== state.stamp;
      state.unread = String(data.unread); state.stamp = data.stamp; state.p = data.presence;
      if (list && changed) {
        return refreshList().then(function () { showPeople(listEl(), data.people); });
      }
      if (list) { showPeople(list, data.people); }
    }).catch(function () { /* offline for a moment: the next poll tries again */ })
      .then(function () { window.setTimeout(pollDesk, DESK_EVERY); });
  }

  /* ---- the ticket page ---- */
  var ticket = document.querySelector("[data-live-ticket]");

  function writing() {
    var box = document.querySelector("#reply-form textarea[name=body]");
    return box && box.value.trim() ? "1" : "0";
  }

  var lastWriting = "0", timer = null;
  // The list the page was opened from: the forms swapped in keep it (their hidden "from").
  var pageFrom = (window.location.search.match(/[?&]from=([^&#]*)/) || [])[1];
  pageFrom = pageFrom ? decodeURIComponent(pageFrom.replace(/\+/g, " ")) : "";

  function pollTicket() {
    window.clearTimeout(timer);
    lastWriting = writing();
    var url = ticket.getAttribute("data-live-ticket") + "?v=" + encodeURIComponent(ticket.getAttribute("data-version")) +
      "&p=" + encodeURIComponent(ticket.getAttribute("data-presence")) + "&writing=" + lastWriting +
      (pageFrom ? "&from=" + encodeURIComponent(pageFrom) : "");
    get(url).then(function (r) { return r.status === 200 ? r.text() : null; }).then(function (html) {
      if (!html) { return; }
      var doc = new DOMParser().parseFromString(html, "text/html");
      var root = doc.querySelector("[data-live-root]");
      if (!root) { return; }
      var versionChanged = root.getAttribute("data-version") !== ticket.getAttribute("data-version");
      Array.prototype.forEach.call(root.querySelectorAll("[data-live-part]"), function (part) {
        var here = document.querySelector("[data-live-part=" + part.getAttribute("data-live-part") + "]");
        if (here && here.innerHTML !== part.innerHTML) { here.innerHTML = part.innerHTML; }
      });
      ticket.setAttribute("data-version", root.getAttribute("data-version"));
      ticket.setAttribute("data-presence", root.getAttribute("data-presence"));
      if (versionChanged) {
        announce(bell.getAttribute("data-updated-text"));
        if (window.htmx) { window.htmx.process(document.body); }
      }
    }).catch(function () { /* the next poll tries again */ })
      .then(function () { timer = window.setTimeout(pollTicket, TICKET_EVERY); });
  }

  if (ticket) {
    // Starting or clearing a reply is told at once, not at the next poll.
    document.addEventListener("input", function (e) {
      if (e.target && e.target.matches && e.target.matches("#reply-form textarea[name=body]") && writing() !== lastWriting) {
        pollTicket();
      }
    });
    timer = window.setTimeout(pollTicket, 1000);
  }
  window.setTimeout(pollDesk, DESK_EVERY);
})();
