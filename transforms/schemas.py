"""Every table schema, declared once: DDL, Great Expectations suites and tests derive from here."""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl


@dataclass(frozen=True)
class Column:
    """One column: its type, whether it may be null, and the value rules the suites check."""

    name: str
    dtype: pl.DataType
    nullable: bool = True
    allowed: tuple[str, ...] | None = None
    min: float | None = None
    max: float | None = None
    doc: str = ""


@dataclass(frozen=True)
class Table:
    """A warehouse table: columns, primary key and a one-line description."""

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    doc: str
    parents: dict[str, str] = field(default_factory=dict)  # column -> "table.column" it must exist in

    @property
    def schema(self) -> pl.Schema:
        return pl.Schema({c.name: c.dtype for c in self.columns})

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    def empty(self) -> pl.DataFrame:
        return pl.DataFrame(schema=self.schema)

    def conform(self, df: pl.DataFrame) -> pl.DataFrame:
        """Select and cast a frame to exactly this table's columns, in order."""
        missing = [n for n in self.names if n not in df.columns]
        if missing:
            raise ValueError(f"{self.name}: frame lacks columns {missing}")
        return df.select([pl.col(c.name).cast(c.dtype) for c in self.columns])


C = Column
STR, F64, I32, I64, BOOL = pl.String(), pl.Float64(), pl.Int32(), pl.Int64(), pl.Boolean()
STRS = pl.List(pl.String())

FORMATS = (
    "cleaned_markdown", "chaptered_speakers", "youtube_markdown", "whisper_markdown",
    "raw_captions", "webvtt", "srt", "whisper_json", "youtube_xml", "youtube_json3",
    "speaker_text", "plain_text", "unknown",
)
KINDS = ("human", "whisper", "auto_caption", "unknown")
FILE_STATUSES = ("loaded", "duplicate_copy", "quarantined")
VERSION_ROLES = ("canonical", "merged", "partial", "exact_copy")
TIME_SOURCES = ("source", "borrowed", "interpolated")

# What a parser returns per segment (one row per cue / turn / paragraph, in source order).
PARSED_SEGMENTS = Table(
    "parsed_segments",
    (
        C("seq", I32, False, min=0, doc="0-based order within the file"),
        C("start_s", F64, min=0, doc="seconds from the start; null where the source has no time"),
        C("end_s", F64, min=0, doc="seconds; null where the source has none"),
        C("speaker", STR, doc="speaker name as written in the source; null where unknown"),
        C("text", STR, False, doc="verbatim text of the segment"),
        C("line_start", I32, False, min=1, doc="first source line (1-based)"),
        C("line_end", I32, False, min=1, doc="last source line (1-based)"),
    ),
    key=("seq",),
    doc="Parser output: verbatim segments of one file.",
)

# What cleaning returns per segment of one file.
CLEAN_SEGMENTS = Table(
    "clean_segments",
    (
        *PARSED_SEGMENTS.columns[:5],
        C("text_display", STR, False, doc="cleaned text for reading"),
        C("text_match", STR, False, doc="case-folded, punctuation-free text for matching"),
        C("is_event", BOOL, False, doc="non-speech event such as [Music]"),
        C("rules", STRS, doc="names of the cleaning rules that changed this segment"),
        *PARSED_SEGMENTS.columns[5:],
    ),
    key=("seq",),
    doc="Cleaning output: verbatim, display and matching text of one file's segments.",
)

SOURCE_FILES = Table(
    "source_files",
    (
        C("file_id", STR, False, doc="sha256 of the raw bytes"),
        C("path", STR, False, doc="path as discovered, relative to the input folder"),
        C("size_bytes", I64, False, min=0),
        C("format", STR, False, allowed=FORMATS),
        C("kind", STR, False, allowed=KINDS),
        C("status", STR, False, allowed=FILE_STATUSES),
        C("reason", STR, doc="why the file was quarantined or is a copy"),
        C("archive_path", STR, False, doc="where the raw bytes are kept, relative to the warehouse"),
        C("copy_of", STR, doc="path of the file this one is a byte-identical copy of"),
        C("n_segments", I32, min=0),
        C("n_warnings", I32, min=0),
        C("ingested_at", pl.Datetime("us", "UTC"), False, doc="first time these bytes were seen"),
        C("parser_version", STR, False),
    ),
    key=("path",),
    doc="One row per input file (a byte-identical copy is its own row, status duplicate_copy).",
)

EPISODES = Table(
    "episodes",
    (
        C("episode_id", STR, False, doc="stable across runs"),
        C("title", STR),
        C("show_name", STR, doc="podcast or channel"),
        C("episode_number", I32, min=0),
        C("video_id", STR),
        C("video_url", STR),
        C("published_date", pl.Date()),
        C("hosts", STRS),
        C("guests", STRS),
        C("duration_s", F64, min=0, max=86_400),
        C("description", STR, doc="header description or summary of the best version that has one (repaired)"),
        C("n_versions", I32, False, min=1),
        C("n_segments", I32, False, min=0),
        C("n_words", I64, False, min=0),
        C("canonical_file_id", STR, False),
    ),
    key=("episode_id",),
    doc="One row per distinct interview.",
)

