"""Demo step "logins": a stranger's guessing from outside last night (登录限制), as the office finds it in
the audit log — the waits it started for the account `leader`, for a user name that does not exist and
for its address — and as the leader is told at the next login. The attempts are those the login page
would have recorded; the entries are the ones security.record_failure writes."""
from __future__ import annotations

import datetime as dt

from .. import clock, security
from ..config import Default
from ..models import LoginAttempt

ADDRESS = "203.0.113.45"
GUESSES = (("admin", 14), ("leader", 6))  # 20 from one address: its own wait starts too


def seed(ctx) -> None:
    start = clock.now().replace(second=0) - dt.timedelta(hours=7)
    counts = {"account": {}, "address": 0}
    minute = 0
    for username, times in GUESSES:
        for _ in range(times):
            minute += 1
            at = start + dt.timedelta(minutes=minute)
            attempt = LoginAttempt.create(username=username, address=ADDRESS, success=False, at=at)
            counts["account"][username] = counts["account"].get(username, 0) + 1
            counts["address"] += 1
            for scope, failures, threshold in (
                    ("account", counts["account"][username], Default.LOGIN_MAX_FAILURES_PER_USER),
                    ("address", counts["address"], Default.LOGIN_MAX_FAILURES_PER_ADDRESS)):
                if failures != threshold:
                    continue
                user = ctx.users.get(username) if scope == "account" else None
                ctx.writer.log("login-lock", user if user is not None else attempt, None, {
                    "scope": security.SCOPE_LABELS[scope], "username": username, "address": ADDRESS,
                    "failures": failures, "wait_seconds": 1}, at=at)
