"""Every decision threshold of the pipeline, defined once, named, with the reason beside it.

A threshold a user may tune is also declared as an option by the component that reads it (`copy.threshold`,
`verdict.copy_from`, ...): the option's default is the constant here, so the two cannot drift. Thresholds were
chosen on the labelled sets in ../shared (docs/accuracy.md says how, and which were cross-validated).
"""

from __future__ import annotations

# Segmenting and page furniture (provenance/text) ------------------------------------------------------------------

# A multi-line block is a list of separate lines (a menu, a byline box, one sentence per line) when its median line
# has at most this many words, or a hard-wrapped paragraph when more than this share of its words (after the first
# line) are on lines that start in lower case.
LINE_LIST_MEDIAN_WORDS = 8
HARD_WRAP_CONTINUED = 0.2
# Otherwise its lines are wrapped prose when at least this share of them stop in mid-sentence: no sentence
# punctuation at the end, and longer than a subheading (HEADING_LINE_WORDS words) would be.
HARD_WRAP_MID_SENTENCE = 0.5
HEADING_LINE_WORDS = 8
# A line this short, without sentence punctuation, is furniture ("Share", "Read more") unless it is a heading tag.
SHORT_WORDS = 4
# Running prose: a paragraph of at least this many words ending in sentence punctuation.
PROSE_WORDS = 8
# Unpunctuated text counts as prose when it holds two sentences and at least this many words.
UNPUNCTUATED_PROSE_WORDS = 25
# A date or time stamp line is furniture up to this many words per date in it, of which at most this many are not
# part of a date ("Posted:", "Last updated", "| 9 minutes ago").
STAMP_WORDS = 12
STAMP_OTHER_WORDS = 4
# The article's own headline: an unpunctuated line of this many words before the body.
HEADLINE_WORDS = (5, 30)
# Headline-shaped lines in a run of at least this many form a list of links.
LINK_RUN = 3
# A last paragraph cut off in mid-sentence (an excerpt, a teaser) is article text when it has at least this many
# words and fewer than this share of its longer words capitalised (a headline or a credit line is Title Case).
CUT_OFF_MIN_WORDS = 3
TITLE_CASE_SHARE = 0.5
CUT_OFF_TAIL = (
    3  # a text is cut off when none of its last this many words is followed by sentence punctuation
)
BYLINE_WORDS = 12  # a byline ("By Jane Doe and John Roe, CNN") is a short line

# Alignment: content (provenance/align/content.py) -----------------------------------------------------------------

# A second or third source sentence joins a derived sentence's cover only if it adds this share of its content:
# merges are real, but every sentence shares a topic word or two with many others.
MERGE_GAIN = 0.15
MAX_SOURCES_PER_SENTENCE = (
    3  # a derived sentence merging more than three source sentences is a summary of a story
)
# A derived sentence is traced when one source sentence alone covers this share of its content: content spread
# thinly over many source sentences is topic overlap, not derivation.
SENTENCE_TRACE = 0.25
# A derived sentence links to a source sentence when that sentence covers this much of it.
SENTENCE_LINK = 0.34
# A source paragraph is named as a source of a derived paragraph when it gives at least this share of the top
# one's weight (the rest are stray topic-word matches).
SOURCE_SHARE = 0.2
# Headline to headline: the source's headline is the derived headline's source when it covers this share.
HEADLINE_COVER = 0.3

# Alignment: wording (provenance/align/wording.py) -----------------------------------------------------------------

# The shortest run of shared words that counts as wording evidence: three-word runs ("the United States") are
# common to any two articles on one topic, four-word runs rarely are.
RUN = 4
RUN_CANDIDATES = (
    16  # source positions tried per run start: a phrase repeated more often is no evidence of where
)
PHRASES_SHOWN = 8  # shared phrases listed in a paragraph's evidence (the longest)
# A quotation is copied when this share of its words sits in shared runs, and attributed to a source paragraph
# when at least this share does.
QUOTE_COPIED = 0.9
QUOTE_ATTRIBUTED = 0.5

# Alignment: the ordered retelling (provenance/align/retelling.py) -------------------------------------------------

