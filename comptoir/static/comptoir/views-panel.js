/* Panels open on wide screens and folded on phones (issue 10): <details data-collapse-narrow open>,
   such as the work lists' views, so that on a 390 px screen the list comes before the panel. The
   server renders them open (without JavaScript they stay open, usable everywhere); this file
   folds them on narrow screens as soon as the page is parsed (the CSS hides a panel's content
   on phones until it is ready, so nothing jumps), and follows the screen when it turns or is
   resized. The toggle is the <summary>: a real button whose state the browser
   announces. Loaded as a file (the CSP allows no inline script). The desk's header menu
   (desk/base.html, "Menu") is such a panel too; the desk loads this file on every page, and a
   page that also loads it (the work lists) runs it once. */
(function () {
  "use strict";

  if (window.comptoirPanels) { return; }
  window.comptoirPanels = true;

  var NARROW = window.matchMedia("(max-width: 720px)");

  function apply(all) {
    document.querySelectorAll("details[data-collapse-narrow]").forEach(function (panel) {
      if (all || !panel.hasAttribute("data-ready")) {
        panel.open = !NARROW.matches;
        panel.setAttribute("data-ready", "");
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { apply(false); });
  } else {
    apply(false);
  }
  var follow = function () { apply(true); };
  if (NARROW.addEventListener) { NARROW.addEventListener("change", follow); } else { NARROW.addListener(follow); }
})();
