"""The name rules on their own: which credited names are the source, which are outlets, which are neither."""

from __future__ import annotations

import pytest

from provenance_attribution.names import brand_of, build_identity, host_of, normalize, outlet_in


@pytest.mark.parametrize(
    "text,outlet",
    [
        ("the Marlow Times", "Marlow Times"),
        ("The Daily Courier", "Daily Courier"),
        ("Reuters", "Reuters"),
        ("AP", "AP"),
        ("the Associated Press", "Associated Press"),
        ("Xinhua News Agency", "Xinhua News Agency"),
        ("the Easterby Evening Herald", "Easterby Evening Herald"),
    ],
)
def test_outlet_like_names(text, outlet):
    assert outlet_in(text, cased=True) == outlet


@pytest.mark.parametrize(
    "text",
    [
        "Tymur Tkachenko",
        "the county emergency service",
        "the Environment Agency",
        "the Post Office",
        "a press conference",
        "local news",
        "news reports",
        "police in Marlow Bridge",
        "reporters he would post updates daily",
    ],
)
def test_not_outlets(text):
    assert outlet_in(text, cased=True) is None


def test_lower_case_text_is_judged_by_its_words():
    assert outlet_in("the marlow times", cased=False) == "marlow times"
    assert outlet_in("tymur tkachenko", cased=False) is None


def test_normalize_ignores_case_articles_and_possessives():
    assert normalize("The Hale Valley Wire\u2019s") == normalize("HALE VALLEY WIRE") == "hale valley wire"


def test_hosts_and_brands():
    assert host_of("https://www.HaleValleyWire.example/a/b?c=1") == "halevalleywire.example"
    assert host_of("halevalleywire.example/news") == "halevalleywire.example"
    assert brand_of("news.coastlinecourier.co.uk") == "coastlinecourier"


def test_identity_from_option_and_metadata():
    identity = build_identity(
        "Hale Valley Wire | HVW | halevalleywire.example",
        {
            "sitename": "Hale Valley Wire",
            "author": "Jo Marsh; Staff reporter",
            "url": "https://hvw.example/x",
        },
        ["The library reopened on Saturday."],
    )
    assert [n.label for n in identity.names] == ["Hale Valley Wire", "HVW", "Jo Marsh"]
    assert identity.hosts == ("halevalleywire.example", "hvw.example")
    assert identity.match_name("a story by Jo Marsh") is not None
    assert identity.match_name("#HaleValleyWire") is not None
    assert identity.match_name("Bajo Marshall") is None
    assert identity.match_host("news.halevalleywire.example")
    assert not identity.match_host("marlowtimes.example")


def test_a_byline_quoted_in_the_story_is_not_a_source_name():
    body = ["Head librarian Tymur Tkachenko said 900 came."]
    identity = build_identity("", {"author": "Tymur Tkachenko"}, body)
    assert identity.names == () and not identity.known
