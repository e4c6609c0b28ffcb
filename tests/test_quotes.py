"""Quote matching against the committed fingerprints, without the source texts."""
from conftest import ROOT
from natoca.quotes import load_fingerprints, words

FINGERPRINTS = load_fingerprints(ROOT / "fingerprints")


def found(source: str, quote: str) -> bool:
    return FINGERPRINTS[source].locate(quote) is not None


def test_every_source_has_a_fingerprint():
    assert sorted(FINGERPRINTS) == ["gersak-2007", "mukhtorova-2018", "nato-2016", "vinnikov-2009", "weitz-2006"]


def test_verbatim_quote_is_found():
    assert found("vinnikov-2009", "talks were suspended and progress halted after the 2005 events in Andijan")


def test_one_word_changed_is_not_found():
    assert not found("vinnikov-2009", "talks were suspended and progress stopped after the 2005 events in Andijan")


def test_words_out_of_order_are_not_found():
    assert not found("vinnikov-2009", "progress halted and talks were suspended after the 2005 events in Andijan")


def test_quote_across_a_hard_line_break():
    # gersak-2007 breaks this sentence after "relations"
    assert found("gersak-2007", "precipitated a significant deterioration of relations between Central Asian republics and the West")


def test_quote_across_a_superscript_footnote_digit():
    # mukhtorova-2018 has a footnote mark (superscript 2) after "was made);"
    assert found("mukhtorova-2018", "a decision on withdrawal from Afghanistan was made); and with one more phase added by me")


def test_curly_and_straight_quotes_and_lost_apostrophe():
    # weitz-2006 has "Central Asia?s" where an apostrophe was lost
    assert found("weitz-2006", "affirmed Central Asia's increased importance")
    assert found("weitz-2006", "affirmed Central Asia’s increased importance")


def test_normalisation():
    assert words("NATO’s “Partnership” — for\nPeace¹²") == ["natos", "partnership", "for", "peace"]
