"""The published list of a village's seals (design §4.5, anchors): what the online copy carries as
`{village}/seals.json` and `seals.html`, and a bundle as `data/seals.json`.

Each seal is published by its number (its 1-based place in the village's chain), quarter, kind,
time, chain hash and signature. A chain hash covers every seal before it, so a copy of this list
kept anywhere outside the archive (a web server, a township's disk, a printout) later shows a
seal removed from the end, a history rewritten and re-hashed, or a chain forked: the archive's
own hashes cannot, since whoever rewrites it can recompute them all.

Pure: seals in, a JSON document out; a document someone hands us in, seals out or BadInput in
words naming the file and the seal.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from zwgk_desktop.errors import BadInput

SEAL_LIST = "seals.json"
SEAL_PAGE = "seals.html"
SEAL_LIST_FORMAT = 1
WHAT = "zwgk-seal-list"  # names the document, so a JSON file of another kind is told apart

KIND_NAMES = {"quarter": "季度封存", "correction": "更正封存", "key": "密钥记录", "attachment": "照片凭证封存"}

_HASH = re.compile(r"[0-9a-f]{64}")
_CODE = re.compile(r"[a-z0-9-]{1,40}")
# Lengths a seal's values never reach (a period is 6, a time 25, a base64 Ed25519 signature 88):
# a published file is someone else's, and its values are shown in messages.
_SHORT, _LONG = 40, 400


@dataclass(frozen=True)
class PublishedSeal:
    """One seal as published."""

    number: int  # 1-based place in the village's chain
    period: str
    kind: str  # quarter, correction or key
    sealed_at: str  # ISO 8601, UTC, as sealed
    chain_hash: str
    signature: str | None = None  # base64 Ed25519 over the chain hash (seal format 4)
    signer: str | None = None  # fingerprint of the key that signed it (64 hex)

    @property
    def kind_name(self) -> str:
        return KIND_NAMES.get(self.kind, self.kind)

    @property
    def named(self) -> str:
        """How a message names it: 第3个封存（2026Q1 季度封存）."""
        return f"第{self.number}个封存（{self.period} {self.kind_name}）"


def signers(seals: list[PublishedSeal]) -> list[str]:
    """The fingerprints of the keys that signed the seals, in the order they first signed."""
    return list(dict.fromkeys(seal.signer for seal in seals if seal.signer))


def document(township: str, village: str, village_code: str, seals: list[PublishedSeal]) -> dict[str, Any]:
    """The list as published: what `seals.json` holds and `seals.html` shows."""
    return {"what": WHAT, "format": SEAL_LIST_FORMAT, "township": township,
            "village": {"name": village, "code": village_code}, "signers": signers(seals),
            "seals": [asdict(seal) for seal in seals]}


SHORT = 24  # hex digits of a fingerprint read over the phone: 96 bits, six groups of four


def short_fingerprint(full: str) -> str:
    """A fingerprint as a person reads it over the phone or compares it by eye, the same form
    everywhere (a clerk's key dialog, the township's register, the seals page):
    `3F2A 91C0 77BE 0D14 5E6A B203`."""
    head = full[:SHORT].upper()
    return " ".join(head[i:i + 4] for i in range(0, len(head), 4))


def parse(data: Any, shown: str) -> tuple[str, list[PublishedSeal]]:
    """A published list (a parsed `seals.json`): the village's code and its seals in order, or
    BadInput naming `shown` and what is wrong. Numbers run 1, 2, 3 … with no gap: the list is
    the whole chain as it stood when it was published."""
    if not isinstance(data, dict) or data.get("what") != WHAT:
        raise BadInput(f"{shown} 不是本程序公布的封存记录（{SEAL_LIST}）")
    if data.get("format") != SEAL_LIST_FORMAT:
        raise BadInput(f"{shown} 的封存记录格式（{str(data.get('format'))[:_SHORT]}）不是本程序能读的"
                       f"（{SEAL_LIST_FORMAT}）：请用新版程序核对")
    village = data.get("village")
    code = village.get("code") if isinstance(village, dict) else None
    if not isinstance(code, str) or not _CODE.fullmatch(code):
        raise BadInput(f"{shown} 中没有村的代码，或代码不对")
    entries = data.get("seals")
    if not isinstance(entries, list):
        raise BadInput(f"{shown} 中没有封存清单（seals）")
    return code, [_seal(entry, index, f"{shown} 第{index}个封存") for index, entry in enumerate(entries, start=1)]


def _seal(entry: Any, index: int, where: str) -> PublishedSeal:
    if not isinstance(entry, dict):
        raise BadInput(f"{where} 应是一个对象")
    number = entry.get("number")
    if type(number) is not int or number != index:
        raise BadInput(f"{where} 的编号应是 {index}：封存记录被改动或不完整")
    texts: dict[str, str] = {}
    for key in ("period", "kind", "sealed_at"):
        value = entry.get(key)
        if not isinstance(value, str) or not value or len(value) > _SHORT:
            raise BadInput(f"{where} 的“{key}”不对")
        texts[key] = value
    chain = entry.get("chain_hash")
    if not isinstance(chain, str) or not _HASH.fullmatch(chain):
        raise BadInput(f"{where} 的链式哈希（chain_hash）应是 64 位十六进制数")
    signature, signer = entry.get("signature"), entry.get("signer")
    if signature is not None and (not isinstance(signature, str) or len(signature) > _LONG):
        raise BadInput(f"{where} 的签名（signature）不对")
    if signer is not None and (not isinstance(signer, str) or not _HASH.fullmatch(signer)):
        raise BadInput(f"{where} 的签名密钥指纹（signer）应是 64 位十六进制数")
    return PublishedSeal(index, texts["period"], texts["kind"], texts["sealed_at"], chain, signature, signer)
