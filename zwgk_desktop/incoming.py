"""Reading the files other people hand us: a township's format pack, a folder of formats, the
catalogue, a village's bundle.

Such a file is refused, never obeyed, when it is out of all proportion: a zip member is measured
as it inflates (its header may lie about its size), the whole zip and its compression ratio are
capped, and a TOML or JSON file may nest no deeper than any file this program writes (Python's
own parsers would otherwise die with a RecursionError deep inside). Every refusal is a BadInput
in words that names the file.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import re
import tomllib
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from zwgk_desktop.errors import BadInput, NotFound, toml_mistake
from zwgk_desktop.inputs import not_a_file
from zwgk_desktop.outputs import why

log = logging.getLogger(__name__)

# The deepest of our own files (a bundle's archive.json: document, seals, items, record, rows,
# row, a value) is under ten levels; 32 leaves room and still stops a hostile file at once.
MAX_NESTING = 32
# A format or a catalogue is a few kilobytes. tomllib reads about 300 KB a second of hostile
# TOML (80,000 tiny tables), so the cap also bounds how long a refusal takes.
MAX_TOML = 128 * 1024
# A dotted key (`a.b.c = 1`, `[a.b.c]`) of more parts than MAX_NESTING: tomllib takes time
# quadratic in the parts (40,000 of them: over a minute), so it is refused before parsing.
# Possessive and anchored at the start of a word, so a long run of digits costs linear time.
_PART = r"""(?:(?<![A-Za-z0-9_-])[A-Za-z0-9_-]++|"[^"\n]*+"|'[^'\n]*+')"""
_LONG_DOTTED_KEY = re.compile(rf"{_PART}(?:[ \t]*+\.[ \t]*+{_PART}){{{MAX_NESTING},}}")


def too_deep(where: str) -> BadInput:
    return BadInput(f"{where} 的括号或表嵌套过深（超过 {MAX_NESTING} 层）：不是本程序能用的文件，拒绝读取")


def check_nesting(value: Any, where: str) -> None:
    """Refuse data nested deeper than MAX_NESTING: walked level by level, without recursion, in
    about half the time json.loads took to make it."""
    level, depth = [value] if type(value) is dict or type(value) is list else [], 0
    while level:
        depth += 1
        if depth > MAX_NESTING:
            raise too_deep(where)
        level = [child for node in level for child in (node.values() if type(node) is dict else node)
                 if type(child) is dict or type(child) is list]


def read_small(path: Path, what: str, shown: str | None = None, most: int = MAX_TOML) -> bytes:
    """The bytes of a small file someone handed us (a format, the catalogue, a pack's manifest):
    refused in words unless it is an ordinary file, looked at before it is opened (a named pipe
    in a formats folder would otherwise hang the command), and read no further than `most`."""
    name = f"{what} {shown or path}"
    try:
        problem = not_a_file(path, what)
    except NotFound:
        raise BadInput(f"找不到{name}") from None
    if problem:
        raise BadInput(f"{name} 无法读取：{problem}")
    try:
        with path.open("rb") as file:
            raw = file.read(most + 1)
    except FileNotFoundError:
        raise BadInput(f"找不到{name}") from None
    except OSError as exc:
        log.info("reading %s: %s", path, exc)
        raise BadInput(f"{name} 无法读取：{why(exc, reading=True)}") from None
    if len(raw) > most:
        raise BadInput(f"{name} 超过 {size_in_words(most)}：不是本程序能用的文件，拒绝读取")
    return raw


def load_toml(path: Path, what: str, shown: str | None = None, most: int = MAX_TOML) -> dict[str, Any]:
    """A TOML file a township or a clerk wrote: its table, or BadInput naming `what` and the file."""
    return parse_toml(toml_text(path, what, shown, most), f"{what} {shown or path}")


def toml_text(path: Path, what: str, shown: str | None = None, most: int = MAX_TOML) -> str:
    """A small TOML file's text as its author wrote it (a byte-order mark dropped), not parsed yet."""
    raw = read_small(path, what, shown, most)
    try:
        return raw.decode("utf-8-sig")  # Notepad may have saved it with a byte-order mark
    except UnicodeDecodeError:
        raise BadInput(f"{what} {shown or path} 不是 UTF-8 编码的文本") from None


def parse_toml(text: str, name: str) -> dict[str, Any]:
    """A TOML text's table (a file's, or one kept in the archive), or BadInput naming `name`."""
    if _LONG_DOTTED_KEY.search(text):
        raise too_deep(name)
    return _parsed(tomllib.loads, text, name)


def parse_json(text: str, where: str) -> Any:
    """JSON from a file someone handed us, with its nesting bounded."""
    return _parsed(json.loads, text, where)


def _parsed(parse: Callable[[str], Any], text: str, where: str) -> Any:
    try:
        data = parse(text)
    except tomllib.TOMLDecodeError as exc:
        raise BadInput(f"{where} 有 TOML 语法错误：{toml_mistake(exc)}") from None
    except json.JSONDecodeError as exc:
        raise BadInput(f"{where} 无法读取：第{exc.lineno}行第{exc.colno}列 JSON 写法不对") from None
    except ValueError:  # an integer of thousands of digits, which Python will not convert
        raise BadInput(f"{where} 中有位数过多的数字，拒绝读取") from None
    except RecursionError:
        raise too_deep(where) from None
    check_nesting(data, where)
    return data


