"""Demo step 1: the departments of demo_city.csv, their accounts and their items (附件1)."""
from __future__ import annotations

import csv
import os

from .. import rules, security
from ..models import Department, ServiceItem, User
from . import DEMO_PASSWORD

CSV_PATH = os.path.join(os.path.dirname(__file__), "demo_city.csv")

REASON_NOTES = {
    "涉密": "事项办理涉及国家秘密，依照保密规定由专人办理。",
    "涉及重大公共安全": "涉及重大公共安全，须经集体研究审批。",
    "涉及公民生命财产安全": "涉及公民生命财产安全，须经集体研究审批。",
    "其他": "省级尚未下放审批权限，待下放后纳入。",
}

SHORT_NAMES = {"咸宁市生态环境局赤壁分局": "生态环境分局"}


def read_rows() -> list[dict]:
    with open(CSV_PATH, encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def short_name(name: str) -> str:
    if name in SHORT_NAMES:
        return SHORT_NAMES[name]
    return name.removeprefix("赤壁市").removeprefix("中共赤壁市委")


def seed(ctx) -> None:
    w = ctx.writer
    rows = read_rows()
    # One hash for every demo account: scrypt is slow on purpose, and the password is the same.
    password_hash = security.hash_password(DEMO_PASSWORD)
    w.set_setting("system_start", f"{ctx.today.year - 2}-01-01")

    ctx.users["office"] = w.create(User, username="office", display_name="协调办 张敏", role=rules.ROLE_OFFICE,
                                   password_hash=password_hash)
    ctx.users["leader"] = w.create(User, username="leader", display_name="领导小组 刘建国", role=rules.ROLE_LEADER,
                                   password_hash=password_hash)
    seq_by_dept: dict[str, int] = {}
    for row in rows:
        code = row["department_code"]
        if code not in ctx.departments:
            dept = w.create(Department, code=code, name=row["department_name"], short_name=short_name(row["department_name"]),
                            several_officers=row["several_officers"] == "yes", sort_order=len(ctx.departments) + 1)
            ctx.departments[code] = dept
            ctx.users[code] = w.create(User, username=code, display_name=f"{dept.short_name}经办人", role=rules.ROLE_DEPARTMENT,
                                       department=dept, password_hash=password_hash)
        seq_by_dept[code] = seq_by_dept.get(code, 0) + 1
        inclusion = row["inclusion"]
        reason = row["reason"] or None
        n = seq_by_dept[code]
        w.create(
            ServiceItem, department=ctx.departments[code], seq=n, item_name=row["item_name"],
            sub_item_name=row["sub_item_name"], item_type=row["item_type"], inclusion=inclusion,
            reason=reason if inclusion == rules.EXCLUDED else None,
            reason_note=REASON_NOTES.get(reason or "", "") if inclusion == rules.EXCLUDED else "",
            # Most items are decided by the officer; every third one is reviewed first (初审).
            mode=(rules.FIRST if n % 3 == 0 else rules.FINAL) if inclusion == rules.INCLUDED else None,
            legal_days=20, promised_days=10 if n % 2 else 5, kind="承诺件",
            visits=1 if n % 4 else 0,
            materials="1. 申请书；\n2. 申请人身份证明；\n3. 相关证明材料。",
            location=f"赤壁市政务服务中心 {ctx.departments[code].short_name}窗口",
            code=f"4212810{len(ctx.departments):02d}{n:04d}",
        )
