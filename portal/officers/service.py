"""Authorisation letters (授权委托书): drafting from the officer's items, issuing, replacing, ending.

Every function that changes something takes the open audit writer `w`, so that a view wraps one user
action in one `with write() as w:` transaction. A letter is fixed once issued: nothing here changes an
issued letter except marking it 已替换 (a new letter replaced it) or 已终止 (the officer's term ended).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from peewee import fn

from .. import rules
from ..files import docs
from ..models import Letter, LetterItem, Officer, ServiceItem


class LetterError(Exception):
    """A letter action the rules refuse, with the Chinese message for the user."""

    def __init__(self, message: str, status: int = 409):
        super().__init__(message)
        self.message = message
        self.status = status


def assigned_items(officer_ids) -> dict[int, list[ServiceItem]]:
    """The 纳入 items (not retired) each officer holds now, in list order — one query for all officers."""
    ids = list(officer_ids)
    out: dict[int, list[ServiceItem]] = {i: [] for i in ids}
    if not ids:
        return out
    q = (ServiceItem.select().where(ServiceItem.officer.in_(ids) & (ServiceItem.inclusion == rules.INCLUDED)
                                    & (ServiceItem.retired == False))  # noqa: E712
         .order_by(ServiceItem.seq, ServiceItem.id))
    for item in q:
        out[item.officer_id].append(item)
    return out


def letter_rows(letter_ids) -> dict[int, list[LetterItem]]:
    """The items of each letter, section 一 before 二, in issued order — one query for all letters."""
    ids = list(letter_ids)
    out: dict[int, list[LetterItem]] = {i: [] for i in ids}
    if not ids:
        return out
    for row in LetterItem.select().where(LetterItem.letter.in_(ids)).order_by(LetterItem.seq, LetterItem.id):
        out[row.letter_id].append(row)
    return out


def _item_key(items) -> set[tuple]:
    return {(i.id, i.mode, i.label) for i in items if i.mode in rules.MODES}


def _row_key(rows) -> set[tuple]:
    return {(r.item_id, r.mode, r.label) for r in rows}


def matches(rows, items) -> bool:
    """True when a letter's items are exactly the officer's current items with the same modes and names."""
    return _row_key(rows) == _item_key(items)


@dataclass
class Changes:
    """How the officer's current items differ from a letter: added, removed, mode changed."""

    added: list
    removed: list
    changed: list

    @property
    def any(self) -> bool:
        return bool(self.added or self.removed or self.changed)


def changes(rows, items) -> Changes:
    """What changed since the letter was drawn up (事项变化), for the officer page."""
    by_item = {r.item_id: r for r in rows}
    current = {i.id: i for i in items if i.mode in rules.MODES}
    added = [i for k, i in current.items() if k not in by_item]
    removed = [r for k, r in by_item.items() if k not in current]
    changed = [(by_item[k], i) for k, i in current.items()
               if k in by_item and (by_item[k].mode != i.mode or by_item[k].label != i.label)]
    return Changes(added, removed, changed)


def sections(rows) -> tuple[list[str], list[str]]:
    """Section 一 (终审) and section 二 (初审) labels of a letter's rows."""
    return rules.letter_sections([(r.label, r.mode) for r in rows])


def content(letter: Letter, rows) -> "docs.LetterContent":
    """The printable content of a letter (print view and .docx)."""
    final, first = sections(rows)
    officer = letter.officer
    return docs.LetterContent(number=letter.number, department=letter.department.name, officer_name=officer.name,
                         position=officer.position, issue_date=letter.issue_date, final=final, first=first,
                         draft=letter.state == rules.LETTER_DRAFT)


def next_seq(year: int) -> int:
    """The next free 文号 sequence number of the year, city-wide."""
    return (Letter.select(fn.MAX(Letter.seq)).where(Letter.year == year).scalar() or 0) + 1


def _write_rows(w, letter: Letter, items) -> None:
    final = [i for i in items if i.mode == rules.FINAL]
    first = [i for i in items if i.mode == rules.FIRST]
    for n, item in enumerate(final + first, 1):
        w.create(LetterItem, letter=letter, item=item, mode=item.mode, label=item.label, seq=n)


def draft(w, officer: Officer, today: dt.date) -> Letter:
    """Draw up (or redraw) the officer's letter from their current items (生成授权委托书草稿).

    The draft takes the year's next 文号 at once, so that the printed draft can be read and checked
    with its number; one draft per officer, redrawn in place."""
    if officer.term_end is not None:
        raise LetterError(f"{officer.name}已离任，不能再为其生成授权委托书。")
    items = [i for i in assigned_items([officer.id])[officer.id] if i.mode in rules.MODES]
    if not items:
        raise LetterError(f"{officer.name}名下还没有纳入事项（终审或初审），请先在事项清单中为其指定事项。", 422)
    existing = Letter.get_or_none((Letter.officer == officer) & (Letter.state == rules.LETTER_DRAFT))
    in_force = Letter.in_force(officer)
    if existing is None and in_force is not None and matches(letter_rows([in_force.id])[in_force.id], items):
        raise LetterError(f"授权事项与现行授权委托书（{in_force.number}）一致，无需重新签发。", 422)
    if existing is not None:
        for row in letter_rows([existing.id])[existing.id]:
            w.delete(row)
        _write_rows(w, existing, items)
        return existing
    seq = next_seq(today.year)
    letter = w.create(Letter, number=rules.letter_number(today.year, seq), year=today.year, seq=seq,
                      department=officer.department_id, officer=officer, state=rules.LETTER_DRAFT)
    _write_rows(w, letter, items)
    return letter


