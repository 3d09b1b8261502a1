"""Link health in the admin: the overview page, resource filters and actions, one-click fixes."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from curricula import tasks
from curricula.archive import resource_use_archive
from curricula.arxiv.changes import changed_papers
from curricula.linkhealth import selectors, services
from curricula.models import CheckRun, Entry, Resource, TitleCheck
from curricula.verify import entry_accept_suggestion, entry_ignore_flag
from readlist.enqueue import publish

FLAGGED_LIMIT = 200


class NeverCheckedFilter(admin.SimpleListFilter):
    title = "link checked"
    parameter_name = "checked"

    def lookups(self, request, model_admin):
        return [("never", "Never checked"), ("yes", "Checked")]

    def queryset(self, request, queryset):
        if self.value() == "never":
            return queryset.filter(last_checked_at__isnull=True)
        if self.value() == "yes":
            return queryset.filter(last_checked_at__isnull=False)
        return queryset


class WrongPaperFilter(admin.SimpleListFilter):
    title = "wrong paper?"
    parameter_name = "wrong_paper"

    def lookups(self, request, model_admin):
        return [("yes", "Flagged"), ("suggested", "Flagged, with a suggestion")]

    def queryset(self, request, queryset):
        flagged = Q(verification=Resource.Verification.MISMATCH)
        if self.value() == "yes":
            return queryset.filter(flagged)
        if self.value() == "suggested":
            return (
                queryset.filter(flagged)
                .filter(entries__title_check__suggestions__0__isnull=False)
                .distinct()
            )
        return queryset


def _flagged_checks(resource_ids) -> list[TitleCheck]:
    return list(
        TitleCheck.objects.filter(entry__resource_id__in=list(resource_ids))
        .filter(Q(status=TitleCheck.Status.MISMATCH) | ~Q(conflict_title=""))
        .select_related("entry")
    )


@admin.action(description="Check links now")
def check_now(modeladmin, request, queryset):
    ids = list(queryset.values_list("id", flat=True))
    deferred = 0
    for start in range(0, len(ids), 300):
        chunk = ids[start : start + 300]
        if not publish(
            tasks.check_links,
            chunk,
            "admin",
            fallback=lambda c=chunk: services.resources_make_due(c),
        ):
            deferred += len(chunk)
    if deferred:
        modeladmin.message_user(
            request,
            f"The task queue is unavailable: {deferred} link(s) are marked due and will be "
            "checked by the next scheduled pass.",
            messages.WARNING,
        )
    if len(ids) > deferred:
        modeladmin.message_user(request, f"{len(ids) - deferred} link(s) queued for a check.")


@admin.action(description="Refresh arXiv metadata")
def refresh_metadata(modeladmin, request, queryset):
    ids = list(queryset.exclude(arxiv_id="").values_list("id", flat=True))
    queued = sum(
        len(ids[start : start + 100])
        for start in range(0, len(ids), 100)
        if publish(tasks.fetch_arxiv, ids[start : start + 100])
    )
    if queued < len(ids):
        # Known metadata is kept as it is; the weekly stale-first pass refreshes it in time.
        modeladmin.message_user(
            request,
            f"The task queue is unavailable: {len(ids) - queued} arXiv paper(s) were not queued. "
            "Try again later.",
            messages.WARNING,
        )
    if queued:
        modeladmin.message_user(request, f"{queued} arXiv paper(s) queued for a metadata refresh.")


@admin.action(description="Accept the best suggestion (wrong paper)")
def accept_suggestion(modeladmin, request, queryset):
    moved = 0
    for check in _flagged_checks(queryset.values_list("id", flat=True)):
        if check.suggestions:
            entry_accept_suggestion(
                actor=request.user, entry=check.entry, arxiv_id=check.suggestions[0]["arxiv_id"]
            )
            moved += 1
    modeladmin.message_user(request, f"{moved} entr{'y' if moved == 1 else 'ies'} moved.")


@admin.action(description="Ignore the flag (false positive)")
def ignore_flag(modeladmin, request, queryset):
    checks = _flagged_checks(queryset.values_list("id", flat=True))
    for check in checks:
        entry_ignore_flag(actor=request.user, entry=check.entry)
    modeladmin.message_user(request, f"{len(checks)} flag(s) ignored.")


@admin.action(description="Use the new URL of moved links")
def accept_moved(modeladmin, request, queryset):
    done = sum(
        services.resource_accept_move(actor=request.user, resource=resource)
        for resource in queryset.filter(health=Resource.Health.MOVED)
    )
    modeladmin.message_user(request, f"{done} link(s) now point at their new URL.")


RESOURCE_ACTIONS = [check_now, refresh_metadata, accept_suggestion, ignore_flag, accept_moved]
RESOURCE_FILTERS = [NeverCheckedFilter, WrongPaperFilter]


def linkhealth_view(model_admin: admin.ModelAdmin, request: HttpRequest) -> HttpResponse:
    counts = selectors.health_counts()
    days = selectors.outcomes_by_day(30)
    peak = max((d["total"] for d in days), default=0) or 1
    labels = dict(Resource.Health.choices)
    flagged = (
        TitleCheck.objects.filter(entry__retired_in__isnull=True)
        .filter(Q(status=TitleCheck.Status.MISMATCH) | ~Q(conflict_title=""))
        .select_related("entry__curriculum", "entry__resource")
        .order_by("entry__curriculum__title", "entry__position")[:FLAGGED_LIMIT]
    )
    descriptive = (
        TitleCheck.objects.filter(
            entry__retired_in__isnull=True, status=TitleCheck.Status.DESCRIPTIVE
        )
        .select_related("entry__curriculum", "entry__resource")
        .order_by("entry__curriculum__title", "entry__position")[:FLAGGED_LIMIT]
    )
    attention = Resource.objects.filter(
        health__in=[Resource.Health.BROKEN, Resource.Health.MOVED, Resource.Health.SOFT_404]
    ).order_by("health", "url")
    # A dead paper's replacements: arXiv candidates found for each of its entries' labels.
    attention = attention.prefetch_related(
        Prefetch(
            "entries",
            queryset=Entry.objects.active().select_related("title_check").order_by("id"),
            to_attr="active_entries",
        )
    )[:FLAGGED_LIMIT]
    context = {
        **model_admin.admin_site.each_context(request),
        "title": "Link health",
        "opts": model_admin.model._meta,
        "counts": [(value, labels[value], counts[value]) for value in labels],
        "total": sum(counts.values()),
        "days": [
            {
                **d,
                "bars": [(o, n, round(100 * n / peak, 1)) for o, n in sorted(d["counts"].items())],
            }
            for d in days
        ],
        "last_run": CheckRun.objects.filter(finished_at__isnull=False).first(),
        "offline_since": selectors.checker_offline_since(),
        "flagged": flagged,
        "descriptive": descriptive,
        "changed": changed_papers(limit=FLAGGED_LIMIT),
        "attention": attention,
        "not_found": Resource.objects.filter(arxiv_status=Resource.ArxivStatus.NOT_FOUND).count(),
        "never_checked": Resource.objects.filter(last_checked_at__isnull=True).count(),
    }
    return TemplateResponse(request, "admin/curricula/linkhealth.html", context)


@require_POST
def accept_view(
    request: HttpRequest, entry_id: int, *, model_admin: admin.ModelAdmin
) -> HttpResponse:
    if not model_admin.admin_site.has_permission(request) or not request.user.has_perm(
        "curricula.change_entry"
    ):
        raise PermissionDenied
    entry = get_object_or_404(Entry, pk=entry_id)
    action = request.POST.get("action", "accept")
    if action == "ignore":
        entry_ignore_flag(actor=request.user, entry=entry)
        messages.success(request, f"Ignored the flag on “{entry.title}”.")
    else:
        try:
            follow = request.POST.get("follow", "follow") != "stay"
            resource = entry_accept_suggestion(
                actor=request.user,
                entry=entry,
                arxiv_id=request.POST.get("arxiv_id", ""),
                follow=follow,
            )
        except ValueError as exc:
            messages.error(request, str(exc))
        else:
            whose = (
                "people's status and notes moved with it"
                if follow
                else ("people's status and notes stayed on the old link")
            )
            messages.success(request, f"“{entry.title}” now links to {resource.url}; {whose}.")
    return HttpResponseRedirect(reverse("admin:curricula_resource_linkhealth"))


@require_POST
def archive_view(
    request: HttpRequest, resource_id: int, *, model_admin: admin.ModelAdmin
) -> HttpResponse:
    if not model_admin.admin_site.has_permission(request) or not request.user.has_perm(
        "curricula.change_resource"
    ):
        raise PermissionDenied
    resource = get_object_or_404(Resource, pk=resource_id)
    old = resource.url
    if resource_use_archive(actor=request.user, resource=resource):
        messages.success(request, f"{old} now points at its archived copy {resource.url}.")
    else:
        messages.error(request, f"{old} has no archived copy to use (or it is listed already).")
    return HttpResponseRedirect(reverse("admin:curricula_resource_linkhealth"))


def linkhealth_urls(model_admin: admin.ModelAdmin) -> list:
    site = model_admin.admin_site
    return [
        path(
            "linkhealth/",
            site.admin_view(lambda request: linkhealth_view(model_admin, request)),
            name="curricula_resource_linkhealth",
        ),
        path(
            "linkhealth/entry/<int:entry_id>/",
            site.admin_view(
                lambda request, entry_id: accept_view(request, entry_id, model_admin=model_admin)
            ),
            name="curricula_resource_linkhealth_accept",
        ),
        path(
            "linkhealth/archive/<int:resource_id>/",
            site.admin_view(
                lambda request, resource_id: archive_view(
                    request, resource_id, model_admin=model_admin
                )
            ),
            name="curricula_resource_linkhealth_archive",
        ),
    ]