EPISODE_VERSIONS = Table(
    "episode_versions",
    (
        C("file_id", STR, False),
        C("episode_id", STR, False),
        C("role", STR, False, allowed=VERSION_ROLES),
        C("format", STR, False, allowed=FORMATS),
        C("kind", STR, False, allowed=KINDS),
        C("quality_rank", I32, False, min=1, doc="1 = the canonical text source"),
        C("n_words", I64, False, min=0),
        C("similarity", F64, min=0, max=1, doc="containment of this version in the canonical"),
        C("coverage", F64, min=0, max=1, doc="share of canonical words this version aligns to"),
        C("wer", F64, min=0, doc="word error rate against the canonical on the aligned span; may exceed 1"),
        C("offset_s", F64, doc="median (this version's time - canonical time) over aligned words"),
        C("words_only_here", I64, min=0, doc="words this version has that the canonical lacks"),
        C("join_signal", STR, doc="strongest signal that joined it to the episode"),
        C("join_score", F64),
    ),
    key=("file_id",),
    doc="One row per file that is a version of an episode.",
    parents={"episode_id": "episodes.episode_id"},
)

SEGMENTS = Table(
    "segments",
    (
        C("episode_id", STR, False),
        C("seq", I32, False, min=0),
        C("start_s", F64, min=0, max=86_400),
        C("end_s", F64, min=0, max=86_400),
        C("speaker", STR),
        C("text", STR, False, doc="display text"),
        C("text_verbatim", STR, False),
        C("n_words", I32, False, min=0),
        C("is_teaser", BOOL, False, doc="cold-open passage that repeats later"),
        C("is_event", BOOL, False, doc="non-speech event such as [Music]"),
        C("text_file_id", STR, False, doc="file the text came from"),
        C("speaker_file_id", STR, doc="file the speaker came from"),
        C("time_file_id", STR, doc="file the start time came from"),
        C("time_source", STR, allowed=TIME_SOURCES),
        C("agreement", F64, min=0, max=1, doc="share of words other versions agree on; null if single"),
        C("rules", STRS, doc="cleaning rules that changed this segment"),
    ),
    key=("episode_id", "seq"),
    doc="The canonical transcript of each episode, one row per turn or cue.",
    parents={"episode_id": "episodes.episode_id"},
)

SPEAKERS = Table(
    "speakers",
    (
        C("episode_id", STR, False),
        C("name", STR, False),
        C("role", STR, False, allowed=("host", "guest", "unknown")),
        C("n_turns", I32, False, min=0),
        C("words", I64, False, min=0, doc="teasers excluded"),
        C("seconds", F64, min=0, doc="talk time, teasers excluded"),
    ),
    key=("episode_id", "name"),
    doc="Talk time and words per speaker per episode.",
    parents={"episode_id": "episodes.episode_id"},
)

CHAPTERS = Table(
    "chapters",
    (
        C("episode_id", STR, False),
        C("seq", I32, False, min=0),
        C("start_s", F64, min=0, max=86_400),
        C("title", STR, False),
        C("summary", STR),
        C("source_file_id", STR, False),
    ),
    key=("episode_id", "seq"),
    doc="Chapters of an episode, from whichever version has them.",
    parents={"episode_id": "episodes.episode_id"},
)

MENTIONS = Table(
    "mentions",
    (
        C("episode_id", STR, False),
        C("seq", I32, False, min=0),
        C("speaker", STR),
        C("entity", STR, False),
        C("entity_type", STR, False),
        C("surface", STR, False, doc="the words as written in the display text"),
        C("n", I32, False, min=1, doc="times this surface form occurs in the segment"),
    ),
    key=("episode_id", "seq", "entity", "surface"),
    doc="Glossary entities mentioned per segment.",
    parents={"episode_id": "episodes.episode_id"},
)

VERSION_LINKS = Table(
    "version_links",
    (
        C("file_a", STR, False),
        C("file_b", STR, False),
        C("joined", BOOL, False),
        C("signal", STR, False, doc="the deciding signal"),
        C("score", F64),
        C("containment", F64, min=0, max=1),
        C("evidence", STR, False, doc="every signal seen, as name=value pairs"),
    ),
    key=("file_a", "file_b"),
    doc="Why each candidate pair of files was joined into one episode or kept apart.",
)

REJECTS = Table(
    "rejects",
    (
        C("file_id", STR, False),
        C("path", STR),
        C("scope", STR, False, allowed=("file", "segment", "line")),
        C("seq", I32, doc="segment seq in the file (scope segment) or source line (scope line)"),
        C("rule", STR, False),
        C("reason", STR, False),
        C("content", STR, doc="what was removed"),
        C("archive_path", STR, False, doc="raw bytes of the file, relative to the warehouse"),
    ),
    key=(),
    doc="Everything removed or quarantined, with the rule and reason.",
)

PARSE_WARNINGS = Table(
    "parse_warnings",
    (
        C("file_id", STR, False),
        C("line", I32, min=1),
        C("code", STR, False),
        C("message", STR, False),
    ),
    key=(),
    doc="What each parser forgave or repaired, per file.",
)

VALIDATION_RESULTS = Table(
    "validation_results",
    (
        C("pass_no", I32, False, min=1, doc="validation pass: failures of pass 1 quarantine files, then pass 2 runs"),
        C("table_name", STR, False),
        C("expectation", STR, False),
        C("column_name", STR),
        C("success", BOOL, False),
        C("unexpected_count", I64, min=0),
        C("sample", STR, doc="some failing values (failed expectations only)"),
    ),
    key=(),
    doc="Every expectation checked by the last published run, per validation pass.",
)

WAREHOUSE_TABLES: tuple[Table, ...] = (
    SOURCE_FILES, EPISODES, EPISODE_VERSIONS, SEGMENTS, SPEAKERS, CHAPTERS, MENTIONS,
    VERSION_LINKS, REJECTS, PARSE_WARNINGS, VALIDATION_RESULTS,
)
TABLES: dict[str, Table] = {t.name: t for t in WAREHOUSE_TABLES}
