"""The online copy's address is checked once (`checked_base_url`) for `init`, `render` and `site`:
whatever is accepted is a plain http(s) address a QR code can carry; the commands agree."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import run_zwgk
from hypothesis import given
from hypothesis import strategies as st

from zwgk_desktop.domain.web_address import MAX_LENGTH, checked_base_url
from zwgk_desktop.errors import BadInput

_URLISH = st.builds(
    lambda scheme, host, path: f"{scheme}{host}{path}",
    st.sampled_from(["https://", "http://", "HTTPS://", "ftp://", "", "https:/", "javascript:"]),
    st.one_of(st.from_regex(r"[a-z0-9-]{1,12}(\.[a-z0-9-]{1,8}){0,3}(:\d{1,6})?", fullmatch=True),
              st.text(max_size=20)),
    st.one_of(st.from_regex(r"(/[A-Za-z0-9._~%-]{0,10}){0,3}/?", fullmatch=True), st.text(max_size=30)),
)


@given(st.one_of(_URLISH, st.text()))
def test_what_is_accepted_is_a_plain_web_address(text: str) -> None:
    try:
        url = checked_base_url(text)
    except BadInput as refused:
        assert str(refused).startswith("网上公开地址")
        return
    parts = urlsplit(url)
    assert parts.scheme in ("http", "https") and parts.hostname and not parts.username
    assert not parts.query and not parts.fragment and "?" not in url and "#" not in url
    assert len(url) <= MAX_LENGTH and not url.endswith("/")
    assert not any(unicodedata.category(c)[0] in "CZ" or c in '"<>\\^`{|}' for c in url)
    assert ".." not in parts.path.split("/")
    assert checked_base_url(url) == url  # stable: what is stored passes again


@pytest.mark.parametrize("url", ["https://qingshan.example/zwgk/", "http://127.0.0.1:8000", "https://政务.中国/村务"])
def test_good_addresses_pass(url: str) -> None:
    assert checked_base_url(url) == url.rstrip("/")


@pytest.mark.slow
def test_init_render_and_site_accept_and_refuse_the_same_addresses(tmp_path: Path, demo_copy: Path) -> None:
    env = {"ZWGK_DB": str(demo_copy)}
    for url in ("https://portal.example.gov.cn@evil.example", "https://a.example/x y", "https://a.example#top",
                'https://a.example/"><script>', "https://x.example/a'b", "https://x.example/(a)", "qingshan.example",
                "https://a.example/zwgk"):
        try:
            checked_base_url(url)
            good = True
        except BadInput:
            good = False
        runs = {
            "init": run_zwgk("init", "--base-url", url, cwd=tmp_path, env=env),
            "site": run_zwgk("site", "-o", str(tmp_path / "www"), "--base-url", url, cwd=tmp_path, env=env),
            "render": run_zwgk("render", "--village", "东岗村", "--period", "2026Q3", "--category", "notice",
                               "--base-url", url, "-o", str(tmp_path / "n.pdf"), cwd=tmp_path, env=env),
        }
        assert {run.code for run in runs.values()} == ({0} if good else {2}), (url, runs)
        for run in runs.values() if not good else ():
            assert re.search("网上公开地址.*无效", run.err) and "Traceback" not in run.err, (url, run.err)


_PATH_SAFE = set("-._~/")


@given(st.one_of(st.characters(max_codepoint=0x7F), st.characters(min_codepoint=0x80)))
def test_a_path_holds_letters_digits_and_four_marks_only(char: str) -> None:
    """Every character once in the middle of a path: a quote, bracket or `;` written raw into
    robots.txt and the pages is refused (issue 12: `https://x.example/a'b`), a letter of any script
    passes."""
    url = f"https://x.example/a{char}b"
    good = (char.isalnum() or char in _PATH_SAFE) if char.isascii() else unicodedata.category(char)[0] in "LNM"
    try:
        accepted = checked_base_url(url) == url
    except BadInput as refused:
        assert "网上公开地址" in str(refused)
        accepted = False
    assert accepted == good, (char, hex(ord(char)))
