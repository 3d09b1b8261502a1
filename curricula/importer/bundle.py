"""A reading list spread over several Markdown files (a folder or a .zip) read as one text.

The entry file (README.md, index.md, or the only Markdown file at the top) is read first;
every Markdown file it links to by a relative path follows as a section of its own, titled
with the link's text, and so on through the files those link to, each file once, in the
order the links appear. Links between included files become in-document anchors, so they
neither become entries nor are reported as broken relative links.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from pathlib import Path

from curricula.importer.blocks import parse_blocks
from curricula.importer.htmlparse import html_links

MARKDOWN = (".md", ".markdown", ".mdown")
ENTRY_NAMES = ("readme.md", "index.md", "readme.markdown", "index.markdown")
MAX_FILES = 500
_HEADING = re.compile(r"^(#{1,6})(\s)")
_MD_LINK = re.compile(r"(\]\()\s*<?([^)\s>]+)>?((?:\s+\"[^\"]*\")?\s*\))")


class BundleError(ValueError):
    """The folder or archive cannot be read as one reading list; the message says why."""


def read_folder(path: Path, *, max_bytes: int) -> tuple[str, str]:
    """(combined Markdown, entry file name) for a folder of Markdown files."""
    files: dict[str, str] = {}
    total = 0
    for file in sorted(path.rglob("*")):
        if not file.is_file() or file.suffix.lower() not in MARKDOWN:
            continue
        if any(part.startswith(".") for part in file.relative_to(path).parts):
            continue
        total += file.stat().st_size
        if total > max_bytes or len(files) >= MAX_FILES:
            raise BundleError(
                f"the folder's Markdown files pass the import limit of {max_bytes:,} bytes"
            )
        files[file.relative_to(path).as_posix()] = _decode(file.read_bytes(), file.name)
    return combine(files)


def read_zip(data: bytes, *, max_bytes: int) -> tuple[str, str]:
    """(combined Markdown, entry file name) for a .zip of Markdown files."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise BundleError("the file is not a readable .zip archive") from None
    files: dict[str, str] = {}
    total = 0
    with archive:
        infos = [
            i
            for i in archive.infolist()
            if not i.is_dir() and posixpath.splitext(i.filename)[1].lower() in MARKDOWN
        ]
        if len(infos) > MAX_FILES:
            raise BundleError(f"the archive holds more than {MAX_FILES} Markdown files")
        for info in infos:
            name = posixpath.normpath(info.filename)
            if name.startswith(("../", "/")) or "/." in f"/{name}":
                continue  # outside the archive's root, or hidden
            total += info.file_size  # the declared size: checked before anything is inflated
            if total > max_bytes:
                raise BundleError(
                    f"the archive's Markdown files pass the import limit of {max_bytes:,} bytes"
                )
            with archive.open(info) as handle:
                raw = handle.read(max_bytes + 1)
            if len(raw) > info.file_size:
                raise BundleError(f"{name}: larger than the archive says")
            files[name] = _decode(raw, name)
    # An archive of one folder ("list/README.md", "list/ch1.md"): read from inside it.
    tops = {name.split("/", 1)[0] for name in files}
    if len(tops) == 1 and all("/" in name for name in files):
        top = tops.pop() + "/"
        files = {name[len(top) :]: text for name, text in files.items()}
    return combine(files)


def _decode(raw: bytes, name: str) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BundleError(f"{name} is not UTF-8 text") from None


def entry_file(files: dict[str, str]) -> str:
    top = [name for name in files if "/" not in name]
    for wanted in ENTRY_NAMES:
        for name in top:
            if name.lower() == wanted:
                return name
    if len(top) == 1:
        return top[0]
    raise BundleError(
        "no entry file: put a README.md (or index.md) at the top that links the other files"
    )


