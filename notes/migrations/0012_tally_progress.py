# Tally lines hold what each curriculum's completion rule makes of them (notes.tallies
# PROGRESS_FIELDS), so that a team's dashboard sorts, filters and counts in the database.

import django.db.models.deletion
from django.db import migrations, models


def count_progress(apps, schema_editor):
    """Fill the new fields of every stored line. The rule is applied by the live code
    (notes.tallies.progress_figures: notes.rules has no copy a migration could freeze); the
    lines are read and written through the historical model."""
    from notes.tallies import LINE_FIELDS, PROGRESS_FIELDS, progress_figures

    ProgressTally = apps.get_model("notes", "ProgressTally")
    lines = {
        (t.user_id, t.curriculum_id): t for t in ProgressTally.objects.all().order_by("pk")
    }
    if not lines:
        return
    figures = progress_figures(
        {key: tuple(getattr(t, f) for f in LINE_FIELDS) for key, t in lines.items()}
    )
    for key, line in lines.items():
        for name, value in zip(PROGRESS_FIELDS, figures[key], strict=True):
            setattr(line, name, value)
    ProgressTally.objects.bulk_update(lines.values(), list(PROGRESS_FIELDS), batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("curricula", "0012_titlecheck_flagged_at"),
        ("notes", "0011_reaffirmation"),
    ]

    operations = [
        migrations.AddField(
            model_name="progresstally",
            name="current_tier",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="curricula.tier",
            ),
        ),
        migrations.AddField(
            model_name="progresstally",
            name="finished",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="progresstally",
            name="percent",
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="progresstally",
            name="steps_done",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="progresstally",
            name="steps_total",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.RunPython(count_progress, migrations.RunPython.noop),
    ]
