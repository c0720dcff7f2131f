"""Knowledge-base fixtures: a data directory with the real laws and word lists but our own small
Q&A, so that tests of thresholds and validation do not depend on the curated content."""

import shutil
from pathlib import Path

import pytest

from knowledge.base import DATA_DIR, KnowledgeBase

FIXTURE_FAQ = """
[[entry]]
id = "ledger-missing-fine"
question = "没有设置统计台账会受到什么处罚？"
alternatives = ["没建台账罚多少", "统计台账不设有什么后果"]
answer = "由县级以上人民政府统计机构责令改正，给予警告，企业可以并处五万元以下的罚款。"
refs = [{ law = "统计法", article = 45 }]
topic = "罚则"

[[entry]]
id = "grid-funding"
question = "网格活动经费标准是多少？"
alternatives = ["网格经费每家企业多少", "网格活动的钱谁出"]
answer = "原则上按照每个统计调查对象每年500元作为网格智治工作活动经费。"
refs = [{ law = "乐清市基层统计网格智治指导意见", article = 6 }]
"""


def make_data_dir(target: Path, faq: str = FIXTURE_FAQ, tips: str | None = None) -> Path:
    """A copy of the shipped laws and word lists with `faq` as the only Q&A file."""
    shutil.copytree(DATA_DIR / "laws", target / "laws")
    for name in ("synonyms.toml", "userdict.txt"):
        shutil.copy(DATA_DIR / name, target / name)
    (target / "faq").mkdir()
    (target / "faq" / "fixture.toml").write_text(faq, encoding="utf-8")
    if tips is not None:
        (target / "tips.toml").write_text(tips, encoding="utf-8")
    return target


@pytest.fixture(scope="session")
def fixture_knowledge(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    """Laws plus two fixture entries, loaded once per test session."""
    return KnowledgeBase.load(make_data_dir(tmp_path_factory.mktemp("knowledge")))
