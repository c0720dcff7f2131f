"""Loading and checking Q&A entries and tips: the fixture files and the shipped ones."""

from pathlib import Path

import pytest

from knowledge.base import KnowledgeBase
from knowledge.entries import MAX_ANSWER_CHARS, MIN_ALTERNATIVES
from knowledge.errors import KnowledgeError
from knowledge.refs import LAWS_BY_STEM, Ref
from tests.knowledge.conftest import make_data_dir

VALID = """
[[entry]]
id = "ledger-fine"
question = "没有台账会怎样？"
alternatives = ["没建台账罚多少", "台账不设有啥后果"]
answer = "可以并处五万元以下的罚款。"
refs = [{ law = "统计法", article = 45 }]
"""


def load_with(tmp_path: Path, faq: str, tips: str | None = None) -> KnowledgeBase:
    return KnowledgeBase.load(make_data_dir(tmp_path / "data", faq, tips))


def test_a_ref_to_a_missing_article_names_the_entry(tmp_path: Path) -> None:
    faq = VALID.replace("article = 45", "article = 90")
    with pytest.raises(KnowledgeError, match=r"fixture.toml 条目 ledger-fine：.*统计法 第90条"):
        load_with(tmp_path, faq)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('law = "统计法"', 'law = "中华人民共和国统计法"'), "未知的法律"),
        (("article = 45", 'article = "四十五"'), "现行条文序号"),
        (('refs = [{ law = "统计法", article = 45 }]', "refs = []"), "refs 至少要有一条"),
        (('"没建台账罚多少", ', ""), f"至少{MIN_ALTERNATIVES}个"),
        (('"ledger-fine"', '"Ledger Fine"'), "id 应为小写英文"),
        (("answer = ", "answers = "), "缺少 answer"),
        (("可以并处", "可" * MAX_ANSWER_CHARS), "应少于500字"),
        (('refs = [{ law = "统计法", article = 45 }]', 'refs = [{ law = "统计法" }]'), "应为"),
        (("[[entry]]", "[[entries]]"), r"只能包含 \[\[entry\]\]"),
        (("[[entry]]", "[[entry]"), "无法读取"),
    ],
)
def test_invalid_entries_fail_loading_with_a_clear_message(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    with pytest.raises(KnowledgeError, match=message):
        load_with(tmp_path, VALID.replace(*change))


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    faq = VALID + VALID.replace("article = 45", "article = 99")
    with pytest.raises(KnowledgeError) as raised:
        load_with(tmp_path, faq)
    assert "第99条" in str(raised.value)
    assert "问答条目 id 重复：ledger-fine" in str(raised.value)


def test_tips_are_checked_like_entries(tmp_path: Path) -> None:
    tips = '[[tip]]\nid = "keep-ledgers"\ntext = "台账至少保存2年。"\n'
    knowledge = load_with(
        tmp_path, VALID, tips + 'refs = [{ law = "统计法实施条例", article = 23 }]\n'
    )
    assert [tip.id for tip in knowledge.tips()] == ["keep-ledgers"]
    assert knowledge.tips()[0].refs[0].label == "《统计法实施条例》第二十三条"
    with pytest.raises(KnowledgeError, match=r"提示 keep-ledgers：.*第80条"):
        load_with(tmp_path / "again", VALID, tips + 'refs = [{ law = "统计法", article = 80 }]\n')


# The shipped data: these properties are what keeps a content edit from citing nonsense.


def test_shipped_entries_are_valid(knowledge: KnowledgeBase) -> None:
    faq = [entry for entry in knowledge.entries if entry.kind == "faq"]
    assert faq, "no curated Q&A loaded"
    for entry in faq:
        assert len(entry.answer) < MAX_ANSWER_CHARS, entry.id
        assert len(entry.alternatives) >= MIN_ALTERNATIVES, entry.id
        assert entry.refs, entry.id
        for ref in entry.refs:
            assert knowledge.article(ref.law, ref.article) is not None, (entry.id, ref)
    assert len({entry.id for entry in knowledge.entries}) == len(knowledge.entries)


def test_shipped_tips_cite_existing_articles(knowledge: KnowledgeBase) -> None:
    for tip in knowledge.tips():
        assert tip.text, tip.id
        assert tip.refs, tip.id
        assert all(knowledge.article(r.law, r.article) for r in tip.refs), tip.id


def test_every_article_is_an_entry_citing_itself(knowledge: KnowledgeBase) -> None:
    articles = [entry for entry in knowledge.entries if entry.kind == "article"]
    assert len(articles) == len(knowledge.articles) == 53 + 55 + 17 + 3 + 10
    entry = knowledge.entry("统计法-44")
    assert entry is not None
    # Shown to users as the text of the law, never as a curated answer.
    assert entry.title.startswith("统计法第四十四条（法律条文原文）：作为统计调查对象")
    assert entry.refs == (Ref("统计法", 44),)
    assert entry.refs[0].label == "《统计法》第四十四条"
    assert entry.answer.startswith("以下是法律条文原文（不是针对您的问题整理的解答")
    assert entry.answer.endswith(knowledge.articles[43].text)
    # The whole article, then its 款 and 项 (each item with the sentence introducing it).
    assert len(entry.passages) == 1 + 3 + 5
    assert all(p.startswith("统计法 法律责任\n") for p in entry.passages)
    assert any(
        "拒绝答复或者不如实答复统计检查查询书" in p and "有下列行为之一" in p
        for p in entry.passages
    )
    policy = knowledge.entry("乐清市基层统计网格智治指导意见-6")
    assert policy is not None
    assert policy.title.startswith("网格智治指导意见三（四）（文件原文）")


def test_old_numbers_the_regulation_cites_are_annotated(knowledge: KnowledgeBase) -> None:
    entry = knowledge.entry("统计法实施条例-50")
    assert entry is not None
    assert "统计法第四十一条第二款（2009年文本的条文序号，现行统计法为第四十四条）" in entry.answer
    both = knowledge.entry("统计法实施条例-49")
    assert both is not None
    assert (
        "第三十九条第一款（2009年文本的条文序号，现行统计法为第四十一条、第四十二条）"
        in both.answer
    )


def test_titles_and_labels(knowledge: KnowledgeBase) -> None:
    assert knowledge.law_title("统计法") == "《中华人民共和国统计法》"
    assert set(LAWS_BY_STEM) == {
        "统计法",
        "统计法实施条例",
        "浙江省统计工作监督管理条例",
        "统计违法违纪行为处分规定",
        "乐清市基层统计网格智治指导意见",
    }
    article = knowledge.article("乐清市基层统计网格智治指导意见", 10)
    assert article is not None
    assert article.label.endswith("末段")
    with pytest.raises(KeyError):
        knowledge.law_title("刑法")
