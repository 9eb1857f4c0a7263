"""Who gets VEU wage compensation (VEU-godtgørelse) for a course.

The rule, simplified from the VEU act (lov om godtgørelse og tilskud til befordring ved
deltagelse i erhvervsrettet voksen- og efteruddannelse) as it applies on a residential facility:

1. The course must give VEU (``Course.veu_eligible``): AMU courses and some others.
2. The participant must be an unskilled or skilled worker, i.e. have at most a vocational
   education (e.g. SOSU-hjælper, SOSU-assistent, pædagogisk assistent, omsorgs- og
   pædagogmedhjælper). People with a higher education (videregående uddannelse: professional
   bachelors such as (social)pædagog, sygeplejerske, socialrådgiver, ergo-/fysioterapeut, and
   academics such as psykolog) get no VEU.
3. "Higher education" is read from the job group of the employment the booking is for, and
   also from the person's recorded education text, so a nurse employed as a care assistant
   gets none either.

The compensation is paid per hour of the participant's working time spent on the course,
at the rate valid on each course day (``VeuRate``), to the employer who pays full wage.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from styrbord.staff.models import Employee, Employment, JobGroup
from styrbord.training.models import Course

HIGHER_EDUCATION_JOB_GROUPS = frozenset(
    {
        JobGroup.SOCIAL_EDUCATOR,
        JobGroup.NURSE,
        JobGroup.THERAPIST,
        JobGroup.SOCIAL_WORKER,
        JobGroup.PSYCHOLOGIST,
        JobGroup.MANAGER,
    }
)

# Whole words only: "pædagog" but not "pædagogisk assistent" or "pædagogmedhjælper".
HIGHER_EDUCATION_WORDS = re.compile(
    r"\b(socialpædagog|pædagog|sygeplejerske|socialrådgiver|socialformidler|psykolog|ergoterapeut|"
    r"fysioterapeut|professionsbachelor|bachelor|kandidat|cand\.\w*|master|læge|diplomuddannelse)\b",
    re.IGNORECASE,
)


def veu_eligibility(course: Course, employee: Employee, employment: Employment) -> tuple[bool, str]:
    """Whether the booking earns VEU, and a short Danish reason."""
    if not course.veu_eligible:
        return False, _("Kurset giver ikke VEU-godtgørelse.")
    if employment.job_group in HIGHER_EDUCATION_JOB_GROUPS:
        return False, _("Faggruppen har en videregående uddannelse og får ikke VEU-godtgørelse.")
    if employee.education and HIGHER_EDUCATION_WORDS.search(employee.education):
        return False, _("Medarbejderen har en videregående uddannelse og får ikke VEU-godtgørelse.")
    return True, _("Ufaglært eller faglært på et AMU-kursus: VEU-godtgørelse.")
