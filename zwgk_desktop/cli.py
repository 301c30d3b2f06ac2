"""The `zwgk` command (design §4.2): thin, calling the same functions as the desktop app.

Exit codes: 0 success, 1 verification failed, 2 bad input or usage, 3 anything else. Known
problems are told in words on stderr; a bug's traceback goes to the log file, never the screen.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import re
import signal
import sys
import traceback
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from zwgk_desktop import __version__, collector, paths
from zwgk_desktop.choices import for_cli
from zwgk_desktop.domain.categories import CATEGORIES
from zwgk_desktop.domain.fields import FieldError, Kind, parse_date
from zwgk_desktop.domain.filing import DEFAULT_PATTERN
from zwgk_desktop.domain.items import REVIEWED, STATUS_NAMES
from zwgk_desktop.domain.periods import Period, parse_period
from zwgk_desktop.domain.web_address import checked_base_url
from zwgk_desktop.errors import STOP_ASKED, BadInput, Blocked, Problem, ZwgkError
from zwgk_desktop.inputs import readable_file
from zwgk_desktop.logfile import log_to_file
from zwgk_desktop.outputs import why

if TYPE_CHECKING:
    from zwgk_desktop.office.handle import Archive
    from zwgk_desktop.office.sealing import Compared
    from zwgk_desktop.render.layout import LayoutSet

log = logging.getLogger("zwgk")


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors in Chinese, with exit code 2."""

    def format_usage(self) -> str:
        return _in_chinese(super().format_usage())

    def format_help(self) -> str:
        return _in_chinese(super().format_help())

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        for english, chinese in _ARGPARSE_WORDS:
            message = re.sub(english, chinese, message)
        self.exit(2, f"{self.prog}：用法错误：{message}\n")


# argparse's own words in --help (it has no Chinese catalogue), as a clerk should read them.
_HELP_WORDS = (
    (re.compile(r"^usage: "), "用法："),
    (re.compile(r"^positional arguments:$", re.M), "参数："),
    (re.compile(r"^options:$", re.M), "选项："),
    (re.compile(r"show this help message and exit"), "显示本说明后退出"),
    (re.compile(r"show program's version number and exit"), "显示程序版本后退出"),
)


def _in_chinese(text: str) -> str:
    for english, chinese in _HELP_WORDS:
        text = english.sub(chinese, text)
    return text


# argparse's own messages (it has no Chinese catalogue), as a clerk should read them.
_ARGPARSE_WORDS = (
    (r"^the following arguments are required: ", "缺少必须给出的参数："),
    (r"^unrecognized arguments: ", "无法识别的参数："),
    (r"^argument (\S+): expected one argument", r"参数 \1 后面要跟一个值"),
    (r"^argument (\S+): invalid choice: (\S+) \(choose from (.*)\)", r"参数 \1 不能取 \2，可选：\3"),
    (r"^argument (\S+): ", r"参数 \1："),
)


