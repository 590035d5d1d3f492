"""Demo step "ledger": the holiday list, about forty investors with valid 统一社会信用代码 and about two
hundred matters of the last months — most finished on time with at most one visit, some online, some
run for the investor (代办) or at their site (上门办), a few returned, some open and overdue."""
from __future__ import annotations

import datetime as dt

from .. import rules
from ..models import Holiday, Investor, Matter, Officer, ServiceItem, TenureReport

# 国务院办公厅 holiday arrangements: (day, is_workday, name); ranges are expanded below.
HOLIDAYS = {
    2025: [("2025-01-01", "2025-01-01", "元旦"), ("2025-01-28", "2025-02-04", "春节"), ("2025-04-04", "2025-04-06", "清明节"),
           ("2025-05-01", "2025-05-05", "劳动节"), ("2025-05-31", "2025-06-02", "端午节"), ("2025-10-01", "2025-10-08", "国庆节、中秋节")],
    2026: [("2026-01-01", "2026-01-03", "元旦"), ("2026-02-15", "2026-02-23", "春节"), ("2026-04-04", "2026-04-06", "清明节"),
           ("2026-05-01", "2026-05-05", "劳动节"), ("2026-06-19", "2026-06-21", "端午节"), ("2026-09-25", "2026-09-27", "中秋节"),
           ("2026-10-01", "2026-10-07", "国庆节")],
}
MAKE_UP_DAYS = {
    2025: [("2025-01-26", "春节调休上班"), ("2025-02-08", "春节调休上班"), ("2025-04-27", "劳动节调休上班"),
           ("2025-09-28", "国庆节调休上班"), ("2025-10-11", "国庆节调休上班")],
    2026: [("2026-01-04", "元旦调休上班"), ("2026-02-14", "春节调休上班"), ("2026-02-28", "春节调休上班"),
           ("2026-05-09", "劳动节调休上班"), ("2026-09-20", "国庆节调休上班"), ("2026-10-10", "国庆节调休上班")],
}

COMPANIES = [
    ("湖北赤壁赵李桥茶业有限公司", "年产3000吨青砖茶生产线技改项目"),
    ("湖北赤壁羊楼洞砖茶文化产业有限公司", "羊楼洞茶文化旅游综合体项目"),
    ("赤壁市蒲纺新材料科技有限公司", "功能性纺织新材料生产基地项目"),
    ("湖北赤壁长江港务有限公司", "赤壁港区综合码头二期工程"),
    ("湖北赤壁晨光光电科技有限公司", "光电显示模组生产线项目"),
    ("湖北赤壁华宇建材有限公司", "绿色装配式建材产业园项目"),
    ("赤壁市陆水湖旅游开发有限公司", "陆水湖景区游客服务中心改造项目"),
    ("湖北赤壁三国赤壁古战场文化旅游有限公司", "古战场景区夜游提升项目"),
    ("湖北赤壁高新电子有限公司", "智能终端电子元器件项目"),
    ("赤壁市金泉农业发展有限公司", "猕猴桃种植与冷链仓储项目"),
    ("湖北赤壁神山兴农科技有限公司", "楠竹精深加工项目"),
    ("湖北赤壁恒信医药有限公司", "医药物流配送中心项目"),
    ("赤壁市康宁养老服务有限公司", "医养结合养老服务中心项目"),
    ("湖北赤壁瑞祥食品有限公司", "休闲食品生产车间扩建项目"),
    ("湖北赤壁鑫达机械制造有限公司", "智能农机装备制造项目"),
    ("赤壁市城发置业有限公司", "城南片区安置房建设项目"),
    ("湖北赤壁中伙铺物流有限公司", "中伙铺商贸物流园项目"),
    ("湖北赤壁新能源发电有限公司", "分布式光伏发电项目"),
    ("赤壁市蒲圻酒业有限公司", "米酒酿造车间改造项目"),
    ("湖北赤壁银轮汽车零部件有限公司", "汽车热交换器生产线项目"),
    ("赤壁市官塘驿生态农业有限公司", "稻虾共作生态养殖基地项目"),
    ("湖北赤壁楚天纸业有限公司", "生活用纸生产线节能改造项目"),
    ("赤壁市车埠镇兴业商贸有限公司", "乡镇农贸市场改造项目"),
    ("湖北赤壁联创智能装备有限公司", "工业机器人集成应用项目"),
    ("赤壁市华康卫生材料有限公司", "医用敷料洁净车间项目"),
    ("湖北赤壁环宇再生资源有限公司", "废旧物资回收分拣中心项目"),
    ("赤壁市茶庵岭现代农业有限公司", "高标准茶园建设项目"),
    ("湖北赤壁天成混凝土有限公司", "预拌混凝土搅拌站搬迁项目"),
    ("赤壁市随阳山庄旅游有限公司", "乡村民宿集群建设项目"),
    ("湖北赤壁中南电力设备有限公司", "智能配电设备生产项目"),
    ("赤壁市鸿运客运有限公司", "城乡公交新能源车辆更新项目"),
    ("湖北赤壁丰源水务有限公司", "城东污水处理厂提标改造项目"),
    ("赤壁市佳禾粮油有限公司", "粮食烘干仓储中心项目"),
    ("湖北赤壁博远教育科技有限公司", "职业技能培训基地项目"),
    ("赤壁市新店古镇文旅有限公司", "新店古镇街区保护利用项目"),
    ("湖北赤壁凯瑞化工有限公司", "精细化工中间体技改项目"),
    ("赤壁市柳山湖生态渔业有限公司", "生态渔业养殖基地项目"),
    ("湖北赤壁永泰纺织有限公司", "高档面料织造车间项目"),
    ("赤壁市泉都商业管理有限公司", "城市商业综合体项目"),
    ("湖北赤壁和美家居有限公司", "定制家居生产基地项目"),
]
CONTACTS = ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "黄勇", "周敏", "吴强", "徐丽", "孙杰", "胡军", "朱燕",
            "高峰", "林涛", "何平", "郭婷", "马超", "罗刚", "梁红"]
