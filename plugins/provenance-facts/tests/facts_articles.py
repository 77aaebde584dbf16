"""Two short articles written for these tests (the harbour, the town and the people are invented).

SOURCE is a news story; DERIVED retells it in other words with every fact kept, so any finding on the unmodified
pair is a false positive. Tests change one fact in DERIVED with `swap` and expect exactly that change flagged.
"""

SOURCE = """\
Harbour council approves new sea wall for Port Ellery

The Port Ellery harbour council voted on Wednesday to build a new sea wall along the north quay, after storms in 2019 damaged 64 fishing boats. The wall will be 2.4 metres high and 330 metres long.

The scheme will cost £4.8 million, of which 40% comes from a national coastal fund. Work is due to start on 14 March and should take eighteen months.

"This wall will protect the harbour and the boats for the next fifty years," said Marta Kowalczyk, who chairs the council's works committee. "Our fishermen have waited long enough."

Thirty-seven residents objected to the plans, mostly over the loss of sea views from Chapel Row. The council said the wall would be faced with local granite to soften its look.
"""

DERIVED = """\
Port Ellery to get a new sea wall

Councillors in Port Ellery agreed on Wednesday to put up a new sea wall on the north quay, after 2019 storms wrecked 64 fishing boats. The granite-faced structure will stand 2.4 metres tall and run for 330 metres along the quay.

The £4.8 million project is 40% funded by a national coastal fund, with building work starting on 14 March and lasting 18 months.

"This wall will protect the harbour and the boats for the next fifty years," said Marta Kowalczyk, who chairs the council's works committee. "Our fishermen have waited long enough."

37 residents lodged objections, most of them about lost sea views from Chapel Row. Local granite will face the wall to soften its look, the council said.
"""


def swap(text: str, old: str, new: str) -> str:
    """`text` with `old` replaced once; fails loudly if `old` is missing, so a test cannot pass vacuously."""
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)
