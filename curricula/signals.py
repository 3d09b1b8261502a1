"""Signals other apps listen to, for changes that model signals do not announce."""

from django.dispatch import Signal

# Sent with curriculum_ids after entries were written in bulk (the importer's COPY and UPDATE
# statements send no post_save), so data derived from entries can be recounted (notes.tallies).
entries_changed = Signal()
