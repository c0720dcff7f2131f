"""Synthetic but realistic 乐清 rosters for the demo, the benchmark and tests, plus a way to plant
known bad rows in one."""

import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl

from models.enums import Industry, Role, Scale
from services.roster_import.vocabulary import ENTERPRISE_HEADERS, PEOPLE_HEADERS, SheetKind

# Real towns and streets of 乐清, roughly from the most enterprises to the fewest.
LEQING_TOWNS = (
    "柳市镇",
    "北白象镇",
    "虹桥镇",
    "乐成街道",
    "城东街道",
    "城南街道",
    "盐盆街道",
    "翁垟街道",
    "白石街道",
    "石帆街道",
    "天成街道",
    "淡溪镇",
    "清江镇",
    "芙蓉镇",
    "雁荡镇",
    "大荆镇",
    "仙溪镇",
    "湖雾镇",
    "南塘镇",
    "南岳镇",
    "雁芙乡",
    "岭底乡",
    "智仁乡",
    "龙西乡",
)

# GB 32100-2015: 18 characters, the last a check character over this 31-character alphabet.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# 9 = registered with market regulation, 1 = enterprise; 330382 = 乐清市.
_USCC_PREFIX = "91330382"

# 乐清 is an electrical-equipment city: industry dominates and the rest is thin in every town.
_INDUSTRY_MIX = {
    Industry.INDUSTRY: 62,
    Industry.TRADE: 16,
    Industry.SERVICE: 10,
    Industry.CONSTRUCTION: 7,
    Industry.REAL_ESTATE: 5,
}
_TRADES = {
    Industry.INDUSTRY: (
        "电气",
        "电器",
        "开关",
        "仪表",
        "电子",
        "机械",
        "五金",
        "模具",
        "线缆",
        "阀门",
        "智能电气",
        "连接器",
        "紧固件",
        "汽摩配件",
        "新能源科技",
    ),
    Industry.TRADE: ("贸易", "商贸", "百货", "超市", "电器销售", "餐饮管理", "酒店", "供应链"),
    Industry.SERVICE: ("物流", "信息技术", "企业管理咨询", "物业服务", "检测技术", "人力资源"),
    Industry.CONSTRUCTION: ("建设", "建筑工程", "安装工程", "装饰工程", "市政工程"),
    Industry.REAL_ESTATE: ("置业", "房地产开发", "房地产"),
}
_WORD_HEADS = "华宏金永瑞天正德恒鼎盛兴泰长东新明国中广聚万佳信力达富美安凯"
_WORD_TAILS = "光远鼎盛丰虹泰力达兴宇通源邦特能信诚升顺祥和益隆昌辉海博创科"
_PLACES = ("乐清市", "浙江", "温州", "乐清")
_SURNAMES = "王陈张李林黄周吴徐郑刘杨赵朱胡金叶潘孙何郭钱施卢蔡董谢方倪虞包翁高章余项"
_GIVEN = (
    "建国伟芳丽敏静强磊军洋勇艳杰娟涛明超秀霞平刚英华海燕晓雪亮鹏宇浩佳俊婷斌辉凯琳慧丹旭晨阳波峰"
)
_MOBILE_PREFIXES = (
    *(f"13{d}" for d in range(10)),
    "150",
    "151",
    "152",
    "153",
    "155",
    "156",
    "157",
    "158",
    "159",
    "166",
    "177",
    "180",
    "181",
    "182",
    "183",
    "185",
    "186",
    "187",
    "188",
    "189",
    "199",
)
# The policy's grid holds about 20 survey objects.
_GRID_SIZE = 20


