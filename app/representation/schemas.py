"""The fields of targets, snapshots, shares and before/after comparisons, declared once for
the API's bodies and the coordinator's forms (``app.fields``)."""

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, StringConstraints

from app.api_common import Name, Public, RefId, Strict, Town, _single_line
from app.fields import Partial, Worded

Unit = Literal["count", "percent"]
Figure = Annotated[float, Field(ge=0, le=10_000_000, allow_inf_nan=False)]
Percent = Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)]
Whole = Annotated[int, Field(ge=0, le=10_000_000)]
Total = Annotated[int, Field(ge=1, le=10_000_000)]
Measure = Annotated[Name, Field(max_length=200)]
Group = Annotated[Name, Field(max_length=120)]
Year = Annotated[int, Field(ge=1800, le=2200)]


Source = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=500), AfterValidator(_single_line)
]


# --- rules across fields, shared by the models (at once, per field) and the services (on the
# record as it would be after a partial change) -------------------------------------------


def target_refusals(v: dict[str, Any]) -> dict[str, str]:
    refused: dict[str, str] = {}
    if v.get("baseline_on") and v.get("target_on") and v["target_on"] <= v["baseline_on"]:
        refused["target_on"] = "must be after the day of the starting point"
    if v.get("unit") == "percent":
        for name in ("baseline_value", "target_value"):
            if v.get(name) is not None and v[name] > 100:
                refused[name] = "must be 100 or less for a percentage"
    return refused


def snapshot_refusals(v: dict[str, Any]) -> dict[str, str]:
    numerator, denominator = v.get("numerator"), v.get("denominator")
    if (numerator is None) != (denominator is None):
        return {"denominator" if denominator is None else "numerator": "must be given with the other count"}
    if numerator is not None and denominator is not None and numerator > denominator:
        return {"numerator": "must be no more than the total it is out of"}
    if v.get("value") is None and numerator is None:
        return {"value": "is required, unless both counts are given"}
    return {}


def workforce_refusals(v: dict[str, Any]) -> dict[str, str]:
    if v.get("count") is not None and v.get("total") is not None and v["count"] > v["total"]:
        return {"count": "must be no more than the total workforce"}
    return {}


def before_after_refusals(v: dict[str, Any]) -> dict[str, str]:
    refused: dict[str, str] = {}
    for side in ("before", "after"):
        start, end = v.get(f"{side}_start"), v.get(f"{side}_end")
        if start and end and end < start:
            refused[f"{side}_end"] = "must be the same as or after the first day of the period"
        count, total = v.get(f"{side}_count"), v.get(f"{side}_total")
        if count is not None and total is not None and count > total:
            refused[f"{side}_count"] = "must be no more than the total it is out of"
    if v.get("before_end") and v.get("after_start") and v["before_end"] > v["after_start"]:
        refused.setdefault("after_start", "must be on or after the last day of the period before")
    return refused


# --- targets ---------------------------------------------------------------------------------


class TargetFields(Worded, Strict):
    measure: Measure = Field(title="what is measured", examples=["officers from ethnic minorities"])
    unit: Unit = Field("count", title="the unit")
    baseline_value: Figure = Field(title="the starting point")
    baseline_on: date = Field(title="the day of the starting point")
    target_value: Figure = Field(title="the target")
    target_on: date = Field(title="the day of the target")
    source: Source = Field("", title="the source")

    def refusals(self) -> dict[str, str]:
        return target_refusals(self.__dict__)


class TargetCreate(TargetFields):
    """A new target of a campaign (``POST /api/v1/campaigns/{id}/targets``)."""


class TargetUpdate(Partial[TargetFields]):
    """A change: the fields sent, each with the same rules."""


class ProgressPublic(Public):
    sentence: str
    on_track: bool | None = Field(
        description="latest value >= the trajectory's value on its day; null: none yet"
    )
    expected_now: float = Field(description="the straight line from the starting point to the target, today")
    latest_on: date | None
    latest_value: float | None
    behind_by: float = Field(description="how far the latest value is below the trajectory (0 when on track)")


class TargetPublic(Public):
    id: int
    campaign_id: int
    measure: str
    unit: str
    baseline_value: float
    baseline_on: date
    target_value: float
    target_on: date
    source: str
    position: int
    revision: int
    progress: ProgressPublic | None = None


# --- snapshots -------------------------------------------------------------------------------


