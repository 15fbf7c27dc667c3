"""Rule layer and the combination with the model: label anchors, geometry, cross-checks."""

from __future__ import annotations

from claims_ai.extract.fields import FieldExtractor
from claims_ai.extract.rules import RuleExtractor, sub_box
from claims_ai.types import CheckStatus, OcrResult, TextLine


def _line(text: str, x: float, y: float, width: float | None = None, height: float = 30.0) -> TextLine:
    w = width if width is not None else 30.0 * len(text)
    return TextLine(text, 0.98, ((x, y), (x + w, y), (x + w, y + height), (x, y + height)))


def _extract(*lines: TextLine, orientation: int = 0) -> dict:
    fields, checks = FieldExtractor(RuleExtractor(), None).extract(
        OcrResult(tuple(lines), orientation), 2000, 1400, 1, {"page": 1}
    )
    return {"fields": fields, "checks": {c.id: c for c in checks}}


def test_values_on_the_label_line_stop_at_the_next_label() -> None:
    out = _extract(_line("姓名：王建国 性别：男 年龄：52岁 科别：普外科 住院号：1234567", 100, 100))
    fields = out["fields"]
    assert fields["patient_name"].value == "王建国"
    assert fields["patient_gender"].value == "男"
    assert fields["patient_age"].value == "52"
    assert fields["department"].value == "普外科"


def test_value_in_the_cell_to_the_right_or_below() -> None:
    out = _extract(
        _line("票据号码", 100, 100),
        _line("0012345678", 400, 102),
        _line("开票日期", 100, 300),
        _line("2020-12-23", 105, 340),
    )
    assert out["fields"]["invoice_number"].value == "0012345678"
    assert out["fields"]["issue_date"].value == "2020-12-23"
    # The box is the value's, not the label's.
    assert out["fields"]["invoice_number"].box[0][0] == 400


def test_a_speck_between_a_label_and_its_value_is_passed_over() -> None:
    # A currency sign read as "夫" sits between "(小写)" and the figure; a figure that does not parse is not.
    out = _extract(_line("(小写)", 100, 100), _line("夫", 220, 102), _line("83,500.98", 280, 101))
    assert out["fields"]["total_amount"].value == "83500.98"
    out = _extract(_line("(小写)", 100, 100), _line("2,2513", 220, 102), _line("0.00", 500, 101))
    assert "total_amount" not in out["fields"]


def test_stay_gives_admission_and_discharge() -> None:
    out = _extract(_line("住院时间：20201217|20201223", 100, 100))
    assert (out["fields"]["admission_date"].value, out["fields"]["discharge_date"].value) == (
        "2020-12-17",
        "2020-12-23",
    )


def test_amounts_cross_checked_with_words_and_payments() -> None:
    out = _extract(
        _line("合计（大写）贰万肆仟壹佰捌拾玖元陆角伍分", 100, 100),
        _line("（小写）24,189.65", 100, 150),
        _line("医保统筹基金支付：15,723.27", 100, 200),
        _line("个人现金支付：8,466.38", 100, 250),
    )
    total = out["fields"]["total_amount"]
    assert total.value == "24189.65"
    assert out["checks"]["amount_words_match_figure"].status is CheckStatus.PASSED
    assert out["checks"]["payments_sum_to_total"].status is CheckStatus.PASSED
    assert total.confidence > 0.95, "two passed checks raise the confidence"


def test_the_personal_account_is_part_of_the_payments_and_restores_a_lost_digit() -> None:
    out = _extract(
        _line("（小写）84,361.68", 100, 100),
        _line("医保统筹基金支付1426.20", 100, 150),  # printed 11426.20, its "1" under the label's last character
        _line("个人账户支付2000.00", 700, 150),
        _line("个人现金支付70935.48", 100, 200),
    )
    assert out["fields"]["insurance_fund_paid"].value == "11426.20"
    assert "account_paid" not in out["fields"]  # not a contract field
    check = out["checks"]["payments_sum_to_total"]
    assert check.status is CheckStatus.PASSED and "personal account" in check.message


def test_words_that_disagree_fail_the_check_and_lower_confidence() -> None:
    agree = _extract(_line("（大写）壹佰元整", 100, 100), _line("（小写）100.00", 100, 150))
    differ = _extract(_line("（大写）壹佰元整", 100, 100), _line("（小写）900.00", 100, 150))
    assert differ["checks"]["amount_words_match_figure"].status is CheckStatus.FAILED
    assert differ["fields"]["total_amount"].confidence < agree["fields"]["total_amount"].confidence


