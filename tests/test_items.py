"""The rules every item must pass before it is stored as reviewed or printed."""

from datetime import date

import pytest
from factories import assistance, bids, finance, household, notice

from zwgk_desktop.domain.categories import ASSISTANCE, BIDS, CATEGORIES, FINANCE, NOTICE, category
from zwgk_desktop.domain.fields import FieldError, clean_text, parse_date
from zwgk_desktop.domain.items import DRAFT, parse_item_fields, parse_rows, validate
from zwgk_desktop.errors import BadInput


def messages(report_items: list) -> str:  # type: ignore[type-arg]
    return "\n".join(str(p) for p in report_items)


@pytest.mark.parametrize(("make", "schema"), [(assistance, ASSISTANCE), (finance, FINANCE), (bids, BIDS),
                                               (notice, NOTICE)])
def test_factories_are_valid(make, schema) -> None:  # type: ignore[no-untyped-def]
    report = validate(make(), schema)
    assert report.ok, messages(report.errors)
    assert not report.warnings, messages(report.warnings)


def test_unknown_category_is_named() -> None:
    with pytest.raises(BadInput, match="没有“loans”这个类别"):
        category("loans")
    assert list(CATEGORIES) == ["finance", "assistance", "bids", "notice", "assets", "resources", "contracts", "debts",
                               "distribution"]


def test_finance_must_balance_and_says_by_how_much() -> None:
    item = finance()
    item.fields["closing_balance"] += 100
    report = validate(item, FINANCE)
    text = messages(report.errors)
    assert "收支不平" in text and "期末余额" in text and "相差 -1.00" in text


def test_finance_line_needs_exactly_one_amount_and_a_date_in_the_quarter() -> None:
    item = finance()
    item.rows[1]["income"] = 100
    item.rows[2]["date"] = date(2026, 10, 1)
    item.fields["closing_balance"] = 13_455_100
    errors = validate(item, FINANCE).errors
    assert any(e.row == 2 and "只填一项" in e.message for e in errors)
    assert any(e.row == 3 and e.field == "日期" and "不在" in e.message for e in errors)


def test_lumped_expense_is_a_warning_not_an_error() -> None:
    item = finance()
    item.rows[2]["summary"] = "其他支出"
    report = validate(item, FINANCE)
    assert report.ok
    assert any(w.row == 3 and "逐笔列明" in w.message for w in report.warnings)


def test_negative_amount_is_refused() -> None:
    item = assistance()
    item.rows[4]["monthly_amount"] = -100
    errors = validate(item, ASSISTANCE).errors
    assert [(e.row, e.field) for e in errors] == [(5, "月保障金额")]
    assert "负数" in errors[0].message


def test_bad_id_checksum_is_refused_with_row_and_field() -> None:
    item = assistance()
    number = item.rows[2]["id_number"]
    item.rows[2]["id_number"] = number[:17] + ("0" if number[17] != "0" else "1")
    errors = validate(item, ASSISTANCE).errors
    assert len(errors) == 1 and errors[0].row == 3 and errors[0].field == "身份证号"
    assert "校验码错误" in str(errors[0]) and "第3行" in str(errors[0])


def test_same_household_twice_is_refused() -> None:
    item = assistance()
    item.rows[7]["id_number"] = item.rows[1]["id_number"]
    assert "与第2行重复" in messages(validate(item, ASSISTANCE).errors)


def test_publicity_period_minimums() -> None:
    short = assistance(publicity_end=date(2026, 10, 14))
    assert "至少 7 天" in messages(validate(short, ASSISTANCE).errors)
    item = bids()
    item.publicity_end = date(2026, 8, 6)
    assert "至少 3 天" in messages(validate(item, BIDS).errors)
    long_term = assistance(publicity_end=None)
    assert validate(long_term, ASSISTANCE).ok


def test_reviewed_needs_reviewer_and_date_but_draft_does_not() -> None:
    item = notice()
    item.reviewer = None
    assert "审核人" in messages(validate(item, NOTICE).errors)
    item.status = DRAFT
    assert validate(item, NOTICE).ok


def test_bids_rules() -> None:
    item = bids()
    item.fields["winner"] = "丁公司"
    assert "不在投标单位之中" in messages(validate(item, BIDS).errors)
    item = bids()
    item.rows[1]["rank"] = 1
    assert "排名 1 重复" in messages(validate(item, BIDS).errors)
    item = bids()
    item.fields["contract_amount"] = 60_000_000
    assert "超过预算" in messages(validate(item, BIDS).warnings)
    item = bids()
    item.rows.pop()
    assert "少于 3 个" in messages(validate(item, BIDS).warnings)


