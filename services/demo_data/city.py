"""Generating a demo city: towns, enterprises with valid USCCs, statisticians and grid staff."""

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from models.enums import Industry, Role, Scale

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


@dataclass
class CityPerson:
    name: str
    mobile: str
    town: str | None
    roles: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class CityEnterprise:
    name: str
    uscc: str
    industry: Industry
    town: str
    statistician: CityPerson
    scale: Scale


class Generator:
    """Names, mobiles and USCCs from one seed, each unique within the city."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self._names: set[str] = set()
        self._mobiles: set[str] = set()
        self._usccs: set[str] = set()
        self._enterprise_names: set[str] = set()

    def person(self, town: str | None) -> CityPerson:
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
        return CityPerson(name, mobile, town)

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


def spread(total: int, weights: Sequence[float]) -> list[int]:
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


def town_enterprises(gen: Generator, town: str, count: int) -> list[CityEnterprise]:
    rng = gen.rng
    industries = rng.choices(list(_INDUSTRY_MIX), weights=list(_INDUSTRY_MIX.values()), k=count)
    industries.sort(key=list(_INDUSTRY_MIX).index)
    statisticians: list[CityPerson] = []
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
        CityEnterprise(
            name=gen.enterprise_name(industry),
            uscc=gen.uscc(),
            industry=industry,
            town=town,
            statistician=statistician,
            scale=Scale.ABOVE_SCALE if rng.random() < 0.75 else Scale.CULTIVATED,
        )
        for industry, statistician in zip(industries, statisticians, strict=True)
    ]


def town_staff(
    gen: Generator, town: str, enterprises: Sequence[CityEnterprise]
) -> list[CityPerson]:
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


@dataclass(frozen=True)
class DemoCity:
    """The generated city before it is written: its towns, enterprises and staff."""

    towns: list[str]
    enterprises: list[CityEnterprise]
    staff: list[CityPerson]


def generate_city(*, towns: int, enterprises: int, seed: int) -> DemoCity:
    """A city of `towns` towns (the first with the most enterprises) and their staff."""
    gen = Generator(seed)
    town_names = demo_town_names(towns)
    weights = [1 / (1 + 0.35 * i) for i in range(towns)]
    all_enterprises: list[CityEnterprise] = []
    staff: list[CityPerson] = [gen.person(None), gen.person(None)]
    staff[0].roles.append(Role.ADMIN.value)
    staff[1].roles.append(Role.CITY_HEAD.value)
    for town, count in zip(town_names, spread(enterprises, weights), strict=True):
        of_town = town_enterprises(gen, town, count)
        all_enterprises.extend(of_town)
        staff.extend(town_staff(gen, town, of_town))
    return DemoCity(town_names, all_enterprises, staff)
