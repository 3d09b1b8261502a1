"""Admin pages to import a Markdown reading list (preview, then confirm) and export a curriculum."""

from __future__ import annotations

import hashlib
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from curricula.exporter import FORMATS, export
from curricula.importer.report import grouped_lines
from curricula.models import Curriculum, SourceUpdate
from curricula.services import ImportRejected, curriculum_import, read_bundle, read_source
from curricula.sync import source_update_dismiss

# An uploaded text waits server-side between preview and confirm, keyed by a digest of who
# uploaded what for which curriculum: nothing but that key travels through the browser.
PENDING_SECONDS = 60 * 60
_PENDING_KEY = "readlist:admin-import:{token}"


class ImportForm(forms.Form):
    file = forms.FileField(
        help_text="A Markdown reading list (UTF-8), or a .zip of Markdown files: its README.md "
        "and the files it links to import as one curriculum."
    )
    slug = forms.SlugField(max_length=50, label="Curriculum slug")
    title = forms.CharField(
        max_length=200, required=False, help_text="Leave empty to use the file's own title."
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.READLIST_IMPORT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                f"The file is {upload.size:,} bytes; the import limit is {limit:,} bytes."
            )
        return upload


def import_export_urls(model_admin: admin.ModelAdmin) -> list:
    site = model_admin.admin_site
    return [
        path(
            "import/",
            site.admin_view(lambda request: import_view(request, model_admin=model_admin)),
            name="curricula_curriculum_import",
        ),
        path(
            "<int:pk>/source-update/<int:update_id>/",
            site.admin_view(
                lambda request, pk, update_id: source_update_view(
                    request, pk, update_id, model_admin=model_admin
                )
            ),
            name="curricula_curriculum_source_update",
        ),
        path(
            "<int:pk>/source-update/<int:update_id>/ignore/",
            site.admin_view(
                lambda request, pk, update_id: source_update_ignore_view(
                    request, pk, update_id, model_admin=model_admin
                )
            ),
            name="curricula_curriculum_source_update_ignore",
        ),
        path(
            "<int:pk>/export/",
            site.admin_view(lambda request, pk: export_view(request, pk, model_admin=model_admin)),
            name="curricula_curriculum_export",
        ),
    ]


def _context(request: HttpRequest, model_admin: admin.ModelAdmin, **extra: Any) -> dict:
    return {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": "Import a Markdown reading list",
        "max_bytes": settings.READLIST_IMPORT_MAX_BYTES,
        **extra,
    }


def _token(user_pk: int, slug: str, title: str, sha: str) -> str:
    return hashlib.sha256(f"{user_pk}\0{slug}\0{title}\0{sha}".encode()).hexdigest()


@require_http_methods(["GET", "POST"])
def import_view(request: HttpRequest, *, model_admin: admin.ModelAdmin) -> HttpResponse:
    if not (model_admin.has_add_permission(request) and model_admin.has_change_permission(request)):
        raise PermissionDenied
    template = "admin/curricula/import.html"
    action = request.POST.get("action", "preview") if request.method == "POST" else ""
    if action in ("confirm", "cancel"):
        return _decide(request, model_admin, action)
    if request.method == "GET":
        form = ImportForm(initial={"slug": request.GET.get("slug", "")})
        return TemplateResponse(request, template, _context(request, model_admin, form=form))

    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return TemplateResponse(
            request, template, _context(request, model_admin, form=form), status=422
        )
    upload = form.cleaned_data["file"]
    slug, title = form.cleaned_data["slug"], form.cleaned_data["title"].strip()
    try:
        raw = upload.read()
        if upload.name.lower().endswith(".zip"):
            text = read_bundle(zip_data=raw)  # README.md and the chapters it links, as one
        else:
            text = read_source(raw)
        result = curriculum_import(
            actor=request.user,
            text=text,
            slug=slug,
            title=title or None,
            source_name=upload.name,
            dry_run=True,
        )
    except ImportRejected as exc:
        form.add_error("file", exc.message)
        return TemplateResponse(
            request, template, _context(request, model_admin, form=form), status=422
        )
    return _preview(
        request, model_admin, result, text=text, slug=slug, title=title, name=upload.name
    )


def _preview(
    request: HttpRequest,
    model_admin: admin.ModelAdmin,
    result: Any,
    *,
    text: str,
    slug: str,
    title: str,
    name: str,
    update: SourceUpdate | None = None,
) -> HttpResponse:
    """The preview page of a dry-run import; the text waits in the cache for the confirm."""
    update_id = update.pk if update else None
    token = _token(request.user.pk, slug, title, result.sha256)
    cache.set(
        _PENDING_KEY.format(token=token),
        {
            "text": text,
            "slug": slug,
            "title": title,
            "name": name,
            "sha": result.sha256,
            "update_id": update_id,
            # What the preview was made against: a confirm after another import is refused.
            "base": result.base_revision,
        },
        PENDING_SECONDS,
    )
    return TemplateResponse(
        request,
        "admin/curricula/import.html",
        _context(
            request,
            model_admin,
            title=f"Review the import into “{slug}”",
            result=result,
            groups=grouped_lines(result.summary),
            relinked=result.summary.get("changes", {}).get("relinked", []),
            token=token,
            slug=slug,
            source_name=name,
            source_update=update,
        ),
    )


