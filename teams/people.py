"""A person leaving (a departure, a GDPR request): erase them, or anonymise them.

Lives at the top of the dependency chain because it reaches every app's rows of a person.
Django admin could not do either: deleting a user is refused there as soon as they wrote a note
or changed a status, because notes, progress and the activity log are read-only in admin.

- Erase: the account and everything of theirs — notes with every version, statuses, the
  activity log, follows, team memberships, personal assignments, sign-in addresses, tokens.
- Anonymise: the account stays as "former-<id>", with no name, email, password or way to sign
  in; their notes (their words) and everything else of theirs go, except what they read
  (statuses, follows) and the activity log, kept unattributed for the curricula's figures.
"""

from __future__ import annotations

from typing import Any

from django.contrib.admin.utils import NestedObjects
from django.db import DEFAULT_DB_ALIAS, models, transaction

from notes.models import Activity, Enrollment, Progress, ProgressTally, WeekTally

KEPT_WHEN_ANONYMISED = (Progress, Enrollment, Activity, ProgressTally, WeekTally)


class PersonError(Exception):
    pass


def _check(actor: Any, person: Any) -> None:
    if person.pk == actor.pk:
        raise PersonError("You cannot erase or anonymise your own account.")


def what_goes(person: Any, *, erase: bool) -> list[tuple[str, int]]:
    """(what, how many) that erasing or anonymising this person removes, as Django's own
    delete page counts it (so rows of apps added later are counted too)."""
    collector = NestedObjects(using=DEFAULT_DB_ALIAS)
    collector.collect([person])
    out = []
    for model, objs in collector.model_objs.items():
        if not objs or model is type(person):
            continue
        if not erase and issubclass(model, KEPT_WHEN_ANONYMISED):
            continue
        out.append((str(model._meta.verbose_name_plural), len(objs)))
    out.sort()
    if erase:
        out.insert(0, ("account (name, email, password)", 1))
    else:
        out.insert(0, ("name, email and password (the account stays as former-<id>)", 1))
    return out


@transaction.atomic
def person_erase(*, actor: Any, person: Any) -> list[tuple[str, int]]:
    _check(actor, person)
    gone = what_goes(person, erase=True)
    person.delete()
    return gone


@transaction.atomic
def person_anonymise(*, actor: Any, person: Any) -> list[tuple[str, int]]:
    _check(actor, person)
    gone = what_goes(person, erase=False)
    for rel in person._meta.related_objects:
        if rel.many_to_many or rel.related_model in KEPT_WHEN_ANONYMISED:
            continue
        if rel.on_delete is models.CASCADE:
            rel.related_model._base_manager.filter(**{rel.field.name: person}).delete()
    person.groups.clear()
    person.user_permissions.clear()
    person.username = f"former-{person.pk}"
    person.email = ""
    person.first_name = person.last_name = ""
    person.is_active = person.is_staff = person.is_superuser = False
    person.set_unusable_password()
    person.save()
    return gone