def _whole_number(low: int, high: int, what: str) -> Callable[[str], int]:
    """An argparse type for a whole number in [low, high]: a huge or negative one is a usage error
    in words, not a crash in the database."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"“{text}”不是整数") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{what}应在 {low} 到 {high} 之间，而不是 {text}")
        return value
    return parse


_item_number = _whole_number(1, 2**31 - 1, "事项编号")
_limit = _whole_number(1, 10_000, "条数")
_objection_id = _whole_number(1, 2**31 - 1, "异议编号")


def _item_arguments(parser: argparse.ArgumentParser, what: str) -> None:
    """`--item N [--village V]`: an item by the number on its sheets (see `store.find_item`)."""
    parser.add_argument("--item", required=True, type=_item_number, metavar="ID", help=what)
    parser.add_argument("--village", metavar="V", help="村名或代码（乡镇汇总库中各村编号会重复，须指明）")


def _common() -> _Parser:
    common = _Parser(add_help=False)
    common.add_argument("--db", default=None, metavar="URL_OR_PATH",
                        help="数据库：SQLite 文件路径或 SQLAlchemy 网址"
                             "（默认：用户数据目录的 archive.sqlite3；环境变量 ZWGK_DB）")
    common.add_argument("--layouts", default=None, metavar="DIR",
                        help="版式目录（默认：随程序附带的标准格式；环境变量 ZWGK_LAYOUTS）")
    return common


# Every --period: a quarter, or a month for what a village discloses monthly (office.monthly).
PERIOD_HELP = "季度，如 2026Q3；按月公开的类别（如按月公开财务的村）也可写月份，如 2026-07"


def build_parser() -> argparse.ArgumentParser:
    common = _common()
    parser = _Parser(prog="zwgk", description="村务公开栏：村务公开事项的档案、版式与 A3 公开栏海报")
    parser.add_argument("--version", action="version", version=f"zwgk {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="命令", parser_class=_Parser)

    p = sub.add_parser("init", parents=[common], help="创建或升级数据库；设置乡镇、村和网上公开地址")
    p.add_argument("--township", metavar="NAME", help="乡镇名称")
    p.add_argument("--village", action="append", default=[], metavar="NAME[=CODE]",
                   help="添加村（可多次）；CODE 为网址中用的英文代码，省略时按拼音生成")
    p.add_argument("--base-url", metavar="URL", help="网上公开地址（二维码指向此处）")
    p.add_argument("--township-phone", metavar="PHONE", help="乡镇纪委监督电话")
    p.add_argument("--archive-pattern", metavar="PATTERN",
                   help="档号格式（封存时填写），默认 {全宗号}-{年度}-{保管期限}-{件号}")
    p.add_argument("--objection-url", metavar="URL",
                   help="乡镇自己的网上异议渠道（网上信访、监督页面），网上公开件每页注明")
    p.set_defaults(run=cmd_init, changes=True)

    p = sub.add_parser("demo", parents=[common], help="装入示范乡镇：3 个村、4 个季度、所有类别")
    p.set_defaults(run=cmd_demo, changes=True)

    p = sub.add_parser("list", parents=[common], help="列出村、季度和事项")
    p.add_argument("--village", metavar="V", help="村名或代码")
    p.add_argument("--period", metavar="P", help=PERIOD_HELP)
    p.add_argument("--json", action="store_true", help="以 JSON 输出，便于脚本处理")
    p.set_defaults(run=cmd_list)

    p = sub.add_parser("render", parents=[common],
                       help="生成公开栏海报 PDF：A3，或用 --paper A4 印在 A4 纸上（可批量打印各村）")
    p.add_argument("--village", action="append", default=[], metavar="V",
                   help="村名或代码；批量打印时可多次给出，选定几个村")
    p.add_argument("--all-villages", action="store_true",
                   help="批量打印全部村：-o 为目录时每村一个 PDF，为 .pdf 文件时合成一个打印文件")
    p.add_argument("--period", required=True, metavar="P", help=PERIOD_HELP)
    p.add_argument("--category", choices=tuple(CATEGORIES), metavar="C",
                   help=f"只打印一个类别：{' / '.join(CATEGORIES)}")
    p.add_argument("--item", type=_item_number, metavar="ID", help="只打印一个事项（海报上、网址中的事项编号）")
    p.add_argument("--base-url", metavar="URL", help="二维码所用的网上公开地址（覆盖已保存的设置）")
    p.add_argument("--paper", type=str.upper, choices=("A3", "A4"), default="A3", metavar="A3|A4",
                   help="打印机的纸张：A3（默认）；A4 时每张 A3 按原大拼贴在两张 A4 上")
    p.add_argument("--fit", action="store_true",
                   help="与 --paper A4 同用：改用版式的 A4 版式（同样的内容和验证码，张数多一些）")
    p.add_argument("-o", "--output", required=True, type=Path, metavar="FILE.pdf|DIR",
                   help="输出文件（批量打印时也可以是目录）")
    p.add_argument("--json", action="store_true", help="以 JSON 输出结果")
    p.set_defaults(run=cmd_render)

    p = sub.add_parser("template", parents=[common], help="生成某一类别的 Excel 导入模板")
    p.add_argument("category", choices=tuple(CATEGORIES), metavar="CATEGORY", help=" / ".join(CATEGORIES))
    p.add_argument("-o", "--output", required=True, type=Path, metavar="FILE.xlsx")
    p.set_defaults(run=cmd_template)

    p = sub.add_parser("import", parents=[common], help="从 Excel/CSV 导入为新的草稿事项（有一处错误就什么也不导入）")
    p.add_argument("file", type=Path, metavar="FILE.xlsx", help=".xlsx、.xls 或 .csv（UTF-8 或 GBK）")
    p.add_argument("--village", required=True, metavar="V", help="村名或代码")
    p.add_argument("--period", required=True, metavar="P", help=PERIOD_HELP)
    p.add_argument("--category", required=True, choices=tuple(CATEGORIES), metavar="C",
                   help=" / ".join(CATEGORIES))
    p.add_argument("--title", metavar="T", help="事项标题（默认按类别和季度生成）")
    p.add_argument("--mapping", metavar="NAME|FILE.toml",
                   help="列的对应关系（其他系统导出的表，表头写法不同时用），已保存的名称或文件")
    p.add_argument("--save-mapping", metavar="NAME", help="把 --mapping 给出的对应关系保存下来，以后用名称即可")
    p.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE", dest="fixed",
                   help="整表统一填写：给每一行（或事项本身）的某一栏同一个值，如 --set 救助类别=农村低保；可重复。"
                        "FIELD 是栏目名或其代码；表中已有这一列的，拒绝导入（不知道以哪个为准）")
    p.add_argument("--accept-warnings", action="store_true", help="已核对所有提醒，仍然导入")
    p.add_argument("--json", action="store_true", help="以 JSON 输出结果（出错时也在标准输出给出每处问题）")
    p.set_defaults(run=cmd_import, changes=True)

    p = sub.add_parser("export", parents=[common], help="把一个事项的明细导出为 Excel（可原样再导入）")
    _item_arguments(p, "事项编号（zwgk list 所列，即海报网址中的编号）")
    p.add_argument("-o", "--output", required=True, type=Path, metavar="FILE.xlsx")
    p.set_defaults(run=cmd_export)

    p = sub.add_parser("delete", parents=[common], help="删除一个未封存的事项（误建或重复导入的）")
    _item_arguments(p, "事项编号（zwgk list 所列）")
    p.set_defaults(run=cmd_delete, changes=True)

    p = sub.add_parser("seal", parents=[common], help="封存一个村的一个季度（封存后不能再改，只能更正）")
    p.add_argument("--village", required=True, metavar="V", help="村名或代码")
    p.add_argument("--period", required=True, metavar="P", help="季度，如 2026Q3（按月公开的月份随季度一并封存）")
    p.add_argument("--by", default=None, metavar="NAME", help="封存人（默认：当前系统用户）")
    p.add_argument("--json", action="store_true", help="以 JSON 输出结果")
    p.set_defaults(run=cmd_seal, changes=True)

    p = sub.add_parser("correct", parents=[common], help="对已封存的事项发更正公告（新版本，原版本保留）")
    _item_arguments(p, "要更正的已封存事项的编号（海报网址中的编号）；也可以是尚未封存的更正稿，以继续修改或审核它")
    p.add_argument("--reason", metavar="TEXT", help="更正原因（新建更正时必填）")
    p.add_argument("--set", action="append", default=[], metavar="[行号.]栏目=值", dest="assignments",
                   help="改一个值，可多次：如 --set 12.月保障金额=450 --set 期末余额=12,345.60 --set 标题=…")
    p.add_argument("--reviewer", metavar="NAME", help="村务监督委员会审核人：给出即标记为已审核，可以封存")
    p.add_argument("--reviewed-on", metavar="YYYY-MM-DD", help="审核日期（默认今天）")
    p.add_argument("--json", action="store_true", help="以 JSON 输出结果")
    p.set_defaults(run=cmd_correct, changes=True)

    p = sub.add_parser("review", parents=[common],
                       help="村务监督委员会审核事项（即程序中的“审核通过”）；--undo 撤销审核，退回草稿")
    _item_arguments(p, "要审核的事项编号（zwgk list 所列，即海报网址中的编号）")
    p.add_argument("--reviewer", metavar="NAME", help="村务监督委员会审核人姓名（审核时必填）")
    p.add_argument("--on", metavar="YYYY-MM-DD", dest="reviewed_on", help="审核日期（默认今天；不能晚于今天）")
    p.add_argument("--undo", action="store_true", help="撤销审核（即程序中的“退回草稿”），事项需重新审核")
    p.add_argument("--json", action="store_true", help="以 JSON 输出结果")
    p.set_defaults(run=cmd_review, changes=True)

    p = sub.add_parser("new", parents=[common], help="新建一个空白的草稿事项（即程序中的“新建事项”），打印其编号")
    p.add_argument("--village", required=True, metavar="V", help="村名或代码")
    p.add_argument("--period", required=True, metavar="P", help=PERIOD_HELP)
    p.add_argument("--category", required=True, choices=tuple(CATEGORIES), metavar="C",
                   help=" / ".join(CATEGORIES))
    p.add_argument("--title", metavar="T", help="事项标题（默认按类别和季度生成）")
    p.add_argument("--json", action="store_true", help="以 JSON 输出结果")
    p.set_defaults(run=cmd_new, changes=True)

    p = sub.add_parser("edit", parents=[common],
                       help="修改未封存事项的内容（即在程序中填写、修改）；已审核的改后退回草稿")
    _item_arguments(p, "要修改的事项编号（zwgk list 所列）")
    p.add_argument("--set", action="append", default=[], metavar="[行号.]栏目=值", dest="assignments",
                   help="改一个值，可多次：如 --set 12.月保障金额=450 --set 期末余额=12,345.60 --set 标题=… "
                        "--set 公示开始=2026-10-10 --set 经办人=… --set 公开属性=主动公开")
    p.add_argument("--add-rows", type=_whole_number(0, 100_000, "行数"), default=0, metavar="N",
                   help="先在末尾添加 N 个空行，再用 --set 行号.栏目=值 填写")
    p.add_argument("--delete-row", action="append", type=_whole_number(1, 10**7, "行号"), default=[],
                   metavar="ROW", dest="delete_rows", help="删除一行（可多次；按原来的行号）")
    p.add_argument("--json", action="store_true", help="以 JSON 输出结果")
    p.set_defaults(run=cmd_edit, changes=True)

    p = sub.add_parser("settings", parents=[common],
                       help="查看或修改全乡镇共用的设置：网上公开地址、监督电话、公开截止日、村名（即程序中的“设置”）")
    p.add_argument("--township", metavar="NAME", help="乡镇名称")
    p.add_argument("--base-url", metavar="URL", help="网上公开地址（二维码指向此处；空字符串清除）")
    p.add_argument("--township-phone", metavar="PHONE", help="乡镇纪委监督电话（空字符串清除）")
    p.add_argument("--publication-day", type=_whole_number(1, 28, "公开截止日"), metavar="DAY",
                   help="每季度公开截止：次月几日（1–28）")
    p.add_argument("--village-phone", action="append", default=[], metavar="V=PHONE",
                   help="村务监督委员会电话，可多次：如 --village-phone donggang=0371-62341101（空值清除）")
    p.add_argument("--rename-village", action="append", default=[], metavar="V=NAME",
                   help="改村名（网址代码不变），可多次")
    p.add_argument("--archive-pattern", metavar="PATTERN",
                   help="档号格式（封存时填写；空字符串恢复默认 {全宗号}-{年度}-{保管期限}-{件号}），可用 "
                        "{全宗号} {年度} {季度} {保管期限} {保管期限名} {件号} {村代码} {类别}")
    p.add_argument("--fonds", action="append", default=[], metavar="V=CODE",
                   help="村的全宗号（县档案馆给定），可多次：如 --fonds donggang=Z012（空值清除）")
    p.add_argument("--monthly", action="append", default=[], metavar="V=CATEGORY",
                   help="定某村自某季度起按月公开的类别（交易多的村按月公开财务），可多次：如 "
                        "--monthly donggang=finance@2026Q3（不写 @季度 则自本季度起）；几个类别用逗号分开；"
                        "空值（donggang=）恢复按季度")
    p.add_argument("--objection-url", metavar="URL",
                   help="乡镇自己的网上异议渠道（网上信访、监督页面），网上公开件每页注明；空字符串清除")
    p.add_argument("--licence", metavar="TEXT",
                   help="网上公开件开放数据的使用许可（一行，显示在每一页和每个数据文件中；空字符串清除），"
                        "如 “可自由转载、使用，请注明来源：青山镇村务公开”")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    p.set_defaults(run=cmd_settings)

    p = sub.add_parser("verify", parents=[common], help="核验档案：重算所有哈希、封存链和封存的 PDF")
    p.add_argument("--village", metavar="V", help="只核验一个村")
    p.add_argument("--report", type=Path, metavar="FILE.xlsx",
                   help="同时写出四性检测报告（真实性、完整性、可用性、安全性，依 DA/T 70-2018）")
    p.add_argument("--against", type=Path, metavar="SOURCE",
                   help="再与在别处公布的封存记录核对：网上公开件的文件夹、封存记录文件（seals.json）或档案包（.zwgk）")
    p.add_argument("--json", action="store_true", help="以 JSON 输出结果")
    p.set_defaults(run=cmd_verify)

    p = sub.add_parser("search", parents=[common], help="全文查找档案：标题、摘要、姓名、项目、单位……")
    p.add_argument("text", metavar="TEXT", help="要查找的文字（任意部分，如 村干部、王建国）")
    p.add_argument("--village", metavar="V", help="只查一个村")
    p.add_argument("--period", metavar="P", help="只查一个季度")
    p.add_argument("--category", choices=tuple(CATEGORIES), metavar="C", help="只查一个类别")
    p.add_argument("--limit", type=_limit, default=100, metavar="N", help="最多列出多少条（1–10000，默认 100）")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    p.set_defaults(run=cmd_search)

    p = sub.add_parser("status", parents=[common], help="乡镇公开情况表：各村×各类别 按时/逾期/未公开/无需公开")
    p.add_argument("--period", required=True, metavar="P", help=PERIOD_HELP)
    p.add_argument("--xlsx", type=Path, metavar="FILE.xlsx", help="同时写出 Excel 表，供上报")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    p.set_defaults(run=cmd_status)

    p = sub.add_parser("site", parents=[common], help="写出网上公开件（静态网站，二维码指向这里）；或核对已写出的")
    p.add_argument("-o", "--output", required=True, type=Path, metavar="DIR",
                   help="网站目录（再次导出只改写有变化的文件）")
    p.add_argument("--base-url", metavar="URL", help="网站地址（默认：已保存的网上公开地址，须与二维码一致）")
    p.add_argument("--check", action="store_true", help="只核对 DIR 中的网站是否与档案一致，不写入；不一致时退出码为 1")
    p.add_argument("--json", action="store_true", help="以 JSON 输出结果")
    p.set_defaults(run=cmd_site)

    p = sub.add_parser("pack", help="版式包：乡镇统一下发的版式和公开目录（带版本和校验）")
    pack = p.add_subparsers(dest="action", required=True, metavar="export|import|show", parser_class=_Parser)
    q = pack.add_parser("export", parents=[common], help="把版式目录（--layouts）导出为版式包，发给各村")
    q.add_argument("-o", "--output", required=True, type=Path, metavar="FILE.zwgkpack")
    q.add_argument("--name", required=True, metavar="NAME", help="版式包名称，如“青山镇统一格式”")
    q.add_argument("--version", required=True, metavar="V", dest="pack_version", help="版本，如 2026.1")
    q.set_defaults(run=cmd_pack_export)
    q = pack.add_parser("import", parents=[common], help="导入乡镇下发的版式包（此后打印都用它）")
    q.add_argument("pack_file", type=Path, metavar="FILE.zwgkpack")
    q.set_defaults(run=cmd_pack_import)
    q = pack.add_parser("show", parents=[common], help="正在使用的版式和公开目录，并核对是否被改动")
    q.set_defaults(run=cmd_pack_show)

    p = sub.add_parser("bundle", help="档案包：把一个村的封存档案带到乡镇（或带回），带校验")
    bundle = p.add_subparsers(dest="action", required=True, metavar="export|import", parser_class=_Parser)
    q = bundle.add_parser("export", parents=[common], help="把一个村的全部封存导出为一个档案包文件")
    q.add_argument("--village", required=True, metavar="V", help="村名或代码")
    q.add_argument("-o", "--output", type=Path, metavar="FILE.zwgk", help="输出文件（默认：村代码-日期.zwgk）")
    q.add_argument("--json", action="store_true", help="以 JSON 输出结果")
    q.set_defaults(run=cmd_bundle_export)
    q = bundle.add_parser("import", parents=[common], help="导入档案包（重复导入不会重复添加；被改动的包会被拒绝）")
    q.add_argument("bundle_file", type=Path, metavar="FILE.zwgk")
    q.add_argument("--trust-fingerprint", action="append", default=[], metavar="FP",
                   help="村里电话报来、已核对无误的密钥指纹（村的第一个档案包、或村里挂失密钥后须给出）")
    q.add_argument("--confirmed-by", default="", metavar="NAME", help="核对指纹的人（给出 --trust-fingerprint 时必填）")
    q.add_argument("--json", action="store_true", help="以 JSON 输出结果")
    q.set_defaults(run=cmd_bundle_import, changes=True)

    p = sub.add_parser("objection", help="异议登记：村民对公开事项的异议或意见，及 10 日内的答复")
    objection = p.add_subparsers(dest="action", required=True, metavar="add|reply|link|publish|list",
                                 parser_class=_Parser)
    q = objection.add_parser("add", parents=[common], help="登记一件异议，打印其编号")
    q.add_argument("--village", required=True, metavar="V", help="村名或代码")
    q.add_argument("--item", required=True, type=_item_number, metavar="N", help="异议所针对的事项编号（海报上的编号）")
    q.add_argument("--row", type=_whole_number(1, 1_000_000, "行号"), metavar="R",
                   help="针对的是哪一行（如编辑器所列，从 1 起）")
    q.add_argument("--received", required=True, metavar="DATE", help="收到日期，如 2026-07-15")
    q.add_argument("--channel", required=True, metavar="C", help="渠道：电话 / 来信 / 当面 / 意见箱 / 网上")
    q.add_argument("--text", required=True, metavar="T", help="异议内容（会公开，不要写身份证号、电话或账号）")
    q.add_argument("--by", metavar="NAME", help="提出人（只在档案中保存，公开时写“村民”）")
    q.add_argument("--json", action="store_true", help="以 JSON 输出结果")
    q.set_defaults(run=cmd_objection_add, changes=True)
    q = objection.add_parser("reply", parents=[common], help="答复一件异议（应在收到后 10 日内）")
    q.add_argument("objection_id", type=_objection_id, metavar="ID", help="异议编号（zwgk objection list 所列）")
    q.add_argument("--text", required=True, metavar="T", help="答复内容（会公开）")
    q.add_argument("--by", required=True, metavar="NAME", help="答复人（经办人）")
    q.add_argument("--on", metavar="YYYY-MM-DD", help="答复日期（默认今天）")
    q.add_argument("--outcome", metavar="维持|更正", help="处理结果：维持 原公开内容，或 更正")
    q.add_argument("--correction", type=_item_number, metavar="N",
                   help="由此发出的更正公告的事项编号（处理结果为更正时）")
    q.add_argument("--json", action="store_true", help="以 JSON 输出结果")
    q.set_defaults(run=cmd_objection_reply, changes=True)
    q = objection.add_parser("link", parents=[common], help="答复“更正”后发出更正公告时，把更正公告关联到异议")
    q.add_argument("objection_id", type=_objection_id, metavar="ID", help="异议编号")
    q.add_argument("--correction", required=True, type=_item_number, metavar="N", help="更正公告的事项编号")
    q.set_defaults(run=cmd_objection_link, changes=True)
    q = objection.add_parser("publish", parents=[common],
                             help="生成（或重写）本季度的“异议处理情况”草稿事项，审核后打印张贴、随季度封存")
    q.add_argument("--village", required=True, metavar="V", help="村名或代码")
    q.add_argument("--period", required=True, metavar="P", help="季度，如 2026Q3")
    q.add_argument("--json", action="store_true", help="以 JSON 输出结果")
    q.set_defaults(run=cmd_objection_publish, changes=True)
    q = objection.add_parser("list", parents=[common], help="列出异议及答复情况（待答复/已答复/逾期未答复/逾期答复）")
    q.add_argument("--village", metavar="V", help="村名或代码")
    q.add_argument("--period", metavar="P", help="季度（异议所针对事项的季度），如 2026Q3")
    q.add_argument("--overdue", action="store_true", help="只列逾期的（逾期未答复，或逾期答复）")
    q.add_argument("--json", action="store_true", help="以 JSON 输出")
    q.set_defaults(run=cmd_objection_list)
    p = sub.add_parser("photo", help="公开栏照片：张贴后拍的照片，随季度封存（网上公开件去掉 GPS 等全部元数据）")
    photo = p.add_subparsers(dest="action", required=True, metavar="add|list", parser_class=_Parser)
    q = photo.add_parser("add", parents=[common], help="给一个村的一个季度添加公开栏照片（有一个文件不对就都不保存）")
    q.add_argument("--village", required=True, metavar="V", help="村名或代码")
    q.add_argument("--period", required=True, metavar="P", help="季度，如 2026Q3")
    q.add_argument("files", nargs="+", type=Path, metavar="FILE", help="照片文件（JPEG 或 PNG）")
    q.add_argument("--json", action="store_true", help="以 JSON 输出结果")
    q.set_defaults(run=cmd_photo_add, changes=True)
    q = photo.add_parser("list", parents=[common], help="列出公开栏照片：拍摄时间（相机时钟）、SHA-256、是否已封存")
    q.add_argument("--village", metavar="V", help="村名或代码")
    q.add_argument("--period", metavar="P", help="季度，如 2026Q3")
    q.add_argument("--json", action="store_true", help="以 JSON 输出结果")
    q.set_defaults(run=cmd_photo_list, kind="photo")

    p = sub.add_parser("voucher", help="凭证：财务收支明细行的凭证、发票图片或 PDF（默认不公开），随季度封存")
    voucher = p.add_subparsers(dest="action", required=True, metavar="add|list", parser_class=_Parser)
    q = voucher.add_parser("add", parents=[common], help="给财务事项的一行添加凭证（有一个文件不对就都不保存）")
    _item_arguments(q, "财务事项的编号（zwgk list 所列）")
    q.add_argument("--row", required=True, type=_whole_number(1, 10**6, "行号"), metavar="R",
                   help="明细的第几行（与程序中的行号相同，从 1 起）")
    q.add_argument("files", nargs="+", type=Path, metavar="FILE", help="凭证文件（JPEG、PNG 或 PDF）")
    q.add_argument("--json", action="store_true", help="以 JSON 输出结果")
    q.set_defaults(run=cmd_voucher_add, changes=True)
    q = voucher.add_parser("list", parents=[common], help="列出凭证")
    q.add_argument("--item", type=_item_number, metavar="ID", help="只列一个事项的")
    q.add_argument("--village", metavar="V", help="村名或代码")
    q.add_argument("--period", metavar="P", help="季度，如 2026Q3")
    q.add_argument("--json", action="store_true", help="以 JSON 输出结果")
    q.set_defaults(run=cmd_photo_list, kind="voucher")

    p = sub.add_parser("key", help="签名密钥：查看指纹、复制到U盘、打印恢复单、恢复、更换、挂失；乡镇登记各村密钥")
    key = p.add_subparsers(dest="action", required=True, metavar="show|export|print|restore|replace|lost|trust|list",
                           parser_class=_Parser)
    q = key.add_parser("show", parents=[common], help="本机为一个村签名的密钥及其指纹（电话里核对用）")
    q.add_argument("--village", required=True, metavar="V", help="村名或代码")
    q.add_argument("--json", action="store_true", help="以 JSON 输出")
    q.set_defaults(run=cmd_key_show)
    q = key.add_parser("export", parents=[common], help="把密钥复制到U盘（一个文件夹）或一个 .zwgkkey 文件")
    q.add_argument("--village", required=True, metavar="V", help="村名或代码")
    q.add_argument("-o", "--output", required=True, type=Path, metavar="DIR|FILE.zwgkkey")
    q.set_defaults(run=cmd_key_export)
    q = key.add_parser("print", parents=[common], help="打印密钥恢复单（PDF，A4），锁柜保管")
    q.add_argument("--village", required=True, metavar="V", help="村名或代码")
    q.add_argument("-o", "--output", required=True, type=Path, metavar="FILE.pdf")
    q.set_defaults(run=cmd_key_print)
    q = key.add_parser("restore", parents=[common], help="在新电脑上恢复密钥：从U盘上的文件，或照恢复单输入恢复码")
    q.add_argument("key_file", nargs="?", type=Path, metavar="FILE.zwgkkey", help="U盘上的密钥文件")
    q.add_argument("--text", metavar="恢复码", help="恢复单上的 14 组恢复码（可带空格）")
    q.set_defaults(run=cmd_key_restore)
    q = key.add_parser("replace", parents=[common], help="更换密钥（换电脑、怀疑泄露）：由旧密钥签名，乡镇自动认可")
    q.add_argument("--village", required=True, metavar="V", help="村名或代码")
    q.add_argument("--reason", required=True, metavar="TEXT", help="更换原因")
    q.add_argument("--by", default=None, metavar="NAME", help="经办人（默认：当前系统用户）")
    q.set_defaults(run=cmd_key_replace, changes=True)
    q = key.add_parser("lost", parents=[common], help="密钥丢失（没有U盘也没有恢复单）：启用新密钥，须乡镇核对新指纹")
    q.add_argument("--village", required=True, metavar="V", help="村名或代码")
    q.add_argument("--reason", required=True, metavar="TEXT", help="丢失原因")
    q.add_argument("--by", default=None, metavar="NAME", help="经办人（默认：当前系统用户）")
    q.set_defaults(run=cmd_key_lost, changes=True)
    q = key.add_parser("trust", parents=[common], help="乡镇：登记村里电话报来、已核对的密钥指纹")
    q.add_argument("--village", required=True, metavar="V", help="村名或代码")
    q.add_argument("--fingerprint", required=True, metavar="FP",
                   help="密钥指纹（至少前 24 位，如 3F2A 91C0 77BE 0D14 5E6A B203）")
    q.add_argument("--confirmed-by", required=True, metavar="NAME", help="核对指纹的人")
    q.set_defaults(run=cmd_key_trust, changes=True)
    q = key.add_parser("list", parents=[common], help="本库认可的各村密钥")
    q.add_argument("--village", metavar="V", help="只列一个村")
    q.add_argument("--json", action="store_true", help="以 JSON 输出")
    q.set_defaults(run=cmd_key_list)

    p = sub.add_parser("about", parents=[common],
                       help="版本、正在使用的版式、数据文件夹和日志文件（即程序中的“帮助 → 关于”）")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    p.set_defaults(run=cmd_about)

    p = sub.add_parser("backup", parents=[common], help="立即备份档案数据库（SQLite 在线备份）")
    p.add_argument("--list", action="store_true", help="列出已有的备份")
    p.set_defaults(run=cmd_backup)

    p = sub.add_parser("restore", parents=[common],
                       help="用备份恢复档案（先核验备份，说明会丢失什么，恢复前先备份当前数据库）")
    p.add_argument("backup_file", type=Path, metavar="BACKUP.sqlite3")
    p.add_argument("--yes", action="store_true", help="不再询问，确认恢复（脚本中使用）")
    p.set_defaults(run=cmd_restore, changes=True)
    return parser


def _archive(args: argparse.Namespace, *, create: bool = False, upgrade: bool = False,
             read_only: bool = False) -> Archive:
    """The archive `--db` names, with the formats `--layouts` names (close it, or use `with`)."""
    with collector.paused():  # the modules a command loads when it runs
        from zwgk_desktop.office.handle import Archive

    return Archive.open(args.db, read_only=read_only, create=create, upgrade=upgrade,
                        layouts=Path(args.layouts) if args.layouts else None)


def _for_output(args: argparse.Namespace) -> Archive:
    """For printing and the online copy: writable if the file is (then what went out to the
    public is noted), read-only otherwise (a CD, a write-protected stick, a read-only mount)."""
    from zwgk_desktop.office.handle import writable

    return _archive(args, read_only=not writable(args.db))


def _target(args: argparse.Namespace) -> str:
    return str(args.db or paths.default_db())


def _layouts(args: argparse.Namespace) -> LayoutSet:
    from zwgk_desktop.render.packs import load_pack_layouts

    return load_pack_layouts(Path(args.layouts) if args.layouts else paths.default_layouts_dir())


def _say(text: str) -> None:
    print(text, file=sys.stderr)


def cmd_init(args: argparse.Namespace) -> int:
    from zwgk_desktop.office import setup

    with setup.open_or_create(_target(args), args.layouts) as archive:
        done = setup.init(archive, township=args.township, villages=args.village, base_url=args.base_url,
                          township_phone=args.township_phone, archive_pattern=args.archive_pattern,
                          objection_url=args.objection_url)
    names = "、".join(f"{name}（{code}）" for name, code in done.villages) or "（无）"
    print(f"数据库已就绪：{_target(args)}")
    if done.township is not None:
        print(f"乡镇：{done.township}；村：{names}；网上公开地址：{done.base_url or '（未设置）'}")
        for note in done.notes:  # the QR codes this address makes (render.qr_address)
            _say(note)
    else:
        print("还没有设置乡镇：可运行 zwgk demo 装入示范数据，或 zwgk init --township 名称 --village 村名")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from zwgk_desktop.office import setup

    with setup.open_or_create(_target(args), args.layouts) as archive:
        demo = setup.load_demo(archive)
    villages, periods = demo.office.villages, demo.office.periods
    if not demo.loaded:
        print(f"示范数据已在数据库中（{_target(args)}），无需重复装入")
    else:
        print(f"已装入示范数据：{len(villages)} 个村，{len(periods)} 个季度（{'、'.join(periods)}），"
              f"{demo.items} 个事项")
    print(f"试试：zwgk render --village {villages[0][1]} --period {periods[-1]} -o 公开栏.pdf")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from zwgk_desktop.office.browsing import list_archive  # not on every command's path (zwgk import)

    with _archive(args, read_only=True) as archive:
        listing = list_archive(archive, args.village, parse_period(args.period) if args.period else None)
    items = listing.items
    data: dict[str, Any] = {
        "township": listing.township,
        "base_url": listing.base_url,
        "villages": [{"name": v.name, "code": v.code, "periods": list(v.periods)} for v in listing.villages],
        # An item's "id" is its number as printed on its sheets, which --item takes.
        "items": [{**asdict(i), "id": i.number, "number": i.number, "corrects": listing.corrects.get(i.id)}
                  for i in items],
    }
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    print(f"乡镇：{data['township'] or '（未设置）'}　网上公开地址：{data['base_url'] or '（未设置）'}")
    for v in data["villages"]:
        print(f"村：{v['name']}（{v['code']}）　季度：{'、'.join(v['periods']) or '无'}")
    if not items:
        print("（没有符合条件的事项）")
    for i in items:
        dates = f"{i.publicity_start}～{i.publicity_end or '长期'}" if i.publicity_start else "未定"
        status = "已封存" if i.sealed else STATUS_NAMES.get(i.status, i.status)
        cells = (str(i.number), i.village, i.month or i.period, CATEGORIES[i.category].name, status, i.disclosure,
                 f"{i.rows} 行", dates, i.title + (f"（件号 {i.archive_number}）" if i.archive_number else ""))
        print("  ".join(_pad(cell, width) for cell, width in zip(cells, _LIST_WIDTHS, strict=True)).rstrip())
    return 0


# Display widths of `list` columns; a Chinese character takes two columns in a terminal.
_LIST_WIDTHS = (6, 10, 7, 14, 6, 10, 8, 21, 0)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def cmd_render(args: argparse.Namespace) -> int:
    from zwgk_desktop.office.printing import Paper, print_board  # reportlab loads only when printing

    period = parse_period(args.period)
    args.paper = Paper(args.paper, fit=args.fit)
    if args.all_villages or len(args.village) > 1:
        return _render_batch(args, period)
    if not args.village:
        raise BadInput("请用 --village 指定村，或用 --all-villages 批量打印全部村")
    if args.output.suffix.lower() != ".pdf":
        raise BadInput(f"输出文件 {args.output} 应以 .pdf 结尾")
    with _for_output(args) as archive:
        result = print_board(archive, args.village[0], period, args.output, category=args.category,
                             item=args.item, base_url=args.base_url, paper=args.paper)
    if args.json:
        print(json.dumps({
            "output": str(args.output), "sheets": result.sheets, "paper": result.paper.size,
            "fit": result.paper.fit, "a3_sheets_tiled": result.split, "sheets_by_paper": dict(result.papers),
            "items": [{"id": p.item_id, "category": p.category, "title": p.heading, "code": p.code,
                       "url": p.url(result.base_url), "draft": p.item_id in result.drafts}
                      for p in result.items],
            "withheld": [i.id for i in result.withheld],
            "warnings": [str(w) for w in result.warnings],
        }, ensure_ascii=False, indent=2))
    else:
        print(f"已写出 {args.output}：{len(result.items)} 个事项，{result.said}")
    for item in result.withheld:
        _say(f"注意：事项 {item.public_number}“{item.title}”为{item.disclosure}，未上公开栏")
    if result.drafts:
        _say(f"注意：事项 {'、'.join(map(str, result.drafts))} 尚未经村务监督委员会审核，已印“草稿”字样，不得张贴")
    for warning in result.warnings:
        _say(f"注意：{for_cli(str(warning))}")
    if not result.recorded:
        _say(NOT_RECORDED)
    return 0


# Printing and the online copy note when a reviewed item first went out to the public; an archive
# on read-only media is still printed from, but cannot be noted in.
NOT_RECORDED = "注意：档案只读，没有记下首次公开的时间；公开情况表将以封存时间为准"





def _render_batch(args: argparse.Namespace, period: Period) -> int:
    from zwgk_desktop.office.printing import VillageResult, chosen_villages, print_villages
    from zwgk_desktop.render.sheet_papers import added, counted_words

    if args.item is not None or args.category is not None:
        raise BadInput("批量打印整季度的公开栏，不能同时用 --item 或 --category")
    one_file = args.output.suffix.lower() == ".pdf"

    def told(done: int, total: int, village: VillageResult) -> None:
        state = counted_words(village.papers) if village.path is not None else for_cli(village.problem)
        _say(f"[{done}/{total}] {village.village}：{state}")

    with _for_output(args) as archive:
        if args.base_url:
            checked_base_url(args.base_url)
        villages = chosen_villages(archive, args.village)
        result = print_villages(archive, period, villages, args.output, one_file=one_file,
                                base_url=args.base_url, progress=None if args.json else told, paper=args.paper)
    if result.cancelled:  # Ctrl-C: the batch stopped; say what is on disk
        _say(f"已中断：没有写出 {args.output}" if one_file else
             f"已中断：{len(result.printed)} 个村已打印在 {args.output}，其余没有打印")
        return 3
    if not result.printed:
        kind = Blocked if any(v.blocked for v in result.villages) else BadInput
        raise kind("没有打印任何村：", [Problem(v.problem, where=v.village) for v in result.villages])
    if args.json:
        print(json.dumps({"output": str(result.output), "sheets": result.sheets, "paper": result.paper.size,
                          "fit": result.paper.fit,
                          "sheets_by_paper": dict(added(*(v.papers for v in result.villages))), "villages": [
            {"village": v.village, "code": v.code, "file": str(v.path) if v.path else None, "sheets": v.sheets,
             "sheets_by_paper": dict(v.papers),
             "items": v.items, "drafts": v.drafts, "problem": for_cli(v.problem),
             "warnings": [for_cli(w) for w in v.warnings]}
            for v in result.villages]},
            ensure_ascii=False, indent=2))
    else:
        where = f"合成一个文件 {args.output}" if one_file else f"每村一个 PDF，在 {args.output}"
        print(f"已打印 {len(result.printed)} 个村，{result.said}；{where}")
    for village in result.villages:
        for warning in village.warnings:
            _say(f"注意：{village.village}：{for_cli(warning)}")
    drafts = [v.village for v in result.villages if v.drafts]
    if drafts:
        _say(f"注意：{'、'.join(drafts)} 有未经审核的事项，已印“草稿”字样，不得张贴")
    if not result.recorded:
        _say(NOT_RECORDED)
    return 0


def cmd_template(args: argparse.Namespace) -> int:
    from zwgk_desktop.office import importing

    importing.template(args.category, args.output)
    print(f"已写出{CATEGORIES[args.category].name}导入模板 {args.output}（“填写说明”工作表解释了每一列）")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    with collector.paused():  # the modules a command loads when it runs
        from zwgk_desktop.domain.items import TITLE
        from zwgk_desktop.io.columns import check_mapping_name, load_mapping, save_mapping
        from zwgk_desktop.office import importing, items

    period = parse_period(args.period)
    schema = CATEGORIES[args.category]
    # Everything the command was told is checked before the file is read, so nothing fails after the import.
    if args.save_mapping and not args.mapping:
        raise BadInput("--save-mapping 要与 --mapping 一起用：保存的是 --mapping 给出的对应关系")
    if args.save_mapping:
        check_mapping_name(args.save_mapping)
    if args.title is not None:
        try:
            TITLE.parse(args.title)
        except FieldError as exc:
            raise BadInput(f"--title：{exc}") from None
    readable_file(args.file, "表格文件")
    if args.mapping and (Path(args.mapping).suffix or "/" in args.mapping or os.sep in args.mapping):
        readable_file(Path(args.mapping), "列对应关系文件")  # a file, not a saved mapping's name
    mapping = load_mapping(args.mapping, paths.mappings_dir(), schema) if args.mapping else None
    fixed = _whole_file_values(args.fixed)
    plan = None
    try:
        with _archive(args) as archive:
            village_id = items.find_village(archive, args.village)  # a wrong village is named before the file is read
            plan = importing.plan(archive, args.file, args.category, period, village_id, mapping=mapping, fixed=fixed)
            if plan.ok and plan.warnings and not args.accept_warnings:
                raise BadInput(f"{args.file.name} 没有错误，但有 {len(plan.warnings)} 条提醒。核对无误后，"
                               "加 --accept-warnings 再导入：", plan.warnings[:200])
            done = importing.store(archive, plan, village_id, title=args.title, warnings_accepted=True)
    except BadInput as exc:
        if args.json:  # a script is told every problem as data too; the words still go to stderr
            print(json.dumps({"ok": False, "message": exc.message, "rows": len(plan.item.rows) if plan else None,
                              "header_row": plan.header_row if plan else None,
                              "problems": [_problem_json(p) for p in exc.problems]}, ensure_ascii=False, indent=2))
        raise
    if mapping and args.save_mapping:
        save_mapping(args.save_mapping, paths.mappings_dir(), mapping, args.category)
    if args.json:
        print(json.dumps({"ok": True, "item": done.number, "rows": done.rows, "header_row": plan.header_row,
                          "sheet": plan.sheet, "warnings": [str(w) for w in plan.warnings],
                          "warning_places": [_problem_json(p) for p in plan.warnings],
                          "to_complete": [str(p) for p in plan.to_complete],
                          "kept_private": plan.notes, "set": {k: str(v) for k, v in plan.fixed.items()},
                          "backup": str(done.backup) if done.backup else None}, ensure_ascii=False, indent=2))
        return 0
    print(done.number)
    _say(f"已从 {args.file.name}（工作表“{plan.sheet}”，表头在第{plan.header_row}行）导入 {done.rows} 行，"
         f"新事项 {done.number}（草稿）")
    if plan.ignored:
        _say(f"未导入的列：{'、'.join(plan.ignored[:20])}")
    amounts = "、".join(f"{f.label} {f.to_text(plan.item.fields[f.key])}" for f in schema.item_fields
                       if f.kind is Kind.MONEY and isinstance(plan.item.fields.get(f.key), int))
    if amounts:
        _say(f"事项的金额：{amounts}")
    if plan.notes:
        _say(f"{schema.name}没有的列，连同表头存入了不公开的“其他信息”：{'、'.join(plan.notes[:20])}")
    for key, value in plan.fixed.items():
        spec = next(f for f in (*schema.row_fields, *schema.item_fields) if f.key == key)
        _say(f"整表统一填写：{spec.label} = {spec.to_text(value)}")
    for problem in plan.to_complete:
        _say(f"审核前还需补填：{problem}")
    return 0


def _whole_file_values(given: list[str]) -> dict[str, str]:
    """`--set FIELD=VALUE`, each once; the field and value are checked against the category later."""
    found: dict[str, str] = {}
    for one in given:
        name, sign, value = one.partition("=")
        if not sign or not name.strip():
            raise BadInput(f"--set “{one}”：应写成 栏目=值，如 --set 救助类别=农村低保")
        if name.strip() in found:
            raise BadInput(f"--set：“{name.strip()}”给了两次")
        found[name.strip()] = value.strip()
    return found


def _problem_json(problem: Problem) -> dict[str, object]:
    """A problem as data: the sheet's row as Excel shows it and the row as the editor numbers it."""
    return {"message": problem.message, "where": problem.where, "sheet_row": problem.row,
            "item_row": problem.item_row, "field": problem.field, "text": str(problem)}


