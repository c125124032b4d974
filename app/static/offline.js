// The phone's outbox. Every answer and photo is written to IndexedDB first, then sent with fetch; an
// entry leaves only when the server's answer names that very change (X-Applied-Change), so a captive
// portal's "200 OK" clears nothing. Refused and conflicting changes stay, explained, until the
// shopper changes, copies or discards them. Each change carries this phone's own stable id and
// running number: the server orders one phone's changes by that number, never by its clock, which
// may be set back between two edits. Also registers the service worker (sw.js).
"use strict";
(() => {
  const box = document.getElementById("offline");
  if (!box) return;
  if (!window.indexedDB || !window.fetch) { box.hidden = true; return; }
  const T = box.dataset, AUDIT = T.audit, live = {};
  const csrf = (document.querySelector("input[name=csrf_token]") || {}).value;
  let dbp, notice = "", active = true, busy = false, again = false, first = true, login = false, returned = false;
  const db = () => dbp || (dbp = new Promise((ok, no) => {
    const r = indexedDB.open("mp-outbox-" + T.user, 1);
    r.onupgradeneeded = () => r.result.createObjectStore("q", { keyPath: "id" });
    r.onsuccess = () => ok(r.result);
    r.onerror = () => no(r.error);
  }));
  const tx = (fn, mode) => db().then((d) => new Promise((ok, no) => {
    const t = d.transaction("q", mode || "readwrite"), s = t.objectStore("q");
    let out;
    fn(s, (v) => { out = v; });
    t.oncomplete = () => ok(out);
    t.onerror = t.onabort = () => no(t.error);
  }));
  const all = () => tx((s, set) => { s.getAll().onsuccess = (e) => set(e.target.result); }, "readonly")
    .then((l) => l.sort((a, b) => (a.seq || 0) - (b.seq || 0) || (a.at < b.at ? -1 : 1)));  // in the order made
  const uuid = () => (crypto.randomUUID ? crypto.randomUUID() : Date.now().toString(36) + Math.random().toString(36).slice(2));
  // This phone (browser profile) and the number of its last change; kept beside the outbox's owner.
  const store = window.localStorage, DEVICE = store.getItem("mp-device") || uuid();
  store.setItem("mp-device", DEVICE);
  const nextSeq = () => {
    const n = Number(store.getItem("mp-seq") || 0) + 1;
    store.setItem("mp-seq", String(n));
    return n;
  };
  const itemEl = (key) => document.getElementById("item-" + key);
  const el = (tag, cls, text) => { const n = document.createElement(tag); n.className = cls || ""; n.textContent = text || ""; return n; };

  const fieldsOf = (li) => {
    const f = {};
    li.querySelectorAll("input,textarea,select").forEach((i) => {
      if (i.type === "file" || !/^(v|na|c)\./.test(i.name) || (/radio|checkbox/.test(i.type) && !i.checked)) return;
      f[i.name] = i.value;
    });
    return f;
  };
  const shrink = (file) => (!/^image\/(jpeg|png|webp)/.test(file.type) || !window.createImageBitmap ? Promise.resolve(file)
    : createImageBitmap(file, { imageOrientation: "from-image" }).then((img) => {
      const k = Math.min(1, 2048 / Math.max(img.width, img.height)), c = document.createElement("canvas");
      c.width = Math.round(img.width * k);
      c.height = Math.round(img.height * k);
      c.getContext("2d").drawImage(img, 0, 0, c.width, c.height);
      return new Promise((ok) => c.toBlob((b) => ok(b || file), "image/jpeg", 0.85));
    }).catch(() => file));

  // A change: into the outbox first (an answer replaces the item's earlier unsent one), then sent.
  document.addEventListener("change", (e) => {
    const li = e.target.closest && e.target.closest("li[data-save-state][hx-post]");
    if (!li || !active) return;
    const base = { audit: AUDIT, item: li.id.slice(5), url: li.getAttribute("hx-post"), status: T.status };
    const stamp = () => ({ ...base, id: uuid(), device: DEVICE, seq: nextSeq(), at: new Date().toISOString() });
    li.setAttribute("data-save-state", "saving");
    let done;
    if (e.target.type === "file") {
      const files = [...e.target.files];
      done = Promise.all(files.map(shrink)).then((blobs) => tx((s) => blobs.forEach((b, i) => s.put({
        ...stamp(), kind: "file", blob: b, name: b === files[i] ? files[i].name : "photo.jpg" }))))
        .then(() => { e.target.value = ""; });
    } else {
      const entry = { ...stamp(), kind: "answer", fields: fieldsOf(li) };
      done = tx((s) => {
        s.getAll().onsuccess = (r) => {
          r.target.result.forEach((o) => { if (o.kind === "answer" && o.audit === AUDIT && o.item === base.item) s.delete(o.id); });
          s.put(entry);
        };
      });
    }
    done.then(() => { show(); flush(); }, () => { active = false; window.htmx.trigger(li, "change"); });
  });
  // htmx keeps the item's autosave for browsers without IndexedDB; here the outbox sends instead.
  document.addEventListener("htmx:beforeRequest", (e) => {
    if (active && e.detail.elt.matches("li[data-save-state]")) e.preventDefault();
  });

  const hold = (e, state, note) => tx((s) => {
    s.get(e.id).onsuccess = (r) => { if (r.target.result) s.put({ ...r.target.result, state, note }); };
  });
  const swapIn = async (e, html) => {
    const li = itemEl(e.item), focus = document.activeElement;
    if (!li || e.audit !== AUDIT || !window.htmx || (await all()).some((o) => o.id !== e.id && o.audit === AUDIT && o.item === e.item)) return;
    if (li.contains(focus) && /text|textarea|number/.test(focus.type)) return li.setAttribute("data-save-state", "saved");
    window.htmx.swap(li, html, { swapStyle: "outerHTML" });
  };

  // Send one entry. True when the server acknowledged it; false when the network failed.
  const send = async (e) => {
    const form = new FormData(), file = e.kind === "file";
    if (file) {
      form.append("file", e.blob, e.name);
      form.append("client_upload_id", e.id);
    } else {
      Object.keys(e.fields).forEach((k) => form.append(k, e.fields[k]));
      form.append("client_change_id", e.id);
      form.append("client_changed_at", e.at);
      if (e.seq) {
        form.append("client_device_id", e.device);
        form.append("client_seq", e.seq);
      }
    }
    live[e.id] = "saving";
    const stop = new AbortController(), timer = setTimeout(() => stop.abort(), file ? 120000 : 30000);
    let res, text;
    try {
      res = await fetch(file ? e.url + "/files" : e.url, { method: "POST", body: form, signal: stop.signal,
        credentials: "same-origin", headers: { "HX-Request": "true", "X-CSRF-Token": csrf } });
      text = await res.text();
    } catch (err) {
      live[e.id] = "failed";
      return false;
    } finally {
      clearTimeout(timer);
    }
    delete live[e.id];
    const status = res.status;
    login = status === 401 || status === 403;
    if (res.headers.get("X-Applied-Change") === e.id) {
      await tx((s) => s.delete(e.id));
      if (e.status === "draft" && res.headers.get("X-Audit-Status") === "returned") returned = true;
      await swapIn(e, text);
    } else if (res.headers.get("X-Conflicting-Change") === e.id) {  // a newer answer is stored: shown, this one kept
      const why = new DOMParser().parseFromString(text, "text/html").querySelector(".error");
      await hold(e, "conflict", why ? why.textContent.trim() : T.tConflict);
      await swapIn(e, text);
    } else if (res.headers.get("X-Refused-Change") === e.id || status === 413) {
      const why = new DOMParser().parseFromString(text, "text/html").querySelector(".error,#error");
      await hold(e, "rejected", why ? why.textContent.trim() : T.tRefused);
      if (status !== 413) await swapIn(e, text);
    } else if (status === 409 || status === 404) {
      await hold(e, status === 409 ? "conflict" : "gone", status === 409 ? T.tConflict : T.tGone);
    } else {
      live[e.id] = "failed";  // a portal, a proxy, a server error: kept and sent again
    }
    return true;
  };

  // After a failed send the next try comes soon and then less often (1 s, 2 s, 4 s … 15 s): a phone
  // coming back online often has no usable network for its first second, and waiting for the 15 s
  // timer after that leaves the shopper looking at "not sent".
  let retry = 0, delay = 0;
  const retrySoon = (failed) => {
    clearTimeout(retry);
    delay = failed ? Math.min(delay ? delay * 2 : 1000, 15000) : 0;
    if (failed) retry = setTimeout(flush, delay);
  };

  const flush = async () => {
    if (busy) { again = true; return; }
    busy = true;
    let sent = false, failed = false;
    try {
      do {
        again = false;
        failed = false;
        for (const e of await all()) {
          if (e.state && !first) continue;  // refused or conflicting: tried again on the next page load
          if (await send(e)) sent = true;
          if (live[e.id] === "failed") failed = true;
          if (failed && navigator.onLine === false) break;
        }
        first = false;
        await show();
      } while (again);
    } finally {
      busy = false;
    }
    retrySoon(failed);
    if (sent && AUDIT && !(await all()).some((o) => o.audit === AUDIT) && navigator.serviceWorker && navigator.serviceWorker.controller) {
      navigator.serviceWorker.controller.postMessage({ fresh: [location.pathname, "/visits/" + AUDIT, "/visits/" + AUDIT + "/overview"] });
    }
  };

  let count = 0;
  let waited = false;  // "everything is sent" only once something waited here; before, nothing was to send
  const show = async () => {
    const list = (await all()).filter((o) => !AUDIT || o.audit === AUDIT);
    count = list.length;
    waited = waited || count > 0;
    document.querySelectorAll(".offline-note,.file.queued").forEach((n) => n.remove());
    const held = el("ul", "held");
    list.forEach((o) => {
      const li = o.audit === AUDIT && itemEl(o.item);
      // Not sent yet from this page: still on its way ("saving"); "failed" only once a send failed here.
      const state = o.state ? (o.state === "rejected" ? "invalid" : "rejected") : (live[o.id] || "saving");
      const copyText = o.kind === "file" ? "" : o.item + ": " + Object.keys(o.fields).map((k) => o.fields[k]).filter(Boolean).join(" · ");
      if (li) {
        if (!(o.state === "rejected" && li.dataset.saveState === "invalid")) li.setAttribute("data-save-state", state);
        if (o.kind === "file") {
          const f = el("div", "file queued"), img = el("img");
          img.src = URL.createObjectURL(o.blob);
          img.alt = T.tPhoto;
          img.width = 160;
          f.append(img, el("span", "badge warn", T.tPhoto));
          (li.querySelector(".files") || li).append(f);
        }
        if (o.state && li.dataset.saveState !== "invalid" && !li.querySelector("p.error[role=alert]")) li.querySelector(".item-body").append(el("p", "offline-note error", o.note));
      }
      if (!o.state) return;
      const row = el("li", "", o.item + " — " + o.note + " ");
      if (o.kind === "file") {
        const a = el("a", "button small", T.tSave);
        a.href = URL.createObjectURL(o.blob);
        a.download = o.name;
        row.append(a);
      } else {
        const c = el("button", "small", T.tCopy);
        c.type = "button";
        c.onclick = () => navigator.clipboard && navigator.clipboard.writeText(copyText);
        row.append(el("code", "", copyText), " ", c);
      }
      const d = el("button", "small danger", T.tDiscard);
      d.type = "button";
      d.onclick = () => window.confirm(T.tSure) && tx((s) => s.delete(o.id)).then(() => location.reload());
      row.append(" ", d);
      held.append(row);
    });
    box.replaceChildren(el("p", count ? "unsent" : "all-sent", count ? T.tUnsent.replace("{n}", count) : (waited ? T.tSent : T.tNothing)));
    box.dataset.unsent = count;
    if (held.children.length) box.append(el("p", "", T.tHeld), held);
    if (notice) box.append(el("p", "error", notice));
    if (login) box.append(el("p", "error", T.tLogin));
    if (returned) box.append(el("p", "qa-note", T.tReturned));
    // At the end of the page: a line added to the box would push the form down when the worker answers.
    const main = document.getElementById("main") || document.body;
    if (box.dataset.kept && !document.getElementById("offline-kept")) {
      const note = el("p", "muted", T.tKept);
      note.id = "offline-kept";
      main.append(note);
    }
    box.hidden = false;
  };

  document.addEventListener("submit", (e) => {
    if (!/\/submit$/.test(e.target.action)) return;
    if (count || navigator.onLine === false) {
      e.preventDefault();
      notice = count ? T.tSubmit : T.tNonet;
      show().then(() => box.scrollIntoView());
    }
  }, true);

  // A task of its own after the page's start-up (the first IndexedDB, localStorage and service worker
  // calls take milliseconds on a slow phone): no long task blocks the first taps (docs/speed.md).
  setTimeout(() => {
    if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(() => null);  // not evicted under pressure, if granted
    if (navigator.serviceWorker) {
      navigator.serviceWorker.addEventListener("message", (m) => {
        if (m.data && m.data.kept !== undefined) { box.dataset.kept = m.data.kept; show(); }
      });
      navigator.serviceWorker.register("/sw.js?u=" + T.user, { scope: "/" }).catch(() => null);
      const last = "mp-kept-" + T.user;
      if (navigator.onLine !== false && (!/\/t\//.test(location.pathname) || Date.now() - Number(localStorage.getItem(last) || 0) > 300000)) {
        localStorage.setItem(last, Date.now());
        navigator.serviceWorker.ready.then((reg) => reg.active && reg.active.postMessage({ keep: T.manifest }));
      }
    }
    window.addEventListener("online", () => { delay = 0; flush(); });
    setInterval(flush, 15000);
    // A page from the phone's copy shows what the server had: put the unsent answers back in their fields.
    all().then((list) => list.forEach((o) => {
      const li = o.kind === "answer" && o.audit === AUDIT && itemEl(o.item);
      if (li) li.querySelectorAll("input,textarea").forEach((i) => {
        if (!/^(v|na|c)\./.test(i.name)) return;
        if (/radio|checkbox/.test(i.type)) i.checked = o.fields[i.name] === i.value;
        else i.value = o.fields[i.name] || "";
      });
    })).then(show).then(flush);
  }, 0);
})();
