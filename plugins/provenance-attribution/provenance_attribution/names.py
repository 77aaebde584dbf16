"""Who a credit line names: the source itself, another news outlet, or neither.

Why a rule is needed at all: "according to X", "told X" and "X reported" credit an outlet only some of the
time. Just as often X is a person or a body the story quotes ("according to Dana Price, the fire chief",
"according to the county emergency service"). Counting those would call nearly every news article credited. So
a named party counts:

- as the source when it matches what is known about the source: the names and aliases given with the option
  `attribution.source_name`, the site name, byline and host name from the source's metadata, and the name the
  source gives itself in a dateline tag or copyright line;
- as an outlet when it looks like one: a wire service or broadcaster (AP, Reuters, AFP, CNN, BBC, Bloomberg,
  ...), or a name of two or more words built on a masthead word (News, Times, Post, Wire, Daily, Press,
  Herald, Courier, Gazette, Journal, Tribune, Chronicle, ...; "Agency" only as "News Agency" or "Press
  Agency");
- as nothing otherwise: people and organisations are not credits.

In normally cased text an outlet name must be capitalised ("the Marlow Times", not "the times we live in");
text written all in lower (or upper) case is judged by its words alone, so detection stays case-insensitive.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from provenance import fold

# Wire services, agencies and broadcasters that are outlets on their own, normalised (see `normalize`).
WIRE_SERVICES: frozenset[str] = frozenset(
    {
        "ap",
        "associated press",
        "reuters",
        "afp",
        "agence france presse",
        "agence france-presse",
        "cnn",
        "bbc",
        "bloomberg",
        "upi",
        "united press international",
        "pa media",
        "press association",
        "dpa",
        "efe",
        "ansa",
        "xinhua",
        "kyodo",
        "tass",
        "ria novosti",
        "interfax",
        "al jazeera",
        "npr",
        "pbs",
        "abc",
        "cbs",
        "nbc",
        "msnbc",
        "cnbc",
        "sky news",
        "fox news",
        "politico",
        "axios",
        "bloomberg news",
        "reuters news",
        "bbc news",
    }
)

# Masthead words: a name of two or more words that contains one of these reads as a news outlet.
OUTLET_WORDS: frozenset[str] = frozenset(
    {
        "news",
        "newswire",
        "newsroom",
        "times",
        "post",
        "wire",
        "daily",
        "weekly",
        "press",
        "herald",
        "courier",
        "gazette",
        "journal",
        "tribune",
        "chronicle",
        "telegraph",
        "observer",
        "guardian",
        "mirror",
        "express",
        "examiner",
        "inquirer",
        "sentinel",
        "bulletin",
        "dispatch",
        "magazine",
        "radio",
        "television",
        "tv",
        "broadcasting",
        "newspaper",
        "newspapers",
    }
)

# Words that make a masthead-looking phrase something else ("press office", "post office", "news conference").
NOT_OUTLET_WORDS: frozenset[str] = frozenset(
    {
        "office",
        "officer",
        "officers",
        "secretary",
        "conference",
        "release",
        "releases",
        "briefing",
        "team",
        "transfer",
        "square",
        "spokesman",
        "spokeswoman",
        "spokesperson",
        "fence",
        "box",
        "code",
        "card",
    }
)

# Words that say what kind of thing was cited rather than who: "news reports", "local media".
GENERIC_WORDS: frozenset[str] = frozenset(
    {
        "report",
        "reports",
        "reporting",
        "reporter",
        "reporters",
        "article",
        "articles",
        "story",
        "stories",
        "outlet",
        "outlets",
        "source",
        "sources",
        "local",
        "national",
        "regional",
        "international",
        "online",
        "social",
        "recent",
        "earlier",
        "latest",
        "several",
        "multiple",
        "various",
        "other",
        "many",
        "some",
        "a",
        "an",
        "the",
    }
)

# Agency counts as an outlet word only after "news" or "press"; listed here so a run keeps it as part of the
# name.
_AGENCY = "agency"

# Small words that may sit inside a name ("Times of India", "News & Record") without ending it.
_CONNECTORS: frozenset[str] = frozenset({"of", "the", "and", "&", "de", "la", "le", "du", "del"})

# A word list reads best as words, hence the split string.
_STOP: frozenset[str] = frozenset(
    """a an the and or but of to in on at by for from with as is was were be been being are it its this
    that these those he she they we you i me him her them us our your his their my who whom which what when
    where why how not no nor so than then there here said says say told tells according via also just only
    would will could should may might must can has have had do does did into onto over under about after
    before during while
    """.split()  # noqa: SIM905
)

# Bylines that name no one.
_GENERIC_BYLINES: frozenset[str] = frozenset(
    {
        "staff",
        "staff reporter",
        "staff writer",
        "staff writers",
        "reporter",
        "reporters",
        "editor",
        "editors",
        "editorial",
        "editorial team",
        "editorial staff",
        "news desk",
        "newsdesk",
        "admin",
        "administrator",
        "team",
        "web team",
        "digital team",
        "unknown",
        "anonymous",
    }
)

_NON_WORD = re.compile(r"[^\w&]+")
_POSSESSIVE = re.compile(r"['\u2019]s\b")
_WORD = re.compile(r"[\w&][\w&'\u2019.\-]*")
_CASED = re.compile(r"[a-z]")
_UPPER = re.compile(r"[A-Z]")


def normalize(text: str) -> str:
    """The comparison form of a name: folded, case-free, no possessives, punctuation or leading "the".

    Why: a credit may be written "the Hale Valley Wire's", "HALE VALLEY WIRE" or "Hale Valley Wire" and is the
    same credit each time.
    """
    t = _POSSESSIVE.sub("", fold(text).casefold())
    t = " ".join(_NON_WORD.sub(" ", t).replace("_", " ").split())
    return t.removeprefix("the ")


def squash(text: str) -> str:
    """Letters and digits only: how a name looks inside a host name ("halevalleywire")."""
    return "".join(ch for ch in fold(text).casefold() if ch.isalnum())


def host_of(url: str) -> str:
    """The host of a URL or bare domain, lower case and without "www."; empty when there is none."""
    candidate = url.strip().strip("<>").rstrip(".,;:!?)]\"'")
    if not re.match(r"^[a-z][a-z0-9+.\-]*://", candidate, re.IGNORECASE):
        candidate = "http://" + candidate
    try:
        host = urlsplit(candidate).hostname or ""
    except ValueError:
        return ""
    host = host.lower().rstrip(".")
    return host.removeprefix("www.")


_SECOND_LEVEL = frozenset({"co", "com", "org", "net", "gov", "ac", "edu", "news"})


def brand_of(host: str) -> str:
    """The name part of a host name: "halevalleywire" for news.halevalleywire.co.uk."""
    labels = [label for label in host.split(".") if label]
    if len(labels) >= 2:
        labels = labels[:-1]  # the top-level domain
    if len(labels) >= 2 and labels[-1] in _SECOND_LEVEL:
        labels = labels[:-1]
    return labels[-1] if labels else ""


def looks_like_host(text: str) -> bool:
    """An alias such as "halevalleywire.example" or a URL names the source's site, not its masthead."""
    t = text.strip()
    return " " not in t and ("://" in t or re.fullmatch(r"[\w\-]+(\.[\w\-]+)+(/\S*)?", t) is not None)


