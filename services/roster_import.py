"""Roster import: read 企业/人员 sheets from .xlsx or .csv, validate every row, and apply all of
it in one transaction or nothing at all.

The roster only adds and updates: people, survey objects and assignments that are absent from a
file are left alone, so importing just the 人员 sheet later is normal.
"""

import asyncio
import csv
import io
import re
import unicodedata
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from enum import StrEnum
from pathlib import Path
from typing import TypeVar

import openpyxl
from openpyxl.styles import Font
from sqlmodel.ext.asyncio.session import AsyncSession
from stdnum.cn import uscc as stdnum_uscc
from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength, ValidationError

from models.enums import CITY_ROLES, GRID_STAFF_ROLES, TOWN_ROLES, GridLevel, Industry, Role, Scale
from models.roster import (
    NewAssignment,
    SurveyObjectData,
    add_assignments,
    get_or_create_city_grid,
    get_or_create_people,
    get_or_create_town_grids,
    grids_by_name,
    level3_grids_by_town,
    live_assignments,
    person_names_by_mobile,
    survey_object_keys_by_name,
    upsert_survey_objects,
)
from models.tables import Assignment, Grid
from services.xlsx import write_sheet

# --- Vocabulary --------------------------------------------------------------------------------


class SheetKind(StrEnum):
    ENTERPRISES = "企业"
    PEOPLE = "人员"


ENTERPRISE_HEADERS = (
    "企业名称",
    "统一社会信用代码",
    "行业",
    "乡镇街道",
    "统计员",
    "统计员手机",
    "规模",
)
PEOPLE_HEADERS = ("姓名", "手机", "角色", "乡镇街道", "网格")
REQUIRED_HEADERS: Mapping[SheetKind, tuple[str, ...]] = {
    SheetKind.ENTERPRISES: ENTERPRISE_HEADERS,
    SheetKind.PEOPLE: ("姓名", "手机", "角色", "乡镇街道"),
}
_HEADERS: Mapping[SheetKind, tuple[str, ...]] = {
    SheetKind.ENTERPRISES: ENTERPRISE_HEADERS,
    SheetKind.PEOPLE: PEOPLE_HEADERS,
}

# Other spellings of our headers seen in exported rosters (keys after NFKC, no whitespace).
HEADER_ALIASES: Mapping[str, str] = {
    "单位名称": "企业名称",
    "企业(单位)名称": "企业名称",
    "调查对象名称": "企业名称",
    "社会信用代码": "统一社会信用代码",
    "信用代码": "统一社会信用代码",
    "所属行业": "行业",
    "行业类别": "行业",
    "乡镇(街道)": "乡镇街道",
    "所属乡镇街道": "乡镇街道",
    "所属乡镇(街道)": "乡镇街道",
    "统计员姓名": "统计员",
    "统计员手机号": "统计员手机",
    "统计员手机号码": "统计员手机",
    "企业规模": "规模",
    "手机号": "手机",
    "手机号码": "手机",
    "所属网格": "网格",
    "网格名称": "网格",
}

# How people write an industry in practice, mapped to the policy's five kinds (keys after NFKC,
# no whitespace). 批发零售 and 住宿餐饮 are counted together as 贸易 in grid statistics.
INDUSTRY_ALIASES: Mapping[str, Industry] = {
    **{industry.value: industry for industry in Industry},
    "工业企业": Industry.INDUSTRY,
    "制造业": Industry.INDUSTRY,
    "批发零售": Industry.TRADE,
    "批发零售业": Industry.TRADE,
    "批发业": Industry.TRADE,
    "零售业": Industry.TRADE,
    "批零": Industry.TRADE,
    "批发和零售业": Industry.TRADE,
    "住宿餐饮": Industry.TRADE,
    "住宿餐饮业": Industry.TRADE,
    "住宿业": Industry.TRADE,
    "餐饮业": Industry.TRADE,
    "住宿和餐饮业": Industry.TRADE,
    "服务": Industry.SERVICE,
    "其他服务业": Industry.SERVICE,
    "建筑": Industry.CONSTRUCTION,
    "房地产业": Industry.REAL_ESTATE,
    "房地产开发": Industry.REAL_ESTATE,
}

# 规上 (industry), 限上 (trade) and 资质 (construction) enterprises are all kinds of 四上.
SCALE_ALIASES: Mapping[str, Scale] = {
    **{scale.value: scale for scale in Scale},
    "四上企业": Scale.ABOVE_SCALE,
    "规上": Scale.ABOVE_SCALE,
    "规上企业": Scale.ABOVE_SCALE,
    "规模以上": Scale.ABOVE_SCALE,
    "限上": Scale.ABOVE_SCALE,
    "限上企业": Scale.ABOVE_SCALE,
    "限额以上": Scale.ABOVE_SCALE,
    "资质以上": Scale.ABOVE_SCALE,
    "小升规": Scale.CULTIVATED,
    "小升规企业": Scale.CULTIVATED,
    "小升规培育企业": Scale.CULTIVATED,
    "培育": Scale.CULTIVATED,
    "培育企业": Scale.CULTIVATED,
}

