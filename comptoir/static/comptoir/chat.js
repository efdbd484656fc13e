// The chat box says when a message could not be sent (network or server error) and keeps the
// text in the box; and whether an agent is there. Messages come translated from the page's data-
// attributes; no inline script (the CSP refuses it).
(function () {
  "use strict";

  function region() {
    return document.getElementById("chat-send-error");
  }

  function inChat(elt) {
    return elt && elt.closest && elt.closest("#chat-room");
  }

  function show(text) {
    var r = region();
    if (!r) return;
    r.textContent = text;
    r.hidden = false;
  }

  function clear() {
    var r = region();
    if (!r) return;
    r.textContent = "";
    r.hidden = true;
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail.elt;
    if (inChat(elt) && elt.tagName === "FORM") clear();
  });

  document.addEventListener("htmx:responseError", function (event) {
    var elt = event.detail.elt;
    if (!inChat(elt)) return;
    var r = region();
    var xhr = event.detail.xhr;
    var type = (xhr.getResponseHeader("Content-Type") || "").toLowerCase();
    if (elt.tagName !== "FORM") {
      show(r.dataset.pollError);
    } else if (xhr.status < 500 && type.indexOf("text/plain") === 0 && xhr.responseText) {
      show(xhr.responseText.slice(0, 500));
    } else {
      show(r.dataset.serverError);
    }
  });

  document.addEventListener("htmx:sendError", function (event) {
    var elt = event.detail.elt;
    if (!inChat(elt)) return;
    var r = region();
    show(elt.tagName === "FORM" ? r.dataset.networkError : r.dataset.pollError);
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var conversation = document.getElementById("conversation");
    var status = document.getElementById("chat-agent-status");
    if (!conversation || !status) return;
    var r = region();
    if (r && !r.hidden && r.textContent === r.dataset.pollError) clear(); // the connection is back
    var present = conversation.dataset.agentPresent === "1";
    var text = present ? status.dataset.present : status.dataset.absent;
    if (status.textContent !== text) {
      status.textContent = text;
      status.classList.toggle("chat-agent-present", present);
    }
  });
})();