@dataclass(frozen=True, slots=True)
class KnownName:
    """One name the source goes by, and where it came from (option, sitename, author, source-text)."""

    label: str
    norm: str
    origin: str


@dataclass(frozen=True, slots=True)
class SourceIdentity:
    """Everything known about who published the source, gathered once per comparison."""

    names: tuple[KnownName, ...] = ()
    hosts: tuple[str, ...] = ()
    brands: tuple[str, ...] = ()
    title: str = ""
    metadata_used: dict[str, str] = field(default_factory=dict)

    @property
    def known(self) -> bool:
        """Whether anything is known to match credits against; if not, outlet credits can only be assumed."""
        return bool(self.names or self.hosts or self.brands)

    @property
    def labels(self) -> list[str]:
        seen: list[str] = []
        for n in self.names:
            if n.label not in seen:
                seen.append(n.label)
        for h in self.hosts:
            if h not in seen:
                seen.append(h)
        return seen

    def display(self) -> str:
        """How the report names the source: its first known name, else its host."""
        return self.labels[0] if self.labels else "the source"

    def match_name(self, text: str) -> KnownName | None:
        """The known name that `text` contains as whole words, or that one of its words spells out compactly.

        The compact form catches "HaleValleyWire" and "halevalleywire.example"; it is compared word by word,
        not as a substring, so "Jo Marsh" is not found inside "Bajo Marshall".
        """
        cand = f" {normalize(text)} "
        for n in self.names:
            if f" {n.norm} " in cand:
                return n
        words = text.split()
        compact = {squash(w) for w in words}
        compact.update(brand_of(host_of(w)) for w in words if "." in w.strip(".,;:!?"))
        compact.discard("")
        for n in self.names:
            s = squash(n.label)
            if len(s) >= 5 and s in compact:
                return n
        for b in self.brands:
            if len(b) >= 5 and b in compact:
                return KnownName(b, b, "hostname")
        return None

    def match_host(self, host: str) -> bool:
        """A URL host on the source's site (the host itself or a subdomain), or carrying its name."""
        if not host:
            return False
        if any(host == h or host.endswith("." + h) for h in self.hosts):
            return True
        brand = brand_of(host)
        return any(len(b) >= 5 and b == brand for b in self.brands)


