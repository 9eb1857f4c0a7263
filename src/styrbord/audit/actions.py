"""Readable names for the audit trail's action ids.

An action id is dotted: ``<app>.<thing>.<verb>`` (``funding.grant.created``), with ``api.`` in
front for a read through the REST API. The log page and the per-person export show the name a
data protection officer reads ("Tilsagn oprettet") next to the id. Actions named here get their
own wording; any other ``<app>.<model>.<verb>`` (e.g. a change tracked from the admin) is named
from the model's verbose name and the verb; an id neither covers is shown as it is.
"""

from __future__ import annotations

from django.apps import apps
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

VERBS: dict[str, Promise] = {
    "created": _("oprettet"),
    "updated": _("ændret"),
    "deleted": _("slettet"),
    "viewed": _("set"),
    "listed": _("vist i liste"),
    "exported": _("eksporteret"),
}

ACTIONS: dict[str, Promise] = {
    # Accounts and security
    "accounts.access.refused": _("Adgang nægtet til en persons data"),
    "accounts.api_token.created": _("API-nøgle oprettet"),
    "accounts.api_token.revoked": _("API-nøgle tilbagekaldt"),
    "accounts.login.locked": _("Login spærret efter for mange forsøg"),
    "accounts.user.created": _("Bruger oprettet"),
    "accounts.user.invited": _("Invitation til at vælge adgangskode sendt"),
    "accounts.user.password_chosen": _("Adgangskode valgt via invitation"),
    "accounts.user.updated": _("Brugers rolle, omfang eller oplysninger ændret"),
    "audit.access_log.pruned": _("Gamle logposter om opslag og eksport slettet efter opbevaringsperioden"),
    "audit.subject.exported": _("Indsigt: data om en person eksporteret"),
    # Competences and requirements
    "competences.competence.created": _("Kompetence oprettet i kataloget"),
    "competences.competence.updated": _("Kompetence i kataloget ændret"),
    "competences.expiring.exported": _("Liste over udløbende kompetencer eksporteret"),
    "competences.expiring.viewed": _("Liste over udløbende kompetencer set"),
    "competences.holding.created": _("Kompetence registreret efter kursus"),
    "competences.holding.imported": _("Kompetencebevis indlæst fra fil"),
    "competences.holdings.imported": _("Kompetencebeviser indlæst fra fil"),
    "competences.holding.registered": _("Kompetence registreret manuelt"),
    "competences.holding.removed": _("Manuelt registreret kompetence fjernet"),
    "competences.name.saved": _("Kompetencenavn fra en bevisliste gemt"),
    "competences.name.deleted": _("Gemt kompetencenavn slettet"),
    "requirements.evidence_sheet.exported": _("Dokumentationsark eksporteret"),
    "requirements.evidence_sheet.viewed": _("Dokumentationsark set"),
    "requirements.gap_list.exported": _("Mangelliste eksporteret"),
    "requirements.gap_list.viewed": _("Mangelliste set"),
    # Funding
    "funding.booking.charged": _("Booking konteret på tilsagn"),
    "funding.booking.posted": _("Bookingens udgift bogført"),
    "funding.booking.recharge_refused": _("Ny kontering af booking afvist af tilsagnet"),
    "funding.deadline.done": _("Rapporteringsfrist markeret som indsendt"),
    "funding.grant.amount_changed": _("Tilsagnets beløb ændret"),
    "funding.grantor_package.exported": _("Statusrapport og tilskudsregnskab eksporteret"),
    "funding.ledger.exported": _("Posteringer på et tilsagn eksporteret"),
    "funding.ledger.committed": _("Beløb disponeret"),
    "funding.ledger.corrected": _("Postering rettet"),
    "funding.ledger.income_recorded": _("Indtægt fra tilskudsgiver bogført"),
    "funding.ledger.posted": _("Forbrug bogført"),
    "funding.ledger.reversed": _("Postering tilbageført"),
    "funding.ledger.reopened": _("Disponering genåbnet"),
    # Facilities
    "organisations.facility.created": _("Tilbud oprettet"),
    "organisations.facility.minimum_staffing_changed": _("Minimumsbemanding ændret"),
    # Planning
    "planning.plan.viewed": _("Plan med navne set"),
    "planning.plan.exported": _("Plan eksporteret (med pladser og medarbejdere)"),
    "planning.run.done": _("Planberegning færdig"),
    "planning.run.queued": _("Planberegning sat i gang"),
    "planning.scenario.accepted": _("Plan vedtaget og bookinger oprettet"),
    # Reports
    "reports.job.created": _("Rapport bestilt"),
    "reports.job.downloaded": _("Rapport hentet"),
    "reports.template.deactivated": _("Rapportskabelon deaktiveret"),
    "reports.template.uploaded": _("Rapportskabelon uploadet"),
    # Staff
    "staff.employee.anonymised": _("Medarbejder anonymiseret"),
    "staff.employee.data_viewed": _("Medarbejderens data set"),
    "staff.employee.data_exported": _("Alle data om medarbejderen eksporteret"),
    "staff.employee.exported": _("Alle data om medarbejderen eksporteret"),
    "staff.import.applied": _("HR-udtræk indlæst"),
    "staff.columnmapping.created": _("Kolonneopsætning til HR-import gemt"),
    "staff.columnmapping.updated": _("Kolonneopsætning til HR-import ændret"),
    "staff.importbatch.viewed": _("HR-udtræk kontrolleret: ændringerne set før indlæsning"),
    "staff.importbatch.exported": _("HR-udtrækkets ændringer eksporteret"),
    "staff.import.hand_edits_listed": _("HR-import fra kommandolinjen: uddannelser rettet i Styrbord vist"),
    "staff.employee.updated": _("Medarbejderens oplysninger ændret"),
    "staff.employee.created": _("Medarbejder oprettet (HR-import)"),
    "staff.own_profile.viewed": _("Egen profil set"),
    "staff.employee.searched": _("Medarbejdere fundet ved søgning"),
    # Training
    "training.courseinterest.deleted": _("Kursusønske trukket tilbage"),
    "training.absence.viewed": _("Fraværsoversigt set"),
    "training.absence.exported": _("Fravær og bemanding eksporteret"),
    "training.bookings.listed": _("Bookingliste set"),
    "training.bookings.exported": _("Bookingliste eksporteret"),
    "training.booking.attended": _("Deltagelse registreret"),
    "training.booking.incomplete": _("Registreret som ikke gennemført"),
    "training.booking.cancelled": _("Booking afbestilt"),
    "training.booking.completed": _("Kursus gennemført"),
    "training.booking.confirmed": _("Booking bekræftet"),
    "training.booking.fee_waived": _("Afbestillingsgebyr frafaldet"),
    "training.booking.no_show": _("Udeblivelse registreret"),
    "training.booking.promoted": _("Rykket op fra venteliste"),
    "training.booking.waitlisted": _("Sat på venteliste"),
    "training.calendar.exported": _("Kalender eksporteret"),
    "training.course.demand_viewed": _("Kursusbehov med navne set"),
    "training.interest.created": _("Interesse for kursus registreret"),
    "training.session.cancelled": _("Hold aflyst"),
    "training.session.created": _("Hold oprettet"),
    "training.session.participants_viewed": _("Deltagerliste set"),
    "training.session.updated": _("Hold ændret"),
    "training.session.candidates_viewed": _("Medarbejdere, der kan bookes på et hold, set"),
    "workforce.statistics.imported": _("Personalestatistik indlæst"),
}


