"""The laws we cite, their names and aliases, and citations of one article (`Ref`, `Article`)."""

from dataclasses import dataclass

from knowledge.numerals import to_chinese

STATISTICS_LAW = "统计法"
POLICY = "乐清市基层统计网格智治指导意见"
POLICY_TITLE = "《关于推开基层统计网格智治工作的指导意见》（乐政办发〔2022〕37号）"


@dataclass(frozen=True)
class LawInfo:
    """One citable text: its file stem, names for display, and what users call it."""

    stem: str
    title: str
    short_title: str
    aliases: tuple[str, ...]


LAWS: tuple[LawInfo, ...] = (
    LawInfo(STATISTICS_LAW, "《中华人民共和国统计法》", "《统计法》", ("统计法", "法")),
    LawInfo(
        "统计法实施条例",
        "《中华人民共和国统计法实施条例》",
        "《统计法实施条例》",
        ("统计法实施条例", "实施条例", "条例"),
    ),
    LawInfo(
        "浙江省统计工作监督管理条例",
        "《浙江省统计工作监督管理条例》",
        "《浙江省统计工作监督管理条例》",
        ("浙江省统计工作监督管理条例", "浙江条例", "省条例", "浙江省条例", "监督管理条例"),
    ),
    LawInfo(
        "统计违法违纪行为处分规定",
        "《统计违法违纪行为处分规定》",
        "《统计违法违纪行为处分规定》",
        ("统计违法违纪行为处分规定", "处分规定"),
    ),
    LawInfo(
        POLICY,
        POLICY_TITLE,
        POLICY_TITLE,
        (POLICY, "网格智治指导意见", "指导意见", "网格意见", "37号文", "乐政办发〔2022〕37号"),
    ),
)
LAWS_BY_STEM = {law.stem: law for law in LAWS}

# The policy has no 条; its sections are numbered 1-10 in document order (the content writers
# cite these numbers).
POLICY_SECTIONS: tuple[str, ...] = (
    "一",
    "二",
    "三（一）",
    "三（二）",
    "三（三）",
    "三（四）",
    "四（一）",
    "四（二）",
    "四（三）",
    "末段",
)


def article_label(law: str, number: int) -> str:
    """《统计法》第四十四条; for the policy 《…指导意见》（乐政办发〔2022〕37号）三（四）."""
    if law == POLICY and 1 <= number <= len(POLICY_SECTIONS):
        return f"{POLICY_TITLE}{POLICY_SECTIONS[number - 1]}"
    info = LAWS_BY_STEM.get(law)
    title = info.short_title if info else f"《{law}》"
    return f"{title}第{to_chinese(number)}条"


@dataclass(frozen=True)
class Ref:
    """A citation of one article: the law's file stem and the article's current number."""

    law: str
    article: int

    @property
    def label(self) -> str:
        return article_label(self.law, self.article)


@dataclass(frozen=True)
class Article:
    """One article (or policy section) with its chapter heading and verbatim text."""

    law: str
    number: int
    chapter: str | None
    text: str

    @property
    def ref(self) -> Ref:
        return Ref(self.law, self.number)

    @property
    def label(self) -> str:
        return self.ref.label