NOTES = {
    "代办": ["首席服务员全程代办，申请人未到现场。", "企业委托代办，材料由首席服务员收取并送审。"],
    "上门办": ["首席服务员上门收件并现场核查。", "上门服务，现场指导填报。"],
    "网上办": ["湖北政务服务网在线申请，全程网办。", "网上申请，电子证照送达。"],
    "窗口办": ["", "", "", "材料齐全，当场受理。", "容缺受理，承诺后补材料。"],
}
ORG_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def _org_code(rng) -> str:
    """A 9-character 组织机构代码 (GB 11714) with its own check character, as in real credit codes."""
    body = "MA4" + "".join(rng.choice(ORG_CHARS[:10] + "ABCDEFGHJKLMNPQRTUWXY") for _ in range(5))
    total = sum((int(ch) if ch.isdigit() else ord(ch) - 55) * w for ch, w in zip(body, ORG_WEIGHTS))
    check = 11 - total % 11
    return body + ("X" if check == 10 else "0" if check == 11 else str(check))


def credit_code(rng, registry: str = "91", division: str = "421281") -> str:
    """A 统一社会信用代码 of a Chibi company with a correct check character (rules' charset and weights)."""
    code17 = registry + division + _org_code(rng)
    total = sum(rules.CREDIT_CODE_CHARSET.index(ch) * w for ch, w in zip(code17, rules.CREDIT_CODE_WEIGHTS))
    return code17 + rules.CREDIT_CODE_CHARSET[(31 - total % 31) % 31]


def seed_holidays(ctx) -> None:
    """The holiday list for the years the demo's dates fall in (the office keeps it up to date)."""
    w = ctx.writer
    existing = {d for (d,) in Holiday.select(Holiday.day).tuples()}
    for year, spans in HOLIDAYS.items():
        for start, end, name in spans:
            day, last = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
            while day <= last:
                if day not in existing:
                    w.create(Holiday, day=day, is_workday=False, name=name)
                day += dt.timedelta(days=1)
        for day, name in MAKE_UP_DAYS[year]:
            if dt.date.fromisoformat(day) not in existing:
                w.create(Holiday, day=dt.date.fromisoformat(day), is_workday=True, name=name)


def _working_day_before(today, days_back, calendar) -> dt.date:
    return rules.add_working_days(today, -days_back, *calendar)


