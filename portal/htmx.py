"""Everything about htmx requests lives here: page or fragment, Vary, HX-Redirect. No other module
reads htmx headers."""
from __future__ import annotations

from flask import flash, make_response, render_template, request, url_for
from htmx_flask import Htmx

htmx_ext = Htmx()
VARY = "HX-Request"  # every page that answers htmx with a fragment varies on it


def wants_fragment() -> bool:
    """True for an htmx request that swaps part of a page.

    A history restore (the back button after a cache miss) and a boosted navigation need the whole
    page, or the browser would show a bare fragment.
    """
    h = request.htmx
    return bool(h) and not h.history_restore_request and not h.boosted


def is_htmx() -> bool:
    return bool(request.htmx)


# The same two questions asked of a bare WSGI environ, for the dashboard-poll shortcut (poll.py) that
# answers before Flask builds a request: the headers are read here, as htmx-flask reads them above.


def _environ_flag(environ, header: str) -> bool:
    """An htmx boolean header read as htmx-flask reads it (absent is false, case does not matter)."""
    return environ.get("HTTP_" + header.upper().replace("-", "_"), "false").lower() == "true"


def environ_is_htmx(environ) -> bool:
    """is_htmx() before Flask: the request carries HX-Request: true."""
    return _environ_flag(environ, "HX-Request")


def environ_wants_fragment(environ) -> bool:
    """wants_fragment() before Flask: an htmx request that is neither a history restore nor boosted."""
    return (environ_is_htmx(environ) and not _environ_flag(environ, "HX-History-Restore-Request")
            and not _environ_flag(environ, "HX-Boosted"))


def render(page_template: str, fragment: str | None = None, status: int = 200, /, **context):
    """Render the page, or only its fragment for an htmx request; the page includes the fragment.

    The template arguments are positional-only so that a context variable may be called `page`."""
    template = fragment if (fragment and wants_fragment()) else page_template
    response = make_response(render_template(template, **context), status)
    response.vary.add(VARY)
    return response


def redirect_to(location: str, status: int = 303):
    """Redirect a normal request; tell htmx to navigate instead of swapping the target page in."""
    if is_htmx():
        response = make_response("", 204)
        response.headers["HX-Redirect"] = location
        return response
    response = make_response("", status)
    response.headers["Location"] = location
    return response


def flash_redirect(message: str, category: str, endpoint: str, **values):
    """The end of a form post: say what happened (flash) and go to the page that shows it."""
    flash(message, category)
    return redirect_to(url_for(endpoint, **values))


def login_redirect():
    """Where an expired session goes: a real redirect, or HX-Redirect so htmx does not swap the
    login page into a table cell."""
    return redirect_to(url_for("auth.login", next=request.full_path if request.method == "GET" else None), 302)


def trigger(response, event: str):
    """Ask htmx to fire an event on the page (e.g. to refresh the counts after a row changed)."""
    existing = response.headers.get("HX-Trigger")
    response.headers["HX-Trigger"] = f"{existing}, {event}" if existing else event
    return response


def oob_messages(messages) -> str:
    """#messages (base.html) as an out-of-band swap, for a fragment that has something to say."""
    return render_template("_oob_messages.html", messages=messages)


def init_app(app) -> None:
    htmx_ext.init_app(app)

    @app.after_request
    def _vary(response):
        if response.mimetype == "text/html":
            response.vary.add(VARY)
        return response
