"""The crawl behind tests/browser/test_crawl.py: find every page a role can reach, then load each one
in Chromium and hold it to the finished-product rules (docs/ui-checks.md).

Discovery runs over plain HTTP (fast, no browser): from the home page and the menu, every same-origin
GET link, one URL per route pattern and set of query keys, bounded. The checks run in the browser,
one load per URL per viewport and language, in parallel contexts of one async Playwright.
"""

import asyncio
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
from starlette.routing import compile_path

from app.web.middleware import LANGUAGE_COOKIE
from tests.browser.axe import RUN_AXE_JS, AxeViolation, axe_source, run_arguments, violations_from

# Not pages: files, scripts and downloads (a PDF would start Chromium on the server for nothing).
NOT_PAGES = re.compile(r"(\.(pdf|xlsx|csv|yaml|js|json|png|jpg|webp|ico)$)|^/(static|media|api|docs)/|^/openapi")
MAX_PAGES_PER_ROLE = 80
# axe is most of a load's time, and neither rules nor colours depend on the language: each URL is
# checked at both widths, once in each language (phone in Russian, laptop in English).
AXE_RUNS = {("ru", True), ("en", False)}
# Generous: on a shared CI machine the draft editor can take longer than Playwright's 30 s to load,
# which says nothing about the page.
PAGE_TIMEOUT_MS = 120_000
TAP_MIN = 44  # px, on the phone viewport (WCAG 2.5.5 AAA, and what thumbs need)


@dataclass(frozen=True)
class Viewport:
    name: str
    width: int
    height: int
    phone: bool


PHONE = Viewport("360", 360, 740, phone=True)
LAPTOP = Viewport("1280", 1280, 800, phone=False)


@dataclass(frozen=True)
class Finding:
    check: str  # status | overflow | strip | axe:<rule> | tap | th-break | console | raw-code
    pattern: str  # the route pattern, e.g. /waves/{wave_id}
    url: str
    role: str
    viewport: str
    language: str
    detail: str

    def line(self) -> str:
        return f"[{self.check}] {self.role} {self.language} {self.viewport}px {self.url}: {self.detail}"


@dataclass
class RolePages:
    role: str
    urls: dict[str, str] = field(default_factory=dict)  # url -> route pattern


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "a" and attributes.get("href") and "download" not in attributes:
            self.hrefs.append(attributes["href"] or "")

    @classmethod
    def of(cls, html: str) -> list[str]:
        parser = cls()
        parser.feed(html)
        return parser.hrefs


class RoutePatterns:
    """Maps a path to the app's own route template, so /waves/3 and /waves/4 count as one page."""

    def __init__(self, templates: Iterable[str]) -> None:
        self._compiled = [(template, compile_path(template)[0]) for template in templates]

    def pattern(self, path: str) -> str | None:
        for template, regex in self._compiled:
            if regex.match(path):
                return template
        return None


def page_key(url: str, patterns: RoutePatterns) -> str | None:
    """The route pattern: one page per template, whatever its ids and filters (a query string
    changes what a page lists, not how it is built)."""
    return patterns.pattern(urlsplit(url).path)


def discover(client: httpx.Client, *, role: str, start: Iterable[str], patterns: RoutePatterns,
             limit: int = MAX_PAGES_PER_ROLE) -> tuple[RolePages, list[Finding]]:
    """Breadth first from `start` over same-origin GET links; one URL per page key."""
    found = RolePages(role)
    problems: list[Finding] = []
    seen_keys: set[str] = set()
    queue = [str(client.base_url.join(url)) for url in start]
    origin = str(client.base_url).rstrip("/")
    while queue and len(found.urls) < limit:
        url = queue.pop(0)
        parts = urlsplit(url)
        if parts.path.startswith("//") or NOT_PAGES.search(parts.path):
            continue
        key = page_key(url, patterns)
        if key is None or key in seen_keys:
            continue
        seen_keys.add(key)
        response = client.get(url)
        target = urljoin(url, response.headers.get("location", ""))
        if response.is_redirect and target.startswith(origin + "/"):
            queue.insert(0, target)  # a page of its own
            continue
        if response.status_code != 200:
            problems.append(Finding("status", key, url, role, "-", "-", f"HTTP {response.status_code}"))
            continue
        if not response.headers.get("content-type", "").startswith("text/html"):
            continue
        found.urls[url] = key
        for href in _Links.of(response.text):
            target = urljoin(url, href).split("#")[0]
            if target.startswith(origin + "/"):
                queue.append(target)
    return found, problems


