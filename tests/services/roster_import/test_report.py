"""The console lines and the .xlsx error report."""

from pathlib import Path

import openpyxl

from services.roster_import.report import (
    RowError,
    error_report_path,
    format_errors,
    write_error_report,
)

# --- Reporting ---------------------------------------------------------------------------------


def test_format_errors_lines() -> None:
    errors = [
        RowError("企业", 12, "统一社会信用代码", "91330382MA2ABCDE1X", "校验位错误"),
        RowError("人员", 3, "姓名", "", "不能为空"),
    ]

    assert format_errors(errors) == (
        "企业 第12行 统一社会信用代码「91330382MA2ABCDE1X」：校验位错误\n人员 第3行 姓名：不能为空"
    )


def test_error_report_keeps_formula_like_text_inert(tmp_path: Path) -> None:
    errors = [
        RowError("企业", 2, "企业名称", '=HYPERLINK("http://x")', "不能为空"),
        RowError("企业", 3, "统计员手机", "+86 1", "手机号应为 11 位"),
        RowError("人员", 4, "姓名", "@SUM(A1)", "不能为空"),
        RowError("人员", 5, "手机", "-1", "手机号应为 11 位"),
    ]

    path = write_error_report(errors, error_report_path(tmp_path / "名单.csv"))

    assert path == tmp_path / "名单.错误报告.xlsx"
    sheet = openpyxl.load_workbook(path).active
    assert sheet is not None
    cells = [row[3] for row in sheet.iter_rows(min_row=2)]
    assert [c.value for c in cells] == [e.value for e in errors]
    # Stored as text with Excel's leading-apostrophe marker: shown as typed, never evaluated.
    assert all(c.data_type == "s" and c.quotePrefix for c in cells)
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["E"].width > sheet.column_dimensions["B"].width
