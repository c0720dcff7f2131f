"""`gridbot faq`: one question as JSON or text, and the evaluation of a labelled set."""

import json
from pathlib import Path

from typer.testing import CliRunner

from bot.cli.faq import faq_app

DEV_SET = Path(__file__).parents[1] / "data" / "faq_dev.jsonl"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(faq_app, list(args))
    return result.exit_code, result.output


def test_json_answer_has_the_agreed_shape() -> None:
    code, output = run("没设统计台帐被统记局查到了会罚款吗", "--json", "--top", "2")
    assert code == 0, output
    data = json.loads(output)
    assert data["query"] == "没设统计台帐被统记局查到了会罚款吗"
    assert data["answered"] is True
    assert 1 <= len(data["results"]) <= 2
    best = data["results"][0]
    assert set(best) == {"id", "title", "score", "refs", "answer"}
    assert {"law": "统计法", "article": 45} in best["refs"]
    assert 0 <= best["score"] <= 100


def test_json_abstains_on_unrelated_questions() -> None:
    code, output = run("今天中午食堂吃什么", "--json")
    assert code == 0
    assert json.loads(output)["answered"] is False


def test_text_output_names_the_verdict_and_citations() -> None:
    code, output = run("统计法第四十一条罚多少")
    assert code == 0
    assert output.startswith("回答：统计法第四十一条罚多少")
    assert "2024年修正后为第四十四条" in output
    assert "《统计法》第四十四条" in output


def test_a_question_is_required() -> None:
    code, output = run()
    assert code == 2
    assert "请输入问题" in output


def test_eval_prints_the_four_rates(tmp_path: Path) -> None:
    labelled = tmp_path / "set.jsonl"
    labelled.write_text(
        '{"q": "没设统计台账会被罚吗", "law": "统计法", "articles": [45]}\n'
        '{"q": "今天中午食堂吃什么", "law": "统计法", "articles": []}\n',
        encoding="utf-8",
    )
    code, output = run("--eval", str(labelled))
    assert code == 0, output
    assert "可回答 1，不应回答 1" in output
    assert "top-1 100.0%  top-3 100.0%  correct abstain 100.0%  false abstain 0.0%" in output
    code, output = run("--eval", str(labelled), "--json")
    assert json.loads(output)["top1"] == 1.0


def test_eval_reports_a_malformed_line(tmp_path: Path) -> None:
    labelled = tmp_path / "bad.jsonl"
    labelled.write_text('{"question": "x"}\n', encoding="utf-8")
    code, output = run("--eval", str(labelled))
    assert code == 2
    assert "bad.jsonl 第1行格式有误" in output


def test_eval_lists_misses_on_request() -> None:
    code, output = run("--eval", str(DEV_SET), "--misses")
    assert code == 0
    assert "top-1" in output
