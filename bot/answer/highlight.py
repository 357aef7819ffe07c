"""Which words of a passage a question matched, as character spans."""

from __future__ import annotations

from collections.abc import Collection

from bot.search.tokenizer import words_with_terms


def match_spans(text: str, terms: Collection[str]) -> tuple[tuple[int, int], ...]:
    """Spans of the words whose index term is one of ``terms``, merged when adjacent."""
    spans: list[tuple[int, int]] = []
    for start, end, term in words_with_terms(text):
        if term in terms:
            if spans and spans[-1][1] >= start - 1 and text[spans[-1][1]:start].strip() == "":
                spans[-1] = (spans[-1][0], end)
            elif not spans or start >= spans[-1][1]:
                spans.append((start, end))
    return tuple(spans)


def apply_marks(text: str, spans: tuple[tuple[int, int], ...], before: str, after: str,
                escape: object = None) -> str:
    """Wrap each span in ``before``/``after``; ``escape`` (a function) is applied to the
    text between and inside marks, so markup of the notes cannot leak."""
    esc = escape if callable(escape) else (lambda s: s)
    out: list[str] = []
    pos = 0
    for start, end in spans:
        out.append(esc(text[pos:start]))
        out.append(before + esc(text[start:end]) + after)
        pos = end
    out.append(esc(text[pos:]))
    return "".join(out)


SEE_ALSO_CHARS = 140


def snippet(text: str, limit: int = SEE_ALSO_CHARS) -> str:
    """The start of a passage on one line, cut at a word, for "see also" lines."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit].rsplit(" ", 1)[0] or flat[:limit]
    return cut.rstrip(",;:") + "…"