def uscc_check_character(first17: str) -> str:
    """The GB 32100-2015 check character for the first 17 characters of a USCC."""
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def demo_town_names(count: int) -> list[str]:
    """`count` distinct town names: 乐清's own, then the same again with a number (柳市镇2)."""
    cycle = len(LEQING_TOWNS)
    return [
        LEQING_TOWNS[i % cycle] + (str(i // cycle + 1) if i >= cycle else "") for i in range(count)
    ]


@dataclass(frozen=True)
class DemoPerson:
    name: str
    mobile: str
    # Role values as users read them; 网格员 for a statistician.
    roles: list[str]
    town: str | None


@dataclass(frozen=True)
class DemoRoster:
    path: Path
    towns: list[str]
    enterprise_count: int
    people: list[DemoPerson]


@dataclass
class _Person:
    name: str
    mobile: str
    town: str | None
    roles: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Enterprise:
    name: str
    uscc: str
    industry: Industry
    town: str
    statistician: _Person
    scale: Scale


class _Generator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self._names: set[str] = set()
        self._mobiles: set[str] = set()
        self._usccs: set[str] = set()
        self._enterprise_names: set[str] = set()

    def person(self, town: str | None) -> _Person:
        rng = self.rng
        while True:
            given = rng.choice(_GIVEN) + (rng.choice(_GIVEN) if rng.random() < 0.7 else "")
            name = rng.choice(_SURNAMES) + given
            if name not in self._names:
                break
        self._names.add(name)
        while True:
            mobile = rng.choice(_MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
            if mobile not in self._mobiles:
                break
        self._mobiles.add(mobile)
        return _Person(name, mobile, town)

    def uscc(self) -> str:
        rng = self.rng
        while True:
            if rng.random() < 0.5:
                # Codes issued since 2015 carry an "MA" organisation code.
                org = "MA" + "".join(rng.choice(USCC_ALPHABET) for _ in range(7))
            else:
                org = f"{rng.randrange(10**9):09d}"
            body = _USCC_PREFIX + org
            code = body + uscc_check_character(body)
            if code not in self._usccs:
                self._usccs.add(code)
                return code

    def enterprise_name(self, industry: Industry) -> str:
        rng = self.rng
        for attempt in range(1000):
            word = rng.choice(_WORD_HEADS) + rng.choice(_WORD_TAILS)
            number = str(attempt // 50) if attempt >= 50 else ""
            form = "股份有限公司" if rng.random() < 0.1 else "有限公司"
            name = f"{rng.choice(_PLACES)}{word}{number}{rng.choice(_TRADES[industry])}{form}"
            if name not in self._enterprise_names:
                self._enterprise_names.add(name)
                return name
        raise RuntimeError("ran out of enterprise names")


def _spread(total: int, weights: Sequence[float]) -> list[int]:
    """Split `total` by `weights` (largest remainders), giving each at least 1 if possible."""
    scale = sum(weights)
    exact = [total * w / scale for w in weights]
    counts = [int(x) for x in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: exact[i] - counts[i], reverse=True)
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    for i, count in enumerate(counts):
        if count == 0 and total >= len(weights):
            donor = counts.index(max(counts))
            counts[donor] -= 1
            counts[i] = 1
    return counts


def _town_enterprises(gen: _Generator, town: str, count: int) -> list[_Enterprise]:
    rng = gen.rng
    industries = rng.choices(list(_INDUSTRY_MIX), weights=list(_INDUSTRY_MIX.values()), k=count)
    industries.sort(key=list(_INDUSTRY_MIX).index)
    statisticians: list[_Person] = []
    remaining = count
    while remaining:
        # An agency accountant (代理记账) keeps the statistics of 3-5 small enterprises.
        keeps = min(rng.randint(3, 5), remaining) if remaining >= 3 and rng.random() < 0.06 else 1
        statistician = gen.person(town)
        statistician.roles.append(Role.MEMBER.value)
        statisticians.extend([statistician] * keeps)
        remaining -= keeps
    rng.shuffle(statisticians)
    return [
        _Enterprise(
            name=gen.enterprise_name(industry),
            uscc=gen.uscc(),
            industry=industry,
            town=town,
            statistician=statistician,
            scale=Scale.ABOVE_SCALE if rng.random() < 0.75 else Scale.CULTIVATED,
        )
        for industry, statistician in zip(industries, statisticians, strict=True)
    ]


def _town_staff(gen: _Generator, town: str, enterprises: Sequence[_Enterprise]) -> list[_Person]:
    """二级网格长, 分管负责人 and the level-3 staff for the grids the partition will build."""
    staff = [gen.person(town), gen.person(town)]
    staff[0].roles.append(Role.TOWN_HEAD.value)
    staff[1].roles.append(Role.TOWN_DEPUTY.value)
    expected_grids = max(1, round(len(enterprises) / _GRID_SIZE))
    # A town staffer heads or instructs two or three grids.
    per_role = max(1, math.ceil(expected_grids / 2.5))
    for role in (Role.GRID_HEAD, Role.INSTRUCTOR):
        for _ in range(per_role):
            person = gen.person(town)
            person.roles.append(role.value)
            staff.append(person)
    # 副网格长 are picked from good statisticians of 四上 enterprises (the policy's wording).
    candidates = list(
        {
            e.statistician.mobile: e.statistician
            for e in enterprises
            if e.scale is Scale.ABOVE_SCALE
        }.values()
    )
    for deputy in gen.rng.sample(candidates, min(expected_grids, len(candidates))):
        deputy.roles.append(Role.GRID_DEPUTY.value)
        staff.append(deputy)
    return staff


def _write_workbook(path: Path, sheets: Sequence[tuple[str, Sequence[Sequence[object]]]]) -> None:
    # Write-only mode streams rows, so a 10,000-enterprise roster stays fast and small in memory.
    workbook = openpyxl.Workbook(write_only=True)
    for title, records in sheets:
        sheet = workbook.create_sheet(title)
        sheet.freeze_panes = "A2"
        for record in records:
            sheet.append(list(record))
    workbook.save(path)


def build_demo_roster(
    path: Path, *, towns: int = 8, enterprises: int = 400, seed: int = 7
) -> DemoRoster:
    """Write a realistic roster .xlsx (企业 and 人员 sheets) at `path`; the same seed gives the
    same file. Level-3 staff have no 网格, so the partition places them."""
    gen = _Generator(seed)
    town_names = demo_town_names(towns)
    weights = [1 / (1 + 0.35 * i) for i in range(towns)]
    all_enterprises: list[_Enterprise] = []
    staff: list[_Person] = [gen.person(None), gen.person(None)]
    staff[0].roles.append(Role.ADMIN.value)
    staff[1].roles.append(Role.CITY_HEAD.value)
    for town, count in zip(town_names, _spread(enterprises, weights), strict=True):
        town_enterprises = _town_enterprises(gen, town, count)
        all_enterprises.extend(town_enterprises)
        staff.extend(_town_staff(gen, town, town_enterprises))

    enterprise_records = [
        [
            e.name,
            e.uscc,
            e.industry.value,
            e.town,
            e.statistician.name,
            e.statistician.mobile,
            e.scale.value,
        ]
        for e in all_enterprises
    ]
    # 网格员 are the statisticians of the 企业 sheet, not rows of the 人员 sheet.
    people_records = [
        [person.name, person.mobile, role, person.town or "", ""]
        for person in staff
        for role in person.roles
        if role != Role.MEMBER.value
    ]
    _write_workbook(
        path,
        [
            (SheetKind.ENTERPRISES.value, [list(ENTERPRISE_HEADERS), *enterprise_records]),
            (SheetKind.PEOPLE.value, [list(PEOPLE_HEADERS), *people_records]),
        ],
    )
    everyone = {p.mobile: p for p in staff} | {
        e.statistician.mobile: e.statistician for e in all_enterprises
    }
    people = [
        DemoPerson(p.name, p.mobile, list(dict.fromkeys(p.roles)), p.town)
        for p in everyone.values()
    ]
    return DemoRoster(path, town_names, len(all_enterprises), people)


# --- Planting bad rows -------------------------------------------------------------------------


@dataclass(frozen=True)
class InjectedError:
    """A cell made bad on purpose: what an import must report, and what kind of fault it is."""

    sheet: str
    row: int
    column: str
    kind: str


class _Injector:
    """Plants faults so that each causes exactly one error at a known cell.

    Rows are kept with their header at index 0, so index i is spreadsheet row i + 1. A row used
    as the original of a duplicate is touched too, so that no later fault changes it.
    """

    def __init__(self, enterprises: list[list[object]], people: list[list[object]], seed: int):
        self.rng = random.Random(seed)
        self.enterprises = enterprises
        self.people = people
        self.touched: set[tuple[str, int]] = set()
        self.injected: list[InjectedError] = []

    def _free(self, sheet: str, rows: Iterable[int]) -> list[int]:
        return [r for r in rows if (sheet, r) not in self.touched]

    def _set(self, sheet: str, index: int, column: str, value: object, kind: str) -> None:
        rows, headers = (
            (self.enterprises, ENTERPRISE_HEADERS)
            if sheet == SheetKind.ENTERPRISES.value
            else (self.people, PEOPLE_HEADERS)
        )
        rows[index][headers.index(column)] = value
        self.touched.add((sheet, index))
        self.injected.append(InjectedError(sheet, index + 1, column, kind))

    def _cell(self, index: int, column: str) -> object:
        return self.enterprises[index][ENTERPRISE_HEADERS.index(column)]

    def enterprise(self, kind: str) -> bool:
        sheet = SheetKind.ENTERPRISES.value
        if kind == "手机号姓名不一致":
            return self._rename_statistician()
        free = self._free(sheet, range(1, len(self.enterprises)))
        if not free:
            return False
        index = self.rng.choice(free)
        if kind in ("重复统一社会信用代码", "同乡镇重名企业"):
            column = "统一社会信用代码" if kind == "重复统一社会信用代码" else "企业名称"
            earlier = self._free(sheet, range(1, index))
            if kind == "同乡镇重名企业":
                town = self._cell(index, "乡镇街道")
                earlier = [i for i in earlier if self._cell(i, "乡镇街道") == town]
            if not earlier:
                return False
            original = self.rng.choice(earlier)
            self.touched.add((sheet, original))
            self._set(sheet, index, column, self._cell(original, column), kind)
            return True
        code = str(self._cell(index, "统一社会信用代码"))
        column, value = {
            "校验位错误": (
                "统一社会信用代码",
                code[:-1] + USCC_ALPHABET[(USCC_ALPHABET.index(code[-1]) + 1) % 31],
            ),
            "长度错误": ("统一社会信用代码", code[:10] + code[11:]),
            "手机号错误": ("统计员手机", "1381234567"),
            "未知行业": ("行业", "农业"),
            "未知规模": ("规模", "规下"),
            "缺企业名称": ("企业名称", ""),
        }[kind]
        self._set(sheet, index, column, value, kind)
        return True

    def _rename_statistician(self) -> bool:
        """Give a statistician a different name on a later row of theirs; the first row stays."""
        sheet = SheetKind.ENTERPRISES.value
        rows_of: dict[object, list[int]] = {}
        for index in range(1, len(self.enterprises)):
            rows_of.setdefault(self._cell(index, "统计员手机"), []).append(index)
        options = [
            rows
            for rows in rows_of.values()
            if len(rows) > 1 and not any((sheet, i) in self.touched for i in rows)
        ]
        if not options:
            return False
        rows = self.rng.choice(options)
        self.touched.add((sheet, rows[0]))
        later = self.rng.choice(rows[1:])
        self._set(sheet, later, "统计员", f"{self._cell(later, '统计员')}甲", "手机号姓名不一致")
        return True

    def person(self, kind: str) -> bool:
        sheet = SheetKind.PEOPLE.value
        role_column = PEOPLE_HEADERS.index("角色")
        grid_roles = {Role.GRID_HEAD.value, Role.GRID_DEPUTY.value, Role.INSTRUCTOR.value}
        local_roles = grid_roles | {Role.TOWN_HEAD.value, Role.TOWN_DEPUTY.value}
        wanted = grid_roles if kind == "未知网格" else local_roles
        free = [
            i
            for i in self._free(sheet, range(1, len(self.people)))
            if self.people[i][role_column] in wanted
        ]
        if not free:
            return False
        column, value = {
            "未知角色": ("角色", "组长"),
            "网格员不是人员角色": ("角色", Role.MEMBER.value),
            "人员手机号错误": ("手机", "2381234567"),
            "缺乡镇街道": ("乡镇街道", ""),
            "未知网格": ("网格", "不存在的网格99"),
        }[kind]
        self._set(sheet, self.rng.choice(free), column, value, kind)
        return True


ENTERPRISE_FAULTS = (
    "校验位错误",
    "长度错误",
    "重复统一社会信用代码",
    "同乡镇重名企业",
    "手机号错误",
    "未知行业",
    "未知规模",
    "缺企业名称",
    "手机号姓名不一致",
)
PEOPLE_FAULTS = ("未知角色", "网格员不是人员角色", "人员手机号错误", "缺乡镇街道", "未知网格")


def _read_sheet(workbook: openpyxl.Workbook, title: str) -> list[list[object]]:
    if title not in workbook.sheetnames:
        return []
    return [list(record) for record in workbook[title].iter_rows(values_only=True)]


def inject_errors(path_in: Path, path_out: Path, *, count: int, seed: int) -> list[InjectedError]:
    """Copy a roster written by build_demo_roster with `count` rows made bad, each in a way that
    yields exactly one error at the returned (sheet, row, column), against an empty database."""
    workbook = openpyxl.load_workbook(path_in, read_only=True)
    try:
        enterprises = _read_sheet(workbook, SheetKind.ENTERPRISES.value)
        people = _read_sheet(workbook, SheetKind.PEOPLE.value)
    finally:
        workbook.close()
    injector = _Injector(enterprises, people, seed)
    faults = [(True, kind) for kind in ENTERPRISE_FAULTS] + [(False, k) for k in PEOPLE_FAULTS]
    attempts = 0
    while len(injector.injected) < count:
        is_enterprise, kind = faults[attempts % len(faults)]
        attempts += 1
        if attempts > 20 * (count + len(faults)):
            raise ValueError(f"cannot plant {count} faults in a roster this small")
        if is_enterprise:
            injector.enterprise(kind)
        else:
            injector.person(kind)
    _write_workbook(
        path_out,
        [(SheetKind.ENTERPRISES.value, enterprises), (SheetKind.PEOPLE.value, people)],
    )
    order = {SheetKind.ENTERPRISES.value: 0, SheetKind.PEOPLE.value: 1}
    return sorted(injector.injected, key=lambda e: (order[e.sheet], e.row))