def action_label(action: str) -> str:
    """The readable name of an action id, in the active language."""
    api = action.startswith("api.")
    key = action[4:] if api else action
    label = _label(key)
    if label is None:
        return action
    return gettext("%(action)s (via API)") % {"action": label} if api else label


def _label(key: str) -> str | None:
    if key in ACTIONS:
        return str(ACTIONS[key])
    app_label, _sep, rest = key.partition(".")
    model_name, _sep, verb = rest.partition(".")
    try:
        model = apps.get_model(app_label, model_name)
    except (LookupError, ValueError):
        return None
    name = capfirst(str(model._meta.verbose_name))
    if verb in VERBS:
        return f"{name} {VERBS[verb]}"
    field = verb.removesuffix("_changed")
    many = {f.name: f for f in model._meta.many_to_many}
    if verb.endswith("_changed") and field in many:  # a many-to-many field, as the change log names it
        return gettext("%(model)s: %(field)s ændret") % {"model": name, "field": many[field].verbose_name}
    return None


def actions_matching(text: str) -> list[str]:
    """The action ids whose readable name contains ``text`` (any case): named actions and every
    model's generic ones, directly and through the API. The log filter adds ids that contain it."""
    needle = text.casefold()
    known = list(ACTIONS)
    for model in apps.get_models():
        known += [f"{model._meta.label_lower}.{verb}" for verb in VERBS]
    known += [f"api.{key}" for key in known]
    return sorted(key for key in known if needle in action_label(key).casefold())


def object_type_label(object_type: str) -> str:
    """``funding.ledgerentry`` -> "Postering": the model's name, or the stored label if it is gone."""
    try:
        model = apps.get_model(object_type)
    except (LookupError, ValueError):
        return object_type
    return capfirst(str(model._meta.verbose_name))
