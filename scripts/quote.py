"""Look a quote up in a source's fingerprint: python scripts/quote.py SOURCE_ID "quote"."""
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from natoca.quotes import load_fingerprints, words  # noqa: E402

fingerprints = load_fingerprints(ROOT / "fingerprints")
source, quote = sys.argv[1], sys.argv[2]
offset = fingerprints[source].locate(quote)
print(f"found at word {offset} ({len(words(quote))} words)" if offset is not None else "NOT FOUND")
sys.exit(0 if offset is not None else 1)
