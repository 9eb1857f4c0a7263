from django.contrib import admin

from styrbord.competences import models
from styrbord.lib.collation import collated


@admin.register(models.Competence)
class CompetenceAdmin(admin.ModelAdmin):
    ordering = (collated("name"), "pk")  # Danish order: Æ, Ø, Å after Z (byte order put Å first)
    list_display = ("name", "code", "category", "validity_months")
    list_filter = ("category",)


@admin.register(models.CompetenceHolding)
class CompetenceHoldingAdmin(admin.ModelAdmin):
    list_display = ("employee", "competence", "acquired_on", "expires_on", "source")
    raw_id_fields = ("employee",)