def cmd_export(args: argparse.Namespace) -> int:
    from zwgk_desktop.office import importing, items

    with _archive(args, read_only=True) as archive:
        done = importing.export_rows(archive, items.find_item(archive, args.item, args.village), args.output)
    print(f"已导出事项 {args.item}“{done.title}”的 {done.rows} 行到 {args.output}")
    if done.private:
        _say(f"注意：此文件含完整的{'、'.join(done.private)}，只供村里核对和再导入，不得张贴、上传或转给无关人员")
    return 0


def cmd_delete(args: argparse.Namespace) -> int:
    from zwgk_desktop.office import items

    with _archive(args) as archive:  # a sealed item is refused before anything is backed up
        done = items.delete_item(archive, items.find_item(archive, args.item, args.village))
    print(f"已删除事项 {args.item}“{done.title}”" + (f"（删除前的备份：{done.backup}）" if done.backup else ""))
    return 0


def cmd_seal(args: argparse.Namespace) -> int:
    from zwgk_desktop.office.sealing import seal
    from zwgk_desktop.render.sheet_papers import counted_words

    period = parse_period(args.period)
    with _archive(args) as archive:
        _ = archive.layouts  # a bad formats folder is refused before the backup
        sealed = seal(archive, args.village, period, args.by)
    result, backup = sealed.result, sealed.backup
    if args.json:
        print(json.dumps({"seal": result.seal_id, "kind": result.kind, "items": result.items,
                          "sheets": result.pdf_sheets, "sheets_by_paper": dict(result.papers),
                          "chain_hash": result.chain_hash, "objections": result.objections,
                          "attachments": result.attachments, "backup": str(backup.path) if backup else None,
                          "key_made": sealed.key_made},
                         ensure_ascii=False, indent=2))
    elif result.kind == "objection":
        photos = f"，照片或凭证 {result.attachments} 张" if result.attachments else ""
        print(f"已封存 {args.village} {period} 封存后的异议答复：{result.objections} 件{photos}；"
              f"链式哈希 {result.chain_hash[:16]}…")
    else:
        what = "更正" if result.kind == "correction" else "事项"
        photos = f"，{result.attachments} 张照片或凭证" if result.attachments else ""
        if result.kind == "attachment":
            print(f"已封存 {args.village} {period} 补充的 {result.attachments} 张照片或凭证；"
                  f"链式哈希 {result.chain_hash[:16]}…")
        else:
            also = f"，异议及答复 {result.objections} 件" if result.objections else ""
            print(f"已封存 {args.village} {period}：{result.items} 个{what}{photos}，{counted_words(result.papers)}"
                  f" 海报存档{also}；链式哈希 {result.chain_hash[:16]}…")
        if backup:
            print(f"封存前的备份：{backup.path}")
    if sealed.key_made:
        _say(f"注意：{sealed.key_words}"
             f"（zwgk key export --village {args.village} -o U盘文件夹；"
             f"zwgk key print --village {args.village} -o 密钥恢复单.pdf）")
    return 0