# One evaluation per load: everything the checks need from the rendered page.
PAGE_FACTS_JS = r"""
([phone, TAP]) => {
  const describe = (el) => {
    let s = el.tagName.toLowerCase();
    if (el.id) return s + '#' + el.id;
    if (el.classList.length) s += '.' + [...el.classList].slice(0, 2).join('.');
    const parent = el.parentElement;
    if (parent && parent !== document.body) s = describe(parent) + ' > ' + s;
    return s;
  };
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    return r.width > 1 && r.height > 1 && style.visibility !== 'hidden' && style.display !== 'none'
      && !el.closest('[aria-hidden=true], .visually-hidden, .sr-only');
  };
  const isStrip = (el) => el.hasAttribute('data-scroll-strip');
  const facts = {overflow: null, strips: [], taps: [], thBreaks: [], text: ''};

  // Horizontal overflow of the page, and who causes it (outside marked strips).
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth > width + 1) {
    const culprits = [];
    for (const el of document.body.querySelectorAll('*')) {
      if (el.closest('[data-scroll-strip]')) continue;
      const r = el.getBoundingClientRect();
      if (r.right > width + 1 && r.width > 0 && getComputedStyle(el).position !== 'fixed') {
        culprits.push(describe(el) + ' (right ' + Math.round(r.right) + ')');
        if (culprits.length >= 3) break;
      }
    }
    facts.overflow = 'page is ' + document.documentElement.scrollWidth + ' px wide at ' + width + ' px: '
      + culprits.join('; ');
  }

  // Boxes that scroll sideways must be marked, reachable by keyboard and named.
  for (const el of document.body.querySelectorAll('*')) {
    const ox = getComputedStyle(el).overflowX;
    if ((ox === 'auto' || ox === 'scroll') && el.scrollWidth > el.clientWidth + 1 && visible(el)) {
      const missing = [];
      if (!isStrip(el)) missing.push('data-scroll-strip');
      if (el.tabIndex < 0) missing.push('tabindex=0');
      if (el.getAttribute('role') !== 'region') missing.push('role=region');
      if (!el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby')) missing.push('aria-label');
      if (missing.length) facts.strips.push(describe(el) + ' lacks ' + missing.join(', '));
    }
  }

  // Tap targets on the phone: controls and links, except links inside running text.
  if (phone) {
    const inSentence = (el) => {
      if (el.tagName !== 'A' || getComputedStyle(el).display !== 'inline') return false;
      const block = el.parentElement;
      if (!block) return false;
      const own = [...block.childNodes].filter(n => n.nodeType === 3).map(n => n.textContent.trim()).join('');
      return own.length > 0;
    };
    const targets = document.querySelectorAll(
      'a[href], button, select, summary, textarea, input:not([type=hidden]):not([type=checkbox]):not([type=radio])');
    for (const el of targets) {
      if (!visible(el) || inSentence(el) || el.closest('.skip')) continue;
      const r = el.getBoundingClientRect();
      if (r.height < TAP - 0.5 || r.width < TAP - 0.5) {
        facts.taps.push(describe(el) + ' "' + (el.innerText || el.value || '').trim().slice(0, 30) + '" '
          + Math.round(r.width) + '×' + Math.round(r.height));
      }
    }
    // A checkbox or radio: its label is the target (the box alone when it has none).
    for (const el of document.querySelectorAll('input[type=checkbox], input[type=radio]')) {
      const label = el.closest('label') || (el.id && document.querySelector('label[for="' + el.id + '"]'));
      const target = label || el;
      if (!visible(target)) continue;
      const r = target.getBoundingClientRect();
      if (r.height < TAP - 0.5 || r.width < TAP - 0.5) {
        facts.taps.push(describe(target) + ' "' + (target.innerText || '').trim().slice(0, 30) + '" '
          + Math.round(r.width) + '×' + Math.round(r.height));
      }
    }
  }

  // A word of a table header split over two lines ("Ве/с").
  for (const th of document.querySelectorAll('th')) {
    if (!visible(th)) continue;
    const walker = document.createTreeWalker(th, NodeFilter.SHOW_TEXT);
    let node;
    outer: while ((node = walker.nextNode())) {
      const re = /[^\s\-\u2010-\u2014\/]+/g;  // a break after a hyphen or slash is fine
      let m;
      while ((m = re.exec(node.textContent))) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const tops = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
        if (tops.size > 1) {
          facts.thBreaks.push(describe(th) + ' breaks "' + m[0] + '"');
          break outer;
        }
      }
    }
  }
  facts.text = document.body.innerText;
  return facts;
}
"""

