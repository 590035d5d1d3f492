"""Demo step: highlight cases (亮点案例) — most published, one waiting for review, one returned with the
office's comment; one carries a small photo drawn here (a PNG made with zlib, no image library)."""
from __future__ import annotations

import datetime as dt
import struct
import zlib

from .. import rules
from ..models import HighlightCase

PENDING, PUBLISHED, RETURNED = rules.CASE_STATES

CASES = [
    ("gaj", PUBLISHED, 40, "公安局“首席服务员”上门办证，为重点项目员工集中办理居住证",
     "针对园区重点企业新招员工多、上班时间集中的情况，公安局首席服务员带领户政窗口工作人员走进企业，"
     "现场采集信息、集中受理居住证申请，7个工作日内统一送证上门。\n"
     "活动共为3家企业216名员工办理居住证，企业员工“零跑腿”。首席服务员对居住证签注等终审事项当场审核决定，"
     "审批环节由过去的三级签批压缩为一级。", True, ""),
    ("zrj", PUBLISHED, 75, "自然资源和规划局牵头“拿地即开工”联办，工业项目拿地当天领齐四证",
     "自然资源和规划局首席服务员作为牵头部门联络人，会同住建、发改等部门首席服务员提前介入，"
     "在土地挂牌期间同步开展规划方案审查、施工图审查和项目备案。\n"
     "某新材料项目在签订土地出让合同当天，一次性领取不动产权证书、建设用地规划许可证、建设工程规划许可证和"
     "建筑工程施工许可证，比原流程提前约60天开工。", False, ""),
    ("scj", PUBLISHED, 120, "市场监督管理局企业开办“一窗通办”，半个工作日办结",
     "市场监督管理局首席服务员对营业执照核发等事项实行终审，申请材料齐全的当场审核、当场发照，"
     "并联办理公章刻制、税务登记和社保登记。\n"
     "今年以来累计办理企业开办1300余件，平均用时压缩至半个工作日以内。", False, ""),
    ("zjj", PENDING, 6, "住房和城乡建设局推行施工许可“容缺受理”",
     "对非关键性材料暂缺的施工许可申请，由首席服务员审核后容缺受理，申请人书面承诺限期补齐，"
     "审批与补正同步进行。", False, ""),
    ("rsj", RETURNED, 12, "人社局就业补贴“免申即享”",
     "通过数据比对主动筛选符合条件的企业和个人，首席服务员审核后直接发放补贴。", False,
     "请补充具体成效数据（惠及企业和人数、发放金额、办理时限变化），并说明首席服务员在审核中的具体作用。"),
]


def demo_photo(width: int = 320, height: int = 200) -> bytes:
    """A small PNG: a service hall under a blue sky with a red banner, drawn pixel by pixel."""
    rows = []
    for y in range(height):
        row = bytearray([0])  # filter type 0 for every scan line
        for x in range(width):
            if 40 <= y < 70 and 60 <= x < 260:  # the red banner
                r, g, b = 179, 38, 30
            elif 70 <= y < 170 and 60 <= x < 260:  # the hall's front
                window = (x - 60) % 40 < 24 and (y - 80) % 30 < 18 and y < 160
                r, g, b = (120, 170, 220) if window else (235, 230, 220)
            elif y >= 170:  # the square in front of it
                r, g, b = 170, 170, 165
            else:  # sky, lighter towards the horizon
                t = y / 170
                r, g, b = int(90 + 120 * t), int(150 + 80 * t), 235
            row += bytes((r, g, b))
        rows.append(bytes(row))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
            + chunk(b"IEND", b""))


def seed(ctx) -> None:
    w = ctx.writer
    office = ctx.users.get("office")
    photo = demo_photo()
    for code, state, days_ago, title, body, with_photo, comment in CASES:
        dept = ctx.departments.get(code)
        if dept is None:  # a trimmed demo city without this department
            continue
        day = ctx.today - dt.timedelta(days=days_ago)
        submitted = dt.datetime.combine(day + dt.timedelta(days=3), dt.time(9, 30))
        reviewed = submitted + dt.timedelta(days=2) if state != PENDING else None
        w.create(HighlightCase, department=dept, title=title, body=body, case_date=day,
                 photo=photo if with_photo else None, photo_type="image/png" if with_photo else "",
                 state=state, review_comment=comment, submitted_at=submitted, submitted_by=ctx.users.get(code),
                 reviewed_at=reviewed, reviewed_by=office if reviewed else None)
