"""Turn the source texts into fingerprints committed under fingerprints/.

Usage: python scripts/fingerprint_sources.py [SOURCES_DIR]   (default ../shared/sources)

The texts themselves are copyrighted and never enter the repository; the
fingerprints let the data check find quotes and measure paragraph coverage.
"""
from __future__ import annotations

import base64
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from natoca.quotes import NGRAM, gram_hash, words  # noqa: E402

# Where each article's body starts and stops: page furniture, front matter,
# related-links blocks and colophons are not part of the article.
BODY = {
    "weitz-2006": ("Renewing Central Asian Partnerships", "Related Articles"),
    "gersak-2007": (None, None),
    "vinnikov-2009": (None, "This article was published by the Security and Human Rights Monitor"),
    "nato-2016": (None, None),
    "mukhtorova-2018": ("INTRODUCTION\n\nCentral Asia is a landlocked", "Uguloy Mukhtorova is a researcher from Tajikistan and holds an MA in Politics and Security from the OSCE Academy in Bishkek. This paper was written while she se"),
}
# gersak-2007 is hard-wrapped with a blank line after every line, so its
# paragraphs are rebuilt from line lengths: a paragraph ends on a short line.
REWRAP = {"gersak-2007"}
FULL_LINE = 80
MIN_PARAGRAPH_WORDS = 12  # shorter blocks are headings, titles and captions
FOOTNOTE = re.compile(r"^\s*[0-9]{1,3}\s+\S")


def body_range(text: str, source: str) -> tuple[int, int]:
    start_marker, end_marker = BODY.get(source, (None, None))
    start = text.find(start_marker) if start_marker else 0
    end = text.rfind(end_marker) if end_marker else len(text)
    if start < 0 or end < 0:
        raise SystemExit(f"{source}: body marker not found; update BODY in {__file__}")
    return start, end


def rewrap(text: str) -> str:
    out = []
    for line in (line.rstrip() for line in text.splitlines() if line.strip()):
        out.append(line)
        ends_sentence = line.endswith((".", "?", "!", ":", "”", '"'))
        out.append("\n\n" if len(line) < FULL_LINE * 3 // 4 or (ends_sentence and len(line) < FULL_LINE) else " ")
    return "".join(out)


def fingerprint(text: str, source: str) -> dict:
    if source in REWRAP:
        text = rewrap(text)
    start, end = body_range(text, source)
    all_words: list[str] = []
    paragraphs = []
    position = 0
    for block in re.split(r"\n\s*\n", text):
        block_at = text.find(block, position)
        position = block_at + len(block)
        block_words = words(block)
        first = len(all_words)
        all_words.extend(block_words)
        in_body = start <= block_at < end
        if in_body and len(block_words) >= MIN_PARAGRAPH_WORDS and not FOOTNOTE.match(block):
            paragraphs.append([first, len(all_words)])
    hashes = b"".join(gram_hash(tuple(all_words[i:i + NGRAM])) for i in range(len(all_words) - NGRAM + 1))
    return {
        "source": source,
        "algorithm": f"sha256[:3] of normalised word {NGRAM}-grams, in text order",
        "words": len(all_words),
        "paragraphs": paragraphs,
        "grams": base64.b64encode(hashes).decode("ascii"),
    }


def main(argv: list[str]) -> int:
    folder = Path(argv[1]) if len(argv) > 1 else ROOT.parent / "shared" / "sources"
    out = ROOT / "fingerprints"
    out.mkdir(exist_ok=True)
    for path in sorted(folder.glob("*.txt")):
        payload = fingerprint(path.read_text(encoding="utf-8"), path.stem)
        (out / f"{path.stem}.json").write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")
        print(f"{path.stem}: {payload['words']} words, {len(payload['paragraphs'])} body paragraphs")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