# A derived sentence scores on the retelling path by how much of its content the source sentence holds, less this:
# a quarter of a sentence's content is what a same-event sentence typically shares (its names and topic words).
RETELL_BIAS = 0.25
RETELL_GAP_DERIVED = 0.3  # a derived sentence of its own on the path (own material inside a retelling)
RETELL_GAP_SOURCE = (
    0.05  # a source sentence left out (condensing costs little: summaries drop most sentences)
)
RETELL_MAX_CELLS = 4_000_000  # sentence pairs; past this (two books) no retelling is computed

# Alignment: translations (provenance/align/translation.py) ---------------------------------------------------------

COMMON_WORDS = 12  # each text's commonest words ...
COMMON_WORDS_SHARED = (
    3  # ... of which two texts in one language share at least this many ("the", "of", "a", "to")
)
LANGUAGE_SAMPLE = 2000  # characters of each text the language identifier reads
SKELETON_MIN = 3  # consonants a name's sound skeleton needs to place a translated paragraph ("mndl")
# A translation: at least this many specifics shared in the source's order, placing at least this share of the
# derived article's words.
TRANSLATION_ANCHORS = 3
TRANSLATION_PLACED = 0.5
# ... and one of the two articles holds few names and figures the other lacks (the lower of the two shares, names
# compared by skeleton: provenance/align/translation.py `Placed.unshared`) is at most this. A translation holds few
# the source lacks (or, read the other way round, leaves few of them out, when it condenses); two reports of one
# event written independently in two languages each hold many the other lacks. On the news set, the originals and
# their translations measure 0.00-0.22, independent reports against versions in another language 0.44-0.62 (an
# Arabic text, whose names match only by skeleton, keeps mostly its figures and can measure lower: 0.17).
TRANSLATION_NOVELTY = 0.3

# Alignment: order (provenance/align/order.py) ---------------------------------------------------------------------

# A paragraph anchors the order of the two articles when its content coverage reaches this, its wording this, or
# (in a paragraph of three or more sentences) this share of its sentences trace one-to-one.
ANCHOR_CONTENT = 0.35
ANCHOR_WORDING = 0.5
ANCHOR_TRACED = 0.66
ANCHOR_TRACED_SENTENCES = 3
# Weak content coverage that, with the order of the articles, makes a rewrite; at the article's edges (between the
# source's start or end and the nearest anchor) more is asked, since only one neighbour confirms the place.
ORDER_EVIDENCE = 0.11
ORDER_EVIDENCE_EDGE = 0.2
ORDER_MIN_WORDS = 5  # shorter paragraphs are not placed by order alone
ORDER_PASSES = 4  # paragraphs placed in one pass anchor the next

# Scorer signals (provenance/signals.py) ---------------------------------------------------------------------------

MAX_PAIRS = 20_000  # all sentence pairs up to this many; beyond, a window and lexical candidates per sentence
# Sentences of each article the scorers read. A scorer's cost grows with the article, not with the evidence: the
# semantic plugin runs every sentence through a neural network and its judge each closest pair again (measured on
# the shared 2-core machine: 0.1 to 0.2 s a sentence, a generated 10,000-word feature of 669 sentences in about
# 80 CPU seconds; bench/large_inputs.py). 600 sentences is about 12,000 words of news prose (20 words a sentence):
# six times the longest article of the news benchmark (about 2,000 words), and a 10,000-word feature of news
# sentences. Past it the scorers read the first SCORED_SENTENCES sentences of each article, the rest is judged on
# its words alone, and the report says so (`metadata.limits`), so a 4 MB article costs what a long feature does
# instead of hours.
SCORED_SENTENCES = 600
WINDOW = 12  # source sentences either side of a derived sentence's proportional place (large comparisons)
LEXICAL_CANDIDATES = 12  # source sentences sharing the rarest content words (large comparisons)
SIGNAL_SOURCE_SHARE = 0.2  # as SOURCE_SHARE, for a scorer's matches
# Sentence matches in the source's order from which the article as a whole derives from the source: four in order
# rarely happen by chance between articles of news length.
CHAIN = 4
# A derived sentence this short ("He said so.") confirms nothing about the article when a scorer's judge reads it.
CONFIRM_WORDS = 4
# This much shared wording is a rewrite whatever a scorer says: the words are the source's.
STRONG_WORDING = 0.5
# The lexical content share that supports a scorer's signal where the order of the articles cannot.
SIGNAL_SUPPORT = 0.3

# The article as a whole (provenance/derivation.py) ----------------------------------------------------------------

