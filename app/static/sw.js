// The service worker: keeps the app's files and the shopper's open visits on the phone, so the form
// opens with no network. Pages: network first, the kept copy when the network fails or hangs; files
// under /static/ (fingerprinted, never change): the kept copy first. A POST is never answered from
// here. Pages are kept per user (?u=) and dropped at logout or when the session is gone.
"use strict";
const USER = new URL(location.href).searchParams.get("u") || "0";
const PAGES = "mp-pages-" + USER, FILES = "mp-files";
const kept = (p) => /^\/(visits(\/|$)|media\/\d+\/thumb$)/.test(p) && p !== "/visits/offline-manifest";
const abs = (u) => new URL(u, location.origin).href.split("#")[0];

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (e) => e.waitUntil(caches.keys().then((names) => Promise.all(
  names.filter((n) => n.startsWith("mp-pages-") && n !== PAGES).map((n) => caches.delete(n))))
  .then(() => self.clients.claim())));

const save = (url, res) => {
  if (res.ok && res.type === "basic" && !res.redirected) return caches.open(PAGES).then((c) => c.put(url, res.clone()));
  if (res.redirected || res.type === "opaqueredirect" || res.status === 401) return caches.delete(PAGES);
};
const copy = (url) => caches.match(url, { cacheName: PAGES, ignoreVary: true });
const none = () => new Response("<!doctype html><meta charset=utf-8><meta name=viewport content='width=device-width'>" +
  "<title>Offline</title><h1>Нет сети · No connection</h1><p>Эта страница не сохранена на телефоне. " +
  "This page was not kept on this phone.</p><p><a href=/visits>Мои визиты · My visits</a></p>",
  { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });

async function page(req) {
  const url = abs(req.url);
  const net = fetch(req).then(async (res) => { await save(url, res); return res; });
  net.catch(() => null);
  const slow = new Promise((ok) => setTimeout(ok, 6000)).then(() => copy(url)).then((c) => c || net);
  try {
    return await Promise.race([net, slow]);
  } catch (err) {
    return (await copy(url)) || none();
  }
}

async function file(req) {
  const hit = await caches.match(req.url, { cacheName: FILES });
  if (hit) return hit;
  const res = await fetch(req);
  if (res.ok) await caches.open(FILES).then((c) => c.put(req.url, res.clone()));
  return res;
}

self.addEventListener("fetch", (e) => {
  const req = e.request, url = new URL(req.url);
  if (url.origin !== location.origin) return;
  if (req.method !== "GET") {
    if (url.pathname === "/logout") e.waitUntil(caches.delete(PAGES));
    return;
  }
  if (req.headers.get("HX-Request")) return;
  if (url.pathname.startsWith("/static/")) e.respondWith(file(req));
  else if (kept(url.pathname)) e.respondWith(page(req));
});

const fetchPage = (u) => fetch(u, { credentials: "same-origin" }).then((r) => save(abs(u), r)).catch(() => null);

async function keep(manifest) {
  const res = await fetch(manifest, { credentials: "same-origin" });
  if (!res.ok || !/json/.test(res.headers.get("Content-Type"))) return 0;
  const m = await res.json();
  if (String(m.user) !== USER) return 0;
  const files = await caches.open(FILES);
  for (const r of await files.keys()) if (!m.files.includes(new URL(r.url).pathname)) await files.delete(r);
  for (const u of m.files) {
    if (!(await files.match(u))) await fetch(u).then((r) => r.ok && files.put(abs(u), r)).catch(() => null);
  }
  for (const u of m.pages) await fetchPage(u);
  return m.pages.length;
}

self.addEventListener("message", (e) => {
  const d = e.data || {};
  if (d.keep) e.waitUntil(keep(d.keep).then((n) => e.source && e.source.postMessage({ kept: n }), () => null));
  if (d.fresh) e.waitUntil(Promise.all(d.fresh.map(fetchPage)));
});
