"""The evaluation sheet for the bureau: 评定结果 (a row per grid, its points per component)
and 评分办法 (the weights and bands the results were computed with)."""

from collections.abc import Sequence
from datetime import tzinfo
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from services.oversight.evaluation.config import COMPONENTS, EvaluationConfig
from services.oversight.evaluation.confirmation import EvaluationOutcome
from services.oversight.evaluation.towns import TownHearings
from services.oversight.workbooks import workbook_bytes
from services.xlsx import write_sheet


def evaluation_xlsx(
    outcome: EvaluationOutcome,
    config: EvaluationConfig,
    path: Path | None = None,
    *,
    tz: tzinfo,
    towns: Sequence[TownHearings] = (),
) -> bytes:
    """The evaluation sheet for the bureau (评定结果 + 乡镇听取汇报 when `towns` are given +
    评分办法); saved to `path` if given."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "评定结果"
    headers = [
        "乡镇（街道）",
        "网格",
        "得分",
        "等级",
        "建议奖励（元）",
        *(f"{label}（{config.weights.of(key):g}分）" for key, label in COMPONENTS.items()),
        "评分说明",
    ]
    rows: list[list[Any]] = []
    for e in outcome.evaluations:
        points: dict[str, Any] = {c.key: c.points if c.counted else "不计入" for c in e.components}
        rows.append(
            [
                e.town_name,
                e.grid_name,
                e.score,
                e.grade,
                e.reward_yuan,
                *(points.get(key) for key in COMPONENTS),
                e.explanation(),
            ]
        )
    write_sheet(sheet, headers, rows)
    if towns:
        write_sheet(
            workbook.create_sheet("乡镇听取汇报"),
            ["乡镇（街道）", "应听取（月）", "按时确认（月）", "得分", "说明"],
            [
                [
                    t.town_name,
                    len(t.due),
                    t.heard,
                    "" if t.score is None else t.score,
                    t.explanation(),
                ]
                for t in towns
            ],
        )
    method = workbook.create_sheet("评分办法")
    run = outcome.run
    state = (
        f"已确认：{run.confirmed_at.astimezone(tz):%Y-%m-%d %H:%M}，{run.confirmed_by}"
        if run is not None
        else "未确认：按导出时的数据计算，确认后冻结"
    )
    used = EvaluationConfig.model_validate(run.config) if run is not None else config
    g = used.grades
    write_sheet(
        method,
        ["项目", "内容"],
        [
            ["年度", str(outcome.year)],
            ["状态", state],
            *(
                [f"权重：{label}", f"{used.weights.of(key):g} 分"]
                for key, label in COMPONENTS.items()
            ),
            [
                "优秀",
                f"得分 ≥ {g.excellent_min:g}，"
                f"奖励 {g.excellent_reward_min}–{g.excellent_reward_max} 元",
            ],
            ["合格", f"得分 ≥ {g.pass_min:g}，奖励 {g.pass_reward_min}–{g.pass_reward_max} 元"],
            ["不合格", f"得分 < {g.pass_min:g}，无奖励"],
            ["建议奖励", f"档内按得分线性取值，向下取整到 {g.reward_step} 元"],
            [
                "应做未做",
                "已结束的季度未组织活动、已结束的月份未按时汇报，该项按 0 分计；"
                "未做任何工作的网格为不合格（0 元）",
            ],
            ["不计入", "无可计事项的项目（如全年无人提问）不计入，其余各项权重按比例折算为 100 分"],
            [
                "未纳入",
                "网格（或全市启用）晚于某月、某季度开始的，该月、该季度不计；本年度没有纳入后"
                "开始的月份或季度的网格为未纳入，不参加评定；学时目标按纳入后的天数折算",
            ],
            [
                "乡镇（街道）听取汇报",
                "二级网格长每月听取汇报，到期未在时限内确认的月份计 0 分，得分 = 按时确认月数 ÷ "
                "应听取月数 × 100；乡镇（街道）不参与网格奖励",
            ],
            ["继续教育目标", f"{used.education.yearly_target_hours:g} 学时/人/年"],
        ],
    )
    return workbook_bytes(workbook, path)