ROLE_ALIASES: Mapping[str, Role] = {
    **{role.value: role for role in Role if role is not Role.MEMBER},
    "系统管理员": Role.ADMIN,
    "市级网格长": Role.CITY_HEAD,
    "乡镇网格长": Role.TOWN_HEAD,
    "分管领导": Role.TOWN_DEPUTY,
    "三级网格长": Role.GRID_HEAD,
    "三级副网格长": Role.GRID_DEPUTY,
    "指导员": Role.INSTRUCTOR,
}

_ROLE_CHOICES = tuple(role.value for role in Role if role is not Role.MEMBER)
_GRID_SEPARATOR = "·"
_MIDDLE_DOTS = re.compile("[・•‧∙⋅]")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
_SPACES = re.compile(r"\s+")
_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_SCIENTIFIC = re.compile(r"[0-9](\.[0-9]+)?[eE]\+?[0-9]+")
_NAME_LIMITS = {"企业名称": 200, "统计员": 50, "姓名": 50, "乡镇街道": 100}
# Excel keeps 15 significant digits: a longer number typed into a number cell has lost digits.
_EXACT_FLOAT_LIMIT = 10**15


_T = TypeVar("_T")


# --- Public types ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    """One problem in one cell; `row` is the spreadsheet's row number (header = 1)."""

    sheet: str
    row: int
    column: str
    value: str
    reason: str


class RosterFileError(Exception):
    """A file cannot be read as a roster at all; the message is Chinese and names every problem.

    `errors` holds the missing-header problems as RowErrors (row 1) for an error report.
    """

    def __init__(self, message: str, errors: Sequence[RowError] = ()) -> None:
        super().__init__(message)
        self.errors = list(errors)


@dataclass(frozen=True)
class RosterRow:
    number: int
    # Canonical header -> cell text with surrounding whitespace removed.
    cells: Mapping[str, str]
    # Columns whose cell was a number too long for Excel to keep exactly.
    rounded: frozenset[str] = frozenset()

    def get(self, column: str) -> str:
        return self.cells.get(column, "")


@dataclass(frozen=True)
class RosterSheet:
    kind: SheetKind
    # What RowError.sheet shows: the sheet kind, plus the file name when several files are read.
    label: str
    columns: frozenset[str]
    rows: tuple[RosterRow, ...]


@dataclass(frozen=True)
class RosterFile:
    sheets: tuple[RosterSheet, ...]

    def of_kind(self, kind: SheetKind) -> list[RosterSheet]:
        return [sheet for sheet in self.sheets if sheet.kind is kind]


@dataclass
class ImportReport:
    errors: list[RowError] = field(default_factory=list)
    towns_created: int = 0
    enterprises_created: int = 0
    enterprises_updated: int = 0
    enterprises_unchanged: int = 0
    people_created: int = 0
    assignments_created: int = 0
    # Awaiting or partition-placed assignments that the roster now pins to a named grid.
    assignments_updated: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        if not self.ok:
            return (
                f"发现 {len(self.errors)} 处问题，本次没有导入任何数据。\n"
                "请按错误报告逐条修正后重新导入。"
            )
        return "\n".join(
            [
                "导入完成。",
                f"新建乡镇街道：{self.towns_created} 个",
                f"企业：新增 {self.enterprises_created} 家，更新 {self.enterprises_updated} 家，"
                f"未变 {self.enterprises_unchanged} 家",
                f"人员：新增 {self.people_created} 人",
                f"岗位：新增 {self.assignments_created} 个，调整 {self.assignments_updated} 个",
            ]
        )


# --- Reading files -----------------------------------------------------------------------------


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def _key(text: str) -> str:
    """Comparison form of a word: NFKC, no whitespace."""
    return _SPACES.sub("", _nfkc(text))


def _clean_text(text: str) -> str:
    # str.split() also splits on the full-width space U+3000 and NBSP. Names keep their
    # full-width brackets: only whitespace is normalised here, NFKC only where codes are read.
    if not text.isprintable():
        text = text.translate(_INVISIBLE)
    return " ".join(text.split())


def _clean_cell(value: object) -> tuple[str, bool]:
    """Cell text, and whether it is a number Excel rounded."""
    if value is None:
        return "", False
    if isinstance(value, bool):
        return str(value), False
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value)), abs(value) >= _EXACT_FLOAT_LIMIT
        return repr(value), False
    if isinstance(value, int):
        return str(value), False
    if isinstance(value, datetime | date | time):
        return value.isoformat(), False
    return _clean_text(str(value)), False


