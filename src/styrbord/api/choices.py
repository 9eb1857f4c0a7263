"""Choice fields as string literals in the API schema.

Django's TextChoices would become OpenAPI components named after the class ("Kind",
"Status"), and several models have a ``Kind``: as Literals they are inlined and cannot clash.
For mypy they are plain ``str``/``int``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    BookingStatusValue = str
    CompetenceCategory = str
    CostCategoryValue = str
    CourseKind = str
    EmploymentKind = str
    EmploymentStatus = str
    FacilityKindValue = str
    GrantStatus = str
    HoldingSource = str
    JobGroupValue = str
    LedgerKind = str
    PoolKind = str
    PopulationValue = str
    PriorityValue = int
    RuleValue = str
    ScopeLevelValue = str
    SourceKindValue = str
else:
    from styrbord.api.schemas import choices, int_choices
    from styrbord.competences.models import Competence, CompetenceHolding
    from styrbord.funding.models import Grant, LedgerEntry, Pool
    from styrbord.lib.costs import CostCategory
    from styrbord.organisations.models import Facility
    from styrbord.requirements.models import Population, Priority, Rule, ScopeLevel, SourceKind
    from styrbord.staff.models import Employment, JobGroup
    from styrbord.training.models import BookingStatus, Course

    BookingStatusValue = choices(BookingStatus)
    CompetenceCategory = choices(Competence.Category)
    CostCategoryValue = choices(CostCategory)
    CourseKind = choices(Course.Kind)
    EmploymentKind = choices(Employment.Kind)
    EmploymentStatus = choices(Employment.Status)
    FacilityKindValue = choices(Facility.Kind)
    GrantStatus = choices(Grant.Status)
    HoldingSource = choices(CompetenceHolding.Source)
    JobGroupValue = choices(JobGroup)
    LedgerKind = choices(LedgerEntry.Kind)
    PoolKind = choices(Pool.Kind)
    PopulationValue = choices(Population)
    PriorityValue = int_choices(Priority)
    RuleValue = choices(Rule)
    ScopeLevelValue = choices(ScopeLevel)
    SourceKindValue = choices(SourceKind)