# ---------------------------------------------------------------------------------------------
# Zip files.

_RATIO_FROM = 1 << 20  # below a megabyte inflated, any ratio is harmless


def size_in_words(size: int) -> str:
    return f"{size / 1024**2:.0f} MB" if size >= 1024**2 else f"{size / 1024:.0f} KB"


def _damage(exc: Exception) -> str:
    """What a member that cannot be inflated is, in words."""
    if isinstance(exc, RuntimeError) and "encrypted" in str(exc):
        return "设了密码（加密），不是本程序写出的文件"
    if isinstance(exc, NotImplementedError):
        return "用了本程序不认识的压缩方式，不是本程序写出的文件"
    if "CRC" in str(exc):
        return "校验不符：文件已损坏或被改动"
    return "已损坏或被改动，无法解开"


@dataclass(frozen=True)
class ZipLimits:
    """How much a zip of one kind may hold, inflated."""

    kind: str  # 档案包, 版式包: named in every refusal
    member: int  # bytes one member may inflate to
    total: int  # bytes all members together
    members: int  # how many members
    ratio: int = 100  # inflated ÷ compressed; a zip bomb of zeros is about 1000


class BoundedZip:
    """A zip someone handed us, read member by member, every size measured as it inflates.

    The central directory is checked first (cheap, and enough for an honest file), then every
    member while it inflates, since a crafted header may understate a member's size."""

    def __init__(self, path: Path, shown: str, limits: ZipLimits) -> None:
        self.shown, self.limits, self.inflated = shown, limits, 0
        try:
            self.zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
            log.info("opening %s: %r", path, exc)  # Python's words, for whoever reads the log
            raise BadInput(f"{shown} 不是有效的{limits.kind}：文件已损坏或不完整（没有下载或复制完？）") from None
        try:
            self.entries = [entry for entry in self.zip.infolist() if not entry.is_dir()]
            if len(self.entries) > limits.members:
                raise BadInput(f"{shown} 含有 {len(self.entries)} 个文件，超过 {limits.members} 个："
                               f"不是本程序的{limits.kind}，拒绝导入")
            declared = 0
            for entry in self.entries:
                self._check(entry, entry.file_size)
                declared += entry.file_size
            if declared > limits.total:
                raise self._too_big()
        except BaseException:
            self.zip.close()
            raise

    def __enter__(self) -> BoundedZip:
        return self

    def __exit__(self, *exc: object) -> None:
        self.zip.close()

    def _too_big(self) -> BadInput:
        return BadInput(f"{self.shown} 解开后超过 {size_in_words(self.limits.total)}：不是本程序的{self.limits.kind}，"
                        "拒绝导入")

    def _check(self, entry: zipfile.ZipInfo, size: int, most: int | None = None) -> None:
        name, limits, most = entry.filename, self.limits, most or self.limits.member
        if size > _RATIO_FROM and size > limits.ratio * max(entry.compress_size, 1):
            raise BadInput(f"{self.shown} 中的 {name} 压缩比异常（超过 {limits.ratio} 倍，像是“压缩炸弹”）："
                           f"不是本程序的{limits.kind}，拒绝导入")
        if size > most:
            raise BadInput(f"{self.shown} 中的 {name} 解开后超过 {size_in_words(most)}："
                           f"不是本程序的{limits.kind}，拒绝导入")

    def chunks(self, entry: zipfile.ZipInfo, most: int | None = None) -> Iterator[bytes]:
        """The member's bytes as they inflate, refused the moment they pass a limit (`most`:
        a smaller one than the kind's, for a member that is always small)."""
        self._check(entry, entry.file_size, most)
        produced = 0
        try:
            with self.zip.open(entry) as member:
                while chunk := member.read(1 << 20):
                    produced += len(chunk)
                    self.inflated += len(chunk)
                    if produced > entry.file_size:
                        raise BadInput(f"{self.shown} 中的 {entry.filename} 比它记录的大小还大：文件被改动或损坏，"
                                       "拒绝导入")
                    self._check(entry, produced, most)
                    if self.inflated > self.limits.total:
                        raise self._too_big()
                    yield chunk
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError, RuntimeError) as exc:
            # CRC errors are BadZipFile; an encrypted member is RuntimeError; an unknown method
            # NotImplementedError. Python's English goes to the log; the clerk reads what it means.
            log.info("reading %s of %s: %r", entry.filename, self.shown, exc)
            raise BadInput(f"{self.shown} 中的 {entry.filename} {_damage(exc)}，拒绝导入") from None

    def read(self, entry: zipfile.ZipInfo, most: int | None = None) -> tuple[bytes, str]:
        """The member's bytes and their SHA-256, held once."""
        digest = hashlib.sha256()
        buffer = io.BytesIO()
        for chunk in self.chunks(entry, most):
            digest.update(chunk)
            buffer.write(chunk)
        return buffer.getvalue(), digest.hexdigest()
