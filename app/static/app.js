// Our own small script: progressive enhancement only; every page works without it.
"use strict";
document.addEventListener("htmx:responseError", (event) => {
  // A failed save must be visible on the item, never a silent spinner.
  const target = event.detail.elt.closest("[data-save-state]") || event.detail.elt;
  target.setAttribute("data-save-state", "failed");
});
