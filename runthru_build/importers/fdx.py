"""Final Draft (.fdx) -> paragraphs: each ``<Paragraph Type="…">`` of ``<Content>`` maps to one kind.

Only the top-level ``Content`` is the script; the rest of the file (element
settings, header and footer, SmartType lists, macros) is Final Draft's own
settings and holds many ``<Paragraph>`` elements that are not script content.
The XML is read by defusedxml with DTDs forbidden, so entity bombs never expand.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from ..errors import UnreadableInput
from .document import Imported, Para, clean_text, title_page_paras

_KINDS = {
    "scene heading": "scene_heading", "action": "action", "general": "action", "shot": "action",
    "character": "cue", "parenthetical": "paren", "dialogue": "dialogue", "lyrics": "dialogue",
    "transition": "transition", "cast list": "front", "new act": "act", "end of act": "action",
}


def read_fdx(data: bytes, shown: str) -> Imported:
    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise UnreadableInput(f"refused: the XML declares a DOCTYPE or entities ({type(exc).__name__}); "
                              "Final Draft never writes one", path=shown) from None
    except ParseError as exc:
        raise UnreadableInput(f"is not well-formed XML ({exc})", path=shown) from None
    if root.tag != "FinalDraft":
        raise UnreadableInput(f"is not a Final Draft file (root element <{root.tag}>)", path=shown)
    content = root.find("Content")
    if content is None:
        raise UnreadableInput("has no <Content>: not a Final Draft script", path=shown)
    paras: list[Para] = []
    title_page = root.find("TitlePage/Content")
    if title_page is not None:
        lines = [_text(p) for p in title_page.findall("Paragraph")]
        lines = [t for t in lines if any(c.isalnum() for c in t)]
        paras.extend(title_page_paras(lines, "title page"))
    for n, para in enumerate(content.findall("Paragraph"), start=1):
        dual = para.find("DualDialogue")
        if dual is not None:
            cues = 0
            for inner in dual.findall("Paragraph"):
                kind = _KINDS.get((inner.get("Type") or "").lower(), "unplaced")
                cues += kind == "cue"
                paras.append(Para(kind, _text(inner), f"paragraph {n}", dual=kind == "cue" and cues > 1))
            continue
        text = _text(para)
        if not text.strip():
            continue
        paras.append(Para(_KINDS.get((para.get("Type") or "").lower(), "unplaced"), text, f"paragraph {n}"))
    return Imported(paras, screenplay=True, source_kind="Final Draft")


def _text(para: Element) -> str:
    return clean_text("".join(t.text or "" for t in para.findall("Text"))).strip()