def combine(files: dict[str, str]) -> tuple[str, str]:
    if not files:
        raise BundleError("no Markdown files found")
    root = entry_file(files)
    order = [root]
    titles: dict[str, str] = {}
    queue = [root]
    while queue:
        current = queue.pop(0)
        for target, label in _relative_links(files[current], current):
            if target in files and target not in order:
                order.append(target)
                titles[target] = label
                queue.append(target)
    anchors = {name: _anchor(name, titles.get(name, "")) for name in order}
    parts = [_rewrite(files[root], root, anchors)]
    for name in order[1:]:
        text = _rewrite(files[name], name, anchors)
        title, body = _title_and_body(text, titles[name] or name)
        parts.append(f'<a id="{anchors[name]}"></a>\n\n## {title}\n\n{_demote(body)}')
    return "\n\n".join(part.strip() for part in parts) + "\n", root


def _relative_links(text: str, current: str) -> list[tuple[str, str]]:
    """(file path inside the bundle, link text) of links to other Markdown files, in order."""
    from curricula.importer.blocks import iter_inlines

    found: list[tuple[str, str]] = []
    for inline in iter_inlines(parse_blocks(text)):
        children = inline.children or []
        for n, child in enumerate(children):
            if child.type == "link_open":
                label = []
                for follower in children[n + 1 :]:
                    if follower.type == "link_close":
                        break
                    if follower.type in ("text", "code_inline"):
                        label.append(follower.content)
                target = _resolve(str(child.attrs.get("href", "")), current)
                if target:
                    found.append((target, " ".join("".join(label).split())))
            elif child.type == "html_inline":
                for link in html_links(child.content):
                    target = _resolve(link.href, current)
                    if target:
                        found.append((target, link.label))
    return found


def _resolve(href: str, current: str) -> str:
    href = href.strip().split("#", 1)[0].split("?", 1)[0]
    if not href or "://" in href or href.startswith(("mailto:", "/")):
        return ""
    if posixpath.splitext(href)[1].lower() not in MARKDOWN:
        return ""
    path = posixpath.normpath(posixpath.join(posixpath.dirname(current), href))
    return "" if path.startswith("../") else path


def _anchor(name: str, title: str) -> str:
    base = title or posixpath.splitext(name)[0]
    return "file-" + (re.sub(r"[^a-z0-9]+", "-", base.lower()).strip("-") or "part")


def _rewrite(text: str, current: str, anchors: dict[str, str]) -> str:
    """Links to included files become anchors ("#file-chapter-1")."""

    def swap(match: re.Match[str]) -> str:
        target = _resolve(match.group(2), current)
        if target in anchors:
            return f"{match.group(1)}#{anchors[target]}{match.group(3)}"
        return match.group(0)

    return _MD_LINK.sub(swap, text)


def _title_and_body(text: str, fallback: str) -> tuple[str, str]:
    """A chapter's own top heading names its section when it has one; the link text else."""
    match = re.match(r"\s*#\s+(.+?)\s*#*\s*\n", text)
    if match:
        return match.group(1), text[match.end() :]
    return fallback, text


def _demote(text: str) -> str:
    """Headings one level under the chapter's own (## chapter -> ### its sections); fenced
    code is left as written."""
    lines = text.split("\n")
    fenced: set[int] = set()
    fence = ""
    for n, line in enumerate(lines):
        stripped = line.lstrip()
        if fence:
            fenced.add(n)
            if stripped.startswith(fence):
                fence = ""
        elif stripped.startswith(("```", "~~~")):
            fence = stripped[:3]
            fenced.add(n)
    levels = [
        len(m.group(1))
        for n, line in enumerate(lines)
        if n not in fenced and (m := _HEADING.match(line))
    ]
    shift = 3 - min(levels) if levels else 0
    if shift <= 0:
        return text
    for n, line in enumerate(lines):
        match = _HEADING.match(line) if n not in fenced else None
        if match:
            level = min(6, len(match.group(1)) + shift)
            lines[n] = "#" * level + line[len(match.group(1)) :]
    return "\n".join(lines)
