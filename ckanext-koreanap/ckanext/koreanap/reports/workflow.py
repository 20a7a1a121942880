"""Categories, statuses and the allowed status changes of an error report."""
from __future__ import annotations

from ..languages import N_

# (value, Korean label, English label); the Korean label is the catalog's
# translation too, and both go into e-mails and the API's *_label fields.
CATEGORIES = (
    ("wrong_value", "잘못된 값", N_("Wrong value")),
    ("missing_values", "누락된 값", N_("Missing values")),
    ("out_of_date", "최신이 아님", N_("Out of date")),
    ("broken_link", "내려받기·링크 오류", N_("Broken download or link")),
    ("format_encoding", "형식·인코딩 문제", N_("Format or encoding problem")),
    ("personal_data", "개인정보 노출", N_("Personal data exposed")),
    ("metadata_wrong", "메타데이터 오류", N_("Metadata wrong")),
    ("other", "기타", N_("Other")),
)
CATEGORY_VALUES = tuple(value for value, _ko, _en in CATEGORIES)
# Exposed personal data (Public Data Act art. 17) is the most urgent kind.
URGENT_CATEGORIES = ("personal_data",)

STATUSES = (
    ("pending", "접수 대기", N_("Pending")),
    ("accepted", "접수", N_("Accepted")),
    ("in_progress", "처리 중", N_("In progress")),
    ("answered", "처리 완료", N_("Answered")),
    ("spam", "스팸", N_("Spam")),
)
STATUS_VALUES = tuple(value for value, _ko, _en in STATUSES)
# Statuses whose answer deadline is running.
OPEN_STATUSES = ("accepted", "in_progress")

RESOLUTIONS = (
    ("resolved", "해결", N_("Resolved")),
    ("rejected", "반려", N_("Rejected")),
)
RESOLUTION_VALUES = tuple(value for value, _ko, _en in RESOLUTIONS)

# from -> allowed targets. An answered report is final; spam can be restored.
TRANSITIONS = {
    "pending": ("accepted", "spam"),
    "accepted": ("in_progress", "answered", "spam"),
    "in_progress": ("answered",),
    "answered": (),
    "spam": ("pending",),
}


# A report that a rule may come from: accepted and not rejected (a report answered
# "rejected" was not confirmed).
RULE_STATUSES = ("accepted", "in_progress", "answered")


def confirmed(status: str, resolution: str | None) -> bool:
    """Whether a report in this status and resolution is a confirmed error."""
    return status in RULE_STATUSES and resolution != "rejected"


def label(choices, value: str) -> str:
    """``"접수 / Accepted"`` for a value of CATEGORIES, STATUSES or RESOLUTIONS."""
    for val, ko, en in choices:
        if val == value:
            return "{} / {}".format(ko, en)
    return value or ""


def can_move(from_status: str, to_status: str) -> bool:
    """Whether a report may go from one status to another."""
    return to_status in TRANSITIONS.get(from_status, ())
