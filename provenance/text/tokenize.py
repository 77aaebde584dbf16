"""Normalisation, tokenising, stemming, sentence splitting and word rarity.

Offsets always refer to the paragraph text as shown to the user, so evidence (shared phrases, quotes) can be marked
in the original wording; normalisation is applied per token instead of to the whole text.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections.abc import Sequence
from functools import lru_cache
from itertools import accumulate, repeat

from provenance.model import Sentence, Token
from provenance.text.frequency import Frequencies

# Folding tables: typographic variants that mean the same thing in running text.
_FOLD = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u00b4": "'",
        "`": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u2212": "-",
        "\u00a0": " ",
        "\u2007": " ",
        "\u202f": " ",
    }
)
_INVISIBLE = dict.fromkeys(
    map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e\u200f\u202a\u202b\u202c\u202d\u202e")
)

_CJK = "\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_RE = re.compile(f"[{_CJK}]")
TOKEN_RE = re.compile(
    rf"(?P<cjk>[{_CJK}])"
    r"|(?P<acr>(?:[^\W\d_]\.){2,})"
    r"|(?P<num>\d+(?:[.,:]\d+)*)(?![^\W_])"
    r"|(?P<word>[^\W_]+(?:['\u2019\-\u2010\u2011][^\W_]+)*)"  # compounds joined by any hyphen fold() folds
)
# A run of terminal punctuation is only tried from its first mark: retried from every mark of a long run ("......"),
# the match would rescan the run each time (quadratic). The pattern is
#     (?<![.!?。！？])[.!?。！？]+["'”’)\]]*(?:\s+|$)|[。！？]
# written to start with the marks' class (and to look behind past the first mark), so that the regex engine skips
# the text between marks at C speed instead of trying the pattern at every character.
_MARKS = "[.!?\u3002\uff01\uff1f]"
_SENT_END_RE = re.compile(
    _MARKS + rf"(?:(?<!{_MARKS}{_MARKS}){_MARKS}*[\"'\u201d\u2019)\]]*(?:\s+|$)|(?<=[\u3002\uff01\uff1f]))"
)
_LAST_WORD = re.compile(r"([^\W\d_]+)$")
_WORD_WINDOW = 12  # an abbreviation (at most six letters) or an initial: no need to look further back
_ABBREV = frozenset(
    """mr mrs ms dr st gen sen rep gov lt col sgt capt prof jr sr vs etc inc ltd co corp no fig jan feb mar apr jun jul
    aug sep sept oct nov dec mt ft approx dept est univ""".split()  # noqa: SIM905 (a word list reads best as prose)
)

STOPWORDS = frozenset(
    """a about above after again against all also am an and any are aren't as at be because been before being below
    between both but by can can't cannot could couldn't did didn't do does doesn't doing don't down during each few for
    from further had hadn't has hasn't have haven't having he he'd he'll he's her here here's hers herself him himself
    his how how's i i'd i'll i'm i've if in into is isn't it it's its itself just let's me more most mustn't my myself
    no nor not of off on once only or other ought our ours ourselves out over own same shan't she she'd she'll she's
    should shouldn't so some such than that that's the their theirs them themselves then there there's these they
    they'd they'll they're they've this those through to too under until up very was wasn't we we'd we'll we're we've
    were weren't what what's when when's where where's which while who who's whom why why's will with won't would
    wouldn't you you'd you'll you're you've your yours yourself yourselves may might must shall would s t d ll re ve
    yet however though although thus hence which whose upon within without via per among amongst onto toward towards
    said says say""".split()  # noqa: SIM905
)


# str.translate looks every character up in its table (about 0.3 us a character): a text is only translated when a
# regex scan (C speed) finds a character to change, which for most texts it does not.
_INVISIBLE_RE = re.compile("[" + "".join(re.escape(chr(c)) for c in _INVISIBLE) + "]")
_FOLD_RE = re.compile("[" + "".join(re.escape(chr(c)) for c in _FOLD) + "]")


def clean(text: str) -> str:
    """Prepare extracted text for display and tokenising: Unicode NFC, invisible characters removed, line ends unified.

    NFKC is applied per token (see `norm`) rather than here, so that what users see keeps its typography.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _INVISIBLE_RE.search(text):
        text = _INVISIBLE_RE.sub("", text)
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """NFKC plus folded quotes, dashes and spaces: the comparison form of a piece of text."""
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    return text.translate(_FOLD) if _FOLD_RE.search(text) else text


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer  # PyStemmer: the Snowball stemmers in C

    return Stemmer.Stemmer("english")


