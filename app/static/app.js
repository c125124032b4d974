// Our own small script: progressive enhancement only; every page works without it.
"use strict";
document.addEventListener("htmx:responseError", (event) => {
  // A failed save must be visible on the item, never a silent spinner.
  const target = event.detail.elt.closest("[data-save-state]") || event.detail.elt;
  target.setAttribute("data-save-state", "failed");
});
document.addEventListener("change", (event) => {
  // A choice field's search box narrows its list (templates/web/_choices.html); it is not a filter
  // of its own, so its change must not reach a form that reloads on every change.
  if (event.target instanceof HTMLElement && event.target.matches("[data-choice-search]")) {
    event.stopPropagation();
  }
}, true);