def _only_draft(letter: Letter) -> None:
    if letter.state != rules.LETTER_DRAFT:
        raise LetterError(f"授权委托书 {letter.number} {letter.state}，内容不能再修改；"
                          "事项有变化时请生成新的授权委托书。", 409)


def check_issue_date(letter: Letter, issue_date: dt.date, today: dt.date) -> str | None:
    """Chinese error for a bad 签发日期, or None."""
    if issue_date > today:
        return "签发日期不能晚于今天。"
    if issue_date < letter.officer.term_start:
        return f"签发日期不能早于{letter.officer.name}的任期开始日期（{letter.officer.term_start.isoformat()}）。"
    in_force = Letter.in_force(letter.officer_id)
    if in_force is not None and in_force.issue_date and issue_date < in_force.issue_date:
        return f"签发日期不能早于现行授权委托书（{in_force.number}）的签发日期（{in_force.issue_date.isoformat()}）。"
    return None


def issue(w, letter: Letter, issue_date: dt.date, user, today: dt.date) -> Letter:
    """Issue a draft (签发): it becomes fixed, and replaces the officer's letter in force (已替换)."""
    _only_draft(letter)
    if letter.officer.term_end is not None:
        raise LetterError(f"{letter.officer.name}已离任，不能签发授权委托书。")
    rows = letter_rows([letter.id])[letter.id]
    items = assigned_items([letter.officer_id])[letter.officer_id]
    if not matches(rows, items):
        raise LetterError("草稿生成后事项已有变化，请先点击“按当前事项重新生成”，核对后再签发。", 409)
    problem = check_issue_date(letter, issue_date, today)
    if problem:
        raise LetterError(problem, 422)
    changes_ = {}
    if issue_date.year != letter.year:
        # The 文号 carries the year of issue: a draft carried over New Year takes the new year's number.
        seq = next_seq(issue_date.year)
        changes_ = dict(year=issue_date.year, seq=seq, number=rules.letter_number(issue_date.year, seq))
    old = Letter.in_force(letter.officer_id)
    if old is not None:
        w.update(old, action="replace", state=rules.LETTER_REPLACED, end_date=issue_date)
    return w.update(letter, action="issue", state=rules.LETTER_ISSUED, issue_date=issue_date, replaces=old,
                    issued_by=user, **changes_)


def reissue(w, officer: Officer, user, today: dt.date) -> Letter:
    """重新签发 in one step: a new letter from the officer's current items, issued today, replacing the one in
    force (the reminder's “授权委托书需重新签发”). Draft and issue are the same steps as by hand."""
    return issue(w, draft(w, officer, today), today, user, today)


def discard(w, letter: Letter) -> None:
    """Throw a draft away (作废草稿); the audit log keeps it."""
    _only_draft(letter)
    for row in letter_rows([letter.id])[letter.id]:
        w.delete(row)
    w.delete(letter, action="discard")


def end_for_officer(w, officer: Officer, last_day: dt.date) -> None:
    """The officer's term ended: the letter in force ends with it (已终止) and drafts are discarded."""
    for letter in Letter.select().where((Letter.officer == officer)
                                        & Letter.state.in_([rules.LETTER_ISSUED, rules.LETTER_DRAFT])):
        if letter.state == rules.LETTER_ISSUED:
            w.update(letter, action="end", state=rules.LETTER_ENDED, end_date=last_day)
        else:
            discard(w, letter)


def status_for(officers, today: dt.date) -> dict[int, dict]:
    """Letter status of each serving officer (已授权 / 未授权上岗 / 事项有变化) — three queries in all.

    Returns {officer id: {"letter": in-force letter or None, "draft": draft or None, "stale": bool,
    "items": current items, "final": n, "first": n}}."""
    ids = [o.id for o in officers]
    out = {i: {"letter": None, "draft": None, "stale": False, "items": [], "final": 0, "first": 0} for i in ids}
    if not ids:
        return out
    items = assigned_items(ids)
    letters = list(Letter.select().where(Letter.officer.in_(ids)
                                         & Letter.state.in_([rules.LETTER_ISSUED, rules.LETTER_DRAFT])))
    rows = letter_rows([l.id for l in letters if l.state == rules.LETTER_ISSUED])
    for letter in letters:
        out[letter.officer_id]["letter" if letter.state == rules.LETTER_ISSUED else "draft"] = letter
    for oid, entry in out.items():
        mine = items.get(oid, [])
        entry["items"] = mine
        entry["final"] = sum(1 for i in mine if i.mode == rules.FINAL)
        entry["first"] = sum(1 for i in mine if i.mode == rules.FIRST)
        if entry["letter"] is not None:
            entry["stale"] = not matches(rows[entry["letter"].id], mine)
    return out


def several_officers_problems(departments, wanted: dict[int, bool]) -> list[str]:
    """Why “允许多名” (rule 3) cannot be taken back from a department that has several serving officers now."""
    serving_counts = Officer.serving_counts()
    return [f"{d.name}现有{serving_counts[d.id]}名在任首席服务员，须先报送任期调整报告减至1名，才能取消“允许多名”。"
            for d in departments if d.several_officers and not wanted[d.id] and serving_counts.get(d.id, 0) > 1]
