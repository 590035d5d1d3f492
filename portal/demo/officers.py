"""Demo step "officers": every department's chief service officers with their histories, the items
assigned to them, their authorisation letters and tenure-change reports.

The city is mostly but not entirely compliant: 民政局 changed its officer early (提前调整), 住建局 had a
twelve-day gap between two officers, 人社局's report came back from the office, 卫健局's report is
waiting and its new officer has no letter yet (未授权上岗), 自然资源和规划局's first letter was replaced
after an item change, and 公安局 has two officers. Dates are relative to today and the system's start.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from .. import rules
from ..models import Letter, LetterItem, Officer, ServiceItem, Setting, TenureReport

SURNAMES = "王李张刘陈杨黄赵周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯董程曹袁邓许沈曾彭吕苏卢蒋蔡魏叶余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
MALE = ("建华", "志强", "文军", "国庆", "海涛", "永红", "卫东", "俊杰", "晓峰", "立新", "明辉", "光荣", "家豪", "振宇",
        "德胜", "红兵", "春生", "宏伟", "小军", "新民", "学文", "国平", "剑锋", "长青")
FEMALE = ("丽娟", "海燕", "红梅", "秀英", "慧敏", "晓丽", "春燕", "雪梅", "玉兰", "丹丹", "静怡", "凤霞", "美玲", "桂芳",
          "艳萍", "小红")
POSITIONS = ("党组成员、副局长", "行政审批股股长", "政务服务股股长", "审批服务股股长", "法规股股长", "办公室主任")
SPECIAL_POSITIONS = {
    "gaj": ("行政审批科科长", "治安管理大队副大队长"),
    "sw": ("纳税服务股股长",),
    "xf": ("防火监督科科长",),
    "gd": ("客户服务中心主任",),
    "gjj": ("归集管理科科长",),
}
HANDOVER = ("原首席服务员在办事项{n}件已逐件移交接任人员，档案资料、审批系统账号及印章使用登记已同步交接，"
            "交接清单经分管领导签字确认。")


@dataclass
class Term:
    code: str
    start: dt.date
    end: dt.date | None = None
    letters: list = field(default_factory=list)  # issue dates; the last one is in force while serving
    officer: Officer | None = None


def _person(ctx, code: str, n: int) -> dict:
    rng = ctx.rng
    gender = "女" if rng.random() < 0.35 else "男"
    name = rng.choice(SURNAMES) + rng.choice(FEMALE if gender == "女" else MALE)
    age_days = rng.randint(33 * 365, 54 * 365)
    positions = SPECIAL_POSITIONS.get(code, POSITIONS)
    mobile_prefix = rng.choice(("133", "135", "137", "138", "139", "150", "151", "155", "158", "177", "180", "189"))
    return dict(name=name, gender=gender, birth_date=ctx.today - dt.timedelta(days=age_days),
                position=positions[n % len(positions)] if code in SPECIAL_POSITIONS else rng.choice(positions),
                work_phone=f"0715-5{rng.randint(100000, 999999)}",
                mobile=f"{mobile_prefix}{rng.randint(10000000, 99999999)}", note="")


def seed(ctx) -> None:
    if not ctx.departments:
        return
    w, today, rng = ctx.writer, ctx.today, ctx.rng
    since = Setting.system_start()
    day = dt.timedelta(days=1)
    office = ctx.users.get("office")

    # 1. The terms of every department.
    terms: dict[str, list[Term]] = {}
    for code in ctx.departments:
        terms[code] = [Term(code, since - dt.timedelta(days=rng.randint(20, 420)))]
    if "gaj" in terms:
        terms["gaj"].append(Term("gaj", since + dt.timedelta(days=45)))
    changes = {}  # code → (outgoing term, incoming term or None, effective date)
    if "mzj" in terms:  # early change; the successor's term reaches two years within the month
        eff = today - dt.timedelta(days=730 - 20)
        first = Term("mzj", min(eff - dt.timedelta(days=300), since - dt.timedelta(days=60)), eff - day)
        terms["mzj"] = [first, Term("mzj", eff)]
        changes["mzj"] = (first, terms["mzj"][1], eff)
    if "zjj" in terms:  # retirement, then twelve days without an officer
        eff = since + dt.timedelta(days=300)
        first = Term("zjj", since - dt.timedelta(days=500), eff - day)
        terms["zjj"] = [first, Term("zjj", eff + dt.timedelta(days=12))]
        changes["zjj"] = (first, None, eff)
    # 卫健局's change took effect 52 days ago but is reported only now: a 补报 with its explanation.
    for code, days_ago in (("rsj", 25), ("wjj", 52)):
        if code in terms:
            eff = today - dt.timedelta(days=days_ago)
            first = Term(code, since - dt.timedelta(days=rng.randint(150, 300)), eff - day)
            terms[code] = [first, Term(code, eff)]
            changes[code] = (first, terms[code][1], eff)

    # 2. Letters: each term gets one soon after it starts (or after the system starts); 卫健局's new
    #    officer has none yet; 自然资源和规划局 had a second one after an item change.
    for code, dept_terms in terms.items():
        for term in dept_terms:
            if code == "wjj" and term.end is None:
                continue
            issue = max(term.start, since) + dt.timedelta(days=rng.randint(2, 12))
            if term.end is not None:
                issue = min(issue, term.end)
            term.letters.append(min(issue, today))
    if "zrj" in terms:
        terms["zrj"][0].letters.append(today - dt.timedelta(days=90))

    # 3. The officers.
    for code, dept_terms in terms.items():
        dept = ctx.departments[code]
        for n, term in enumerate(dept_terms):
            person = _person(ctx, code, n)
            if n == 0 and code == "gaj":
                person["note"] = "负责治安、出入境类审批事项"
            if n == 1 and code == "gaj":
                person["note"] = "负责户政、交管类审批事项"
            term.officer = w.create(Officer, department=dept, term_start=term.start, term_end=term.end, **person)

    # 4. Items go to the serving officers (公安局 splits them between its two).
    items_by_dept: dict[int, list[ServiceItem]] = {}
    for item in (ServiceItem.select().where((ServiceItem.inclusion == rules.INCLUDED) & (ServiceItem.retired == False))  # noqa: E712
                 .order_by(ServiceItem.seq, ServiceItem.id)):
        items_by_dept.setdefault(item.department_id, []).append(item)
    held: dict[int, list[ServiceItem]] = {}  # officer id → items in each of their letters
    for code, dept_terms in terms.items():
        items = [i for i in items_by_dept.get(ctx.departments[code].id, []) if i.mode in rules.MODES]
        serving = [t for t in dept_terms if t.end is None]
        for t in dept_terms:
            share = [i for k, i in enumerate(items) if not serving or t not in serving
                     or k % len(serving) == serving.index(t)]
            held[t.officer.id] = share
        for k, item in enumerate(items):
            if serving:
                w.update(item, action="assign", officer=serving[k % len(serving)].officer)

    # 5. Letters in order of issue, numbered by year city-wide.
    events = []
    for code, dept_terms in terms.items():
        for term in dept_terms:
            for k, issued in enumerate(term.letters):
                events.append((issued, code, term, k))
    events.sort(key=lambda e: (e[0], e[1]))
    seq_by_year: dict[int, int] = {}
    previous: dict[int, Letter] = {}
    for issued, code, term, k in events:
        officer = term.officer
        seq_by_year[issued.year] = seq_by_year.get(issued.year, 0) + 1
        seq = seq_by_year[issued.year]
        last = k == len(term.letters) - 1
        if not last:
            state, end = rules.LETTER_REPLACED, term.letters[k + 1]
        elif term.end is not None:
            state, end = rules.LETTER_ENDED, term.end
        else:
            state, end = rules.LETTER_ISSUED, None
        letter = w.create(Letter, number=rules.letter_number(issued.year, seq), year=issued.year, seq=seq,
                          department=officer.department_id, officer=officer, state=state, issue_date=issued,
                          end_date=end, replaces=previous.get(officer.id), issued_by=ctx.users.get(code))
        items = held[officer.id]
        if code == "zrj" and not last and len(items) > 1:
            items = items[:-1]  # the last item was added to the officer later, hence the second letter
        final = [i for i in items if i.mode == rules.FINAL]
        first = [i for i in items if i.mode == rules.FIRST]
        for n, item in enumerate(final + first, 1):
            w.create(LetterItem, letter=letter, item=item, mode=item.mode, label=item.label, seq=n)
        previous[officer.id] = letter

    # 6. Tenure-change reports.
    texts = {
        "mzj": ("原首席服务员因工作需要调任市委组织部，经局党组会议研究决定提前调整。", rules.REPORT_ACKNOWLEDGED, ""),
        "zjj": ("原首席服务员到龄退休，接任人员正在考察，暂无接任人员。", rules.REPORT_ACKNOWLEDGED, ""),
        "rsj": ("原首席服务员任期届满，轮岗交流至就业服务中心。", rules.REPORT_RETURNED,
                "交接安排过于简略，请补充在办事项清单、档案资料及审批系统账号的移交情况后重新报送。"),
        "wjj": ("原首席服务员任期届满，调任医政医管股工作。", rules.REPORT_FILED, ""),
    }
    late_notes = {"wjj": "局党组任免文件10月中旬才印发，经办人员对“调整生效后及时报送”的要求理解有误，现予补报。"}
    for code, (outgoing, incoming, eff) in changes.items():
        reason, state, comment = texts[code]
        filed = dt.datetime.combine(eff, dt.time(9, 30)) + dt.timedelta(days=1 if eff < today else 0)
        if code in late_notes:
            filed = dt.datetime.combine(today - dt.timedelta(days=2), dt.time(16, 10))
        reviewed = filed + dt.timedelta(days=3) if state != rules.REPORT_FILED else None
        handover = HANDOVER.format(n=rng.randint(2, 9)) if code != "rsj" else "已交接。"
        w.create(TenureReport, department=ctx.departments[code], outgoing=outgoing.officer,
                 incoming=incoming.officer if incoming else None, effective_date=eff, reason=reason, handover=handover,
                 early=rules.is_early_change(outgoing.start, eff), state=state, filed_at=filed,
                 filed_by=ctx.users.get(code), reviewed_at=reviewed, reviewed_by=office if reviewed else None,
                 review_comment=comment, late_note=late_notes.get(code, ""),
                 days_backdated=rules.days_backdated(eff, filed.date()))