class SnapshotFields(Worded, Strict):
    recorded_on: date = Field(title="the day of the figure")
    value: Figure | None = Field(None, title="the figure")
    numerator: Whole | None = Field(None, title="the count")
    denominator: Total | None = Field(None, title="the total it is out of")
    source: Source = Field("", title="the source")

    def refusals(self) -> dict[str, str]:
        return snapshot_refusals(self.__dict__)


class SnapshotCreate(SnapshotFields):
    """An aggregate figure at a date, never a record about a person."""


class SnapshotPublic(Public):
    id: int
    target_id: int
    recorded_on: date
    value: float
    numerator: int | None
    denominator: int | None
    source: str


# --- the community and the workforce -------------------------------------------------------


class PopulationShareFields(Worded, Strict):
    area: Town = Field("", title="the area", description='a town, or "" for the whole force area')
    group: Group = Field(title="the group")
    share_percent: Percent = Field(title="the share of the population")
    year: Year = Field(title="the year")
    source: Source = Field("", title="the source")


class PopulationShareUpdate(Partial[PopulationShareFields]):
    pass


class PopulationSharePublic(Public):
    id: int
    area: str
    group: str
    share_percent: float
    year: int
    source: str
    revision: int


class WorkforceShareFields(Worded, Strict):
    area: Town = Field("", title="the area", description='a town, or "" for the whole force area')
    group: Group = Field(title="the group")
    count: Whole = Field(title="the count")
    total: Total = Field(title="the total workforce")
    as_of: date = Field(title="the day of the figures")
    source: Source = Field("", title="the source")

    def refusals(self) -> dict[str, str]:
        return workforce_refusals(self.__dict__)


class WorkforceShareUpdate(Partial[WorkforceShareFields]):
    pass


class WorkforceSharePublic(Public):
    id: int
    area: str
    group: str
    count: int
    total: int
    as_of: date
    source: str
    revision: int


class CommunityRowPublic(Public):
    area: str
    group: str
    community_percent: float | None
    community_year: int | None
    community_source: str
    workforce_count: int | None
    workforce_total: int | None
    workforce_percent: float | None
    workforce_as_of: date | None
    workforce_source: str
    gap_points: float | None = Field(
        description="community share minus workforce share: above 0, the workforce falls short"
    )


# --- before and after -----------------------------------------------------------------------


class BeforeAfterFields(Worded, Strict):
    campaign_id: RefId | None = Field(None, title="the campaign")
    scheme: Measure = Field(title="the campaign or scheme", examples=["attachment scheme"])
    measure: Measure = Field(title="what is compared", examples=["attachments from ethnic minorities"])
    before_start: date = Field(title="the first day before")
    before_end: date = Field(title="the last day before")
    before_count: Whole = Field(title="the count before")
    before_total: Total = Field(title="the total before")
    after_start: date = Field(title="the first day after")
    after_end: date = Field(title="the last day after")
    after_count: Whole = Field(title="the count after")
    after_total: Total = Field(title="the total after")
    source: Source = Field("", title="the source")

    def refusals(self) -> dict[str, str]:
        return before_after_refusals(self.__dict__)


class BeforeAfterUpdate(Partial[BeforeAfterFields]):
    NULLABLE = frozenset({"campaign_id"})


class BeforeAfterPublic(Public):
    id: int
    campaign_id: int | None
    scheme: str
    measure: str
    before_start: date
    before_end: date
    before_count: int
    before_total: int
    after_start: date
    after_end: date
    after_count: int
    after_total: int
    source: str
    revision: int
    sentence: str = ""


# --- CSV import ------------------------------------------------------------------------------


class ShareImport(Strict):
    """A CSV file of community or workforce figures, as text: previewed, or imported."""

    kind: Literal["population", "workforce"] = Field(
        description="community (population) or workforce figures"
    )
    csv: Annotated[str, StringConstraints(max_length=200 * 1024)] = Field(
        description="the file: its first line names the columns (see the community page)"
    )
    sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")] | None = Field(
        None, description="to import: the preview's sha256 of the same text"
    )


class ImportLinePublic(Public):
    number: int
    action: str = Field(description="add, update, unchanged or error")
    errors: list[str]
    values: dict[str, Any]


class ImportPreviewPublic(Public):
    kind: str
    sha256: str
    counts: dict[str, int]
    lines: list[ImportLinePublic]