def cmd_correct(args: argparse.Namespace) -> int:
    from zwgk_desktop.office import items

    reviewed_on = _date_option(args.reviewed_on, "--reviewed-on") if args.reviewer else None
    with _archive(args) as archive:
        done = items.correct(archive, items.find_item(archive, args.item, args.village), reason=args.reason,
                             assignments=args.assignments, reviewer=args.reviewer, reviewed_on=reviewed_on)
    item = done.item
    if done.returned:
        _say("注意：更正稿已修改，退回草稿，需村务监督委员会重新审核")
    changes = [{"place": place, "before": before, "after": after} for place, before, after in done.changes]
    if args.json:
        print(json.dumps({"item": item.number, "supersedes": done.corrects, "status": item.status, "code": done.code,
                          "changes": changes}, ensure_ascii=False, indent=2))
        return 0
    print(f"更正稿：事项 {item.number}（更正事项 {done.corrects}），{STATUS_NAMES[item.status]}；"
          f"更正公告验证码 {done.code}")
    for change in changes:
        print(f"  {change['place']}：{change['before'] or '（无）'} → {change['after'] or '（无）'}")
    if not changes:
        _say("注意：公开内容没有任何变化，更正公告只会说明原因")
    if item.status != REVIEWED:
        print(f"下一步：村务监督委员会审核（zwgk correct --village {item.village_code} --item {item.number} "
              "--reviewer 姓名，或在程序中点“审核”），"
              f"再 zwgk seal --village {item.village_code} --period {item.period} 封存更正")
    else:
        print(f"下一步：zwgk seal --village {item.village_code} --period {item.period} 封存更正，并张贴更正公告")
    return 0