def _canonical_header(text: str) -> str:
    key = _key(text).rstrip("*")
    for marker in ("(必填)", "(选填)"):
        key = key.removesuffix(marker)
    return HEADER_ALIASES.get(key, key)


def _guess_kind(headers: Iterable[str]) -> SheetKind | None:
    present = set(headers)
    shared = set(ENTERPRISE_HEADERS) & set(PEOPLE_HEADERS)
    enterprise_score = len(present & (set(ENTERPRISE_HEADERS) - shared))
    people_score = len(present & (set(PEOPLE_HEADERS) - shared))
    if enterprise_score > people_score:
        return SheetKind.ENTERPRISES
    if people_score > enterprise_score:
        return SheetKind.PEOPLE
    return None


def _build_sheet(
    kind: SheetKind, label: str, records: Iterable[Sequence[object]]
) -> tuple[RosterSheet, list[RowError]]:
    """A sheet from its raw records (first = header row), or the missing-header errors."""
    iterator = iter(records)
    header_cells = next(iterator, ())
    positions: dict[str, int] = {}
    for index, raw in enumerate(header_cells):
        text, _ = _clean_cell(raw)
        header = _canonical_header(text)
        if header in _HEADERS[kind]:
            positions.setdefault(header, index)
    missing = [h for h in REQUIRED_HEADERS[kind] if h not in positions]
    header_errors = [
        RowError(label, 1, header, "", "缺少这一必需的列（表头应在第1行）") for header in missing
    ]
    rows: list[RosterRow] = []
    if not header_errors:
        for number, record in enumerate(iterator, start=2):
            cells: dict[str, str] = {}
            rounded: set[str] = set()
            for header, index in positions.items():
                text, inexact = _clean_cell(record[index] if index < len(record) else None)
                cells[header] = text
                if inexact:
                    rounded.add(header)
            if any(cells.values()):
                rows.append(RosterRow(number, cells, frozenset(rounded)))
    sheet = RosterSheet(kind, label, frozenset(positions), tuple(rows))
    return sheet, header_errors


def _label(kind: SheetKind, path: Path, many_files: bool) -> str:
    return f"{kind.value}（{path.name}）" if many_files else kind.value


def _xlsx_sheets(path: Path) -> dict[str, list[list[object]]]:
    """Every sheet's rows of cell values, by sheet title."""
    # read_only streams the sheet XML: about 1 s for a 10,000-enterprise roster.
    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        return {
            sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)]
            for sheet in workbook.worksheets
        }
    finally:
        workbook.close()


def _read_xlsx(path: Path, many_files: bool) -> tuple[list[RosterSheet], list[RowError]]:
    try:
        sheets_by_title = {_key(title): rows for title, rows in _xlsx_sheets(path).items()}
        chosen: list[tuple[SheetKind, Sequence[Sequence[object]]]] = [
            (kind, sheets_by_title[kind.value])
            for kind in SheetKind
            if kind.value in sheets_by_title
        ]
        if not chosen:
            # No sheet named 企业 or 人员 (e.g. "Sheet1"): recognise sheets by their headers.
            for found in sheets_by_title.values():
                headers = [_canonical_header(_clean_cell(c)[0]) for c in found[0]] if found else []
                kind = _guess_kind(headers)
                if kind is not None:
                    chosen.append((kind, found))
    except OSError as exc:
        raise RosterFileError(f"{path.name}：无法读取（{exc.strerror or exc}）") from exc
    except (zipfile.BadZipFile, KeyError, ValueError, IndexError) as exc:
        raise RosterFileError(f"{path.name}：无法打开，不是有效的 .xlsx 文件") from exc
    if not chosen:
        raise RosterFileError(
            f"{path.name}：没有找到「企业」或「人员」工作表，也没有认出企业表或人员表的表头"
        )
    sheets: list[RosterSheet] = []
    errors: list[RowError] = []
    for kind, records in chosen:
        sheet, header_errors = _build_sheet(kind, _label(kind, path, many_files), records)
        sheets.append(sheet)
        errors.extend(header_errors)
    return sheets, errors


