// The shopper's form: stopwatch, ring counter, local times, location check-in. Saves go through the
// phone's outbox (offline.js). Enhancement only: the form works without it.
"use strict";
(() => {
  const item = (el) => el && el.closest && el.closest("li[data-save-state]");
  const store = window.localStorage;
  const swKey = (id) => "mp-sw:" + location.pathname + ":" + id;

  const clock = (ms) => {
    const s = Math.floor(ms / 1000);
    return Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
  };
  const tick = () => document.querySelectorAll("[data-stopwatch]").forEach((sw) => {
    const start = Number(store.getItem(swKey(sw.dataset.stopwatch)));
    if (start) sw.querySelector("[data-sw-time]").textContent = clock(Date.now() - start);
  });
  setInterval(tick, 500);

  const init = (root) => {
    root.querySelectorAll("[data-stopwatch]").forEach((sw) => {
      const running = store.getItem(swKey(sw.dataset.stopwatch));
      const button = sw.querySelector("[data-sw-toggle]");
      if (!button.dataset.startLabel) button.dataset.startLabel = button.textContent;
      button.textContent = running ? button.dataset.stopLabel : button.dataset.startLabel;
      const rings = sw.querySelector("[data-rings]");
      if (rings) rings.textContent = store.getItem(swKey(sw.dataset.stopwatch) + ":rings") || "0";
    });
    root.querySelectorAll("[data-local-time]:not([data-localized])").forEach((t) => {
      t.dataset.localized = "1";  // init runs again for htmx's load of the body: convert once
      const d = new Date(t.getAttribute("datetime"));
      const opts = { hour: "2-digit", minute: "2-digit" };
      if (t.textContent.trim().length > 5) Object.assign(opts, { day: "2-digit", month: "2-digit", year: "numeric" });
      if (!isNaN(d)) t.textContent = d.toLocaleString([], opts);
    });
    // Shown from the start (no layout shift); a browser without geolocation hides it.
    if (!navigator.geolocation) root.querySelectorAll("form[data-checkin]").forEach((f) => { f.hidden = true; });
  };

  document.addEventListener("click", (e) => {
    const sw = e.target.closest("[data-stopwatch]");
    if (sw && e.target.closest("[data-sw-toggle]")) {
      const key = swKey(sw.dataset.stopwatch);
      const button = e.target.closest("[data-sw-toggle]");
      const start = Number(store.getItem(key));
      if (!start) {
        store.setItem(key, String(Date.now()));
        button.textContent = button.dataset.stopLabel;
        return;
      }
      const seconds = (Date.now() - start) / 1000;
      const input = document.getElementById(sw.dataset.stopwatch);
      input.value = sw.dataset.unit === "min" ? (seconds / 60).toFixed(1) : String(Math.round(seconds));
      const rings = Number(store.getItem(key + ":rings") || 0);
      const comment = item(sw).querySelector("textarea[name^='c.']");
      if (rings && comment && !comment.value) comment.value = sw.dataset.ringsLabel + ": " + rings;
      store.removeItem(key);
      store.removeItem(key + ":rings");
      button.textContent = button.dataset.startLabel;
      input.dispatchEvent(new Event("change", { bubbles: true }));
    } else if (sw && e.target.closest("[data-ring]")) {
      const key = swKey(sw.dataset.stopwatch) + ":rings";
      const n = Number(store.getItem(key) || 0) + 1;
      store.setItem(key, String(n));
      sw.querySelector("[data-rings]").textContent = n;
    }
    const checkin = e.target.closest("[data-checkin-button]");
    if (checkin) {
      const form = checkin.form;
      const status = form.querySelector("[data-checkin-status]");
      status.textContent = checkin.dataset.asking;
      navigator.geolocation.getCurrentPosition((p) => {
        form.latitude.value = p.coords.latitude;
        form.longitude.value = p.coords.longitude;
        form.accuracy.value = p.coords.accuracy;
        form.submit();
      }, () => { status.textContent = checkin.dataset.refused; }, { enableHighAccuracy: true, timeout: 20000 });
    }
  });

  document.addEventListener("DOMContentLoaded", () => init(document));
  document.addEventListener("htmx:load", (e) => init(e.detail.elt));
})();
