"""WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi ...`, or `python wsgi.py` for `make run`."""
import logging
import os

from portal import create_app, snapshots

app = create_app()

# Served (by gunicorn, or `python wsgi.py` below), this process runs the daily snapshot job; loaded by
# the flask CLI (`flask --app wsgi db-upgrade`, `restore` …) it does not, so a command never writes one.
if os.environ.get("SERVER_SOFTWARE", "").startswith("gunicorn/"):
    snapshots.start_daily(app)

if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    port = int(os.environ.get("PORT", "5000"))
    snapshots.start_daily(app)
    print(f"首席服务员门户已启动: http://127.0.0.1:{port}")
    app.run(host="127.0.0.1", port=port, debug=False, threaded=True)