def cmd_review(args: argparse.Namespace) -> int:
    from zwgk_desktop.office import items

    if args.undo and (args.reviewer or args.reviewed_on):
        raise BadInput("--undo 撤销审核，不能同时给出 --reviewer 或 --on")
    if not args.undo and not args.reviewer:
        raise BadInput("请用 --reviewer 给出村务监督委员会审核人姓名（撤销审核用 --undo）")
    reviewed_on = None if args.undo else _date_option(args.reviewed_on, "--on")
    with _archive(args) as archive:
        item_id = items.find_item(archive, args.item, args.village)
        done = items.unreview(archive, item_id) if args.undo else items.review(archive, item_id, args.reviewer,
                                                                                 reviewed_on)
    item = done.item
    if args.json:
        print(json.dumps({"item": item.number, "status": item.status, "changed": done.changed,
                          "reviewer": done.reviewer or None,
                          "reviewed_on": done.reviewed_on.isoformat() if done.reviewer else None,  # a draft: none
                          "warnings": [str(w) for w in done.warnings]}, ensure_ascii=False, indent=2))
    elif args.undo:
        print(f"已撤销审核：事项 {item.number}“{item.title}”退回草稿，需村务监督委员会重新审核" if done.changed
              else f"事项 {item.number}“{item.title}”本来就是草稿，没有改动")
    else:
        print(f"已审核：事项 {item.number}“{item.title}”，审核人 {done.reviewer}，审核日期 {done.reviewed_on}")
        print(f"下一步：zwgk render --village {item.village_code} --period {item.period} --item {item.number} "
              f"-o 公开栏.pdf 打印张贴；本季度事项都审核后 zwgk seal --village {item.village_code} "
              f"--period {item.period} 封存")
    for warning in done.warnings:
        _say(f"注意：{warning}")
    return 0


def cmd_new(args: argparse.Namespace) -> int:
    from zwgk_desktop.office import items

    period = parse_period(args.period)
    with _archive(args) as archive:
        made = items.new_item(archive, items.find_village(archive, args.village), args.category, period,
                              title=args.title)
    if args.json:
        print(json.dumps({"item": made.number, "title": made.title, "category": made.category,
                          "village": made.village_code, "period": made.period, "month": made.month or None,
                          "status": made.status},
                         ensure_ascii=False, indent=2))
        return 0
    print(made.number)
    _say(f"已新建事项 {made.number}“{made.title}”（{made.village} {made.month or made.period}，草稿）："
         f"用 zwgk edit --item {made.number} --set 栏目=值 填写，或在程序中打开填写")
    return 0


def cmd_edit(args: argparse.Namespace) -> int:
    from zwgk_desktop.office import items

    with _archive(args) as archive:
        done = items.edit_item(archive, items.find_item(archive, args.item, args.village), args.assignments,
                               add_rows=args.add_rows, remove_rows=args.delete_rows)
    item = done.item
    if args.json:
        print(json.dumps({"item": item.number, "status": item.status, "returned_to_draft": done.returned,
                          "errors": [str(p) for p in done.remaining], "warnings": [str(p) for p in done.warnings]},
                         ensure_ascii=False, indent=2))
        return 0
    print(f"已修改事项 {item.number}“{item.title}”（{STATUS_NAMES[item.status]}）")
    if done.returned:
        _say("注意：内容已修改，事项退回草稿，需村务监督委员会重新审核")
    for problem in done.remaining:
        _say(f"审核前还需改正：{problem}")
    for problem in done.warnings:
        _say(f"注意：{problem}")
    return 0


def cmd_settings(args: argparse.Namespace) -> int:
    from zwgk_desktop.office import setup
    from zwgk_desktop.office.monthly import monthly_words

    def pairs(texts: list[str], flag: str) -> list[tuple[str, str]]:
        found = []
        for text in texts:
            name, equals, value = text.partition("=")
            if not equals or not name.strip():
                raise BadInput(f"{flag} {text}：应写成 村名或代码=值")
            found.append((name.strip(), value.strip()))
        return found

    phones, names = pairs(args.village_phone, "--village-phone"), pairs(args.rename_village, "--rename-village")
    fonds = pairs(args.fonds, "--fonds")
    monthly = [(name, tuple(code.strip() for code in value.replace("，", ",").split(",") if code.strip()))
               for name, value in pairs(args.monthly, "--monthly")]
    changing = (args.township, args.base_url, args.township_phone, args.publication_day, args.archive_pattern,
                args.licence, args.objection_url)
    with _archive(args, read_only=not (any(v is not None for v in changing) or phones or names or fonds
                                       or monthly)) as archive:
        if archive.read_only:
            current = setup.settings(archive)
        else:
            _require_changeable(args)
            current = setup.change_settings(archive, township=args.township, base_url=args.base_url,
                                            township_phone=args.township_phone,
                                            publication_day=args.publication_day, village_phones=phones,
                                            village_names=names, archive_pattern=args.archive_pattern,
                                            village_fonds=fonds, licence=args.licence, village_monthly=monthly,
                                            objection_url=args.objection_url)
        notes = setup.qr_notes(archive) if args.base_url is not None else []
    for note in notes:  # the QR codes the address just set makes (render.qr_address), on stderr
        _say(note)
    if args.json:
        print(json.dumps(asdict(current), ensure_ascii=False, indent=2))
        return 0
    print(f"乡镇：{current.township or '（未设置）'}　网上公开地址：{current.base_url or '（未设置）'}")
    print(f"乡镇纪委监督电话：{current.township_phone or '（未设置）'}　"
          f"每季度公开截止：次月 {current.publication_day} 日")
    print(f"档号格式：{current.archive_pattern or f'{DEFAULT_PATTERN}（默认）'}")
    print(f"开放数据使用许可：{current.licence or '（未设置）'}")
    print(f"网上异议渠道：{current.objection_url or '（未设置：网上公开件只写监督电话）'}")
    for village in current.villages:
        print(f"村：{village.name}（{village.code}）　村务监督委员会电话：{village.phone or '（未设置）'}　"
              f"全宗号：{village.fonds or f'（未设置，档号中用 {village.code.upper()}）'}"
              + (f"　按月公开：{monthly_words(village.monthly)}" if village.monthly else ""))
    return 0