_STEM_CACHE: dict[str, str] = {}


def stem(word: str) -> str:
    s = _STEM_CACHE.get(word)
    if s is None:
        s = _stemmer().stemWord(word)
        if len(_STEM_CACHE) < 500_000:
            _STEM_CACHE[word] = s
    return s


def _norm_word(raw: str) -> str:
    if raw.isascii():
        return raw.lower()
    return fold(raw).casefold()


# What a matched word becomes does not depend on where it stands, only on its text (the token pattern's groups never
# match the same text), so each distinct text is normalised, stemmed and marked once: (norm, kind, content,
# capital). An article repeats most of its words, and a corpus most of its vocabulary.
_WORD_INFO: dict[str, tuple[str, str, str, bool]] = {}
_WORD_INFO_MAX = (
    500_000  # distinct word texts kept (about 60 MB at most); later ones are worked out each time
)
_new_token = tuple.__new__


def _word_info(raw: str, kind: str | None) -> tuple[str, str, str, bool]:
    """(norm, kind, content, capital) of one matched token text other than a word glued to CJK characters."""
    if kind == "word":
        if len(raw) >= 2 and raw.isupper() and raw.isalpha():
            n = _norm_word(raw)
            return n, "a", n, True
        n = _norm_word(raw)
        return n, "w", _content_word(n), raw[:1].isupper()
    if kind == "num":
        n = raw.replace(",", "") if "," in raw else raw
        return n, "n", n, False
    if kind == "acr":
        n = raw.replace(".", "").lower()
        return n, "a", n, True
    return raw, "c", raw, False  # cjk


def plain_word_info(raw: str) -> tuple[str, str, str, bool]:
    """`_word_info` of a text of ASCII letters only (one word token to `tokenize`), kept as `tokenize` keeps it."""
    info = _WORD_INFO.get(raw)
    if info is None:
        info = _word_info(raw, "word")
        if len(_WORD_INFO) < _WORD_INFO_MAX:
            _WORD_INFO[raw] = info
    return info


# TOKEN_RE for text without CJK characters, as one capturing group for `re.split`: the pieces between tokens and the
# tokens alternate, so every token's offsets are running sums of the pieces' lengths (C speed), with no match object
# per token. Every other alternative starts with a letter or digit, taken first here, then the rest of the acronym
# (after a letter), of the number (after a digit) or of the word, tried in TOKEN_RE's order: the same matches, and a
# pattern that starts with a character class, which the regex engine skips to at C speed instead of trying every
# alternative at every character. ASCII text is split by it compiled for ASCII, where its classes mean the same and
# are tested faster.
_TOKEN_PIECES = (
    r"([^\W_](?:(?<=[^\W\d_])\.(?:[^\W\d_]\.)+"  # acronym
    r"|(?<=\d)\d*(?:[.,:]\d+)*(?![^\W_])"  # number
    r"|[^\W_]*(?:['\u2019\-\u2010\u2011][^\W_]+)*))"  # word
)
_TOKEN_SPLIT = re.compile(_TOKEN_PIECES)
_TOKEN_SPLIT_ASCII = re.compile(_TOKEN_PIECES, re.ASCII)


def tokenize(text: str) -> list[Token]:
    """Split a paragraph into tokens; CJK text becomes one token per character so shared passages still shingle."""
    if text.isascii():
        parts = _TOKEN_SPLIT_ASCII.split(text)
    elif _CJK_RE.search(text) is None:
        parts = _TOKEN_SPLIT.split(text)
    else:
        return _tokenize_cjk(text)
    if len(parts) == 1:
        return []
    raws = parts[1::2]
    bounds = list(accumulate(map(len, parts)))  # where each piece ends
    starts = bounds[:-1:2]
    cache = _WORD_INFO
    infos = list(map(cache.get, raws))
    if None in infos:
        for i, info in enumerate(infos):
            if info is None:
                raw = raws[i]
                info = cache.get(raw)  # (met earlier in this text)
                if info is None:
                    m = TOKEN_RE.match(text, starts[i])
                    info = _word_info(raw, m.lastgroup if m else None)
                    if len(cache) < _WORD_INFO_MAX:
                        cache[raw] = info
                infos[i] = info
    norms, kinds, contents, capitals = zip(*infos)
    return list(map(_new_token, repeat(Token), zip(norms, starts, bounds[1::2], kinds, contents, capitals)))