def test_total_from_words_when_the_figure_is_unreadable() -> None:
    out = _extract(_line("合计（大写）壹万零伍元整", 100, 100), _line("（小写）", 100, 150))
    assert out["fields"]["total_amount"].value == "10005.00"


def test_hospital_from_the_title_when_unlabelled() -> None:
    out = _extract(
        _line("贵州医科大学附属医院", 500, 50),
        _line("出院记录", 600, 120),
        _line("出院诊断：甲状腺乳头状癌 pT1bN0M0", 100, 300),
    )
    assert out["fields"]["hospital_name"].value == "贵州医科大学附属医院"
    assert out["fields"]["diagnoses"].value == ("甲状腺乳头状癌 pT1bN0M0",)
    assert out["fields"]["tnm_stage"].value == "pT1bN0M0"


def test_another_labels_value_is_not_the_hospital() -> None:
    # An electronic invoice's "医疗机构类型：综合医院" is the kind of hospital, not its name; a fragment is no name.
    out = _extract(_line("医疗机构类型：综合医院", 100, 50), _line("收款单位（章）：院", 100, 300))
    assert "hospital_name" not in out["fields"]


def test_what_a_seal_leaves_before_the_payee_name_is_not_part_of_it() -> None:
    for read in ("收款单位（章)章郑州市中医院", "收款单位（章）一安顺市中医院"):
        assert _extract(_line(read, 100, 100))["fields"]["hospital_name"].value == read[-6:]
    assert _extract(_line("收款单位：章丘市人民医院", 100, 100))["fields"]["hospital_name"].value == "章丘市人民医院"
    for read in ("收款单位《章）西安市中医院", "收款单位收(章)章西安市中医院"):  # the seal mark misread
        assert _extract(_line(read, 100, 100))["fields"]["hospital_name"].value == "西安市中医院"


def test_a_misread_seal_mark_after_the_payee_label_is_not_part_of_the_name() -> None:
    for line in ("收款单位（章江西省肿瘤医院", "收款单位（康）：安庆市第二人民医院"):
        name = _extract(_line(line, 100, 100))["fields"]["hospital_name"].value
        assert name == line.split("章")[-1].split("：")[-1]


def test_narrative_does_not_become_a_name() -> None:
    out = _extract(_line("现病史：患者4月前体检发现左桡骨远端骨折，无发热。", 100, 100))
    assert "patient_name" not in out["fields"]


def test_value_printed_out_of_register_overlapping_its_label() -> None:
    # Dot-matrix printing shifts the values: the name starts under the label's last character.
    out = _extract(_line("姓名", 412, 193, 71), _line("潘凤英", 472, 196, 108), _line("开票日期", 994, 194, 111))
    assert out["fields"]["patient_name"].value == "潘凤英"


def _tilted(text: str, x: float, y: float, slope: float) -> TextLine:
    w, h = 30.0 * len(text), 30.0
    return TextLine(text, 0.98, ((x, y), (x + w, y + w * slope), (x + w, y + w * slope + h), (x, y + h)))


def test_rows_of_a_tilted_photo_are_levelled_before_pairing_labels_and_values() -> None:
    slope = 0.12  # about 7 degrees: the value cell sits a whole line lower than its label on the page
    lines = [
        _tilted("医保统筹基金支付", 100, 100, slope),
        _tilted("22605.13", 100 + 8 * 30 + 60, 100 + 300 * slope, slope),
    ]
    lines += [_tilted("床位费：694.82 检查费：8,653.62 化验费：7505.44", 100, 300 + i * 5, slope) for i in range(1)]
    lines += [_tilted("开票日期", 100, 500, slope), _tilted("2019/05/26", 400, 500 + 300 * slope, slope)]
    out = _extract(*lines)
    assert out["fields"]["insurance_fund_paid"].value == "22605.13"
    assert out["fields"]["issue_date"].value == "2019-05-26"


def test_units_currency_marks_and_seal_words_around_values() -> None:
    out = _extract(
        _line("(小写)¥", 100, 200),
        _line("72,880.24", 400, 200),
        _line("收款单位（章）郑州市第三人民医院收费专用", 100, 300),
    )
    assert out["fields"]["total_amount"].value == "72880.24"
    assert out["fields"]["hospital_name"].value == "郑州市第三人民医院"
    claim_form = _extract(_line("申请金额(元)103487.00", 100, 100))
    assert claim_form["fields"]["total_amount"].value == "103487.00"


