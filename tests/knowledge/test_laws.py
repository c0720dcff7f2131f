"""Parsing the shipped law files, the policy's ten sections and the 2009->2024 number table."""

from pathlib import Path

import pytest

from knowledge.base import DATA_DIR
from knowledge.errors import KnowledgeError
from knowledge.laws import LawTexts, load_laws, parse_law, parse_policy, parse_renumbering
from knowledge.refs import POLICY, Ref


@pytest.fixture(scope="module")
def laws() -> LawTexts:
    return load_laws(DATA_DIR / "laws")


def count(laws: LawTexts, law: str) -> int:
    return sum(1 for article in laws.articles if article.law == law)


def test_article_counts_match_the_headers(laws: LawTexts) -> None:
    assert count(laws, "统计法") == 53
    assert count(laws, "统计法实施条例") == 55
    assert count(laws, "浙江省统计工作监督管理条例") == 17
    assert count(laws, "统计违法违纪行为处分规定") == 3
    assert count(laws, POLICY) == 10
    # The number table and the source list are not laws.
    assert {a.law for a in laws.articles} == {
        "统计法",
        "统计法实施条例",
        "浙江省统计工作监督管理条例",
        "统计违法违纪行为处分规定",
        POLICY,
    }


def test_article_text_chapter_and_paragraphs(laws: LawTexts) -> None:
    by_ref = {a.ref: a for a in laws.articles}
    article = by_ref[Ref("统计法", 45)]
    assert article.chapter == "第六章 法律责任"
    assert article.text.startswith("第四十五条 作为统计调查对象的国家机关")
    assert article.text.count("\n") == 2
    assert "可以并处五万元以下的罚款" in article.text
    assert by_ref[Ref("统计法", 1)].chapter == "第一章 总则"
    assert by_ref[Ref("统计法", 53)].text == "第五十三条 本法自2010年1月1日起施行。"
    assert by_ref[Ref("浙江省统计工作监督管理条例", 15)].chapter is None
    # The header block and the editor's remark after the last article are not article text.
    third = by_ref[Ref("统计违法违纪行为处分规定", 3)]
    assert "缺失" not in third.text
    assert third.text.endswith("应当从重处分。")
    assert "令文" not in by_ref[Ref("统计违法违纪行为处分规定", 1)].text


def test_policy_has_exactly_ten_sections_with_the_right_starts(laws: LawTexts) -> None:
    sections = [a for a in laws.articles if a.law == POLICY]
    starts = [
        "一、指导思想",
        "二、总体目标",
        "（一）构建基层统计网格智治",
        "（二）建立基层统计网格智治",
        "(三) 优化基层统计网格智",
        "（四）完善基层统计网格智治",
        "（一）加强组织领导。统计网格",
        "（二）创新工作方法。各乡镇（",
        "（三）抓好工作落实。各乡镇（",
        "本意见自 2022 年 7 ",
    ]
    assert len(sections) == len(starts)
    for section, start in zip(sections, starts, strict=True):
        assert section.text.startswith(start), (section.number, section.text[:20])
    assert [a.chapter for a in sections] == [None, None] + ["三、重点任务"] * 4 + [
        "四、工作要求"
    ] * 3 + [None]
    assert "二级网格长每月听取三级网格长情况汇报应不少于1次" in sections[3].text
    assert "每个统计调查对象每年500元" in sections[5].text
    assert "五有" in sections[5].text
    # Sentences that a page break split in the source are whole again.
    assert "推进统计工作规范运转" in sections[1].text
    assert "乡镇（街道)分管负责人" in sections[3].text
    assert "提高统计数据质量" in sections[6].text
    assert sections[9].text.startswith("本意见自 2022 年 7 月 31 日起施行，有效期 3 年。")
    assert sections[5].label.endswith("》（乐政办发〔2022〕37号）三（四）")


def test_policy_headings_may_use_any_markup() -> None:
    text = (DATA_DIR / "laws" / f"{POLICY}.md").read_text(encoding="utf-8")
    relabelled = text.replace("#### （四）", "### (四)").replace("### (三) ", "## （三）")
    assert relabelled != text
    sections = parse_policy(relabelled)
    assert [a.text.split("\n")[1][:6] for a in sections[2:6]] == [
        a.text.split("\n")[1][:6] for a in parse_policy(text)[2:6]
    ]


def test_renumbering_table(laws: LawTexts) -> None:
    table = laws.renumbering
    assert table.old_to_new[41] == 44
    assert table.old_to_new[42] == 45
    assert table.old_to_new[1] == 1
    assert table.old_to_new[50] == 53
    assert len(table.old_to_new) == 50
    assert table.added == {6, 9, 20}
    assert 44 in table.amended
    assert 47 not in table.amended
    assert len(table.amended) == 21


def test_a_gap_in_the_numbering_is_an_error() -> None:
    with pytest.raises(KnowledgeError, match="第三条的位置应为第二条"):
        parse_law("统计法", "第一条 甲。\n\n第三条 丙。\n")


def test_a_file_without_articles_is_an_error() -> None:
    with pytest.raises(KnowledgeError, match="没有找到任何"):
        parse_law("统计法", "# 标题\n\n- 说明\n")


def test_an_empty_table_is_an_error() -> None:
    with pytest.raises(KnowledgeError, match="没有找到对照表"):
        parse_renumbering("| a | b |\n")


def test_a_missing_law_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeError, match="无法读取法律文本"):
        load_laws(tmp_path)
