"""Extraction never fetches: with every socket operation blocked and recorded, pages that point at remote
stylesheets, images, frames, scripts, a base URL and a meta refresh are extracted and compared as usual, and no
connection is ever attempted."""

from __future__ import annotations

import json
import socket

import pytest

from provenance.testing import run_cli

PAGE = """<!DOCTYPE html><html><head><base href="https://cdn.example/">
<meta http-equiv="refresh" content="0; url=https://elsewhere.example/">
<link rel="stylesheet" href="https://cdn.example/site.css"><link rel="preload" href="//cdn.example/font.woff2">
<script src="https://tracker.example/t.js"></script><title>Library hours to change</title></head>
<body><img src="https://images.example/photo.jpg" srcset="https://images.example/2x.jpg 2x">
<iframe src="https://ads.example/frame"></iframe><article><h1>Library hours to change</h1>
<p>The central library will open on Sundays from next month, the council said on Tuesday, after a petition
signed by more than four thousand residents.</p>
<p>Opening hours on weekdays will not change, and the extra day will be staffed by volunteers and two new
part-time librarians funded by a local trust.</p>
<video src="https://media.example/clip.mp4" poster="https://media.example/poster.jpg"></video></article></body></html>
"""


@pytest.fixture
def no_network(monkeypatch):
    attempts: list[str] = []

    def refuse(name):
        def blocked(*args, **kwargs):
            attempts.append(f"{name}{args[1:] if name.startswith('socket.') else args}")
            raise OSError("network access is blocked in this test")

        return blocked

    monkeypatch.setattr(socket.socket, "connect", refuse("socket.connect"))
    monkeypatch.setattr(socket.socket, "connect_ex", refuse("socket.connect_ex"))
    monkeypatch.setattr(socket, "create_connection", refuse("create_connection"))
    monkeypatch.setattr(socket, "getaddrinfo", refuse("getaddrinfo"))
    return attempts


def test_html_with_remote_resources_is_extracted_offline(tmp_path, no_network):
    page = tmp_path / "page.html"
    page.write_text(PAGE, encoding="utf-8")
    source = tmp_path / "source.txt"
    source.write_text(
        "Library hours to change\n\nThe central library will open on Sundays from next month, the "
        "council said on Tuesday, after a petition signed by more than four thousand residents.\n",
        encoding="utf-8",
    )
    r = run_cli(["compare", str(source), str(page), "-f", "json"])
    assert r.exit_code == 0, r.stderr
    doc = json.loads(r.stdout)
    relations = [p["relation"] for p in doc["paragraphs"]]
    assert relations[1:] == ["copy", "added"] and relations[0] in (
        "copy",
        "rewrite",
    )  # the headline, then body
    for fmt in ("html", "markdown", "sarif"):
        assert run_cli(["compare", str(source), str(page), "-f", fmt]).exit_code == 0
    assert no_network == []


def test_the_block_itself_works(no_network):
    """The fixture would notice a fetch: a plain connection attempt is refused and recorded."""
    with pytest.raises(OSError):
        socket.create_connection(("example.org", 80), timeout=1)
    assert no_network
