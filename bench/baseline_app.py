"""The baselines served under the same gunicorn as the portal: a Flask hello-world route, and a plain
Jinja page of a given HTML size that runs no query (`/plain?size=<bytes>`), so that a portal page can be
compared with the cost of producing the same number of bytes through Flask and Jinja alone."""
from __future__ import annotations

from flask import Flask, render_template_string, request

app = Flask(__name__)

PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>基准页面</title></head>
<body><main><h1>基准页面</h1>
<table><thead><tr><th>序号</th><th>名称</th><th>类型</th><th>状态</th><th>数量</th></tr></thead><tbody>
{% for row in rows %}<tr><td>{{ row.n }}</td><td>{{ row.name }}</td><td>{{ row.kind }}</td><td>{{ row.state }}</td><td>{{ row.count }}</td></tr>
{% endfor %}</tbody></table>
</main></body></html>
"""


def _rows(n: int) -> list[dict]:
    return [{"n": i, "name": f"政务服务事项名称{i}", "kind": "行政许可", "state": "纳入", "count": i * 7}
            for i in range(n)]


with app.app_context():  # what one row weighs, measured once, so that ?size= is met within a few per cent
    _EMPTY = len(render_template_string(PAGE, rows=[]).encode())
    ROW_BYTES = (len(render_template_string(PAGE, rows=_rows(1000)).encode()) - _EMPTY) / 1000


@app.route("/healthz")
def healthz():
    return "ok"


@app.route("/hello")
def hello():
    return "Hello, World!"


@app.route("/plain")
def plain():
    size = min(int(request.args.get("size", "20000")), 20_000_000)
    return render_template_string(PAGE, rows=_rows(max(1, round((size - _EMPTY) / ROW_BYTES))))
