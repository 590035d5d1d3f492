"""Demo step: item lists (清单) in every state.

Most departments submitted before the deadline (10 August of this year) and were approved and published.
The exceptions each show one thing the office has to see:

- 教育局 (jyj): submitted on time, returned — its 待定 item must be decided (the department's to-do); a
  returned list is not the list, so until it comes again 教育局 is late, by the days so far (逾期报送);
- 市场监督管理局 (scj): submitted after the deadline, approved (逾期报送);
- 农业农村局 (nyj): submitted late, waiting for review now (the office's to-do);
- 国网赤壁市供电公司 (gd): never submitted (late, a 待定 item still undecided);
- 公安局 (gaj): approved, then adjusted (动态调整: an item added, one dropped, one changed, one renamed),
  resubmitted and approved again — two versions with a difference to compare, where the rename of
  户口迁入（投靠） shows as one 修改 with its old and new name (the comparison matches items by identity).

Officers come from the officers step when it ran (read from the database); without them 纳入 items are
simply 未指定.
"""
from __future__ import annotations

import datetime as dt

from .. import rules
from ..items import service
from ..models import Officer, ServiceItem

RETURNED, LATE, WAITING, NEVER, ADJUSTED = "jyj", "scj", "nyj", "gd", "gaj"
RETURN_COMMENT = ("“对在教育工作中做出突出贡献的集体和个人的奖励”仍为待定，请明确是否纳入首席服务员审批服务清单"
                  "（不纳入的须写明原因）后重新报送。")


def _at(day: dt.date, rng) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(rng.randint(8, 11), rng.randint(0, 59)))


def _deadline(ctx) -> dt.date:
    """10 August of the demo year; moved earlier when the demo runs before the story can have happened."""
    deadline = rules.default_deadline(ctx.today.year)
    if ctx.today < deadline + dt.timedelta(days=75):
        deadline = ctx.today - dt.timedelta(days=75)
        ctx.writer.set_setting(f"list_deadline_{deadline.year}", deadline.isoformat())
    return deadline


def seed(ctx) -> None:
    w = ctx.writer
    office = ctx.users.get("office")
    deadline = _deadline(ctx)
    rng = ctx.rng

    def submit(code, day):
        return service.submit(w, ctx.departments[code], ctx.users.get(code), _at(day, rng))

    def approve(item_list, day):
        return service.approve(w, item_list, office, _at(day, rng) + dt.timedelta(hours=5))

    for code, dept in ctx.departments.items():
        if code in (NEVER, ADJUSTED):
            continue
        if code == RETURNED:
            first = submit(code, deadline - dt.timedelta(days=4))
            service.return_list(w, first, office, RETURN_COMMENT, _at(deadline - dt.timedelta(days=1), rng))
        elif code == LATE:
            approve(submit(code, deadline + dt.timedelta(days=8)), deadline + dt.timedelta(days=12))
        elif code == WAITING:
            submit(code, ctx.today - dt.timedelta(days=2))
        else:
            submitted = deadline - dt.timedelta(days=rng.randint(1, 20))
            approve(submit(code, submitted), submitted + dt.timedelta(days=rng.randint(2, 6)))

    if ADJUSTED in ctx.departments:
        _adjusted(ctx, deadline, submit, approve)


def _adjusted(ctx, deadline, submit, approve) -> None:
    """公安局: version 1 approved before the deadline; in October the list is adjusted and approved again."""
    w, dept = ctx.writer, ctx.departments[ADJUSTED]
    first_day = deadline - dt.timedelta(days=13)
    approve(submit(ADJUSTED, first_day), first_day + dt.timedelta(days=6))

    adjust_day = min(ctx.today - dt.timedelta(days=30), deadline + dt.timedelta(days=66))
    at = dt.datetime.combine(adjust_day, dt.time(10, 0))
    officer = Officer.serving(dept).order_by(Officer.term_start).first()
    items = {i.sub_item_name: i for i in ServiceItem.for_department(dept)}
    service.create_item(w, dept, {
        "item_name": "互联网上网服务营业场所信息网络安全审核", "sub_item_name": "互联网上网服务营业场所信息网络安全审核",
        "item_type": "行政许可", "inclusion": rules.INCLUDED, "officer": officer.id if officer else None,
        "mode": rules.FIRST, "legal_days": 20, "promised_days": 10, "kind": "承诺件", "visits": 1,
        "materials": "1. 申请书；\n2. 营业场所产权证明或租赁合同；\n3. 网络安全管理制度和技术措施说明。",
        "location": "赤壁市政务服务中心 公安局窗口", "code": "421281010011",
    }, at)
    if "禁毒宣传" in items:  # not an on-application item: taken out of the list on review
        service.set_retired(w, items["禁毒宣传"], True, at)
    if "机动车注册登记" in items:  # the promised time limit was shortened
        service.update_item(w, items["机动车注册登记"], {"promised_days": 3, "kind": "承诺件"}, at)
    if "户口迁入（投靠）" in items:  # renamed as the provincial list words it: one 修改, not 删除 + 新增
        renamed = items["户口迁入（投靠）"]
        # Ledger matters recorded before the rename keep the old name (the ledger step reads this).
        ctx.extra["renamed_items"] = {renamed.id: (renamed.label, adjust_day)}
        service.update_item(w, renamed, {"sub_item_name": "户口迁入（投靠亲属）"}, at)
    if "公务用枪持枪证件核发" in items:
        service.update_item(w, items["公务用枪持枪证件核发"], {
            "reason_note": "涉及枪支管理，属重大公共安全事项，须经局党委集体研究审批。"}, at)
    second_day = adjust_day + dt.timedelta(days=3)
    approve(submit(ADJUSTED, second_day), second_day + dt.timedelta(days=4))
