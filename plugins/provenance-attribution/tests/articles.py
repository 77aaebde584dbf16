"""Short invented articles for the tests (the town, the library and the people do not exist)."""

SOURCE = """Marlow Bridge library reopens after two-year roof repair

The public library in Marlow Bridge reopened on Saturday after a two-year repair of its leaking slate roof, which had forced staff to move 30,000 books into a former shoe shop on Mill Lane.

Head librarian Tymur Tkachenko said 900 people came through the doors in the first four hours, more than on any day since the building opened in 1908. "Children were queueing with their library cards before we had unlocked," he said.

The repair cost £1.4 million, two thirds of it from a national heritage fund. Builders found that rainwater had rotted the oak beams above the reading room, which added eight months to the work.

The library will now open on Sunday afternoons for the first time, and the council has promised to keep the mobile book van running for villages in the upper valley."""

COPY = """Library back in business in Marlow Bridge

The public library in Marlow Bridge reopened on Saturday after a two-year repair of its leaking slate roof, which had forced staff to move 30,000 books into a former shoe shop on Mill Lane.

Head librarian Tymur Tkachenko said 900 people came through the doors in the first four hours, more than on any day since the building opened in 1908. "Children were queueing with their library cards before we had unlocked," he said.

The repair cost £1.4 million, two thirds of it from a national heritage fund. Builders found that rainwater had rotted the oak beams above the reading room, which added eight months to the work."""

INDEPENDENT = """Allotment holders in Easterby vote to share a tool shed

Gardeners at the Easterby allotments have voted to pool their spades, forks and wheelbarrows in one shared shed, after a spate of thefts from individual plots over the winter.

The plan came from Wren Adebayo, who has grown leeks and runner beans on plot 14 for eleven years. She said members would pay five pounds a year towards a new lock and a logbook by the door.

Not everyone is convinced. Two members argued at the meeting that borrowed tools come back dirty, and the committee agreed to review the scheme after one growing season."""

PERSON_CREDIT = COPY.replace(
    "Head librarian Tymur Tkachenko said 900 people",
    "According to Tymur Tkachenko, head librarian, 900 people",
)
