"""QR codes (二维码) for the window cards: the public address of a page, drawn as inline SVG.

The intranet host name is not always the one the public reaches, so every address printed or encoded here
is built on the public base URL: the office's setting ``public_base_url`` when it is filled in, otherwise
the deployment's ``PUBLIC_BASE_URL``, otherwise the host the request itself reached (behind
``TRUSTED_PROXIES``, the one the proxy was asked for) — right by default on any port and behind a proxy.
The path is the portal's own (``url_for``), so the base is the scheme and host — plus any prefix the
public proxy puts in front of the portal's paths.

segno draws the code as one ``<path>`` with presentation attributes (``stroke="#000"``), never a
``style`` attribute, so the SVG passes the strict CSP inline; its size comes from the stylesheet.
"""
from __future__ import annotations

import os
from urllib.parse import urlsplit

import segno
from flask import current_app, has_request_context, request, url_for
from markupsafe import Markup

from .models import Setting

LOOPBACK_HOSTS = ("localhost", "127.", "[::1]", "0.0.0.0")


def public_base_url() -> str:
    """The public base URL (门户公网地址) without a trailing slash: the office's setting, then the
    deployment's PUBLIC_BASE_URL, then the request's own scheme and host (ProxyFix has applied
    X-Forwarded-Host/-Proto from TRUSTED_PROXIES by then). Outside a request, the local address."""
    configured = (Setting.get_value("public_base_url") or "").strip()
    base = configured or (current_app.config.get("PUBLIC_BASE_URL") or "")
    if not base:
        base = request.host_url if has_request_context() else f"http://127.0.0.1:{os.environ.get('PORT', '5000')}"
    return base.rstrip("/")


def is_loopback(base: str) -> bool:
    """A base URL a phone cannot reach (本机地址): the QR codes built on it would not work."""
    host = urlsplit(base).netloc.rsplit("@", 1)[-1]
    return host.startswith(LOOPBACK_HOSTS)


def public_path(endpoint: str, **values) -> str:
    """The path of a public page."""
    return url_for(endpoint, **values)


def public_url(endpoint: str, base: str | None = None, **values) -> str:
    """The full public address of a public page (what a phone opens after scanning)."""
    return (public_base_url() if base is None else base) + public_path(endpoint, **values)


def officer_url(officer_id: int, base: str | None = None) -> str:
    """首席服务员公开页: the officer's items and the verification of the letter."""
    return public_url("public.officer", base, officer_id=officer_id)


def evaluate_url(department_code: str, base: str | None = None) -> str:
    """好差评: the evaluation form of the department."""
    return public_url("public.evaluate", base, code=department_code)


def make(data: str):
    """The QR symbol of a text (error correction M, raised when it costs no extra size)."""
    return segno.make_qr(data, error="m")


def svg(data: str, title: str, css_class: str = "qr-code") -> Markup:
    """An inline SVG of the QR code of `data`, with `title` as its accessible name.

    One unit per module and a viewBox: the stylesheet decides the printed size. The quiet zone of
    four modules stays, so that the code scans even when the card's border is dark."""
    code = make(data)
    return Markup(code.svg_inline(scale=1, border=4, omitsize=True, svgclass=css_class, lineclass=None,
                                  title=title))


def matrix(data: str) -> list[list[int]]:
    """The module matrix of the QR code of `data` (1 = dark), without the quiet zone."""
    return [[1 if cell else 0 for cell in row] for row in make(data).matrix]