# An article derives from the source when retelling - NOVELTY_WEIGHT x novelty + CONFIRMED_WEIGHT x confirmed reaches
# DERIVED_SCORE, and is independent under INDEPENDENT_SCORE; between the two, each paragraph is judged on its own
# evidence. With a scorer that judges meaning the score holds more evidence (its confirmed sentences) and the
# undecided band is wider (its per-paragraph judgement keeps same-event reports apart), so the bars differ. All six
# numbers were chosen by leave-one-story-out cross-validation on the real-news set, keeping the seed pair, Clough &
# Stevenson and the same-event negatives at their floors (bench/news.py, docs/accuracy.md).
NOVELTY_WEIGHT = 1.0
NOVELTY_PRIOR = (
    1  # novelty = new specifics / (specifics + this): one new name in a short text is not 100% new
)
CONFIRMED_WEIGHT = 2.0
DERIVED_SCORE = 0.4
INDEPENDENT_SCORE = 0.0
DERIVED_SCORE_JUDGED = 2.0
INDEPENDENT_SCORE_JUDGED = 0.4
# ... or when this share of its words sits in paragraphs copied from the source.
DERIVED_COPIED = 0.1
DERIVED_MIN_SENTENCES = 3  # fewer sentences on either side: too little to judge the article as a whole
# A cut-off source's last stretch: a derived paragraph reaching into this share of its sentences has followed the
# source to its end, and what comes after it draws on text the source does not hold.
SOURCE_TAIL = 0.2
# Where the source is cut off and the derived article follows it to that end, the article is judged on the stretch
# the source holds: the paragraphs after that point draw on text the source lacks, so their names and figures are not
# news and their sentences cannot be confirmed. That stretch is short, and the retelling score is a sum over it, so it
# derives from the source from a lower bar than a whole article (with a judging scorer; without one the bar is
# DERIVED_SCORE, already low). Chosen by leave-one-story-out cross-validation on the news set (docs/accuracy.md).
CUT_DERIVED_SCORE_JUDGED = 1.2

# Detectors (provenance/detectors) ---------------------------------------------------------------------------------

COPY_THRESHOLD = 0.7  # share of words in shared runs for a copy: light edits break a run here and there
COPY_PROSE_THRESHOLD = 0.6  # the same share outside quotation marks
COPY_PASSAGE_WORDS = 20  # a verbatim passage this long makes a long paragraph a copy: an editor has to see it
COPY_PASSAGE_SHARE = 0.25  # ... when it is at least this share of the paragraph
ENOUGH_PROSE = 8  # words outside quotation marks needed to judge a paragraph's prose apart from its quotes
REWRITE_THRESHOLD = (
    0.35  # share of content traced to source sentences for a rewrite (article too short to judge)
)
# The same inside an article that derives from the source as a whole: there a paragraph carrying under a third of
# its content from source sentences is still most often a condensed retelling. Chosen by leave-one-story-out on the
# news set (every fold with the semantic plugin, 10 of 12 without it): docs/accuracy.md.
REWRITE_IN_DERIVED = 0.3
REWRITE_TRACED = 0.66  # share of sentences traced one-to-one (paragraphs of 3+ sentences): a heavy paraphrase
REWRITE_TRACED_SENTENCES = 3
REWRITE_WORDING = 0.5  # this much shared wording is a rewrite even with little content traced

# Verdict and source coverage (provenance/assemble.py) -------------------------------------------------------------

INDEPENDENT_BELOW = 0.2  # derived share (copy + rewrite) under which the article is independent
TRACED_FROM = 0.3  # ... unless this share of sentences traces one-to-one to source sentences
DERIVED_FLOOR = 0.1  # ... and at least this much is derived
PARTIAL_FROM = 0.4  # added share from which a derived article is partial (cross-validated on the news set)
OWN_SPECIFICS = 2  # names and figures the source lacks that make an added paragraph own reporting, not filler
OWN_FROM = (
    0.2  # ... and the share of the article's words in such paragraphs from which it is partial: a rewrite
)
# padded with generic commentary stays a rewrite (cross-validated on the news set)
PADDED_FROM = (
    0.3  # ... when at least this share is derived; below it, added text without new specifics is still
)
# most of the article (same-event reports retelling the same facts), so it stays partial (cross-validated)
OWN_INDEPENDENT = 0.4  # share of the words in own reporting from which an article the derivation step leaves
# undecided is independent: what it shares with the source is then the event's facts, around much reporting of its
# own (another newsroom's report of the same event), not a source it leans on (cross-validated on the news set)
# ... unless this share of its words, quotations apart, sits in runs of RUN or more words shared with the source: a
# partial derivation keeps pieces of the source's prose inside its own rewording, while two reports of one event share
# only the event's stock phrases (cross-validated on the news set)
KEPT_WORDING = 0.15
COPY_FROM = (
    0.6  # share of the derived words that are copied from which an article is a copy (cross-validated: a
)
# light rewrite keeps some verbatim sentences; an article's own added text does not make its copying less a copy)
REUSED_FROM = 0.2  # share of a source paragraph's words reused for it to count as used

