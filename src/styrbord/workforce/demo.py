"""Demo: Holbæk Kommune's recruitment figures (seed 001, Socialudvalget 12-08-2025, punkt 67).

The committee case quotes the municipality's personalepolitisk redegørelse 2024 for the whole
social area: headcounts by job group 2020-2024, average ages, applicants per posting, the
part-time share and students. Those are municipality-wide HR statistics, so they are stored as
imported statistics and shown next to the figures Styrbord computes from its own (much smaller)
demo staff. Values the case only describes in words ("close to the municipality's average",
"rose in 2024") are filled in plausibly and say so in their source.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from styrbord.demo.context import DemoContext
from styrbord.organisations.models import Municipality
from styrbord.staff.models import JobGroup as G
from styrbord.workforce.models import JobPosting, WorkforceStatistic

M = WorkforceStatistic.Metric
SOURCE = "Personalepolitisk redegørelse 2024, Holbæk Kommune (Socialudvalget 12-08-2025, punkt 67)"
ILLUSTRATIVE = "Demo: beskrevet i ord i Socialudvalget 12-08-2025, punkt 67 (værdien er sat til at passe)"

# (job group, metric) -> {year: value}; exact values from the case.
QUOTED: dict[tuple[str, str], dict[int, str]] = {
    (G.SOCIAL_WORKER, M.HEADCOUNT): {2020: "136", 2024: "160"},
    (G.CARE_ASSISTANT, M.HEADCOUNT): {2024: "76"},
    (G.SOCIAL_EDUCATOR, M.HEADCOUNT): {2020: "266", 2024: "226"},
    (G.SOCIAL_EDUCATOR, M.AVERAGE_AGE): {2024: "50.6"},
    (G.SOCIAL_WORKER, M.AVERAGE_AGE): {2024: "43.1"},
    ("", M.AVERAGE_AGE): {2024: "45.64"},
    ("", M.PART_TIME_SHARE): {2024: "44"},
    (G.SOSU_ASSISTANT, M.STUDENTS): {2023: "137", 2024: "156"},
    (G.SOSU_HELPER, M.STUDENTS): {2023: "77", 2024: "50"},
}
# The years between, and what the case only describes: plausible values inside what it says.
FILLED: dict[tuple[str, str], dict[int, str]] = {
    (G.SOCIAL_WORKER, M.HEADCOUNT): {2021: "141", 2022: "147", 2023: "153"},
    # "fra intervallet 84 – 93 i 2020 - 2023"
    (G.CARE_ASSISTANT, M.HEADCOUNT): {2020: "88", 2021: "93", 2022: "84", 2023: "90"},
    (G.SOCIAL_EDUCATOR, M.HEADCOUNT): {2021: "258", 2022: "249", 2023: "237"},
    # "ligger tæt på kommunens samlede gennemsnit på 45,64 år"
    (G.NURSE, M.AVERAGE_AGE): {2024: "45.9"},
    (G.CARE_ASSISTANT, M.AVERAGE_AGE): {2024: "45.2"},
    (G.SOSU_ASSISTANT, M.AVERAGE_AGE): {2024: "46.1"},
    (G.SOSU_HELPER, M.AVERAGE_AGE): {2024: "46.4"},
}
# Applicants per posting by job type: 2024 nurses 6 and administrative 44 are quoted; 2023 and
# the other types follow "rose for administrative and pedagogical posts and nurses, fell for
# SOSU-hjælpere and SOSU-assistenter".
POSTINGS: list[tuple[str, str, int, int, Decimal, bool]] = [
    # job group, job type, year, postings, average applicants, quoted
    (G.NURSE, "Sygeplejerske", 2024, 8, Decimal(6), True),
    ("", "Administrativ", 2024, 5, Decimal(44), True),
    (G.NURSE, "Sygeplejerske", 2023, 8, Decimal("4.5"), False),
    ("", "Administrativ", 2023, 5, Decimal(38), False),
    (G.SOCIAL_EDUCATOR, "Pædagogisk", 2023, 12, Decimal(9), False),
    (G.SOCIAL_EDUCATOR, "Pædagogisk", 2024, 12, Decimal(12), False),
    (G.SOSU_HELPER, "SOSU-hjælper", 2023, 6, Decimal(7), False),
    (G.SOSU_HELPER, "SOSU-hjælper", 2024, 6, Decimal(4), False),
    (G.SOSU_ASSISTANT, "SOSU-assistent", 2023, 10, Decimal(5), False),
    (G.SOSU_ASSISTANT, "SOSU-assistent", 2024, 10, Decimal(3), False),
]


def _split(total: int, parts: int, ctx: DemoContext) -> list[int]:
    """``parts`` applicant counts summing exactly to ``total`` (so the average is the quoted one)."""
    counts = [total // parts] * parts
    for i in range(total - sum(counts)):
        counts[i] += 1
    for _ in range(parts):  # move applicants between postings; the sum stays the same
        a, b = ctx.rng.randrange(parts), ctx.rng.randrange(parts)
        moved = ctx.rng.randint(0, counts[a] // 2)
        counts[a] -= moved
        counts[b] += moved
    return counts


def build(ctx: DemoContext) -> None:
    """Imported statistics and job postings for Holbæk (0316)."""
    holbaek = ctx.municipalities.get("0316") or Municipality.objects.get(code="0316")
    statistics = []
    for table, source in ((QUOTED, SOURCE), (FILLED, ILLUSTRATIVE)):
        for (group, metric), by_year in table.items():
            for year, value in by_year.items():
                statistics.append(
                    WorkforceStatistic(
                        municipality=holbaek,
                        year=year,
                        job_group=group,
                        metric=metric,
                        value=Decimal(value),
                        source=source,
                    )
                )
    WorkforceStatistic.objects.bulk_create(statistics)
    postings = []
    for group, job_type, year, count, average, quoted in POSTINGS:
        for number, applicants in enumerate(_split(int(average * count), count, ctx), start=1):
            postings.append(
                JobPosting(
                    municipality=holbaek,
                    job_group=group,
                    job_type=job_type,
                    title=f"{job_type} ({number})",
                    posted_on=dt.date(year, 1 + (number * 5) % 12, 1 + (number * 7) % 27),
                    applicants=applicants,
                    source=SOURCE if quoted else ILLUSTRATIVE,
                )
            )
    JobPosting.objects.bulk_create(postings)
    ctx.note(f"Personaleforhold: {len(statistics)} importerede nøgletal og {len(postings)} stillingsopslag for Holbæk")
