"""The fixed wording of the authorisation letter (授权委托书, 附件2 of the city's plan).

The print view and the .docx both read these constants, so the two always say the same thing. Only the
department, the officer, the number, the date and the item lists of sections 一 and 二 vary.
"""
from __future__ import annotations

TITLE = "首席服务员授权委托书"

# {department} 委托单位全称, {name} 受托人姓名, {position} 工作单位（股室）及职位
INTRO = ("根据《赤壁市“首席服务员”实施方案》，为深化“放管服”改革、优化营商环境，实行“一人审批、一次办好”，"
         "{department}决定授权本单位{position}{name}同志为首席服务员，代表本单位行使以下审批服务职权：")

SECTION_FINAL = "一、对以下审批服务事项行使终审权（审查后直接作出审批决定）："
SECTION_FIRST = "二、对以下审批服务事项行使初审权（审查后经现场勘查或本单位其他人员审核，再作出审批决定）："
SECTION_EMPTY = "（无）"

DUTIES = (
    "三、代表本单位签署审批意见；",
    "四、代表本单位签署联合审批会签意见（一事联办）；",
    "五、代表本单位参加联合踏勘、联合评审、联合验收等工作；",
    "六、统筹协调本单位内部审批环节，督促承办人员在承诺时限内办结，为投资者和企业提供代办、上门等服务；",
    "七、办理本单位授权的其他审批服务事项。",
)

RESPONSIBILITY = ("受托人在上述授权范围内签署的审批意见和作出的审批决定，本单位予以认可，并承担相应的法律责任。"
                  "受托人应当依法依规、公正高效履行职责，对其在授权范围内的审批行为负责；超越授权范围或者违法违规审批的，"
                  "依法依规追究其责任。")

TERM = "本授权委托书自签发之日起生效，至被新的授权委托书替换或者受托人任期终止之日止。"

SIGN_DEPARTMENT = "委托单位（盖章）："
SIGN_LEADER = "法定代表人（签字）："
SIGN_OFFICER = "受托人（签字）："

DRAFT_MARK = "草稿（未签发，不具效力）"