def _split_people(value: str) -> list[str]:
    parts = re.split(r";|,|\s+and\s+|\s*&\s*|\|", value)
    return [p.strip() for p in parts if p.strip()]


def build_identity(
    option_value: str, metadata: dict[str, str], source_body: Sequence[str], self_names: Sequence[str] = ()
) -> SourceIdentity:
    """Collect the source's names: option aliases first, then sitename, byline and host from metadata, then
    the names the source gives itself in its own text (`self_names`: a dateline tag, a copyright line).

    A byline is dropped when the same name appears in the source's own text other than as a "By ..." line,
    because then it is (also) someone the story quotes, and "according to <them>" would not credit the outlet.
    """
    names: list[KnownName] = []
    hosts: list[str] = []
    used: dict[str, str] = {}

    def add_name(label: str, origin: str) -> None:
        norm = normalize(label)
        if len(norm) >= 2 and all(n.norm != norm for n in names):
            names.append(KnownName(label.strip(), norm, origin))

    def add_host(value: str) -> None:
        h = host_of(value)
        if h and "." in h and h not in hosts:
            hosts.append(h)

    for alias in (option_value or "").split("|"):
        alias = alias.strip()
        if not alias:
            continue
        if looks_like_host(alias):
            add_host(alias)
        else:
            add_name(alias, "option")
    if metadata.get("sitename"):
        used["sitename"] = metadata["sitename"]
        site = metadata["sitename"]
        add_host(site) if looks_like_host(site) else add_name(site, "sitename")
    if metadata.get("author"):
        used["author"] = metadata["author"]
        body_norm = [f" {normalize(t)} " for t in source_body if not t.strip().lower().startswith("by ")]
        for person in _split_people(metadata["author"]):
            pn = normalize(person)
            if pn in _GENERIC_BYLINES or any(f" {pn} " in b for b in body_norm):
                continue
            add_name(person, "author")
    for key in ("hostname", "url"):
        if metadata.get(key):
            used[key] = metadata[key]
            add_host(metadata[key])
    for own in self_names:
        add_host(own) if looks_like_host(own) else add_name(own, "source-text")
    brands: list[str] = []
    for h in hosts:
        b = brand_of(h)
        if b and b not in brands:
            brands.append(b)
    title = metadata.get("title", "").strip()
    if title:
        used["title"] = title
    return SourceIdentity(tuple(names), tuple(hosts), tuple(brands), title, used)


def _tokens(text: str) -> list[str]:
    return [m.group().rstrip(".'\u2019-") for m in _WORD.finditer(text)]


def name_runs(text: str, cased: bool) -> Iterable[list[str]]:
    """Runs of name-like words: capitalised ones (with "of", "&" inside) in cased text, else non-stopwords."""
    run: list[str] = []
    pending: list[str] = []
    for tok in _tokens(text):
        low = tok.lower()
        if cased:
            capital = tok[:1].isupper() or tok[:1].isdigit()
            is_name = capital and (low not in _STOP or (tok.isupper() and len(tok) > 1))
        else:
            is_name = low not in _STOP
        if is_name:
            run.extend(pending)
            pending = []
            run.append(tok)
        elif run and low in _CONNECTORS and not pending:
            pending = [tok]
        else:
            if run:
                yield run
            run, pending = [], []
    if run:
        yield run


def outlet_in(text: str, cased: bool) -> str | None:
    """The outlet name `text` mentions, by the rule in this module's docstring, or None."""
    for run in name_runs(text, cased):
        words = [normalize(w) for w in run]
        words = [w for w in words if w]
        if not words:
            continue
        phrase = " ".join(words)
        core = phrase.removeprefix("the ")
        if core in WIRE_SERVICES:
            return " ".join(run)
        for i in range(len(words)):  # a wire name inside a longer run: "LONDON (Reuters)"-style datelines
            for j in range(min(len(words), i + 3), i, -1):
                if " ".join(words[i:j]) in WIRE_SERVICES:
                    while j < len(words) and (words[j] in OUTLET_WORDS or words[j] == _AGENCY):
                        j += 1  # keep the masthead words that follow: "Xinhua News Agency"
                    return " ".join(run[i:j])
        if any(w in NOT_OUTLET_WORDS for w in words):
            continue
        significant = [w for w in words if w not in GENERIC_WORDS and w not in _CONNECTORS]
        masthead = [w for w in significant if w in OUTLET_WORDS]
        agency = any(
            w == _AGENCY and k > 0 and words[k - 1] in ("news", "press") for k, w in enumerate(words)
        )
        if (masthead or agency) and len(significant) >= 2:
            return " ".join(run)
    return None


def is_cased(text: str) -> bool:
    """Normal text mixes cases; all-lower or all-upper text carries no capitalisation to rely on."""
    return bool(_CASED.search(text)) and bool(_UPPER.search(text))
