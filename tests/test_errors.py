"""Errors are logged with their trace and never shown to users: a friendly Chinese page instead."""
from __future__ import annotations

import logging


def test_unexpected_error_gives_a_friendly_page_and_a_logged_trace(app, caplog):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def boom():
        raise RuntimeError("secret internal detail")

    app.add_url_rule("/boom", "boom", boom)
    with caplog.at_level(logging.ERROR):
        response = app.test_client().get("/boom")
    html = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "系统出错" in html and "secret internal detail" not in html and "Traceback" not in html
    assert any("secret internal detail" in (r.exc_text or "") or r.exc_info for r in caplog.records)


def test_unknown_page_is_a_chinese_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404 and "页面不存在" in response.get_data(as_text=True)


def test_request_log_line_has_user_route_status_and_time(login, caplog):
    client = login("gaj")
    with caplog.at_level(logging.INFO, logger="portal.request"):
        client.get("/")
    lines = [r.getMessage() for r in caplog.records if r.name == "portal.request"]
    assert any("GET / 200 user=gaj" in line and "endpoint=dashboard.home" in line and "ms" in line for line in lines)