def _decode_csv(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        # Excel in China saves "CSV (逗号分隔)" in the ANSI code page, i.e. GBK/GB18030.
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise RosterFileError(
            f"{path.name}：无法识别文件编码，请在 Excel 中另存为「CSV UTF-8」后重试"
        ) from exc


def _read_csv(path: Path, many_files: bool) -> tuple[list[RosterSheet], list[RowError]]:
    try:
        records = list(csv.reader(io.StringIO(_decode_csv(path), newline="")))
    except csv.Error as exc:
        raise RosterFileError(f"{path.name}：CSV 格式有误（{exc}）") from exc
    except OSError as exc:
        raise RosterFileError(f"{path.name}：无法读取（{exc}）") from exc
    headers = [_canonical_header(_clean_text(c)) for c in records[0]] if records else []
    kind = _guess_kind(headers)
    if kind is None:
        raise RosterFileError(
            f"{path.name}：认不出是企业表还是人员表。"
            f"企业表的表头应为 {'、'.join(ENTERPRISE_HEADERS)}；"
            f"人员表的表头应为 {'、'.join(PEOPLE_HEADERS)}"
        )
    sheet, errors = _build_sheet(kind, _label(kind, path, many_files), records)
    return [sheet], errors


def read_roster(paths: Sequence[Path]) -> RosterFile:
    """Parse roster files without validating rows.

    Raises RosterFileError naming every unreadable file, wrong file type and missing header.
    """
    if not paths:
        raise RosterFileError("没有指定要导入的文件")
    many_files = len(paths) > 1
    sheets: list[RosterSheet] = []
    problems: list[str] = []
    header_errors: list[RowError] = []
    for path in paths:
        suffix = path.suffix.lower()
        if suffix not in (".xlsx", ".csv"):
            hint = "旧版 .xls 请在 Excel 中另存为 .xlsx；" if suffix == ".xls" else ""
            problems.append(f"{path.name}：不支持的文件类型，{hint}只能导入 .xlsx 或 .csv 文件")
            continue
        if not path.is_file():
            problems.append(f"{path}：找不到文件")
            continue
        reader = _read_xlsx if suffix == ".xlsx" else _read_csv
        try:
            found, errors = reader(path, many_files)
        except RosterFileError as exc:
            problems.append(str(exc))
            continue
        sheets.extend(found)
        header_errors.extend(errors)
    problems.extend(format_errors(header_errors).splitlines())
    if problems:
        raise RosterFileError("\n".join(problems), header_errors)
    return RosterFile(tuple(sheets))


# --- Validating cells --------------------------------------------------------------------------


class _Invalid(Exception):
    """A cell value is unusable; the message is the Chinese reason."""


def _parse_uscc(text: str, rounded: bool) -> str:
    if rounded or _SCIENTIFIC.fullmatch(text):
        raise _Invalid(
            "被 Excel 当成数字保存，15 位以后的数字已丢失；请把该列设为「文本」格式后重新填写"
        )
    code = re.sub(r"[\s-]", "", _nfkc(text)).upper()
    try:
        return str(stdnum_uscc.validate(code))
    except InvalidLength as exc:
        raise _Invalid(f"长度错误：应为 18 位，实际为 {len(code)} 位") from exc
    except InvalidFormat as exc:
        raise _Invalid(
            "格式错误：前 8 位应为数字，后 10 位只能是数字或大写字母（不含 I、O、S、V、Z）"
        ) from exc
    except InvalidChecksum as exc:
        raise _Invalid("校验位错误：最后一位与前 17 位对不上，请核对是否抄错") from exc
    except ValidationError as exc:
        raise _Invalid("不是有效的统一社会信用代码") from exc


def _parse_mobile(text: str) -> str:
    number = _nfkc(text).strip()
    # A mobile that went through a number cell or a float column comes back as 13812345678.0.
    if re.fullmatch(r"\+?[0-9]+\.0+", number):
        number = number.split(".")[0]
    number = re.sub(r"[\s()\-]", "", number)
    if number.startswith("+86"):
        number = number[3:]
    elif number.startswith("0086"):
        number = number[4:]
    elif len(number) == 13 and number.startswith("86"):
        number = number[2:]
    if not number.isascii() or not number.isdigit():
        raise _Invalid("手机号只能包含数字")
    if len(number) != 11:
        raise _Invalid(f"手机号应为 11 位，实际为 {len(number)} 位")
    if not _MOBILE.fullmatch(number):
        raise _Invalid("不是大陆手机号：应以 13–19 开头")
    return number


def normalise_mobile(text: str) -> str | None:
    """The 11-digit mainland mobile in `text` (+86, spaces, dashes, full-width digits and a
    trailing .0 accepted), or None if it is not one."""
    try:
        return _parse_mobile(_clean_text(text))
    except _Invalid:
        return None


def _parse_choice(text: str, table: Mapping[str, _T], what: str, choices: Iterable[str]) -> _T:
    found = table.get(_key(text))
    if found is None:
        raise _Invalid(f"无法识别的{what}，应为 {'、'.join(choices)} 之一")
    return found


def _parse_industry(text: str) -> Industry:
    return _parse_choice(text, INDUSTRY_ALIASES, "行业", Industry)


def _parse_scale(text: str) -> Scale:
    return _parse_choice(text, SCALE_ALIASES, "规模", Scale)


def _parse_role(text: str) -> Role:
    if _key(text) == Role.MEMBER.value:
        raise _Invalid(
            "「网格员」不在人员表中登记：网格员就是企业的统计员，"
            "请在企业表的「统计员」「统计员手机」两列填写"
        )
    return _parse_choice(text, ROLE_ALIASES, "角色", _ROLE_CHOICES)


def _person_name(text: str) -> str:
    # Chinese names have no spaces ("张 三" is a typing slip); Latin names keep single spaces.
    return text if re.search("[A-Za-z]", text) else _SPACES.sub("", text)


def _town_name(text: str) -> str:
    return _SPACES.sub("", text)


def _grid_key(text: str) -> str:
    return _MIDDLE_DOTS.sub(_GRID_SEPARATOR, _key(text))


# --- Validating rows ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Where:
    sheet: str
    row: int

    def mention(self, other: "_Where") -> str:
        """How a message on row `other` refers to this earlier row."""
        return f"第{self.row}行" if self.sheet == other.sheet else f"{self.sheet} 第{self.row}行"


@dataclass(frozen=True)
class _Enterprise:
    """One 企业 row; a field is None when its cell is empty or invalid."""

    at: _Where
    name: str | None
    uscc: str | None
    industry: Industry | None
    town: str | None
    statistician: str | None
    mobile: str | None
    scale: Scale | None


@dataclass(frozen=True)
class _Staff:
    """One 人员 row; a field is None when its cell is empty, invalid or not applicable."""

    at: _Where
    name: str | None
    mobile: str | None
    role: Role | None
    town: str | None
    grid: str | None
    grid_text: str


class _Errors:
    def __init__(self) -> None:
        self.items: list[RowError] = []
        self._cells: set[tuple[str, int, str]] = set()

    def add(self, at: _Where, column: str, value: str, reason: str) -> None:
        self.items.append(RowError(at.sheet, at.row, column, value, reason))
        self._cells.add((at.sheet, at.row, column))

    def has(self, at: _Where, column: str) -> bool:
        return (at.sheet, at.row, column) in self._cells


def _text(row: RosterRow, at: _Where, column: str, errors: _Errors) -> str | None:
    """The cell's text, or None after reporting it empty or too long."""
    text = row.get(column)
    if not text:
        errors.add(at, column, "", "不能为空")
        return None
    limit = _NAME_LIMITS.get(column)
    if limit is not None and len(text) > limit:
        errors.add(at, column, text, f"太长：最多 {limit} 个字")
        return None
    return text


def _parsed(
    row: RosterRow, at: _Where, column: str, errors: _Errors, parse: Callable[[str], _T]
) -> _T | None:
    text = _text(row, at, column, errors)
    if text is None:
        return None
    try:
        return parse(text)
    except _Invalid as exc:
        errors.add(at, column, text, str(exc))
        return None


def _check_enterprise(sheet: RosterSheet, row: RosterRow, errors: _Errors) -> _Enterprise:
    at = _Where(sheet.label, row.number)
    rounded = "统一社会信用代码" in row.rounded
    return _Enterprise(
        at=at,
        name=_text(row, at, "企业名称", errors),
        uscc=_parsed(row, at, "统一社会信用代码", errors, lambda t: _parse_uscc(t, rounded)),
        industry=_parsed(row, at, "行业", errors, _parse_industry),
        town=_parsed(row, at, "乡镇街道", errors, _town_name),
        statistician=_parsed(row, at, "统计员", errors, _person_name),
        mobile=_parsed(row, at, "统计员手机", errors, _parse_mobile),
        scale=_parsed(row, at, "规模", errors, _parse_scale),
    )


def _check_staff(sheet: RosterSheet, row: RosterRow, errors: _Errors) -> _Staff:
    at = _Where(sheet.label, row.number)
    name = _parsed(row, at, "姓名", errors, _person_name)
    mobile = _parsed(row, at, "手机", errors, _parse_mobile)
    role = _parsed(row, at, "角色", errors, _parse_role)
    town: str | None = None
    if role is None:
        town = _town_name(row.get("乡镇街道")) or None
    elif role not in CITY_ROLES:
        town = _text(row, at, "乡镇街道", errors)
        town = None if town is None else _town_name(town)
    # 管理员 and 一级网格长 belong to the whole city: a town written next to them is ignored.
    grid_text = row.get("网格")
    grid: str | None = None
    if grid_text and role is not None:
        if role in GRID_STAFF_ROLES:
            grid = _grid_key(grid_text)
        else:
            errors.add(
                at,
                "网格",
                grid_text,
                f"{role.value}不属于三级网格，「网格」请留空（只有网格长、副网格长、网格指导员填写网格）",
            )
    return _Staff(at, name, mobile, role, town, grid, grid_text)


def _check_across_rows(
    enterprises: Sequence[_Enterprise], staff: Sequence[_Staff], errors: _Errors
) -> None:
    """Duplicates inside the files; each is reported on the later row."""
    by_uscc: dict[str, _Where] = {}
    by_town_name: dict[tuple[str, str], _Where] = {}
    for ent in enterprises:
        if ent.uscc is not None:
            first = by_uscc.setdefault(ent.uscc, ent.at)
            if first != ent.at:
                errors.add(ent.at, "统一社会信用代码", ent.uscc, f"与{first.mention(ent.at)}重复")
        if ent.name is not None and ent.town is not None:
            first = by_town_name.setdefault((ent.town, _key(ent.name)), ent.at)
            if first != ent.at:
                errors.add(
                    ent.at,
                    "企业名称",
                    ent.name,
                    f"同一乡镇街道内企业名称与{first.mention(ent.at)}重复",
                )

    names: dict[str, tuple[str, _Where]] = {}

    def same_person(at: _Where, column: str, name: str | None, mobile: str | None) -> None:
        if name is None or mobile is None:
            return
        first_name, first_at = names.setdefault(mobile, (name, at))
        if _key(first_name) != _key(name):
            errors.add(
                at,
                column,
                name,
                f"手机号 {mobile} 在{first_at.mention(at)}登记的姓名是「{first_name}」；"
                "同一手机号只能对应一个人",
            )

    for ent in enterprises:
        same_person(ent.at, "统计员", ent.statistician, ent.mobile)
    seen: dict[tuple[str, Role, str | None, str | None], _Where] = {}
    for person in staff:
        same_person(person.at, "姓名", person.name, person.mobile)
        if person.mobile is None or person.role is None:
            continue
        first = seen.setdefault((person.mobile, person.role, person.town, person.grid), person.at)
        if first != person.at:
            errors.add(
                person.at,
                "手机",
                person.mobile,
                f"与{first.mention(person.at)}重复（同一人、同一角色、同一乡镇街道和网格）",
            )


@dataclass
class _Known:
    """What the database already holds that the checks and the apply step both need."""

    grids: dict[str, Grid] = field(default_factory=dict)
    # Level-3 grids each existing town works with (see level3_grids_by_town), by town name.
    grids_of_town: dict[str, list[Grid]] = field(default_factory=dict)
    # The level-3 grid each 人员 row names.
    named_grid: dict[_Where, Grid] = field(default_factory=dict)


def _resolve_grid(key: str, grids: Sequence[Grid]) -> list[Grid]:
    """Grids matching a full name (虹桥镇·工业网格1) or the short part after the dot."""
    if _GRID_SEPARATOR in key:
        return [g for g in grids if _grid_key(g.name) == key]
    return [g for g in grids if _grid_key(g.name).split(_GRID_SEPARATOR, 1)[-1] == key]


async def _check_against_db(
    *,
    session: AsyncSession,
    enterprises: Sequence[_Enterprise],
    staff: Sequence[_Staff],
    errors: _Errors,
) -> _Known:
    known = _Known()
    enterprise_towns = {ent.town for ent in enterprises if ent.town is not None}
    towns = enterprise_towns | {p.town for p in staff if p.town is not None}
    known.grids = await grids_by_name(session=session, names=towns)
    town_ids = {
        name: grid.id
        for name, grid in known.grids.items()
        if grid.level == GridLevel.TOWN and grid.id is not None
    }
    by_town = await level3_grids_by_town(session=session, town_ids=town_ids.values())
    for name, town_id in town_ids.items():
        known.grids_of_town[name] = by_town.get(town_id, [])

    def check_town(at: _Where, town: str | None) -> bool:
        grid = known.grids.get(town) if town is not None else None
        if grid is not None and grid.level != GridLevel.TOWN:
            errors.add(at, "乡镇街道", town or "", "与一个已有的非乡镇街道网格同名，请核对名称")
            return False
        return town is not None

    for ent in enterprises:
        check_town(ent.at, ent.town)
    for person in staff:
        if not check_town(person.at, person.town) or person.town is None:
            continue
        if person.town not in known.grids and person.town not in enterprise_towns:
            # A typo here would otherwise create a town with staff and no enterprises.
            errors.add(
                person.at,
                "乡镇街道",
                person.town,
                "系统中没有这个乡镇街道，本次导入的企业表中也没有；请核对名称",
            )
            continue
        if person.grid is None:
            continue
        candidates = _resolve_grid(person.grid, known.grids_of_town.get(person.town, []))
        if len(candidates) == 1:
            known.named_grid[person.at] = candidates[0]
        else:
            problem = "对应多个网格，请写完整名称" if candidates else "不是该乡镇街道已有的网格"
            errors.add(
                person.at,
                "网格",
                person.grid_text,
                f"{problem}（如「{person.town}{_GRID_SEPARATOR}工业网格1」）。"
                "留空则由系统自动分配；如尚未划分网格，请先运行 gridbot grids partition",
            )

    file_usccs = {ent.uscc for ent in enterprises if ent.uscc is not None}
    names = {ent.name for ent in enterprises if ent.name is not None}
    same_name: dict[tuple[int, str], list[str]] = defaultdict(list)
    for stored in await survey_object_keys_by_name(session=session, names=names):
        # An object whose USCC is in the file takes the file's name and town instead.
        if stored.uscc not in file_usccs:
            same_name[(stored.town_id, _key(stored.name))].append(stored.uscc)
    for ent in enterprises:
        if ent.name is None or ent.town is None or ent.town not in town_ids:
            continue
        for other in same_name.get((town_ids[ent.town], _key(ent.name)), []):
            errors.add(
                ent.at,
                "企业名称",
                ent.name,
                f"{ent.town}已有同名企业，其统一社会信用代码为 {other}，与此处不同；请核对",
            )

    rows: list[tuple[_Where, str, str | None, str | None]] = [
        (ent.at, "统计员", ent.statistician, ent.mobile) for ent in enterprises
    ] + [(p.at, "姓名", p.name, p.mobile) for p in staff]
    stored_names = await person_names_by_mobile(
        session=session, mobiles={mobile for *_, mobile in rows if mobile is not None}
    )
    for at, column, row_name, row_mobile in rows:
        if row_name is None or row_mobile is None or errors.has(at, column):
            continue
        stored_name = stored_names.get(row_mobile)
        if stored_name is not None and _key(stored_name) != _key(row_name):
            errors.add(
                at,
                column,
                row_name,
                f"手机号 {row_mobile} 在系统中登记的是「{stored_name}」，与此处姓名不一致；"
                "如确为换人，请先用 gridbot people rebind 处理",
            )
    return known


# --- Applying ----------------------------------------------------------------------------------


def _must(value: _T | None) -> _T:
    # Only a roster without any error is applied, and then every required cell is filled.
    if value is None:
        raise AssertionError("a validated roster row lacks a required value")
    return value


def _id(row: Grid) -> int:
    return _must(row.id)


async def _apply_assignments(
    *,
    session: AsyncSession,
    staff: Sequence[_Staff],
    city: Grid,
    towns: Mapping[str, Grid],
    people: Mapping[str, int],
    known: _Known,
) -> tuple[int, int]:
    """Create the staff assignments the roster names; returns (created, updated)."""
    person_ids = {people[_must(p.mobile)] for p in staff}
    live = await live_assignments(session=session, person_ids=person_ids)
    town_ids = {_id(town) for town in towns.values()}
    towns_of_grid: dict[int, set[int]] = defaultdict(set)
    for name, grids in known.grids_of_town.items():
        for grid in grids:
            towns_of_grid[_id(grid)].add(_id(towns[name]))
    # None stands for an assignment created by this import.
    held: dict[tuple[int, int, Role], Assignment | None] = {}
    # Level-3 roles by (person, town, role): still on the town grid, or already on a grid.
    awaiting: dict[tuple[int, int, Role], Assignment | None] = {}
    placed: set[tuple[int, int, Role]] = set()
    for assignment in live:
        held[(assignment.person_id, assignment.grid_id, assignment.role)] = assignment
        if assignment.role in GRID_STAFF_ROLES:
            if assignment.grid_id in town_ids:
                awaiting[(assignment.person_id, assignment.grid_id, assignment.role)] = assignment
            for town_id in towns_of_grid.get(assignment.grid_id, ()):
                placed.add((assignment.person_id, town_id, assignment.role))

    created: list[NewAssignment] = []
    updated = 0
    # Rows naming a grid go first so that an unnamed row for the same role sees them placed.
    for person in sorted(staff, key=lambda p: p.at not in known.named_grid):
        person_id = people[_must(person.mobile)]
        role = _must(person.role)
        if role in CITY_ROLES:
            grid = city
        elif role in TOWN_ROLES:
            grid = towns[_must(person.town)]
        elif person.at in known.named_grid:
            grid = known.named_grid[person.at]
        else:
            town_id = _id(towns[_must(person.town)])
            key = (person_id, town_id, role)
            if key not in placed and key not in awaiting:
                awaiting[key] = None
                created.append(NewAssignment(person_id, town_id, role, explicit=False))
            continue

        grid_id = _id(grid)
        key = (person_id, grid_id, role)
        if key in held:
            current = held[key]
            if current is not None and role in GRID_STAFF_ROLES and not current.explicit:
                # Named in the roster now: pin it so the partition leaves it there.
                current.explicit = True
                updated += 1
            continue
        if role in GRID_STAFF_ROLES:
            town_id = _id(towns[_must(person.town)])
            placed.add((person_id, town_id, role))
            waiting = awaiting.pop((person_id, town_id, role), None)
            if waiting is not None:
                waiting.grid_id = grid_id
                waiting.explicit = True
                held[key] = waiting
                updated += 1
                continue
        held[key] = None
        # City and town roles are placed by the roster itself, hence explicit as well.
        created.append(NewAssignment(person_id, grid_id, role, explicit=True))
    await add_assignments(session=session, rows=created)
    await session.flush()
    return len(created), updated


async def _apply(
    *,
    session: AsyncSession,
    city_name: str,
    enterprises: Sequence[_Enterprise],
    staff: Sequence[_Staff],
    known: _Known,
) -> ImportReport:
    report = ImportReport()
    city, _ = await get_or_create_city_grid(session=session, name=city_name)
    town_names = [_must(e.town) for e in enterprises] + [p.town for p in staff if p.town]
    towns, report.towns_created = await get_or_create_town_grids(
        session=session, city=city, names=list(dict.fromkeys(town_names))
    )
    names_by_mobile: dict[str, str] = {}
    for ent in enterprises:
        names_by_mobile.setdefault(_must(ent.mobile), _must(ent.statistician))
    for person in staff:
        names_by_mobile.setdefault(_must(person.mobile), _must(person.name))
    people, report.people_created = await get_or_create_people(
        session=session, names_by_mobile=names_by_mobile
    )
    counts = await upsert_survey_objects(
        session=session,
        rows=[
            SurveyObjectData(
                uscc=_must(ent.uscc),
                name=_must(ent.name),
                industry=_must(ent.industry),
                scale=_must(ent.scale),
                town_id=_id(towns[_must(ent.town)]),
                statistician_id=people[_must(ent.mobile)],
            )
            for ent in enterprises
        ],
    )
    report.enterprises_created = counts.created
    report.enterprises_updated = counts.updated
    report.enterprises_unchanged = counts.unchanged
    report.assignments_created, report.assignments_updated = await _apply_assignments(
        session=session, staff=staff, city=city, towns=towns, people=people, known=known
    )
    return report


def _sorted(roster: RosterFile, errors: Iterable[RowError]) -> list[RowError]:
    sheets = {
        sheet.label: (index, _HEADERS[sheet.kind]) for index, sheet in enumerate(roster.sheets)
    }

    def order(error: RowError) -> tuple[int, int, int]:
        index, headers = sheets.get(error.sheet, (len(sheets), ()))
        column = headers.index(error.column) if error.column in headers else len(headers)
        return index, error.row, column

    return sorted(errors, key=order)


async def import_roster(
    *, session: AsyncSession, paths: Sequence[Path], city_name: str
) -> ImportReport:
    """Validate every row of the roster files and, only if all are clean, apply them and commit.

    With any bad row the report lists all errors and the database is left untouched. Raises
    RosterFileError when a file cannot be read as a roster (see `read_roster`).
    """
    roster = await asyncio.to_thread(read_roster, paths)
    errors = _Errors()
    enterprises = [
        _check_enterprise(sheet, row, errors)
        for sheet in roster.of_kind(SheetKind.ENTERPRISES)
        for row in sheet.rows
    ]
    staff = [
        _check_staff(sheet, row, errors)
        for sheet in roster.of_kind(SheetKind.PEOPLE)
        for row in sheet.rows
    ]
    _check_across_rows(enterprises, staff, errors)
    try:
        known = await _check_against_db(
            session=session, enterprises=enterprises, staff=staff, errors=errors
        )
        if errors.items:
            await session.rollback()
            return ImportReport(errors=_sorted(roster, errors.items))
        report = await _apply(
            session=session,
            city_name=city_name,
            enterprises=enterprises,
            staff=staff,
            known=known,
        )
        await session.commit()
    except BaseException:
        await session.rollback()
        raise
    return report


# --- Reporting errors --------------------------------------------------------------------------

_REPORT_HEADERS = ("工作表", "行号", "列", "内容", "问题")


def _shorten(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def format_errors(errors: Iterable[RowError]) -> str:
    """One console line per error: 企业 第12行 统一社会信用代码「9133…」：校验位错误…"""
    lines = []
    for error in errors:
        value = f"「{_shorten(error.value)}」" if error.value else ""
        lines.append(f"{error.sheet} 第{error.row}行 {error.column}{value}：{error.reason}")
    return "\n".join(lines)


def error_report_path(input_path: Path) -> Path:
    """Where the error report of `input_path` goes: roster.xlsx -> roster.错误报告.xlsx."""
    return input_path.with_name(f"{input_path.stem}.错误报告.xlsx")


def write_error_report(errors: Sequence[RowError], path: Path) -> Path:
    """Write the errors as an .xlsx the user can work through row by row; returns `path`.

    Cells that look like formulas (= + - @) are stored as quoted text, never evaluated.
    """
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    if sheet is None:
        raise AssertionError("a new openpyxl workbook always has a sheet")
    sheet.title = "错误报告"
    write_sheet(
        sheet, _REPORT_HEADERS, [(e.sheet, e.row, e.column, e.value, e.reason) for e in errors]
    )
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.auto_filter.ref = sheet.dimensions
    workbook.save(path)
    return path
