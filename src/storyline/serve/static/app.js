// storyline: light progressive enhancement; every page works without it.
"use strict";

// Citations can point at a near-duplicate folded inside a closed <details>: open it, so the
// :target article is visible, on load and whenever the fragment changes.
function revealTarget() {
  var id = decodeURIComponent(window.location.hash.slice(1));
  if (!id) { return; }
  var el = document.getElementById(id);
  if (!el) { return; }
  for (var p = el.parentElement; p; p = p.parentElement) {
    if (p.tagName === "DETAILS") { p.open = true; }
  }
  el.scrollIntoView({ block: "center" });
}

window.addEventListener("hashchange", revealTarget);
document.addEventListener("DOMContentLoaded", revealTarget);