def _date_option(text: str | None, flag: str) -> date:
    """A date option as clerks write it (2026-07-01, 2026年7月1日 …); absent: today."""
    if not text:
        return date.today()
    try:
        return parse_date(text)
    except FieldError as exc:
        raise BadInput(f"{flag}：{exc}") from None


def cmd_verify(args: argparse.Namespace) -> int:
    from zwgk_desktop.office.sealing import compare_with_published, verify_archive

    if args.report is not None:
        return _four_checks(args)
    with _archive(args, read_only=True) as archive:
        verified = verify_archive(archive, args.village)
        compared = compare_with_published(archive, args.against, args.village) if args.against else None
    checked, problems = verified.checked, list(verified.problems)
    if compared is not None:
        return _report_against(args, checked, problems, compared)
    return _report_check(args, "checked_items", checked, problems,
                         f"核验未通过：检查了 {checked} 个封存事项，发现 {len(problems)} 处问题：",
                         f"核验通过：{checked} 个封存事项的内容、PDF 和封存链都与封存时一致")


def _four_checks(args: argparse.Namespace) -> int:
    """`verify --report FILE.xlsx`: the 四性检测 report (it runs every check `verify` runs); exit 1
    when any of the four finds a problem, the report written all the same."""
    from zwgk_desktop.domain.four_checks import ASPECTS, conclusion
    from zwgk_desktop.office.sealing import compare_with_published, four_checks_report

    with _archive(args, read_only=True) as archive:
        compared = compare_with_published(archive, args.against, args.village) if args.against else None
        done = four_checks_report(archive, args.report, village=args.village, against=compared)
    report = done.report
    if args.json:
        print(json.dumps({
            "report": str(done.path), "ok": report.ok, "checked_items": len(report.items),
            "verdicts": {aspect: report.verdict(aspect) for aspect in ASPECTS},
            "checks": [{"aspect": c.aspect, "name": c.name, "result": c.result, "found": c.found,
                        "problems": list(c.problems)} for c in report.checks],
            "problems": list(report.failures)}, ensure_ascii=False, indent=2))
        return 0 if report.ok else 1
    print(f"四性检测报告已写出：{done.path}")
    print(f"检测了 {len(report.items)} 个封存事项。结论：{conclusion(report)}")
    for aspect in ASPECTS:
        print(f"  {aspect}：{report.verdict(aspect)}")
    for failure in report.failures:
        print(f"  - {failure}")
    return 0 if report.ok else 1


def _report_against(args: argparse.Namespace, checked: int, problems: list[Problem], compared: Compared) -> int:
    """`verify --against`: the archive's own checks, then its differences from what was published."""
    differences = list(compared.differences)
    if args.json:
        print(json.dumps({
            "checked_items": checked, "ok": not problems and not differences,
            "problems": [str(p) for p in problems + differences],
            "against": {"source": str(compared.source), "villages": list(compared.villages),
                        "published_seals": compared.published, "ok": compared.ok,
                        "differences": [str(p) for p in differences]}}, ensure_ascii=False, indent=2))
        return 1 if problems or differences else 0
    if problems:
        print(f"核验未通过：检查了 {checked} 个封存事项，发现 {len(problems)} 处问题：")
        for problem in problems:
            print(f"  - {problem}")
    else:
        print(f"核验通过：{checked} 个封存事项的内容、PDF 和封存链都与封存时一致")
    if differences:
        print(f"与公布件核对未通过：{compared.source} 公布了 {compared.published} 次封存，"
              f"与档案有 {len(differences)} 处不同：")
        for difference in differences:
            print(f"  - {difference}")
    else:
        print(f"与公布件一致：{compared.source} 公布的 {compared.published} 次封存"
              f"（{'、'.join(compared.names) or '没有封存过的村'}）都与档案中的相同")
    return 1 if problems or differences else 0


def _report_check(args: argparse.Namespace, counted: str, checked: int, problems: list[Problem], failed: str,
                  passed: str) -> int:
    """A check's result, in words or as JSON; exit 1 when anything does not match."""
    if args.json:
        print(json.dumps({counted: checked, "ok": not problems, "problems": [str(p) for p in problems]},
                         ensure_ascii=False, indent=2))
    elif problems:
        print(failed)
        for problem in problems:
            print(f"  - {problem}")
    else:
        print(passed)
    return 1 if problems else 0


def cmd_search(args: argparse.Namespace) -> int:
    from zwgk_desktop.office.browsing import search_archive  # not on every command's path (zwgk import)

    with _archive(args, read_only=True) as archive:
        hits = search_archive(archive, args.text, village=args.village,
                              period=parse_period(args.period) if args.period else None,
                              category=args.category, limit=args.limit)
    if args.json:
        print(json.dumps([{**asdict(h), "item_id": h.number} for h in hits], ensure_ascii=False, indent=2))
        return 0
    if not hits:
        print(f"没有找到“{args.text}”")
    for hit in hits:
        where = "标题/事项" if hit.row == 0 else f"第{hit.row}行"
        print(f"{hit.number:>6}  {hit.village}  {hit.period}  {CATEGORIES[hit.category].name}  "
              f"{hit.title}  {where}：{_snippet(hit.text, args.text)}")
    return 0


def _snippet(text: str, query: str, width: int = 30) -> str:
    """The words around the match, on one line."""
    text = " ".join(text.split())
    at = text.lower().find(query.lower())
    if at < 0 or len(text) <= 2 * width + len(query):
        return text
    start, end = max(0, at - width), at + len(query) + width
    return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")


def cmd_status(args: argparse.Namespace) -> int:
    from zwgk_desktop.domain.catalogue import STATUS_NAMES as STATUS_NAMES_CATALOGUE
    from zwgk_desktop.io.status_sheet import arrival_text
    from zwgk_desktop.office.township import status_table

    period = parse_period(args.period)
    with _archive(args, read_only=True) as archive:
        status = status_table(archive, period, xlsx=args.xlsx)
    table, name = status.table, status.township
    if args.json:
        print(json.dumps({
            "period": str(period), "categories": list(table.categories), "calendar_note": table.calendar,
            "villages": [{"name": village, "code": code,
                          "objections": dict(zip(("count", "overdue", "replied_late"),
                                                 table.objections.get(code, (0, 0, 0)), strict=True)),
                          "bundle_arrived": table.arrived[code].isoformat() if code in table.arrived else None,
                          "cells": {c: {**_cell_json(cell),
                                        # a category the village discloses monthly: each month judged
                                        **({"months": {m: _cell_json(judged) for m, judged in cell.months}}
                                           if cell.months else {})}
                                    for c, cell in cells.items()}}
                         for village, code, cells in table.rows],
        }, ensure_ascii=False, indent=2))
        return 0
    arrivals = bool(table.arrived)  # at the township: when each village's bundle arrived
    headers = ["村", *(CATEGORIES[c].name for c in table.categories), "异议", *(["档案包到达"] if arrivals else [])]
    # Each column as wide as its longest cell and two spaces ("逾期 99 个工作日 补登" is 22 wide).
    widths = [max([10, *(_width(r[0]) + 2 for r in table.rows)]),
              *(max([22, *(_width(cells[c].text) + 2 for _, _, cells in table.rows)]) for c in table.categories),
              max([6, *(_width(table.objection_text(code)) + 2 for _, code, _ in table.rows)]),
              *([18] if arrivals else [])]
    print(f"{name}{period.chinese}村务公开情况{table.calendar}")
    print("".join(_pad(h, w) for h, w in zip(headers, widths, strict=True)).rstrip())
    for village, code, cells in table.rows:
        texts = [village, *(cells[c].text for c in table.categories), table.objection_text(code),
                 *([arrival_text(table.arrived.get(code)) or "—"] if arrivals else [])]
        print("".join(_pad(t, w) for t, w in zip(texts, widths, strict=True)).rstrip())
    for village, _, cells in table.rows:  # a category disclosed monthly: each month's own state
        for c in table.categories:
            if cells[c].months:
                print(f"  {village} {CATEGORIES[c].name} 按月：" + "；".join(
                    f"{int(m[5:])}月 {judged.text}" for m, judged in cells[c].months))
    counts = table.counts()
    print("合计：" + "，".join(f"{STATUS_NAMES_CATALOGUE[s]} {n}" for s, n in counts.items()))
    dated = [(village, c, p) for village, _, cells in table.rows for c in table.categories for p in cells[c].posted]
    if dated:
        print("各事项的日期（按时与否以程序记录的首次公开为准，无记录的以封存日为准）：")
        for village, c, p in dated:
            print(f"  {village} {CATEGORIES[c].name} 事项 {p.item_id}：{p.describe()}")
    if args.xlsx is not None:
        print(f"已写出 {args.xlsx}")
    return 0


def _cell_json(cell: Any) -> dict[str, Any]:
    return {"status": cell.status, "late_working_days": cell.late_days, "items": list(cell.items),
            "backfilled": list(cell.backfilled), "dates": [_posted_json(p) for p in cell.posted], "note": cell.note}