@require_http_methods(["GET"])
def source_update_view(
    request: HttpRequest, pk: int, update_id: int, *, model_admin: admin.ModelAdmin
) -> HttpResponse:
    """Preview a text fetched from the curriculum's source URL, to apply it like an upload."""
    if not (model_admin.has_add_permission(request) and model_admin.has_change_permission(request)):
        raise PermissionDenied
    update = get_object_or_404(
        SourceUpdate.objects.select_related("curriculum"),
        pk=update_id,
        curriculum_id=pk,
        applied_in__isnull=True,
        dismissed_at__isnull=True,
    )
    slug = update.curriculum.slug
    name = update.curriculum.source_url.rsplit("/", 1)[-1] or "source"
    try:
        result = curriculum_import(
            actor=request.user, text=update.text, slug=slug, source_name=name, dry_run=True
        )
    except ImportRejected as exc:
        return TemplateResponse(
            request,
            "admin/curricula/import.html",
            _context(request, model_admin, form=ImportForm(), error=exc.message),
            status=422,
        )
    return _preview(
        request, model_admin, result, text=update.text, slug=slug, title="", name=name,
        update=update,
    )  # fmt: skip


@require_POST
def source_update_ignore_view(
    request: HttpRequest, pk: int, update_id: int, *, model_admin: admin.ModelAdmin
) -> HttpResponse:
    """ "Ignore this update": no longer offered; a different text from the source will be."""
    if not model_admin.has_change_permission(request):
        raise PermissionDenied
    update = get_object_or_404(
        SourceUpdate.objects.only("pk", "fetched_at"), pk=update_id, curriculum_id=pk
    )
    if source_update_dismiss(actor=request.user, curriculum_id=pk, update_id=update.pk):
        messages.success(
            request,
            f"Ignored the update fetched {update.fetched_at:%Y-%m-%d %H:%M}: it is no longer "
            "offered. A later change of the source will be offered again.",
        )
    else:
        messages.info(request, "That update was already applied or ignored: nothing changed.")
    return redirect(reverse("admin:curricula_curriculum_change", args=[pk]))


def _decide(request: HttpRequest, model_admin: admin.ModelAdmin, action: str) -> HttpResponse:
    token = request.POST.get("token", "")
    key = _PENDING_KEY.format(token=token)
    pending = cache.get(key) if len(token) == 64 else None
    changelist = reverse("admin:curricula_curriculum_changelist")
    if action == "cancel":
        cache.delete(key)
        messages.info(request, "Import cancelled: nothing was changed.")
        return redirect(changelist)
    # The stored text is checked again: it must be what was previewed, by this user, and it
    # goes through every validation of a fresh import.
    if (
        not pending
        or hashlib.sha256(pending["text"].encode()).hexdigest() != pending["sha"]
        or _token(request.user.pk, pending["slug"], pending["title"], pending["sha"]) != token
    ):
        form = ImportForm()
        return TemplateResponse(
            request,
            "admin/curricula/import.html",
            _context(
                request,
                model_admin,
                form=form,
                error="This preview has expired or was already used: upload the file again.",
            ),
            status=422,
        )
    try:
        keep_work = request.POST.getlist("keep_work")
        if request.POST.get("keep_work_all"):
            keep_work.append("*")
        # A relink shown with its box unticked is the admin's "follow", including one the
        # preview ticked (a different work?) and the admin unticked.
        follow_work = [u for u in request.POST.getlist("shown_work") if u not in keep_work]
        result = curriculum_import(
            actor=request.user,
            text=pending["text"],
            slug=pending["slug"],
            title=pending["title"] or None,
            source_name=pending["name"],
            keep_work=keep_work,
            follow_work=follow_work,
            expected_revision=pending.get("base"),
        )
    except ImportRejected as exc:
        cache.delete(key)
        form = ImportForm(initial={"slug": pending["slug"], "title": pending["title"]})
        return TemplateResponse(
            request,
            "admin/curricula/import.html",
            _context(request, model_admin, form=form, error=exc.message),
            status=422,
        )
    cache.delete(key)
    if pending.get("update_id") and result.revision is not None:
        SourceUpdate.objects.filter(pk=pending["update_id"]).update(applied_in=result.revision)
    if result.changed and result.revision is not None:
        messages.success(request, result.report.splitlines()[0])
    else:
        messages.info(request, "Nothing changed: the curriculum already matches this file.")
    if result.curriculum is None:
        return redirect(changelist)
    return redirect(reverse("admin:curricula_curriculum_change", args=[result.curriculum.pk]))


@require_GET
def export_view(request: HttpRequest, pk: int, *, model_admin: admin.ModelAdmin) -> HttpResponse:
    curriculum = get_object_or_404(Curriculum, pk=pk)
    if not model_admin.has_view_permission(request, curriculum):
        raise PermissionDenied
    fmt = request.GET.get("format", "markdown")
    if fmt not in FORMATS:
        return HttpResponseBadRequest(
            f"Unknown export format “{fmt}”: choose {', '.join(FORMATS)}.",
            content_type="text/plain; charset=utf-8",
        )
    content_type, extension = FORMATS[fmt]
    response = HttpResponse(export(curriculum, fmt), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{curriculum.slug}.{extension}"'
    return response
