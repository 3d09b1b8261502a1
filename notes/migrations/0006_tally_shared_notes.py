# Managers' tally lines count only notes shared with the team (notes.tallies._noted).

from django.db import migrations
from django.db.models import Q


def count_shared_notes(apps, schema_editor):
    """Recount the notes fields of every tally line under the new rule: shared notes and the
    latest of them; summaries of any visibility. Historical models only, like 0004."""
    Note = apps.get_model("notes", "Note")
    ProgressTally = apps.get_model("notes", "ProgressTally")
    found = {}
    rows = (
        Note.objects.exclude(body="")
        .filter(curriculum__isnull=False)
        .filter(Q(visibility="team") | Q(tier__isnull=False) | Q(topic__isnull=False))
    )
    for user, curriculum, tier, topic, saved, visibility in rows.values_list(
        "user_id", "curriculum_id", "tier_id", "topic_id", "updated_at", "visibility"
    ).iterator():
        line = found.setdefault((user, curriculum), [0, None, set(), set()])
        if visibility == "team":
            line[0] += 1
            line[1] = saved if line[1] is None else max(line[1], saved)
        if tier:
            line[2].add(tier)
        if topic:
            line[3].add(topic)
    lines = {(t.user_id, t.curriculum_id): t for t in ProgressTally.objects.all()}
    gone = []
    for key, line in lines.items():
        n, saved, tiers, topics = found.pop(key, (0, None, (), ()))
        if line.changed_at is None and not (n or tiers or topics):
            gone.append(line.pk)  # a line only private notes made
        line.notes, line.noted_at = n, saved
        line.summaries = {k: sorted(v) for k, v in (("tiers", tiers), ("topics", topics)) if v}
    ProgressTally.objects.bulk_update(
        [line for line in lines.values() if line.pk not in gone],
        ["notes", "noted_at", "summaries"],
        batch_size=1000,
    )
    ProgressTally.objects.filter(pk__in=gone).delete()
    ProgressTally.objects.bulk_create(
        [
            ProgressTally(
                user_id=u,
                curriculum_id=c,
                done={},
                notes=n,
                noted_at=saved,
                summaries={k: sorted(v) for k, v in (("tiers", t), ("topics", p)) if v},
            )
            for (u, c), (n, saved, t, p) in found.items()
        ],
        batch_size=1000,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("notes", "0005_note_sessions"),
    ]

    operations = [
        migrations.RunPython(count_shared_notes, migrations.RunPython.noop),
    ]
