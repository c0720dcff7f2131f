"""The roster's words: sheet kinds, headers, and the spellings of industries, scales and roles
seen in exported rosters."""

from collections.abc import Mapping
from enum import StrEnum

from models.enums import Industry, Role, Scale


class SheetKind(StrEnum):
    ENTERPRISES = "企业"
    PEOPLE = "人员"


ENTERPRISE_HEADERS = (
    "企业名称",
    "统一社会信用代码",
    "行业",
    "乡镇街道",
    "统计员",
    "统计员手机",
    "规模",
)
# Optional: the day the object entered the grid system, and the day it left it.
ENTERPRISE_DATE_HEADERS = ("纳入日期", "退出日期")
PEOPLE_HEADERS = ("姓名", "手机", "角色", "乡镇街道", "网格")
REQUIRED_HEADERS: Mapping[SheetKind, tuple[str, ...]] = {
    SheetKind.ENTERPRISES: ENTERPRISE_HEADERS,
    SheetKind.PEOPLE: ("姓名", "手机", "角色", "乡镇街道"),
}
HEADERS: Mapping[SheetKind, tuple[str, ...]] = {
    SheetKind.ENTERPRISES: ENTERPRISE_HEADERS + ENTERPRISE_DATE_HEADERS,
    SheetKind.PEOPLE: PEOPLE_HEADERS,
}

# Other spellings of our headers seen in exported rosters (keys after NFKC, no whitespace).
HEADER_ALIASES: Mapping[str, str] = {
    "单位名称": "企业名称",
    "企业(单位)名称": "企业名称",
    "调查对象名称": "企业名称",
    "社会信用代码": "统一社会信用代码",
    "信用代码": "统一社会信用代码",
    "所属行业": "行业",
    "行业类别": "行业",
    "乡镇(街道)": "乡镇街道",
    "所属乡镇街道": "乡镇街道",
    "所属乡镇(街道)": "乡镇街道",
    "统计员姓名": "统计员",
    "统计员手机号": "统计员手机",
    "统计员手机号码": "统计员手机",
    "企业规模": "规模",
    "手机号": "手机",
    "手机号码": "手机",
    "所属网格": "网格",
    "网格名称": "网格",
    "纳入时间": "纳入日期",
    "纳入网格日期": "纳入日期",
    "入格日期": "纳入日期",
    "退出时间": "退出日期",
    "退出网格日期": "退出日期",
}

# How people write an industry in practice, mapped to the policy's five kinds (keys after NFKC,
# no whitespace). 批发零售 and 住宿餐饮 are counted together as 贸易 in grid statistics.
INDUSTRY_ALIASES: Mapping[str, Industry] = {
    **{industry.value: industry for industry in Industry},
    "工业企业": Industry.INDUSTRY,
    "制造业": Industry.INDUSTRY,
    "批发零售": Industry.TRADE,
    "批发零售业": Industry.TRADE,
    "批发业": Industry.TRADE,
    "零售业": Industry.TRADE,
    "批零": Industry.TRADE,
    "批发和零售业": Industry.TRADE,
    "住宿餐饮": Industry.TRADE,
    "住宿餐饮业": Industry.TRADE,
    "住宿业": Industry.TRADE,
    "餐饮业": Industry.TRADE,
    "住宿和餐饮业": Industry.TRADE,
    "服务": Industry.SERVICE,
    "其他服务业": Industry.SERVICE,
    "建筑": Industry.CONSTRUCTION,
    "房地产业": Industry.REAL_ESTATE,
    "房地产开发": Industry.REAL_ESTATE,
}

# 规上 (industry), 限上 (trade) and 资质 (construction) enterprises are all kinds of 四上.
SCALE_ALIASES: Mapping[str, Scale] = {
    **{scale.value: scale for scale in Scale},
    "四上企业": Scale.ABOVE_SCALE,
    "规上": Scale.ABOVE_SCALE,
    "规上企业": Scale.ABOVE_SCALE,
    "规模以上": Scale.ABOVE_SCALE,
    "限上": Scale.ABOVE_SCALE,
    "限上企业": Scale.ABOVE_SCALE,
    "限额以上": Scale.ABOVE_SCALE,
    "资质以上": Scale.ABOVE_SCALE,
    "小升规": Scale.CULTIVATED,
    "小升规企业": Scale.CULTIVATED,
    "小升规培育企业": Scale.CULTIVATED,
    "培育": Scale.CULTIVATED,
    "培育企业": Scale.CULTIVATED,
}

ROLE_ALIASES: Mapping[str, Role] = {
    **{role.value: role for role in Role if role is not Role.MEMBER},
    "系统管理员": Role.ADMIN,
    "市级网格长": Role.CITY_HEAD,
    "乡镇网格长": Role.TOWN_HEAD,
    "分管领导": Role.TOWN_DEPUTY,
    "三级网格长": Role.GRID_HEAD,
    "三级副网格长": Role.GRID_DEPUTY,
    "指导员": Role.INSTRUCTOR,
}

ROLE_CHOICES = tuple(role.value for role in Role if role is not Role.MEMBER)
GRID_SEPARATOR = "·"
