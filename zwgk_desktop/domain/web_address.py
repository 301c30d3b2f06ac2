"""The online copy's address (网上公开地址): the one check every way of giving it goes through.

`zwgk init --base-url`, 设置, `zwgk render --base-url` and `zwgk site --base-url` all call
`checked_base_url`, so an address one of them accepts is accepted by all, and what the QR codes
carry is always a plain web address: http(s), a real host name, a path, nothing else. The
guard matters because the address is printed on paper for years: a space or `#` breaks every
code, and `https://portal.gov.cn@elsewhere.example` (a user name before `@`) would send
residents to another site while looking like the township's.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from urllib.parse import urlsplit

from zwgk_desktop.errors import BadInput

# Longer addresses make the QR code denser than a phone reads easily off a weathered poster.
MAX_LENGTH = 200
_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")
# What a path may hold: letters and digits (a Chinese path too), `- . _ ~`, `/` and %-escapes.
# The address is written raw into robots.txt, the pages' HTML and the QR codes, so everything else
# is refused, not only what RFC 3986 leaves out: ? and # would end the path (the
# `/{village}/{period}/…` the QR code appends would no longer be part of it), a quote or `<` would
# end an HTML attribute, and `' ( ) ; & = + , ! $ * :` are legal but mean something to a web
# server, a shell or a robots.txt reader, and no township's address needs them.
_PATH_PUNCTUATION = frozenset("-._~/%")


def _not_in_path(char: str) -> bool:
    if char in _PATH_PUNCTUATION:
        return False
    if char.isascii():
        return not char.isalnum()
    return unicodedata.category(char)[0] not in "LNM"  # 村务, not a full-width quote or bracket


def checked_base_url(url: str) -> str:
    """`url` without trailing slashes, or BadInput saying in Chinese what is wrong with it."""
    text = (url or "").strip()
    problem = _problem(text)
    if problem:
        shown = text if len(text) <= 60 else text[:60] + "…"
        raise BadInput(f"网上公开地址“{shown}”无效：{problem}。"
                       "应形如 https://zwgk.example.gov.cn/qingshan")
    return text.rstrip("/")


def checked_objection_url(url: str) -> str:
    """The township's own online channel for residents' objections (its 网上信访 or 监督 page),
    checked as the online copy's address is; BadInput naming the setting."""
    text = (url or "").strip()
    problem = _problem(text)
    if problem:
        shown = text if len(text) <= 60 else text[:60] + "…"
        raise BadInput(f"网上异议渠道“{shown}”无效：{problem}。应形如 https://www.example.gov.cn/xinfang")
    return text


def _problem(text: str) -> str:
    if not text:
        return "地址为空"
    if len(text) > MAX_LENGTH:
        return f"地址长 {len(text)} 个字符，最多 {MAX_LENGTH} 个（太长的地址使二维码难以扫描）"
    for char in text:
        if unicodedata.category(char)[0] in "CZ":  # controls, format characters, every kind of space
            return "含有空格或不可见字符"
    scheme, sep, rest = text.partition("://")
    if not sep or scheme.lower() not in ("http", "https"):
        return "应以 http:// 或 https:// 开头"
    if scheme != scheme.lower():
        return "开头的 http:// 或 https:// 应为小写"
    host_part, path = re.match(r"([^/?#]*)(.*)", rest, re.DOTALL).groups()  # type: ignore[union-attr]
    if "@" in host_part:
        return "不能含有用户名（@ 之前的部分）"
    bad = sorted({char for char in path if _not_in_path(char)})
    if bad:
        return (f"地址中不能有 {' '.join(bad)}（路径只能用字母、数字和 - . _ ~ /：这个地址会原样写进二维码、"
                "网页和 robots.txt）")
    if re.search(r"%(?![0-9A-Fa-f]{2})", path):
        return "路径中的 % 后应是两位十六进制数"
    if any(part in (".", "..") for part in path.split("/")):
        return "路径中不能有 . 或 .."
    try:
        parts = urlsplit(text)
        host, port = parts.hostname, parts.port
    except ValueError:
        return "主机名或端口无效"
    if not host:
        return "缺少主机名"
    if port == 0 or host_part.endswith(":"):
        return "端口无效"
    if not _valid_host(host, bracketed=host_part.startswith("[")):
        return f"主机名“{host}”无效"
    return ""


def _valid_host(host: str, *, bracketed: bool) -> bool:
    if bracketed:
        try:
            return ipaddress.ip_address(host).version == 6
        except ValueError:
            return False
    try:
        ipaddress.IPv4Address(host)
        return True
    except ValueError:
        pass
    try:
        ascii_host = host.encode("idna").decode("ascii")  # 政务.中国 → xn--… (a Chinese domain name)
    except UnicodeError:
        return False
    labels = ascii_host.rstrip(".").split(".")
    if re.fullmatch(r"[0-9.]+", ascii_host):  # 1.2.3 is neither an IPv4 address nor a name
        return False
    return len(ascii_host) <= 253 and all(_LABEL.fullmatch(label) for label in labels)
