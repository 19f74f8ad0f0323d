import django.db.models.deletion
from django.db import migrations, models


def fill_ern(apps, schema_editor):
    """Each term row takes its case's ERN."""
    Term = apps.get_model("research", "ResearchPhenotypeTerm")
    Case = apps.get_model("research", "ResearchCase")
    Term.objects.update(ern_id=models.Subquery(Case.objects.filter(pk=models.OuterRef("case_id")).values("ern_id")[:1]))


class Migration(migrations.Migration):
    dependencies = [
        ("access", "0003_desk_list_indexes"),
        ("research", "0002_phenotype_terms"),
    ]

    operations = [
        migrations.AddField(
            model_name="researchphenotypeterm",
            name="ern",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="access.organisationnode",
            ),
        ),
        migrations.RunPython(fill_ern, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="researchphenotypeterm",
            name="ern",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="+", to="access.organisationnode"
            ),
        ),
        migrations.AddIndex(
            model_name="researchphenotypeterm",
            index=models.Index(fields=["ern", "concept", "case"], name="research_term_of_ern"),
        ),
    ]