def _tokenize_cjk(text: str) -> list[Token]:
    """`tokenize` of a text holding CJK characters, match by match."""
    out: list[Token] = []
    append = out.append
    cache = _WORD_INFO
    cjk = False
    for m in TOKEN_RE.finditer(text):
        raw = m.group()
        info = cache.get(raw)
        if info is None:
            kind = m.lastgroup
            if kind == "word" and not raw.isascii() and _CJK_RE.search(raw):
                # A Latin word glued to CJK characters: re-split into its runs.
                start = m.start()
                for sub in re.finditer(rf"[{_CJK}]|[^{_CJK}]+", raw):
                    piece = sub.group()
                    s = start + sub.start()
                    if _CJK_RE.match(piece):
                        append(Token(piece, s, s + 1, "c", piece, False))
                        cjk = True
                    else:
                        n = _norm_word(piece)
                        append(Token(n, s, s + len(piece), "w", _content_word(n), piece[:1].isupper()))
                continue
            info = _word_info(raw, kind)
            if len(cache) < _WORD_INFO_MAX:
                cache[raw] = info
        start, end = m.span()
        norm, kind, content, capital = info
        if kind == "c":
            cjk = True
        append(_new_token(Token, (norm, start, end, kind, content, capital)))
    return _cjk_bigrams(out) if cjk else out


_HIRAGANA = re.compile("[\u3040-\u309f]+")


def _cjk_bigrams(tokens: list[Token]) -> list[Token]:
    """Chinese and Japanese have no spaces, so one character is the token (shared passages still shingle), but
    meaning is carried by character bigrams, as CJK retrieval has long done: each character's content is the bigram
    it starts. Bigrams of hiragana alone are grammar (particles, endings) and carry none."""
    out = list(tokens)
    n = len(out)
    for i, t in enumerate(out):
        if t.kind != "c":
            continue
        nxt = out[i + 1] if i + 1 < n else None
        if nxt is not None and nxt.kind == "c" and nxt.start == t.end:
            gram = t.norm + nxt.norm
        elif i > 0 and out[i - 1].kind == "c" and out[i - 1].end == t.start:
            gram = ""  # the end of a run: its bigram was given to the character before
        else:
            gram = t.norm  # a lone character
        if _HIRAGANA.fullmatch(gram):
            gram = ""
        out[i] = Token(t.norm, t.start, t.end, "c", gram, False)
    return out


WORD_RE = re.compile(rf"[{_CJK}]|[^\W_{_CJK}]+")


# ASCII letters and digits to "a", every other ASCII character to a space: a run of letters and digits starts at each
# " a" of the translated text (or at its start).
_RUN_STARTS = bytes.maketrans(
    bytes(range(128)), bytes(ord("a") if chr(c).isalnum() else ord(" ") for c in range(128))
)


def count_words(text: str) -> int:
    """Words as the shares count them: runs of letters and digits, and each CJK character on its own (the unit
    the tokenizer uses), so Chinese and Japanese paragraphs are not taken for one-word lines."""
    if text.isascii():  # (the runs of WORD_RE counted at C speed, with no string per word)
        marked = text.encode("ascii").translate(_RUN_STARTS)
        return marked.count(b" a") + marked.startswith(b"a")
    return len(WORD_RE.findall(text))


def _content_word(norm: str) -> str:
    if norm in STOPWORDS or len(norm) < 2:
        return ""
    norm = norm.removesuffix("'s")
    return stem(norm.replace("'", ""))


_CJK_STOPS = (
    "\u3002\uff01\uff1f"  # a CJK full stop, exclamation or question mark ends a sentence wherever it stands
)
_ACRONYM_END = re.compile(r"(?:[^\W\d_]\.){1,}[^\W\d_]$")
_OPENERS = "\"'\u201c\u2018("


