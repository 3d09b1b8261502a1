"""Reading a Markdown reading list into plain data (parser) and turning it into a change plan."""

from curricula.importer.model import ParsedCurriculum, ParsedEntry, ParsedTier, ParsedTopic
from curricula.importer.parser import ParseError, parse_markdown

__all__ = [
    "ParseError",
    "ParsedCurriculum",
    "ParsedEntry",
    "ParsedTier",
    "ParsedTopic",
    "parse_markdown",
]