def _posted_json(posted: Any) -> dict[str, Any]:
    """One judged item's dates, for scripts: the typed start, the product's record, the seal."""
    return {"item": posted.item_id, "typed_start": _iso(posted.typed), "first_public": _iso(posted.printed),
            "sealed": _iso(posted.sealed), "judged": _iso(posted.published), "backfilled": posted.backfilled}


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _width(text: str) -> int:
    """Columns a text takes in a terminal: a Chinese character two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _objection_json(entry: Any) -> dict[str, Any]:
    o = entry.objection
    return {"id": entry.id, "village": entry.village_name, "village_code": o.village, "number": o.number,
            "item": o.item_number, "item_title": o.item_title, "row": o.row, "period": o.period,
            "received_on": o.received_on.isoformat(), "due": o.due.isoformat(), "channel": o.channel,
            "text": o.text, "raised_by": o.raised_by, "handler": o.handler, "reply": o.reply,
            "replied_on": _iso(o.replied_on), "outcome": o.outcome, "correction": o.correction,
            "status": entry.status, "sealed": entry.sealed}


def _objection_line(entry: Any) -> str:
    o = entry.objection
    row = f" 第 {o.row} 行" if o.row else ""
    done = f"，{o.replied_on.isoformat()} 答复" if o.replied_on else ""
    result = f"（{o.outcome}" + (f"，更正公告 事项 {o.correction}" if o.correction else "") + "）" if o.outcome else ""
    return (f"{entry.id:>4}  {entry.village_name} 事项 {o.item_number}{row}“{o.item_title}”  "
            f"{o.received_on.isoformat()} {o.channel}收到，{o.due.isoformat()} 前答复{done}{result}  {entry.status}")


def cmd_objection_add(args: argparse.Namespace) -> int:
    from zwgk_desktop.office.objections import add_objection

    received = _date_option(args.received, "--received")
    with _archive(args) as archive:
        entry = add_objection(archive, village=args.village, item=args.item, row=args.row, received=received,
                              channel=args.channel, text=args.text, by=args.by)
    if args.json:
        print(json.dumps(_objection_json(entry), ensure_ascii=False, indent=2))
    else:
        print(entry.id)
        _say(f"已登记异议 {entry.id}：应于 {entry.due.isoformat()} 前答复"
             f"（zwgk objection reply {entry.id} --text … --by 姓名）")
    return 0


def cmd_objection_reply(args: argparse.Namespace) -> int:
    from zwgk_desktop.office.objections import reply_objection

    on = _date_option(args.on, "--on")
    with _archive(args) as archive:
        entry = reply_objection(archive, args.objection_id, text=args.text, by=args.by, on=on, outcome=args.outcome,
                                correction=args.correction)
    if args.json:
        print(json.dumps(_objection_json(entry), ensure_ascii=False, indent=2))
    else:
        print(_objection_line(entry))
        if entry.objection.outcome == "更正" and entry.objection.correction is None:
            _say(f"下一步：对事项 {entry.objection.item_number} 发更正公告（zwgk correct），再 zwgk objection link "
                 f"{entry.id} --correction 更正公告编号")
    return 0


def cmd_objection_link(args: argparse.Namespace) -> int:
    from zwgk_desktop.office.objections import link_correction

    with _archive(args) as archive:
        entry = link_correction(archive, args.objection_id, args.correction)
    print(_objection_line(entry))
    return 0


def cmd_objection_publish(args: argparse.Namespace) -> int:
    from zwgk_desktop.office.objections import publish

    with _archive(args) as archive:
        done = publish(archive, args.village, parse_period(args.period))
    if args.json:
        print(json.dumps({"item": done.number, "rows": done.rows, "new": done.made}, ensure_ascii=False, indent=2))
        return 0
    print(done.number)
    _say(f"{'已生成' if done.made else '已重写'}异议处理情况（事项 {done.number}，{done.rows} 件异议），草稿；"
         f"下一步：zwgk review --item {done.number} --village {args.village} --reviewer 姓名，再打印张贴")
    return 0


def cmd_objection_list(args: argparse.Namespace) -> int:
    from zwgk_desktop.office.objections import list_objections

    period = parse_period(args.period) if args.period else None
    with _archive(args, read_only=True) as archive:
        entries = list_objections(archive, village=args.village, period=period, overdue=args.overdue)
    if args.json:
        print(json.dumps([_objection_json(e) for e in entries], ensure_ascii=False, indent=2))
        return 0
    if not entries:
        print("没有逾期的异议" if args.overdue else "没有登记的异议")
    for entry in entries:
        print(_objection_line(entry))
    return 0


def cmd_site(args: argparse.Namespace) -> int:
    from zwgk_desktop.office import online
    from zwgk_desktop.office.handle import writable

    with _archive(args, read_only=args.check or not writable(args.db)) as archive:
        if args.check:
            checked = online.check_online_copy(archive, args.output, args.base_url)
            base_url, stored = checked.base_url, checked.stored_base_url
        else:
            try:
                result, stored = online.write_online_copy(archive, args.output, args.base_url)
            except KeyboardInterrupt:
                # Pages are written one by one, each whole: part of the folder is new, part old.
                _say(f"已中断：{args.output} 中的网上公开件只更新了一部分，请再运行一次 zwgk site 补全")
                return 3
            base_url = args.base_url or stored
    if stored and base_url.rstrip("/") != stored.rstrip("/"):
        _say(f"注意：--base-url 与已保存的网上公开地址 {stored} 不同，已印出的二维码指向的是后者")
    if args.check:
        problems = list(checked.problems)
        return _report_check(args, "files", checked.files, problems,
                             f"网站与档案不一致：{checked.files} 个文件中有 {len(problems)} 处问题：",
                             f"网站与档案一致：{checked.files} 个文件都在，内容相符")
    if not result.recorded:
        _say(NOT_RECORDED)
    if args.json:
        print(json.dumps(online.summary(result), ensure_ascii=False, indent=2))
    else:
        print(f"已写出网上公开件到 {result.folder}：{result.items} 个事项（其中 {result.withdrawn} 个公示已结束、"
              f"不再公开名单），共 {result.files} 个文件，"
              f"本次改写 {len(result.written)} 个、删除 {len(result.removed)} 个")
    return 0


def cmd_pack_export(args: argparse.Namespace) -> int:
    from zwgk_desktop.office.packs import export_formats

    made = export_formats(args.output, name=args.name, version=args.pack_version,
                          layouts=Path(args.layouts) if args.layouts else None, archive=args.db)
    print(f"已导出版式包 {args.output}：{made.info.label}（来自 {made.folder}）")
    return 0


def cmd_pack_import(args: argparse.Namespace) -> int:
    from zwgk_desktop.office.packs import install_pack

    done = install_pack(args.pack_file)
    info, previous = done.info, done.previous
    made = "，".join(part for part in (info.township, info.made_on) if part)
    print(f"已导入版式包 {info.label}" + (f"（{made}）" if made else "") + f"，此后打印都使用它：{done.folder}")
    if previous is not None and previous.label != info.label:
        _say(f"注意：之前用的是 {previous.label}，现在改用 {info.label}；如果导入的是旧版本，请导入最新的版式包")
    if done.overridden:
        _say("注意：环境变量 ZWGK_LAYOUTS 已指定版式目录，它优先于导入的版式包")
    return 0


def cmd_pack_show(args: argparse.Namespace) -> int:
    from zwgk_desktop.office.packs import show_formats

    shown = show_formats(Path(args.layouts) if args.layouts else None, args.db)
    print(f"版式目录：{shown.folder}")
    for category, name, label in shown.formats:
        print(f"  {category}：{name}（{label}）")
    print("公开目录：")
    for category, rule in shown.catalogue:
        print(f"  {category}：{rule}")
    return 0


def cmd_bundle_export(args: argparse.Namespace) -> int:
    from zwgk_desktop.office.township import export_village_bundle

    with _archive(args, read_only=True) as archive:
        result = export_village_bundle(archive, args.village, args.output)
    if args.json:
        print(json.dumps({"output": str(result.path), "seals": result.seals, "items": result.items,
                          "bytes": result.size}, ensure_ascii=False, indent=2))
    else:
        keys = f"，{result.keys} 个密钥记录" if result.keys else ""
        print(f"已导出 {result.path}：{result.seals} 个封存，{result.items} 个事项{keys}，{result.size / 1024:.0f} KB")
    _say("注意：档案包含完整的个人信息（身份证号、电话、账号），只在村和乡镇之间传递和保管，不得公开或上传网站")
    return 0


def _added(args: argparse.Namespace, added: Any) -> int:
    from zwgk_desktop.io.pictures import taken_at_shown
    from zwgk_desktop.office.attachments import CLOCK_CAVEAT

    if args.json:
        print(json.dumps({"added": [asdict(a) for a in added.attachments], "quarter_sealed": added.quarter_sealed},
                         ensure_ascii=False, indent=2))
        return 0
    for a in added.attachments:
        print(f"已保存{a.kind_name} {a.id}：{a.name}，拍摄时间 {taken_at_shown(a.taken_at)}，"
              f"{a.size / 1024:.0f} KB，SHA-256 {a.sha256[:16]}…")
    first = added.attachments[0]
    if added.quarter_sealed:
        print(f"{first.village} {first.period} 已封存：这些文件将作为下一个封存链环节封存，"
              f"请运行 zwgk seal --village {first.village_code} --period {first.period}")
    else:
        print(f"封存 {first.village} {first.period} 时一并封存")
    if first.kind == "photo":
        _say(f"注意：{CLOCK_CAVEAT}")
    return 0


def cmd_photo_add(args: argparse.Namespace) -> int:
    from zwgk_desktop.office.attachments import add_photos

    period = parse_period(args.period)
    with _archive(args) as archive:
        return _added(args, add_photos(archive, args.village, period, args.files))


def cmd_voucher_add(args: argparse.Namespace) -> int:
    from zwgk_desktop.office import items
    from zwgk_desktop.office.attachments import add_vouchers

    with _archive(args) as archive:
        return _added(args, add_vouchers(archive, items.find_item(archive, args.item, args.village), args.row,
                                         args.files))


def cmd_photo_list(args: argparse.Namespace) -> int:
    from zwgk_desktop.io.pictures import taken_at_shown
    from zwgk_desktop.office import items
    from zwgk_desktop.office.attachments import listed

    period = parse_period(args.period) if args.period else None
    with _archive(args, read_only=True) as archive:
        item_id = items.find_item(archive, args.item, args.village) if getattr(args, "item", None) else None
        found = listed(archive, village=args.village, period=period, kind=args.kind, item_id=item_id)
    if args.json:
        print(json.dumps([asdict(a) for a in found], ensure_ascii=False, indent=2))
        return 0
    if not found:
        print("没有照片" if args.kind == "photo" else "没有凭证")
    for a in found:
        row = f" 事项 {a.item} 第 {a.row} 行" if a.item is not None else ""
        state = "已封存" if a.sealed else "待封存"
        public = "" if a.kind == "photo" else ("，公开" if a.public else "，不公开")
        print(f"{a.id:>5}  {a.village} {a.period}{row}  {a.name}  拍摄 {taken_at_shown(a.taken_at)}  "
              f"{a.size / 1024:.0f} KB  {a.sha256[:12]}…  {state}{public}")
    return 0


def cmd_bundle_import(args: argparse.Namespace) -> int:
    from zwgk_desktop.office.township import import_village_bundle

    with _archive(args) as archive:
        imported = import_village_bundle(archive, args.bundle_file, trust=args.trust_fingerprint,
                                         confirmed_by=args.confirmed_by)
    result, backup = imported.result, imported.backup
    if args.json:
        print(json.dumps({"village": result.village, "imported_seals": result.seals, "items": result.items,
                          "imported_key_records": result.keys,
                          "already_held": result.already, "backup": str(backup.path) if backup else None},
                         ensure_ascii=False, indent=2))
    elif result.seals or result.keys:
        keys = f"，{result.keys} 个密钥记录" if result.keys else ""
        print(f"已导入{result.village}：{result.seals} 个封存，{result.items} 个事项{keys}（核验通过，签名相符）")
    else:
        print(f"{result.village}的 {result.already} 个封存本库已全部有了，没有任何改动")
    return 0


def _key_json(shown: Any) -> dict[str, Any]:
    return {"village": shown.village_code, "fingerprint": shown.fingerprint, "short": shown.short, "how": shown.how,
            "added_at": shown.added_at, "confirmed_by": shown.confirmed_by, "retired_at": shown.retired_at,
            "private_key_here": shown.here, "file": str(shown.file) if shown.file else None, "holder": shown.holder}


def cmd_key_show(args: argparse.Namespace) -> int:
    from zwgk_desktop.office.keys import village_key

    with _archive(args, read_only=True) as archive:
        shown = village_key(archive, args.village)
    if args.json:
        print(json.dumps(_key_json(shown) if shown else None, ensure_ascii=False, indent=2))
        return 0
    if shown is None:
        print(f"{args.village}在本机还没有签名密钥：第一次封存时自动生成")
        return 0
    print(f"{shown.village}的签名密钥指纹：{shown.short}")
    print(f"完整指纹：{shown.fingerprint}")
    missing = "" if shown.here else "（本机没有！请用 zwgk key restore 恢复）"
    print(f"启用于 {shown.added_at}；密钥文件 {shown.file}{missing}")
    return 0


def cmd_key_export(args: argparse.Namespace) -> int:
    from zwgk_desktop.office.keys import export_key

    with _archive(args, read_only=True) as archive:
        path = export_key(archive, args.village, args.output)
    print(f"已把{args.village}的签名密钥复制到 {path}")
    _say("注意：谁拿到这个文件，谁就能以本村名义签名：U盘请锁柜保管，不要复制给他人或上传网络")
    return 0


def cmd_key_print(args: argparse.Namespace) -> int:
    from zwgk_desktop.office.keys import print_recovery_sheet

    with _archive(args, read_only=True) as archive:
        path = print_recovery_sheet(archive, args.village, args.output)
    print(f"已写出密钥恢复单 {path}：打印后与公章一样锁柜保管，打印完请删除这个 PDF 文件")
    return 0


def cmd_key_restore(args: argparse.Namespace) -> int:
    from zwgk_desktop.office.keys import restore_key

    with _archive(args, read_only=True) as archive:
        done = restore_key(archive, file=args.key_file, text=args.text)
    print(f"已恢复{done.village}的签名密钥（指纹 {_short(done.fingerprint)}）到 {done.path}，可以继续封存")
    return 0


def _short(fingerprint: str) -> str:
    from zwgk_desktop.archive.signing import short_fingerprint

    return short_fingerprint(fingerprint)


def cmd_key_replace(args: argparse.Namespace) -> int:
    from zwgk_desktop.office.keys import replace_key

    with _archive(args) as archive:
        done = replace_key(archive, args.village, args.reason, args.by)
    print(f"已为{done.village}更换签名密钥：新指纹 {_short(done.new)}（旧 {_short(done.old)} 已停用）。"
          "更换记录由旧密钥签名，乡镇导入下一个档案包时自动认可")
    _say(f"注意：请把新密钥复制到U盘并打印新的恢复单（zwgk key export / zwgk key print --village {args.village}），"
         "旧的恢复单请销毁")
    return 0


def cmd_key_lost(args: argparse.Namespace) -> int:
    from zwgk_desktop.office.keys import declare_lost

    with _archive(args) as archive:
        done = declare_lost(archive, args.village, args.reason, args.by)
    print(f"已为{done.village}启用新签名密钥：新指纹 {_short(done.new)}（丢失的 {_short(done.old)} 已停用，"
          "此后它签的封存一概不认）")
    _say(f"注意：请打电话把新指纹 {_short(done.new)} 报给乡镇，乡镇核对后运行 zwgk key trust；核对之前，"
         f"乡镇不接收{done.village}的新档案包。请把新密钥复制到U盘并打印恢复单")
    return 0


def cmd_key_trust(args: argparse.Namespace) -> int:
    from zwgk_desktop.office.keys import trust_key

    with _archive(args) as archive:
        shown = trust_key(archive, args.village, args.fingerprint, args.confirmed_by)
    print(f"已登记{shown.village}的密钥指纹 {shown.short}（{shown.confirmed_by}核对）：此后只接收由它签名的档案包")
    return 0


def cmd_key_list(args: argparse.Namespace) -> int:
    from zwgk_desktop.office.keys import list_keys

    with _archive(args, read_only=True) as archive:
        keys = list_keys(archive, args.village)
    if args.json:
        print(json.dumps([_key_json(k) for k in keys], ensure_ascii=False, indent=2))
        return 0
    if not keys:
        print("本库还没有登记任何密钥")
    for k in keys:
        state = f"{k.retired_at[:10]} 停用" if k.retired_at else "在用"
        who = f"，{k.confirmed_by}" if k.confirmed_by else ""
        print(f"{_pad(k.village, 10)}{_pad(k.short, 32)}{_pad(state, 16)}{k.how_text}{who}，登记于 {k.added_at[:10]}")
    return 0


def cmd_about(args: argparse.Namespace) -> int:
    from zwgk_desktop.office.about import about
    from zwgk_desktop.office.handle import Archive

    try:
        archive: Archive | None = Archive.open(args.db, read_only=True, layouts=args.layouts)
    except ZwgkError:  # no archive yet, or one this version must upgrade first: the rest is still told
        archive = None
    try:
        log_file: Path | None = paths.log_file()
    except ZwgkError:
        log_file = None
    try:
        told = about(archive, log_file, layouts=Path(args.layouts) if args.layouts else None, database=args.db)
    finally:
        if archive is not None:
            archive.engine.dispose()
    if args.json:
        print(json.dumps(asdict(told), ensure_ascii=False, indent=1))
    else:
        print(told.text(), end="")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from zwgk_desktop.office.backups import backup_now, backups_of

    if args.list:
        found = backups_of(args.db)
        for backup in found.backups:
            print(f"{backup.taken_at:%Y-%m-%d %H:%M:%S} UTC  {backup.reason:<24} {backup.path}")
        if found.unsorted is not None:
            _say(f"另有旧版本程序留下的备份在 {found.unsorted}：同名的档案都放在一起，无法确定属于哪个，"
                 "不在上面列出，也不会被自动删除；需要时可用 zwgk restore 逐个核验")
        return 0
    backup = backup_now(args.db)
    print(f"已备份到 {backup.path}")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from zwgk_desktop.office.backups import database_file, restore, restoring

    with restoring(args.db, args.backup_file) as plan:
        for line in plan.summary():
            print(line)
        if not args.yes:
            if not sys.stdin.isatty():
                raise BadInput("恢复会替换当前档案：确认无误后请加 --yes 再运行（zwgk restore "
                               f"{args.backup_file} --yes）；未恢复")
            answer = input("确认用此备份替换当前档案？输入 y 确认，其他任意键取消：").strip().lower()
            if answer not in ("y", "yes", "是"):
                print("已取消，档案未改动")
                return 0
        before = restore(args.db, plan)
    path = database_file(args.db)
    print(f"已用 {args.backup_file} 恢复 {path}" + (f"（恢复前的档案已备份到 {before.path}）" if before else ""))
    return 0


def _database_named(args: argparse.Namespace) -> str:
    try:
        return str(getattr(args, "db", None) or paths.default_db())
    except ZwgkError:  # the data folder cannot be used: then no default database either
        return ""


def _require_changeable(args: argparse.Namespace) -> None:
    """A command that changes the archive (`changes=True` in the parser) is refused before any
    work, backup or check when the SQLite file cannot be changed: write-protected, in a read-only
    folder. A missing file is left to the command (init makes it, the others say to run init)."""
    from zwgk_desktop.archive.backup import sqlite_path
    from zwgk_desktop.db.engine import require_writable

    path = sqlite_path(_database_named(args))
    if path is not None and path.is_file():
        require_writable(path)


def _database_errors() -> tuple[type[BaseException], ...]:
    """What a database library raises (`office.handle.DATABASE_ERRORS`), asked only when something
    unforeseen went wrong, so that a command that never needs the database does not load it."""
    try:
        from zwgk_desktop.office.handle import DATABASE_ERRORS
    except ImportError:  # the database library itself is broken: then it raised nothing yet
        return ()
    return DATABASE_ERRORS


def _interrupted(signum: int, _frame: object) -> None:
    """Ctrl-C, SIGTERM (a logout, a shutdown, `kill`) and SIGHUP (the terminal closed) end a
    command alike: half-written outputs are removed, the open transaction is rolled back, and
    nothing commits afterwards even if the KeyboardInterrupt is swallowed (`STOP_ASKED`)."""
    STOP_ASKED.set()
    raise KeyboardInterrupt


def _end_on_signals() -> None:
    for name in ("SIGINT", "SIGTERM", "SIGHUP"):
        if hasattr(signal, name):  # Windows has no SIGHUP, and never sends its SIGTERM
            signal.signal(getattr(signal, name), _interrupted)


def _adopt_categories(argv: Sequence[str]) -> None:
    """Put the categories of the formats in use (`--layouts`, else the township's pack) to use
    before the command line is read, so a category a pack declares is one `--category` accepts.
    Formats that do not load leave the program's own: the command that uses them says why."""
    from zwgk_desktop.render.packs import load_pack_layouts

    folder: str | None = None
    for index, word in enumerate(argv):
        if word == "--layouts" and index + 1 < len(argv):
            folder = argv[index + 1]
        elif word.startswith("--layouts="):
            folder = word.partition("=")[2]
    with contextlib.suppress(ZwgkError, OSError):
        load_pack_layouts(Path(folder) if folder else paths.default_layouts_dir())


def main(argv: Sequence[str] | None = None) -> int:
    if argv is None:  # the `zwgk` command itself, not a test calling main()
        _end_on_signals()
    try:
        _adopt_categories(sys.argv[1:] if argv is None else argv)
        args = build_parser().parse_args(argv)
    except KeyboardInterrupt:  # Ctrl-C while the command line is read: nothing was done yet
        _say("已中断。")
        return 3
    run: Callable[[argparse.Namespace], int] = args.run
    try:
        if args.command == "import":  # the file is read while the database machinery loads
            from zwgk_desktop.io.sheets import prefetch

            prefetch(args.file)
        if getattr(args, "changes", False):
            with collector.paused():  # the modules a command loads when it runs
                _require_changeable(args)
        return run(args)
    except ZwgkError as exc:
        _say(f"zwgk {args.command}：{for_cli(str(exc))}")  # the ways out named with their options
        return exc.exit_code
    except KeyboardInterrupt:
        _say("已中断，未完成的操作没有保存。")
        return 3
    except BrokenPipeError:
        # The reader went away (`zwgk list | head`): not an error worth a word. Python would
        # complain again when flushing stdout at exit, so point it at nothing.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except _database_errors() as exc:
        from zwgk_desktop.office.handle import database_fault

        told = database_fault(exc, _database_named(args))
        if told is not None:
            _say(f"zwgk {args.command}：{told}")
            return told.exit_code
        log_path = log_to_file()
        log.error("database error in %s\n%s", args.command, traceback.format_exc())
        _say(f"zwgk {args.command}：数据库出错，未完成的操作没有保存。"
             f"{'详情（数据库自己的说法）见 ' + str(log_path) if log_path else ''}")
        return 3
    except OSError as exc:
        # A file that could not be read or written where no code expected it: said in words,
        # naming the file; the details go to the log, as for a bug.
        log_path = log_to_file()
        log.error("file error in %s\n%s", args.command, traceback.format_exc())
        where = f" {exc.filename}" if exc.filename else ""
        _say(f"zwgk {args.command}：无法读写文件{where}：{why(exc)}。操作没有完成。"
             f"{'详情已记入 ' + str(log_path) if log_path else ''}")
        return 3
    except Exception:
        log_path = log_to_file()
        log.error("unexpected error in %s\n%s", args.command, traceback.format_exc())
        _say(f"zwgk {args.command}：程序内部出错，操作没有完成。"
             f"{'详情已记入 ' + str(log_path) + '，请把此文件发给技术支持。' if log_path else ''}")
        return 3


if __name__ == "__main__":
    sys.exit(main())