def test_personal_numbers_are_refused_in_free_text() -> None:
    item = finance()
    item.rows[1]["summary"] = "支付张三工资 卡号6222020200001234567"
    assert "银行/一卡通账号" in messages(validate(item, FINANCE).errors)
    item = notice()
    item.fields["body"] = "联系人手机 13812345678"
    assert "手机号" in messages(validate(item, NOTICE).errors)
    item.fields["body"] = "正文"
    item.fields["contact"] = "李主任 13812345678"  # a contact field may carry a phone on purpose
    assert validate(item, NOTICE).ok


def test_odd_unicode_and_overlong_text() -> None:
    with pytest.raises(FieldError, match="U\\+202E"):
        clean_text("张三\u202e")
    with pytest.raises(FieldError, match="U\\+200B"):
        clean_text("张\u200b三")
    item = finance()
    item.rows[0]["summary"] = "很" * 61
    assert "最多 60 个字" in messages(validate(item, FINANCE).errors)
    assert clean_text("  东岗村\n  二组 ") == "东岗村 二组"


def test_parsing_what_a_clerk_types() -> None:
    rows, problems = parse_rows(ASSISTANCE, [
        {"head_name": "张三", "id_number": "11010519491231002x", "household_size": "3人", "kind": "农村低保",
         "monthly_amount": "1,200.50元", "group": "二组"},
        {"head_name": "李四", "id_number": "110105194912310021", "household_size": "两", "kind": "低保",
         "monthly_amount": "abc"},
    ], first_row=2)
    assert rows[0]["id_number"] == "11010519491231002X" and rows[0]["monthly_amount"] == 120050
    where = {(p.row, p.field) for p in problems}
    assert where == {(3, "身份证号"), (3, "保障人口"), (3, "救助类别"), (3, "月保障金额")}
    values, problems = parse_item_fields(FINANCE, {"opening_balance": "1000", "closing_balance": ""})
    assert values["opening_balance"] == 100000 and [p.field for p in problems] == ["期末余额"]
    assert parse_date("2026年7月1日") == parse_date("2026/7/1") == parse_date("20260701") == date(2026, 7, 1)
    with pytest.raises(FieldError, match="不是有效日期"):
        parse_date("2026-02-30")


def test_rows_are_checked_even_when_many() -> None:
    import random

    rng = random.Random(5)
    item = assistance(count=3)
    item.rows += [household(rng, kind="特困供养") for _ in range(3)]
    assert validate(item, ASSISTANCE).ok


@pytest.mark.parametrize(("typed", "told"), [("abc", "“abc”不是数字金额"), ("-500", "金额不能为负数"),
                                             ("12.345", "超过两位小数")])
def test_a_draft_keeps_a_bad_amount_as_typed_and_says_what_is_wrong_with_it(typed: str, told: str) -> None:
    item = assistance()
    item.rows[0]["monthly_amount"] = typed  # the editor keeps it as typed until corrected
    problems = [p for p in validate(item, ASSISTANCE).errors if p.row == 1]
    assert problems and told in problems[0].message, problems


def test_rules_over_rows_run_while_the_items_own_values_are_still_empty() -> None:
    """A ledger without its opening balance yet: its lines are checked all the same, and the
    missing balance is told as still to fill in, not as something wrong."""
    item = finance()
    item.status = DRAFT
    item.fields = {"opening_balance": None, "closing_balance": None}
    item.publicity_start = item.publicity_end = None
    item.rows[1]["income"] = 100
    item.rows[2]["date"] = date(2026, 6, 30)
    report = validate(item, FINANCE)
    assert {(p.row, p.field) for p in report.wrong} == {(2, "收入/支出"), (3, "日期")}, report.wrong
    assert {p.field for p in report.incomplete} == {"期初余额", "期末余额", "公示期"}


def test_a_broken_cell_hides_no_duplicate_and_makes_no_false_finding() -> None:
    """Row 1's amount does not read: the rows after it are still compared (told by their own
    numbers), and nothing about all rows together is said until every row reads."""
    item = assistance(count=5)
    item.rows[0]["monthly_amount"] = "abc"
    item.rows[3]["id_number"] = item.rows[1]["id_number"]
    errors = validate(item, ASSISTANCE).errors
    assert any(p.row == 4 and p.other_row == 2 and "与第2行重复" in p.message for p in errors), errors
    bid = bids()
    bid.rows[0]["price"] = "abc"
    bid.rows[2]["rank"] = 7  # 1 (unreadable), 2, 7: a gap either way, told once the price reads
    assert {(p.row, p.field) for p in validate(bid, BIDS).errors} == {(1, "投标报价")}
    bid.rows[0]["price"] = 46_000_000
    gap = [p for p in validate(bid, BIDS).errors if p.field == "排名"]
    assert [(p.row, "没有第 7 名" in p.message) for p in gap] == [(3, True)], gap
