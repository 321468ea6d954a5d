"""Bodies of the dashboard routes (app-shell spec §4.2, §4.3)."""

import enum

import msgspec


class Period(enum.StrEnum):
    """The widget periods the dashboard offers."""

    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    ROLLING_30 = "rolling_30"


PERIOD_LABELS = {
    Period.MONTH: "This month",
    Period.QUARTER: "This quarter",
    Period.YEAR: "This year",
    Period.ROLLING_30: "Rolling 30 days",
}


class WidgetsRead(msgspec.Struct):
    """The department view's widget blocks; the page renders nothing while all three are null.

    Finance, fundraising and community come with their modules; until then they are null.
    """

    period: Period
    period_label: str
    finance: None = None
    fundraising: None = None
    community: None = None


class AdminSummaryRead(msgspec.Struct, kw_only=True):
    """The organization tab's figures; a module that has not landed yet counts 0."""

    active_members: int = 0
    inactive_members: int = 0
    total_members: int = 0
    training_completion_pct: float = 0.0
    upcoming_events_count: int = 0
    overdue_action_items: int = 0
    open_action_items: int = 0
    recent_training_hours: float = 0.0
    recent_admin_hours: float = 0.0
    pending_admin_hours_approvals: int = 0


class StatsRead(msgspec.Struct):
    """The organization at a glance (no frontend caller; kept for API compatibility)."""

    total_members: int
    active_members: int
    total_documents: int = 0  # no documents module
    setup_percentage: int = 100
    recent_events_count: int = 0  # published events that started in the last 30 days
    pending_tasks_count: int = 0
