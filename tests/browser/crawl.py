"""Visit every page a person can reach by following links, and measure what a
phone shows: shared by the phone-width test and scripts/screenshots.py."""
from __future__ import annotations

import re
from collections import deque
from urllib.parse import urldefrag, urlparse

# Links that change state or leave the page flow.
SKIP = re.compile(r"/logout|/lang/|/attachments/\d+/file$|\.pdf$|\.ics$|\.csv$|\.xlsx$|/static/|/bootstrap/|/api/")

# What a phone must not do: be wider than the screen, squeeze a table cell
# below three characters (a hospital name one character per line).
MEASURE = """() => {
  const width = window.innerWidth;
  const narrow = [];
  for (const cell of document.querySelectorAll('td, th')) {
    const text = cell.innerText.trim();
    if (!text || cell.offsetParent === null) continue;
    const em = parseFloat(getComputedStyle(cell).fontSize);
    const box = cell.getBoundingClientRect();
    const longest = Math.max(...text.split(/\\s+/).map(w => w.length));
    if (box.width < Math.min(3, longest) * em) narrow.push(text.slice(0, 30) + ' (' + Math.round(box.width) + 'px)');
  }
  return {scrollWidth: document.documentElement.scrollWidth, innerWidth: width, narrow: narrow};
}"""


def sign_in(page, base_url: str, username: str, password: str) -> None:
    """The login form as a person fills it, waiting until it lets them in."""
    page.goto(f"{base_url}/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)


def pattern(url: str) -> str:
    """/meetings/12/agenda → /meetings/#/agenda: pages of one kind."""
    parsed = urlparse(url)
    return re.sub(r"/\d+", "/#", parsed.path) + ("?" + re.sub(r"\d+", "#", parsed.query) if parsed.query else "")


def crawl(page, base_url: str, start: str = "/", per_kind: int = 1, limit: int = 80,
          many: dict[str, int] | None = None):
    """Yield (url, status) for each page reached from `start`, at most
    `per_kind` pages of each kind (`many` raises it for some kinds, e.g. a
    meeting's page in each state), `page` left on it for the caller to check."""
    many = {"/meetings/#": 4} if many is None else many
    seen_urls, kinds = set(), {}
    queue = deque([base_url + start])
    while queue and len(seen_urls) < limit:
        url = urldefrag(queue.popleft())[0]
        if url in seen_urls or SKIP.search(urlparse(url).path):
            continue
        kind = pattern(url)
        if kinds.get(kind, 0) >= many.get(kind, per_kind):
            continue
        seen_urls.add(url)
        response = page.goto(url, wait_until="domcontentloaded")
        if response is None or "text/html" not in (response.headers.get("content-type") or ""):
            continue
        if not page.url.startswith(base_url):
            continue
        kinds[kind] = kinds.get(kind, 0) + 1
        yield page.url, response.status
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
            if href.startswith(base_url):
                queue.append(href)