def test_a_cell_that_starts_with_a_label_is_not_a_value() -> None:
    out = _extract(_line("收款单位（章）", 100, 100), _line("个人账户支付 0.00", 400, 100))
    assert "hospital_name" not in out["fields"]
    below = _extract(_line("科别", 100, 100), _line("甲状腺外科 转科科别 普外科", 100, 135))
    assert below["fields"]["department"].value == "甲状腺外科"


def test_document_dates_and_other_dates() -> None:
    certificate = _extract(_line("医师：", 100, 100), _line("日期：2020年11月05日", 100, 150))
    assert certificate["fields"]["issue_date"].value == "2020-11-05"
    born = _extract(_line("出生日期：1970-03-02", 100, 100), _line("出院病历日期 2020-01-01", 100, 150))
    assert "issue_date" not in born["fields"]
    # An invoice date outranks a visit date on the same slip.
    slip = _extract(_line("就诊日期：20200301", 100, 100), _line("开票日期：2020-03-02", 100, 150))
    assert slip["fields"]["issue_date"].value == "2020-03-02"


def test_a_figure_with_a_misread_point_is_confirmed_by_the_words() -> None:
    out = _extract(_line("合计（大写）壹仟壹佰壹拾伍元柒角整", 100, 100), _line("(小写)¥1,115:70心", 100, 150))
    assert out["fields"]["total_amount"].value == "1115.70"
    lost = _extract(_line("合计（大写）壹仟壹佰壹拾伍元柒角整", 100, 100), _line("(小写)¥111570", 100, 150))
    assert lost["fields"]["total_amount"].value == "1115.70"  # the same digits: the point was lost


def test_one_misread_character_in_a_date_label() -> None:
    out = _extract(_line("入统日期：2023-02-24", 100, 100), _line("开祟日期：2023-03-05", 100, 150))
    assert out["fields"]["admission_date"].value == "2023-02-24"
    assert out["fields"]["issue_date"].value == "2023-03-05"
    # "出频日期" could be 出院日期 or 出具日期: not guessed.
    assert "discharge_date" not in _extract(_line("出频日期：2023年03月04日", 100, 100))["fields"]


def test_one_misread_character_in_a_label_before_a_colon() -> None:
    out = _extract(_line("入殿时间：2024年06月02日", 100, 100), _line("发祟号码：0012345678", 100, 150))
    assert out["fields"]["admission_date"].value == "2024-06-02"
    assert out["fields"]["invoice_number"].value == "0012345678"
    read_right = _extract(_line("入院时间：2024年06月02日", 100, 100))["fields"]["admission_date"]
    assert out["fields"]["admission_date"].confidence < read_right.confidence
    # One character from labels of two fields (出院日期, 出具日期): not guessed; two-character words are not
    # guessed ("小计" is one character from 小写); unlike every label: text.
    assert "discharge_date" not in _extract(_line("出频日期：2023年03月04日", 100, 100))["fields"]
    assert "total_amount" not in _extract(_line("小计：12.00", 100, 100))["fields"]
    assert not _extract(_line("联系地址：杭州市", 100, 100))["fields"]


def test_a_misread_label_alone_in_its_cell() -> None:
    out = _extract(_line("入殿时间", 100, 100), _line("2024-06-02", 300, 100))
    assert out["fields"]["admission_date"].value == "2024-06-02"
    # "佳院时间" is one character from 住院, 入院 and 出院时间: a stay's range is read under it, one date is not.
    stay = _extract(_line("佳院时间", 100, 100), _line("20191110|20191121", 300, 100))["fields"]
    assert (stay["admission_date"].value, stay["discharge_date"].value) == ("2019-11-10", "2019-11-21")
    one_date = _extract(_line("佳院时间", 100, 100), _line("2019-11-10", 300, 100))["fields"]
    assert "admission_date" not in one_date and "discharge_date" not in one_date