def seed(ctx) -> None:
    w, rng, today = ctx.writer, ctx.rng, ctx.today
    seed_holidays(ctx)
    calendar = Holiday.calendar()
    departments = [d for d in ctx.departments.values()]
    if not departments:
        return
    items_by_dept: dict[int, list] = {}
    for item in ServiceItem.select().where(ServiceItem.retired == False).order_by(ServiceItem.seq):  # noqa: E712
        items_by_dept.setdefault(item.department_id, []).append(item)
    officers_by_dept: dict[int, list] = {}
    for officer in Officer.select().order_by(Officer.term_start):
        officers_by_dept.setdefault(officer.department_id, []).append(officer)

    # Departments with more items see more investors: weight by item count.
    pool = [d for d in departments if items_by_dept.get(d.id)]
    weights = [len(items_by_dept[d.id]) for d in pool]
    investors = []
    for name, project in COMPANIES:
        dept = rng.choices(pool, weights)[0]
        investor = w.create(Investor, department=dept, name=name, credit_code=credit_code(rng),
                            contact=rng.choice(CONTACTS), phone=f"0715-5{rng.randint(100000, 999999)}")
        investors.append((investor, dept, project))
    ctx.extra["investors"] = [i for i, _, _ in investors]

    matters = []
    for n in range(200):
        investor, dept, project = investors[n % len(investors)] if n < len(investors) else rng.choice(investors)
        items = items_by_dept[dept.id]
        included = [i for i in items if i.inclusion == rules.INCLUDED] or items
        item = rng.choice(included)
        received = _working_day_before(today, rng.randint(0, 125), calendar)
        limit = item.promised_days if item.promised_days is not None else 10
        promised = rules.add_working_days(received, limit, *calendar)
        handling = rng.choices(rules.HANDLINGS, (55, 25, 12, 8))[0]
        visits = 0 if handling != "窗口办" else rng.choices((1, 2, 3), (86, 11, 3))[0]
        serving = [o for o in officers_by_dept.get(dept.id, [])
                   if o.term_start <= received and (o.term_end is None or o.term_end >= received)]
        officer = rng.choice(serving) if serving else None
        roll = rng.random()
        if promised < today:
            if roll < 0.03:
                status, completed = rules.MATTER_RETURNED, rules.add_working_days(received, rng.randint(1, 3), *calendar)
            elif roll < 0.08:
                status, completed = rng.choice((rules.MATTER_IN_PROGRESS, rules.MATTER_RECEIVED)), None
            elif roll < 0.14:  # finished, but after the promised date
                status, completed = rules.MATTER_DONE, min(today, rules.add_working_days(promised, rng.randint(1, 4), *calendar))
            else:
                status, completed = rules.MATTER_DONE, rules.add_working_days(received, rng.randint(0, max(limit, 1)), *calendar)
                completed = min(completed, promised)
        else:
            if roll < 0.35:
                status = rules.MATTER_DONE
                completed = min(today, rules.add_working_days(received, rng.randint(0, 3), *calendar))
            else:
                status, completed = rng.choice((rules.MATTER_RECEIVED, rules.MATTER_IN_PROGRESS)), None
        note = rng.choice(NOTES[handling])
        if status == rules.MATTER_RETURNED:
            note = "申请材料不符合法定形式，已退回并一次性告知需补正的材料。"
        elif status in rules.MATTER_OPEN_STATES and promised < today:
            note = "等待企业补充材料。" if rng.random() < 0.5 else "需现场核查，尚在办理。"
        phase = rng.choice(("", "", "（一期）", "（二期）", "配套"))
        matters.append(w.create(
            Matter,
            department=dept, investor=investor, project=f"{project}{phase}", item=item,
            item_name=_name_then(ctx, item, received), officer=officer,
            received_date=received, promised_date=promised, status=status, completed_date=completed,
            visits=visits, handling=handling, notes=note,
        ))
    matters.extend(_recorded_under_the_outgoing_officer(w, ctx, items_by_dept, today))
    ctx.extra["matters"] = matters


def _name_then(ctx, item, received: dt.date) -> str:
    """The item's name on the day the matter was received: before the demo's rename, the old one."""
    old, renamed_on = ctx.extra.get("renamed_items", {}).get(item.id, (None, None))
    return old if old and received < renamed_on else item.label


def _recorded_under_the_outgoing_officer(w, ctx, items_by_dept, today: dt.date) -> list:
    """卫健局's 补报: while its change was not yet reported, the window kept recording matters under the
    outgoing officer's name — the report and the office's review page list them."""
    report = (TenureReport.select().where(TenureReport.days_backdated > rules.BACKDATE_DAYS)
              .order_by(TenureReport.id).first())
    if report is None or not items_by_dept.get(report.department_id):
        return []
    investor = w.create(Investor, department=report.department_id, name="赤壁市康宁医疗投资有限公司",
                        credit_code="91421281MA49KN3R7D", contact="刘女士", phone="0715-5236618")
    item = items_by_dept[report.department_id][0]
    out = []
    for days, project, status in ((12, "康宁民营医院设置审批", rules.MATTER_DONE), (30, "康宁体检中心执业登记", rules.MATTER_IN_PROGRESS)):
        received = report.effective_date + dt.timedelta(days=days)
        out.append(w.create(
            Matter, department=report.department_id, investor=investor, project=project, item=item,
            item_name=item.label,
            officer=report.outgoing_id, received_date=received, promised_date=received + dt.timedelta(days=14),
            status=status, completed_date=received + dt.timedelta(days=9) if status == rules.MATTER_DONE else None,
            visits=1, handling="窗口办", notes="调整未及时报送期间，仍登记在原首席服务员名下。"))
    return out
