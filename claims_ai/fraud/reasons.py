"""Reason codes and their messages, in Chinese and English (codes match the workbench's ``fraud.*`` catalog)."""

from __future__ import annotations

__all__ = ["REASON_MESSAGES", "message"]

REASON_MESSAGES: dict[str, tuple[str, str]] = {
    "altered_amount": (
        "金额区域疑似被篡改（字体、墨色或底纹与票面其他内容不一致）",
        "The amount looks altered (its print, ink or background differs from the rest of the page)",
    ),
    "invoice_reused": ("同一张发票已在其他案件中使用", "The same invoice was used in another claim"),
    "image_reused": ("同一张图片已在其他案件中使用", "The same image was used in another claim"),
    "before_policy_start": ("就诊或确诊早于保单生效日", "Admission or diagnosis before the policy started"),
    "in_waiting_period": ("就诊或确诊在等待期内", "Admission or diagnosis inside the waiting period"),
    "symptoms_before_policy": ("病历记载的症状早于保单生效日", "The notes date the symptoms before the policy started"),
    "pre_existing_condition": ("既往史提示投保前已患同类疾病", "The past history shows the disease before the policy"),
    "name_mismatch": ("各材料患者姓名不一致", "The patient's name differs between documents"),
    "hospital_mismatch": ("各材料医院不一致", "The hospital differs between documents"),
    "date_order": ("入院、出院与开票日期顺序异常", "Admission, discharge and invoice dates are out of order"),
    "items_dont_add_up": ("收费项目合计与发票总额不符", "The charge lines do not add up to the invoice total"),
    "invoice_vs_itemized": ("发票金额与费用清单合计不符", "The invoice total differs from the itemized bill"),
    "words_figure_mismatch": ("大写金额与小写金额不符", "The amount in words differs from the figure"),
    "inflated_amount": (
        "金额明显高于该诊断在同级医院的通常费用",
        "The amount is far above what this diagnosis usually costs",
    ),
    "unusual_stay": ("住院天数异常", "Unusual length of stay"),
    "photo_of_screen": ("疑似翻拍屏幕", "Looks like a photo of a screen"),
    "frequent_claims": ("近期理赔次数偏多", "Many claims in the last 12 months"),
    "repeat_diagnosis": ("同类疾病曾经理赔", "The same disease was claimed before"),
}


def message(code: str) -> tuple[str, str]:
    """``(message_zh, message_en)``; an unknown code (a customer model's column) reads as itself."""
    return REASON_MESSAGES.get(code, (f"特征：{code}", f"Feature: {code}"))
