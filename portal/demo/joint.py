"""Demo step "joint" (一事联办): four joint matters of investors' projects — one finished with every
countersignature 同意 (after a 补正 round at 生态环境), one in progress with 住建 late, one with a 补正 request
outstanding, and one opened this week. Runs after "ledger": a lead's ledger investor whose name fits the
project is used, else the project's investor is entered once in the lead's ledger."""
from __future__ import annotations

from .. import rules
from ..models import Holiday, Investor, JointMatter, JointPart, JointRequest, Officer, ServiceItem

# (a 统一社会信用代码 without its check character, name, contact, phone) for a lead
# department that has no ledger investor yet.
FALLBACK_INVESTORS = [
    ("91421281MA4F2K3L5", "湖北赤壁纳川新材料科技有限公司", "周建华", "0715-5326618"),
    ("91421281MA4F3N6P8", "赤壁市羊楼洞茶文化产业发展有限公司", "黄晓玲", "13872159026"),
    ("91421281MA4F5Q1R2", "赤壁陆水湖康养旅游开发有限公司", "李志强", "0715-5238807"),
    ("91421281MA4F6T7U3", "湖北赤壁芯联电子科技有限公司", "陈思远", "18671538842"),
]

# Each matter: project, lead (code, item), parts (code, item, working days), opened (working days ago),
# visits, and what happened to each part (see _play).
MATTERS = [
    {
        "project": "赤壁市纳米新材料产业园项目", "keywords": ("新材料",), "lead": ("fgj", "企业投资项目备案", 3), "opened": 32, "visits": 1,
        "parts": [("zrj", "建设用地规划许可证核发", 10), ("zjj", "建筑工程施工许可证核发", 10), ("hbj", "环境影响报告书审批", 15)],
        "story": {"fgj": [("同意", 2, "项目已备案，同意联办。")],
                  "zrj": [("同意", 6, "符合控制性详细规划，同意核发建设用地规划许可证。")],
                  "hbj": [("补正", 5, "1. 环境影响报告书（报批稿）及电子版；\n2. 公众参与说明；\n3. 主要污染物总量指标来源说明。"),
                          ("收到", 9, ""), ("同意", 14, "报告书结论可信，同意项目建设。")],
                  "zjj": [("同意", 16, "施工图审查合格，同意核发施工许可证。")]},
        "notes": "市重点招商项目，实行专班推进。",
    },
    {
        "project": "赤壁市青砖茶文化产业园扩建项目", "keywords": ("茶",), "lead": ("fgj", "企业投资项目核准", 3), "opened": 12, "visits": 2,
        "parts": [("zrj", "建设工程规划许可证核发", 5), ("zjj", "建筑工程施工许可证核发", 5), ("hbj", "环境影响报告表审批", 15)],
        "story": {"fgj": [("同意", 1, "同意核准。")],
                  "zrj": [("同意", 4, "总平面图符合规划条件，同意。")]},
        "notes": "投资方第二次到窗口补交了核准申请报告，需提醒各部门一次性告知。",
    },
    {
        "project": "赤壁市陆水湖康养旅游综合体项目", "keywords": ("陆水湖", "康养"), "lead": ("zrj", "建设工程规划许可证核发", 10), "opened": 8, "visits": 1,
        "parts": [("fgj", "企业投资项目备案", 3), ("hbj", "环境影响报告表审批", 10), ("zjj", "建筑工程施工许可证核发", 10)],
        "story": {"fgj": [("同意", 2, "项目已备案。")],
                  "hbj": [("补正", 4, "1. 环境影响报告表（报批稿）；\n2. 污水排放去向及接管协议；\n3. 施工期生态保护措施说明。")]},
        "notes": "",
    },
    {
        "project": "赤壁市智能终端电子元器件项目", "keywords": ("电子",), "lead": ("fgj", "企业投资项目备案", 3), "opened": 1, "visits": 0,
        "parts": [("zrj", "建设用地规划许可证核发", 10), ("hbj", "建设项目环境影响登记表备案", 5)],
        "story": {},
        "notes": "",
    },
]