_EMAIL_OR_URL = re.compile(r"\S+@\S+|https?://\S+|/\S+")
_TOKEN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:[.\-][A-Za-z0-9_]+)*")


def raw_codes(text: str, codes: frozenset[str]) -> list[str]:
    """The app's own codes standing as words in the visible text (e-mails, URLs and paths aside)."""
    cleaned = _EMAIL_OR_URL.sub(" ", text)
    return sorted({token for token in _TOKEN.findall(cleaned) if token in codes})


@dataclass(frozen=True)
class Visit:
    role: str
    language: str
    viewport: Viewport
    url: str
    pattern: str


async def check_page(context: Any, visit: Visit, *, codes: frozenset[str], units: frozenset[str]) -> list[Finding]:
    page = await context.new_page()
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    errors: list[str] = []
    page.on("console", lambda message: errors.append(f"{message.text} ({message.location.get('url', '')})")
            if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    found: list[Finding] = []

    def add(check: str, detail: str) -> None:
        found.append(Finding(check, visit.pattern, visit.url, visit.role, visit.viewport.name, visit.language, detail))

    try:
        response = await page.goto(visit.url, wait_until="load")
        if response is None or response.status != 200:
            add("status", f"HTTP {response.status if response else '?'}")
            return found
        facts = await page.evaluate(PAGE_FACTS_JS, [visit.viewport.phone, TAP_MIN])
        if facts["overflow"]:
            add("overflow", facts["overflow"])
        for strip in facts["strips"]:
            add("strip", strip)
        for tap in facts["taps"]:
            add("tap", tap)
        for broken in facts["thBreaks"]:
            add("th-break", broken)
        if visit.language == "ru":
            shown = raw_codes(facts["text"], codes | units)
            if shown:
                add("raw-code", ", ".join(shown))
        if (visit.language, visit.viewport.phone) in AXE_RUNS:
            for violation in await _axe(page):
                add(f"axe:{violation.rule}", violation.describe())
        for error in errors:
            add("console", error[:300])
    finally:
        await page.close()
    return found


async def _axe(page: Any) -> list[AxeViolation]:
    """axe.py's run, through the async API."""
    if not await page.evaluate("() => typeof window.axe !== 'undefined'"):
        await page.evaluate(axe_source())
    return violations_from(await page.evaluate(RUN_AXE_JS, run_arguments()))


async def run_visits(browser: Any, visits: list[Visit], *, storage: Callable[[str, str], dict[str, Any]],
                     codes: frozenset[str], units: frozenset[str], workers: int) -> list[Finding]:
    """Load every visit once, `workers` at a time; one browser context per role, language and viewport."""
    contexts: dict[tuple[str, str, str], Any] = {}
    lock = asyncio.Lock()

    async def context_for(visit: Visit) -> Any:
        key = (visit.role, visit.language, visit.viewport.name)
        async with lock:
            if key not in contexts:
                contexts[key] = await browser.new_context(
                    viewport={"width": visit.viewport.width, "height": visit.viewport.height},
                    is_mobile=visit.viewport.phone, has_touch=visit.viewport.phone,
                    device_scale_factor=1, locale="ru-RU" if visit.language == "ru" else "en-US",
                    storage_state=storage(visit.role, visit.language))
            return contexts[key]

    queue: asyncio.Queue[Visit] = asyncio.Queue()
    for visit in visits:
        queue.put_nowait(visit)
    findings: list[Finding] = []

    async def worker() -> None:
        while not queue.empty():
            visit = queue.get_nowait()
            context = await context_for(visit)
            findings.extend(await check_page(context, visit, codes=codes, units=units))

    await asyncio.gather(*(worker() for _ in range(workers)))
    for context in contexts.values():
        await context.close()
    return findings

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def log_in(client: httpx.Client, email: str, password: str) -> None:
    """Log in over plain HTTP, as the login form does (CSRF token from the page)."""
    page = client.get("/login")
    token = _CSRF.search(page.text)
    response = client.post("/login", data={"email": email, "password": password, "next": "/",
                                           "csrf_token": token.group(1) if token else ""})
    if response.status_code != 303:
        raise AssertionError(f"logging in as {email} failed: HTTP {response.status_code}")


def storage_state(client: httpx.Client, language: str) -> dict[str, Any]:
    """The client's cookies (the session) plus the language cookie, for a Playwright context."""
    host = urlsplit(str(client.base_url)).hostname or "127.0.0.1"
    cookies = [{"name": c.name, "value": c.value or "", "domain": host, "path": "/", "expires": -1,
                "httpOnly": False, "secure": False, "sameSite": "Lax"}
               for c in client.cookies.jar if c.name != LANGUAGE_COOKIE]
    cookies.append({"name": LANGUAGE_COOKIE, "value": language, "domain": host, "path": "/", "expires": -1,
                    "httpOnly": False, "secure": False, "sameSite": "Lax"})
    return {"cookies": cookies, "origins": []}


@dataclass(frozen=True)
class CrawlResult:
    pages: dict[str, RolePages]
    visits: int
    findings: list[Finding]


def crawl(base_url: str, *, logins: dict[str, tuple[str, str]], patterns: RoutePatterns, codes: frozenset[str],
          units: frozenset[str], languages: tuple[str, ...] = ("ru", "en"),
          viewports: tuple[Viewport, ...] = (PHONE, LAPTOP), workers: int = 4,
          chromium: str = "/usr/bin/chromium", chromium_args: Iterable[str] = ()) -> CrawlResult:
    """Discover each role's pages, then check each at every viewport and language.

    `logins` maps a role name to (email, password); the users' own language must be unset, so the
    language cookie decides. Runs its own event loop: call it from a thread with no loop running.
    """
    pages: dict[str, RolePages] = {}
    findings: list[Finding] = []
    states: dict[tuple[str, str], dict[str, Any]] = {}
    for role, (email, password) in logins.items():
        with httpx.Client(base_url=base_url, timeout=60, cookies={LANGUAGE_COOKIE: "ru"}) as client:
            log_in(client, email, password)
            home = client.get("/")
            found, problems = discover(client, role=role, start=["/", *_Links.of(home.text)], patterns=patterns)
            pages[role] = found
            findings += problems
            for language in languages:
                states[(role, language)] = storage_state(client, language)
    visits = [Visit(role, language, viewport, url, pattern)
              for role, found in pages.items() for url, pattern in found.urls.items()
              for language in languages for viewport in viewports]

    async def main() -> list[Finding]:
        from playwright.async_api import async_playwright

        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=chromium, args=list(chromium_args))
            try:
                return await run_visits(browser, visits, storage=lambda role, language: states[(role, language)],
                                        codes=codes, units=units, workers=workers)
            finally:
                await browser.close()

    findings += asyncio.run(main())
    return CrawlResult(pages, len(visits), findings)
