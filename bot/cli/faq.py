"""`gridbot faq`: ask the statistics-law knowledge base, or measure it on a labelled set."""

import json
from pathlib import Path
from typing import Annotated

import typer

from knowledge.base import KnowledgeBase, KnowledgeError, SearchOutcome, Verdict

# A sub-app without subcommands: its callback is the command. Interspersed arguments let
# options follow the question (gridbot faq "问题" --json), as a group would otherwise read
# "--json" as a subcommand name.
faq_app = typer.Typer(
    help="统计法律问答：查询知识库，或用标注问题集评测检索效果。",
    context_settings={"allow_interspersed_args": True},
)


def _load() -> KnowledgeBase:
    try:
        return KnowledgeBase.load()
    except KnowledgeError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc


def outcome_json(outcome: SearchOutcome) -> dict[str, object]:
    return {
        "query": outcome.query,
        "answered": outcome.verdict != Verdict.ABSTAIN,
        "results": [
            {
                "id": result.entry.id,
                "title": result.entry.title,
                "score": result.score,
                "refs": [{"law": ref.law, "article": ref.article} for ref in result.entry.refs],
                "answer": result.entry.answer,
            }
            for result in outcome.results
        ],
    }


_VERDICTS = {
    Verdict.ANSWER: "回答",
    Verdict.SUGGEST: "您是不是想问",
    Verdict.ABSTAIN: "暂无答案",
}


def _print_outcome(outcome: SearchOutcome) -> None:
    typer.echo(f"{_VERDICTS[outcome.verdict]}：{outcome.query}")
    if outcome.note:
        typer.echo(f"提示：{outcome.note}")
    for rank, result in enumerate(outcome.results, start=1):
        labels = "、".join(ref.label for ref in result.entry.refs)
        typer.echo(f"{rank}. [{result.score:.1f}] {result.entry.title}（{labels}）")
    if outcome.verdict == Verdict.ANSWER:
        typer.echo(f"\n{outcome.results[0].entry.answer}")


def _evaluate(path: Path, *, amount: int, show_misses: bool, as_json: bool) -> None:
    from knowledge.evaluate import evaluate, read_cases

    try:
        cases = read_cases(path)
    except KnowledgeError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc
    report = evaluate(_load(), cases, amount=max(amount, 3))
    rates = report.rates()
    if as_json:
        typer.echo(
            json.dumps(
                rates | {"answerable": report.answerable, "unanswerable": report.unanswerable}
            )
        )
    else:
        typer.echo(
            f"问题 {report.answerable + report.unanswerable} 个"
            f"（可回答 {report.answerable}，不应回答 {report.unanswerable}）\n"
            f"top-1 {rates['top1']:.1%}  top-3 {rates['top3']:.1%}  "
            f"correct abstain {rates['correct_abstain']:.1%}  "
            f"false abstain {rates['false_abstain']:.1%}"
        )
    if show_misses:
        for miss in report.misses:
            expected = (
                "、".join(ref.label for ref in sorted(miss.case.expected, key=str)) or "不回答"
            )
            got = " | ".join(f"{r.entry.id} {r.score:.0f}" for r in miss.outcome.results)
            typer.echo(f"- {miss.case.question} [{miss.outcome.verdict}] 应为 {expected}：{got}")


@faq_app.callback(invoke_without_command=True)
def faq(
    question: Annotated[str | None, typer.Argument(help="问题，如：没建统计台账会被罚吗")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出")] = False,
    top: Annotated[int, typer.Option("--top", min=1, max=20, help="最多列出几条结果")] = 3,
    eval_file: Annotated[
        Path | None,
        typer.Option("--eval", help='评测：每行 {"q", "law", "articles"} 的 .jsonl 文件'),
    ] = None,
    show_misses: Annotated[bool, typer.Option("--misses", help="评测时列出答错的问题")] = False,
) -> None:
    """问一个统计法律问题（--json 输出结构化结果），或用 --eval 评测检索效果。"""
    if eval_file is not None:
        _evaluate(eval_file, amount=top, show_misses=show_misses, as_json=as_json)
        return
    if not question or not question.strip():
        typer.echo('请输入问题，例如：gridbot faq "没建统计台账会被罚吗"', err=True)
        raise typer.Exit(2)
    outcome = _load().search(question, amount=top)
    if as_json:
        typer.echo(json.dumps(outcome_json(outcome), ensure_ascii=False, indent=2))
    else:
        _print_outcome(outcome)
