from django.apps import AppConfig


class NotesConfig(AppConfig):
    name = "notes"
    verbose_name = "Reading and notes"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save, pre_save

        from curricula import signals as curricula_signals
        from curricula.models import Curriculum, Entry, Tier, Topic
        from notes import tallies
        from notes.models import Note, Progress

        # The tallies managers' pages read follow every write they count (notes/tallies.py).
        post_save.connect(tallies.progress_saved, sender=Progress, dispatch_uid="tally-progress")
        post_delete.connect(
            tallies.progress_deleted, sender=Progress, dispatch_uid="tally-progress"
        )
        post_save.connect(tallies.note_saved, sender=Note, dispatch_uid="tally-note")
        post_delete.connect(tallies.note_deleted, sender=Note, dispatch_uid="tally-note")
        pre_save.connect(tallies.entry_before_save, sender=Entry, dispatch_uid="tally-entry")
        post_save.connect(tallies.entry_saved, sender=Entry, dispatch_uid="tally-entry")
        post_delete.connect(tallies.entry_deleted, sender=Entry, dispatch_uid="tally-entry")
        post_delete.connect(tallies.tier_deleted, sender=Tier, dispatch_uid="tally-tier")
        post_delete.connect(tallies.tier_deleted, sender=Topic, dispatch_uid="tally-topic")
        curricula_signals.entries_changed.connect(tallies.entries_changed, dispatch_uid="tally")
        # What the completion rule reads besides the entries (notes.tallies.RULE_FIELDS).
        for model in (Curriculum, Tier):
            uid = f"tally-rule-{model.__name__}"
            pre_save.connect(tallies.rule_before_save, sender=model, dispatch_uid=uid)
            post_save.connect(tallies.rule_saved, sender=model, dispatch_uid=uid)

        from django.db.models.signals import pre_delete

        from notes.services import curriculum_deleting

        # Notes outlive a deleted curriculum: a paper's note moves to another list with it.
        pre_delete.connect(curriculum_deleting, sender=Curriculum, dispatch_uid="notes-refile")

        from curricula import hooks
        from notes.services import entry_work_follow

        # A fixed wrong paper takes people's status and notes along (or not, as the admin says).
        hooks.on_entry_moved(entry_work_follow)
        # The import preview counts the people whose work a retirement or relink touches.
        from notes.selectors import work_counts

        hooks.on_work_counts(work_counts)
