"""The demo city's forms, found by crawling its pages as a user would, so that a new form is covered
without editing a test (tests/test_fuzz_forms.py, tests/test_text_hygiene.py)."""
from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from tests.conftest import make_app

DEMO_PASSWORD = "chibi-demo-2026"
# Links that answer with a file, not a page: nothing to crawl behind them.
FILE_LINKS = ("export", "download", "docx", ".xlsx", ".csv", ".json", "feed", "photo")


class FormParser(HTMLParser):
    """The forms of a page, each with its fields' types and values as the page gives them, and the
    page's links."""

    def __init__(self):
        super().__init__()
        self.forms, self.links, self._form, self._textarea, self._select = [], [], None, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            method = (a.get("method") or ("post" if a.get("hx-post") else "get")).lower()
            self._form = {"action": a.get("hx-post") or a.get("action") or "", "method": method,
                          "values": {}, "types": {}, "hx": bool(a.get("hx-post"))}
            self.forms.append(self._form)
        elif tag == "option" and self._form is not None and self._select:
            values = self._form["values"]
            if "selected" in a or (self._select not in values and a.get("value", "") != ""):
                values[self._select] = a.get("value", "")
        elif self._form is None or not a.get("name"):
            return
        elif tag == "input":
            kind = (a.get("type") or "text").lower()
            self._form["types"].setdefault(a["name"], kind)
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._form["values"].setdefault(a["name"], a.get("value") or "on")
            elif kind not in ("submit", "button", "file", "image"):
                self._form["values"].setdefault(a["name"], a.get("value") or "")
        elif tag == "textarea":
            self._textarea = a["name"]
            self._form["values"].setdefault(a["name"], "")
            self._form["types"].setdefault(a["name"], "textarea")
        elif tag == "select":
            self._select = a["name"]
            self._form["types"].setdefault(a["name"], "select")

    def handle_data(self, data):
        if self._form is not None and self._textarea:
            self._form["values"][self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None


def post_forms(client, starts=("/",), depth=2, limit=60, skip_links=FILE_LINKS, one_page_per_path=False):
    """The POST forms of the same-site pages reachable from `starts` within `depth` links, at most
    `limit` pages: (page url, action url, form) each. With `one_page_per_path` the sort and filter
    variants of a list count as one page (they hold the same forms)."""
    seen, queue, found = set(), list(starts), []
    level = dict.fromkeys(starts, 0)
    paths = {urlsplit(start).path for start in starts}
    while queue and len(seen) < limit:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        parser = FormParser()
        parser.feed(response.get_data(as_text=True))
        found += [(url, urljoin(url, form["action"] or url), form) for form in parser.forms if form["method"] == "post"]
        if level[url] >= depth:
            continue
        for href in parser.links:
            parts = urlsplit(urljoin(url, href))
            if parts.netloc or not parts.path.startswith("/") or parts.path.startswith(("/static", "/logout")):
                continue
            if any(word in parts.path for word in skip_links) or (one_page_per_path and parts.path in paths):
                continue
            paths.add(parts.path)
            path = parts.path + ("?" + parts.query if parts.query else "")
            if path not in level:
                level[path] = level[url] + 1
                queue.append(path)
    return found


def demo_city(tmp_path_factory, name: str):
    """An app holding the demo city, as `make run` loads it."""
    app = make_app(tmp_path_factory.mktemp(name))
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    return app


def demo_client(app, username: str | None):
    """A client logged in as one of the demo city's accounts (None: the public)."""
    client = app.test_client()
    if username:
        response = client.post("/login", data={"username": username, "password": DEMO_PASSWORD})
        assert response.status_code == 302
    return client
