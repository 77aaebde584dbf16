"""Licensed sources: indexed documents whose reuse is expected (a wire service the newsroom pays for, a partner's
feed). A policy never fails an article for reusing them; reports still list them, marked licensed.

A source is matched by glob patterns (`*`, `?`, `[...]`, as in shell globs) on its index id, its outlet (the
`outlet` given when it was indexed, else the site name found in its HTML) or its URL. Ids and URLs match case
sensitively; outlets ignore case, since "Hale Valley Wire" and "HALE VALLEY WIRE" are the same masthead.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase

KINDS = ("ids", "outlets", "urls")


@dataclass(frozen=True, slots=True)
class Allowlist:
    ids: tuple[str, ...] = ()
    outlets: tuple[str, ...] = ()
    urls: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.ids or self.outlets or self.urls)

    def match(self, doc_id: str, meta: Mapping[str, str]) -> str | None:
        """The rule that licenses this source (`id wire/*`, `outlet Hale Valley Wire`, `url https://...`), or None."""
        for pattern in self.ids:
            if fnmatchcase(doc_id, pattern):
                return f"id {pattern}"
        outlets = [meta[k] for k in ("outlet", "sitename") if meta.get(k)]
        for pattern in self.outlets:
            for outlet in outlets:
                if fnmatchcase(outlet.casefold(), pattern.casefold()):
                    return f"outlet {pattern}"
        url = meta.get("url", "")
        for pattern in self.urls:
            if url and fnmatchcase(url, pattern):
                return f"url {pattern}"
        return None

    def to_dict(self) -> dict[str, list[str]]:
        return {"ids": list(self.ids), "outlets": list(self.outlets), "urls": list(self.urls)}


def parse_rule(rule: str) -> tuple[str, str] | None:
    """`id:PATTERN`, `outlet:PATTERN` or `url:PATTERN` (the `--allow` option) as (kind, pattern); None if malformed."""
    kind, sep, pattern = rule.partition(":")
    plural = {"id": "ids", "outlet": "outlets", "url": "urls"}.get(kind.strip())
    if not sep or plural is None or not pattern.strip():
        return None
    return plural, pattern.strip()