# Lineage: the derivation graph of a story (provenance/lineage.py) --------------------------------------------------
# Chosen by leave-one-story-out cross-validation on ../shared/benchmarks/news (bench/lineage.py, docs/lineage.md).

# Two versions are linked (one derives from the other) when the mean of the two pair reports' derived shares (copy +
# rewrite, each version compared with the other as its source) reaches this: one direction alone is too easily met
# by two independent reports of the same event.
LINEAGE_LINK = 0.7
# ... or from this lower mean when the pair engine calls each of the two wholly derived from the other (copy or
# rewrite both ways, neither partial nor independent): two reports of one event each hold facts of their own, so one
# of the two verdicts at least says partial or independent, while two rewrites of one text, or a rewrite and its
# source, read as derived both ways with shares under LINEAGE_LINK (each rewords, drops and adds its own way). On the
# news set the pairs so agreed reach 0.54 and 0.67 between derived versions and 0.48 between an independent report
# and a copy; cross-validation chose 0.5 (the grid, strictest first: 1 = off, 0.6, 0.5, 0.4).
LINEAGE_AGREED_LINK = 0.5
# The cost of "B derives from A" is 1 - the link's strength (the same both ways: it picks the nearest parent), plus
# terms for the evidence of direction. Containment: B holds A's text plus its own, not the other way round; the cost
# moves by this weight times (B's share derived from A - A's share derived from B). Cross-validation chose 0 on the
# news set: its versions are excerpts cut at about 2,000 bytes and condensations as often as expansions, so which of
# two holds more tells nothing there; the term stays for sets of whole pages (--option lineage.containment_weight).
LINEAGE_CONTAINMENT_WEIGHT = 0.0
# Wording carried: the original's exact wording is what the family shares verbatim (each rewrite rewords it its own
# way). An edge from a version whose wording the family repeats less than the child's costs this much per unit of
# the difference (mean copied share of the other versions).
LINEAGE_WORDING_WEIGHT = 1.0
# Furniture carried over: the parent's page furniture found verbatim in the child (a scraper copies a partner's
# byline and frame). The reverse edge costs this much more.
LINEAGE_FURNITURE_WEIGHT = 0.5
# Publication times: when both pages state a date and the dates differ, an edge from the later to the earlier costs
# this much more (dates are read at day granularity; the same day tells nothing).
LINEAGE_TIME_WEIGHT = 1.0
# A direction is decided when the two directions' costs differ by at least this; otherwise it is undecidable and said
# so. The direction's confidence reaches 1 at LINEAGE_DIRECTION_SURE.
LINEAGE_DIRECTION_MARGIN = 0.05
LINEAGE_DIRECTION_SURE = 0.5
# A stated publication date: a dateline or stamp is in the page's first paragraphs, before or beside the lede, and is
# a short line of its own (a byline or stamp) or opens its paragraph; a date further into a sentence is what the
# story is about ("launched on June 5, 2024"), not when it was published.
DATELINE_PARAGRAPHS = 4
DATELINE_WORDS = 15
DATELINE_OPENING = 80  # characters
# Furniture shorter than this ("News", "Share") is on every page and tells nothing about who copied.
FURNITURE_MIN_WORDS = 3
# With --index: retrieval's similarity floor (as `audit`'s default), the story's candidates and theirs (at most this
# many per version, and this many versions in all).
LINEAGE_INDEX_MIN_SIMILARITY = 0.2
LINEAGE_INDEX_TOP = 8
LINEAGE_MAX_VERSIONS = 40