def test_handwritten_digits_written_apart() -> None:
    out = _extract(
        _line("年龄：5 4", 100, 100),
        _line("入院日期：2 02 2-04 -0 2", 100, 150),
        _line("申请金额(元)：55 174.35", 100, 200),
        _line("出院日期：202 0.0 1. 19", 100, 250),
    )
    assert out["fields"]["patient_age"].value == "54"
    assert out["fields"]["admission_date"].value == "2022-04-02"
    assert out["fields"]["discharge_date"].value == "2020-01-19"  # a date has two points; an amount one
    assert out["fields"]["total_amount"].value == "55174.35"
    # Gaps inside a date's parts, where no piece is a date by itself.
    apart = _extract(_line("入院日期：2022-0 4-02", 100, 100), _line("出院日期：2022年0 4月12日", 100, 150))["fields"]
    assert (apart["admission_date"].value, apart["discharge_date"].value) == ("2022-04-02", "2022-04-12")
    # Whole values side by side keep their gaps: the first is the value.
    assert _extract(_line("入院日期：20201217 20201223", 100, 100))["fields"]["admission_date"].value == "2020-12-17"
    # A speck read into a compact date as a comma: its eight digits are the date.
    assert _extract(_line("入院日期：202,10429", 100, 100))["fields"]["admission_date"].value == "2021-04-29"


def test_spaced_names_and_notices_beside_the_hospital_label() -> None:
    out = _extract(_line("姓名\u3000王 鹏", 100, 100), _line("就诊医院 杭 州市中医 院", 100, 150))
    assert out["fields"]["patient_name"].value == "王鹏"
    assert out["fields"]["hospital_name"].value == "杭州市中医院"
    notice = _extract(_line("就诊医院", 100, 100), _line("查询与本次理赔有关的资料。", 400, 100))
    assert "hospital_name" not in notice["fields"]


def test_a_department_beside_a_name_label_is_not_a_name() -> None:
    out = _extract(_line("姓名", 100, 100), _line("血液科", 200, 100))
    assert "patient_name" not in out["fields"]


def test_sub_box_splits_the_line_by_characters() -> None:
    # Five full-width characters (label and colon) then ten half-width ones: the date takes 5.5 of 10.5 parts.
    line = _line("开票日期：2020-12-23", 0, 0, width=210)
    box = sub_box(line, 5, 15)
    assert box[0] == (100.0, 0.0) and box[1] == (210.0, 0.0)


def test_real_bill_through_ocr(pipeline, sample_files) -> None:
    from claims_ai.pipeline import InputFile

    assessment = pipeline.assess([InputFile("bill.jpg", sample_files.bill_jpeg)])
    fields = assessment.documents[0].fields
    assert fields is not None
    expected = {
        "total_amount": "24189.65",
        "issue_date": "2020-12-23",
        "admission_date": "2020-12-17",
        "discharge_date": "2020-12-23",
        "hospital_name": "遵义医科大学附属医院",
        "patient_name": "张秀英",
        "invoice_number": "0012345678",
        "insurance_fund_paid": "15723.27",
    }
    assert {k: fields[k].value for k in expected} == expected
    total_box = fields["total_amount"].box
    assert total_box is not None and 90 < total_box[0][0] < 260 and 740 < total_box[0][1] < 790


def test_the_layers_agree_on_the_rules_runner_up_when_it_is_nearly_as_sure() -> None:
    from claims_ai.extract.fields import _combine
    from claims_ai.extract.rules import Candidate

    box = ((0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0))

    def candidates(*pairs: tuple[str, float]) -> list[Candidate]:
        return [Candidate("department", value, value, confidence, box) for value, confidence in pairs]

    # The other slip's "住院科室：血" edges out this slip's "科室 血液科"; the model read 血液科.
    rules, model = candidates(("血", 0.85), ("血液科", 0.82)), candidates(("科", 0.89), ("血液科", 0.86))
    served = _combine(rules, model, 1)
    assert (served.value, served.source) == ("血液科", "rules+model") and served.confidence > 0.9
    # A runner-up far less sure than the best is not taken, and without the model's word the best stays.
    assert _combine(candidates(("血", 0.85), ("血液科", 0.5)), model, 1).value == "血"
    assert _combine(rules, candidates(("科", 0.89)), 1).value == "血"
    # An amount read from the start of the same figure ("个人现金支付3") is not taken over the whole figure.
    cut = _combine(candidates(("36956.56", 0.85), ("3.00", 0.81)), candidates(("3.00", 0.9)), 1)
    assert cut.value == "36956.56"


def test_a_figure_split_off_its_label_line_is_read_whole() -> None:
    # Printed over its label, the figure's first digit stayed on the label's line.
    out = _extract(_line("医保统筹基金支付7", 100, 100), _line("79575.43", 400, 101))
    assert out["fields"]["insurance_fund_paid"].value == "79575.43"
    # A cell that does not go on from those digits is another value: the digit on the label line stays.
    out = _extract(_line("医保统筹基金支付7", 100, 100), _line("15575.43", 400, 101))
    assert out["fields"]["insurance_fund_paid"].value == "7.00"
