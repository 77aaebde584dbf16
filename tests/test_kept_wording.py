"""The share of an article's prose kept from the source (`metadata.derivation.wording`): the words, quotations
apart, in runs of words shared with the source, over the article's words, whatever paragraph they sit in. The
verdict reads it (`verdict.kept_wording`): an article left undecided with much own reporting is independent only
when it keeps little of the source's prose."""

from __future__ import annotations

import pytest

import provenance
from provenance.testing import make_host

SOURCE = """The harbour authority closed the northern pier on Tuesday after inspectors found cracks in three of its steel supports, a spokeswoman said.

Ferries to the islands will leave from the southern terminal until repairs are finished, which the authority expects to take six weeks.

The pier was last rebuilt in 1987 and carries about 4,000 passengers a day in summer.

Local traders said the closure would hurt business during the busiest month of the year."""

# Own reporting throughout, but its second paragraph keeps a whole source sentence inside its own words.
KEEPS = """Fishermen at Cley gathered on Wednesday to protest plans for a new marina, saying Councillor Dana Whitlow had ignored their petition of 2,300 signatures.

Meanwhile ferries to the islands will leave from the southern terminal until repairs are finished, which the authority expects to take six weeks, Whitlow told the Cley Gazette.

The marina would cost 14 million pounds and add 220 berths by 2029, according to the council's own estimate.

Whitlow promised a public meeting at the Cley library on 12 March."""

# The same own reporting with nothing of the source's prose.
OWN = KEEPS.replace(
    "ferries to the islands will leave from the southern terminal until repairs are finished, which the authority "
    "expects to take six weeks",
    "boats for Blakeney and Morston sail from the quay beside the old lifeboat station on Saturdays",
)


@pytest.fixture(scope="module")
def host():
    return make_host()


def wording(report) -> float:
    return report.metadata["derivation"]["wording"]


def test_kept_prose_is_measured_over_the_whole_article(host):
    copy = provenance.compare(SOURCE, SOURCE, host=host)
    assert wording(copy) == pytest.approx(1.0)
    keeps = provenance.compare(SOURCE, KEEPS, host=host)
    own = provenance.compare(SOURCE, OWN, host=host)
    kept = (
        "ferries to the islands will leave from the southern terminal until repairs are finished, which the "
        "authority expects to take six weeks"
    )
    kept_words = len(kept.split())
    words = sum(len(p.text.split()) for p in keeps.paragraphs if p.relation != "boilerplate")
    assert wording(keeps) == pytest.approx(kept_words / words, abs=0.03)
    assert wording(own) < 0.05 < wording(keeps)


def test_the_bar_is_an_option_of_compare(host):
    report = provenance.compare(SOURCE, KEEPS, host=host, options={"verdict.kept_wording": 0.3})
    assert report.parameters["options"]["verdict.kept_wording"] == 0.3
    with pytest.raises(provenance.UsageError):
        provenance.compare(SOURCE, KEEPS, host=host, options={"verdict.kept_wording": "much"})
