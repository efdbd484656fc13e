// Screen readers hear what a polled list adds (a chat's new answers), once each. htmx replaces the
// list every second, so a live region inside it would be new each time (announced never, or all
// over again); instead a stable, visually hidden role="log" element outside it says which items it
// follows (data-announce-items, a CSS selector) and which of them to read (data-announce-only), and
// gets a copy of each new one. No inline script: the CSP refuses it.
(function () {
  "use strict";

  function logs() {
    return document.querySelectorAll("[data-announce-items]");
  }

  function remember() {
    logs().forEach(function (log) {
      log.dataset.seen = String(document.querySelectorAll(log.dataset.announceItems).length);
    });
  }

  function announce() {
    logs().forEach(function (log) {
      var items = document.querySelectorAll(log.dataset.announceItems);
      var seen = Math.min(Number(log.dataset.seen || 0), items.length);
      for (var i = seen; i < items.length; i++) {
        if (log.dataset.announceOnly && !items[i].matches(log.dataset.announceOnly)) continue;
        var line = document.createElement("p");
        line.textContent = items[i].textContent.replace(/\s+/g, " ").trim();
        log.appendChild(line);
      }
      log.dataset.seen = String(items.length);
      while (log.children.length > 5) log.removeChild(log.firstChild); // the log stays short
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", remember);
  } else {
    remember();
  }
  document.addEventListener("htmx:afterSettle", announce);
})();