def _opens(ch: str) -> bool:
    """Whether a sentence can start with this character (after terminal punctuation and a space)."""
    return ch.isupper() or ch.isdigit() or ch in _OPENERS or _CJK_RE.match(ch) is not None


def _full_stop_ends(text: str, lo: int, stop: int) -> bool:
    """Whether the full stop at text[stop] ends a sentence rather than an abbreviation, an initial or an acronym
    such as U.S. (looking back no further than `lo`). A bounded window, not the whole sentence so far: a paragraph
    of a million "Mr. " never ends a sentence, so slicing from its start at every full stop was quadratic."""
    word_m = _LAST_WORD.search(text, max(lo, stop - _WORD_WINDOW), stop)
    prev = word_m.group(1) if word_m else ""
    if prev.lower() in _ABBREV or (len(prev) == 1 and prev.isupper()):
        return False
    return _ACRONYM_END.search(text, max(lo, stop - 6), stop) is None


def split_sentences(text: str) -> tuple[Sentence, ...]:
    """Sentence boundaries by terminal punctuation, guarded against common abbreviations and initials."""
    bounds: list[Sentence] = []
    start = 0
    n = len(text)
    for m in _SENT_END_RE.finditer(text):
        end = m.end()
        if end >= n:
            break
        stop = m.start()
        if not (_opens(text[end]) or text[stop] in _CJK_STOPS):
            continue
        if text[stop] == "." and not _full_stop_ends(text, start, stop):
            continue
        piece = text[start:end]
        seg = piece.lstrip()
        s = start + len(piece) - len(seg)
        seg = seg.rstrip()
        if seg:
            bounds.append(Sentence(s, s + len(seg)))
        start = end
    piece = text[start:]
    seg = piece.lstrip()
    s = start + len(piece) - len(seg)
    seg = seg.rstrip()
    if seg:
        bounds.append(Sentence(s, s + len(seg)))
    if not bounds:
        bounds.append(Sentence(0, len(text)))
    return tuple(bounds)


def contents_by_sentence(tokens: Sequence[Token], sentences: Sequence[Sentence]) -> list[list[str]]:
    """The content words (in order) of each sentence: the tokens starting inside it."""
    kept = [t for t in tokens if t.content]
    starts = [t.start for t in kept]  # in text order, so a sentence's words are one slice
    words = [t.content for t in kept]
    return [words[bisect_left(starts, s.start) : bisect_left(starts, s.end)] for s in sentences]


_ZIPF: Frequencies | None = None


def _zipf_table() -> Frequencies:
    """Word frequencies from wordfreq (Zipf scale: 7 for 'the', about 1 for rare names), looked up word by word in a
    cached file rather than loaded whole (provenance/text/frequency.py)."""
    global _ZIPF
    if _ZIPF is None:
        _ZIPF = Frequencies("en")
    return _ZIPF


_RARITY: dict[
    str, float
] = {}  # a word's rarity, worked out once per distinct word (as many as _WORD_INFO keeps)


def rarity(token: Token) -> float:
    """How much a shared token says about reuse: rare words, names and long numbers weigh most (1 to 7)."""
    if token.kind == "n":
        return 6.0 if len(token.norm) >= 3 else 4.0
    if token.kind == "c":
        return 2.0
    r = _RARITY.get(token.norm)
    if r is None:
        r = _word_rarity(token.norm)
        if len(_RARITY) < _WORD_INFO_MAX:
            _RARITY[token.norm] = r
    return r


def _word_rarity(norm: str) -> float:
    table = _zipf_table()
    z = table.get(norm)
    if z is None and "-" in norm:
        # A compound ("full-scale") is as telling as its rarest part, not as rare as an unseen word.
        parts = [table.get(part, 1.0) for part in norm.split("-") if part]
        z = min(parts) if parts else None
    if z is None:
        z = table.get(norm.replace("'", ""), 1.0)
    return min(7.0, max(1.0, 7.5 - z))


_QUOTE_RE = re.compile(r"[\u201c\"]([^\u201c\u201d\"]{3,}?)[\u201d\"]")


def quote_spans(text: str) -> list[tuple[int, int]]:
    """Spans of double-quoted passages (the words inside the quotes)."""
    return [m.span(1) for m in _QUOTE_RE.finditer(text)]