def _code(prefix17: str) -> str:
    total = sum(rules.CREDIT_CODE_CHARSET.index(ch) * w for ch, w in zip(prefix17, rules.CREDIT_CODE_WEIGHTS))
    return prefix17 + rules.CREDIT_CODE_CHARSET[(31 - total % 31) % 31]


def _item(dept, sub_item_name):
    items = list(ServiceItem.for_department(dept))
    return next((i for i in items if sub_item_name in (i.sub_item_name, i.item_name)), items[0] if items else None)


def _investor(ctx, lead, n, keywords):
    """The lead's ledger investor whose name fits the project, else the project's own investor, entered
    once in the lead's ledger."""
    for investor in Investor.select().where(Investor.department == lead).order_by(Investor.id):
        if any(k in investor.name for k in keywords):
            return investor
    prefix, name, contact, phone = FALLBACK_INVESTORS[n % len(FALLBACK_INVESTORS)]
    code = _code(prefix)
    same = Investor.get_or_none((Investor.department == lead) & (Investor.credit_code == code))
    return same or ctx.writer.create(Investor, department=lead, name=name, credit_code=code, contact=contact, phone=phone)


def seed(ctx) -> None:
    w, today = ctx.writer, ctx.today
    needed = {"fgj", "zrj", "zjj", "hbj"}
    if not needed <= set(ctx.departments):
        return
    holidays = Holiday.calendar()
    officers = {code: Officer.serving(ctx.departments[code]).order_by(Officer.id).first() for code in needed}
    for n, spec in enumerate(MATTERS):
        lead_code, lead_item_name, lead_days = spec["lead"]
        lead = ctx.departments[lead_code]
        opened = rules.add_working_days(today, -spec["opened"], *holidays)
        investor = _investor(ctx, lead, n, spec["keywords"])
        lead_item = _item(lead, lead_item_name)
        user = ctx.users.get(lead_code)
        matter = w.create(JointMatter, lead=lead, investor=investor, project=spec["project"], lead_item=lead_item,
                          lead_item_name=lead_item.label if lead_item else "",
                          opened_on=opened, visits=spec["visits"], notes=spec["notes"],
                          created_by=user.id if user else None)
        signed_days = []
        for code, item_name, days in [(lead_code, lead_item_name, lead_days)] + spec["parts"]:
            dept = ctx.departments[code]
            part_item = _item(dept, item_name)
            part = w.create(JointPart, joint=matter, department=dept, item=part_item, deadline_days=days,
                            item_name=part_item.label if part_item else "",
                            deadline=rules.add_working_days(opened, days, *holidays))
            officer = officers[code]
            for event, after, text in spec["story"].get(code, []):
                day = rules.add_working_days(opened, after, *holidays)
                if event == "收到":
                    request = JointRequest.get((JointRequest.part == part.id) & JointRequest.received_on.is_null())
                    w.update(request, received_on=day)
                    w.update(part, decision=None, opinion="", signed_on=None, officer=None,
                             deadline=rules.add_working_days(day, days, *holidays))
                elif event == rules.SIGN_SUPPLEMENT:
                    w.update(part, decision=event, missing=text, opinion="材料不齐，请一次性补正以下材料。", signed_on=day,
                             officer=officer)
                    w.create(JointRequest, part=part, asked_on=day, missing=text, opinion=part.opinion, officer=officer,
                             created_by=ctx.users[code].id if code in ctx.users else None)
                else:
                    w.update(part, decision=event, opinion=text, signed_on=day, officer=officer)
            if code == "zrj" and n == 2:
                w.update(part, internal_note="规划条件核实中，待现场踏勘。")
            signed_days.append((part.decision, part.signed_on))
        if signed_days and all(d == rules.SIGN_AGREE for d, _ in signed_days):
            w.update(matter, finished_on=max(day for _, day in signed_days))
