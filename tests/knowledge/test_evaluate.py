"""Labelled sets: null laws, equally correct 'also' articles, and the figures of a report."""

from pathlib import Path

import pytest

from knowledge.base import KnowledgeBase
from knowledge.errors import KnowledgeError
from knowledge.evaluate import evaluate, read_cases
from knowledge.refs import Ref


def write(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "set.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_also_adds_equally_correct_articles_and_null_means_unanswerable(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '{"q": "情节严重罚多少", "law": "统计法", "articles": [44],'
        ' "also": [{"law": "统计法实施条例", "articles": [50]}]}',
        '{"q": "今天吃什么", "law": null, "articles": []}',
        '{"q": "旧写法", "law": "统计法", "articles": []}',
    )
    serious, lunch, old_style = read_cases(path)
    assert serious.expected == {Ref("统计法", 44), Ref("统计法实施条例", 50)}
    assert lunch.expected == frozenset()
    assert old_style.expected == frozenset()


@pytest.mark.parametrize(
    "line",
    [
        '{"q": "x", "law": null, "articles": [44]}',
        '{"q": "x", "law": "统计法", "articles": [44], "also": {"law": "统计法"}}',
        '{"q": "", "law": null, "articles": []}',
    ],
)
def test_malformed_lines_name_the_line(tmp_path: Path, line: str) -> None:
    with pytest.raises(KnowledgeError, match="第1行格式有误"):
        read_cases(write(tmp_path, line))


def test_figures_count_confident_wrong_answers(knowledge: KnowledgeBase, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '{"q": "没建统计台账会被罚款吗", "law": "统计法", "articles": [45]}',
        '{"q": "没建统计台账会被罚款吗 ", "law": "统计法", "articles": [1]}',
        '{"q": "今天中午食堂吃什么", "law": null, "articles": []}',
    )
    report = evaluate(knowledge, read_cases(path))
    figures = report.figures()
    assert figures["ranked1"] == figures["top1"] == 0.5
    assert figures["confident_wrong"] == 0.5
    assert figures["confident_unanswerable"] == 0.0
    assert figures["confident_right"] == 0.5
    assert figures["confident_wrong_all"] == pytest.approx(1 / 3)
    assert set(report.rates()) == {"top1", "top3", "correct_abstain", "false_abstain"}
