"""``sitrep parse``: what the parser makes of a post, readable or as the JSON-lines contract."""

from __future__ import annotations

import argparse
import io
import json
import sys
from typing import TextIO

from bot.parsing import parse
from storage.models import CHANNEL_KINDS


def _emit(stdout: TextIO, obj: dict[str, object]) -> None:
    try:
        stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    except UnicodeEncodeError:  # a lone surrogate from a "\\ud800" escape: write it escaped
        stdout.write(json.dumps(obj) + "\n")


def _post_error(post: object) -> str | None:
    """Why one ``--jsonl`` input is not a post the contract describes, or None when it is."""
    if not isinstance(post, dict):
        return f"expected a JSON object, got {type(post).__name__}"
    if not isinstance(post.get("text"), str):
        return "'text' must be a string"
    kind = post.get("source_kind")
    if kind is not None and not isinstance(kind, str):
        return "'source_kind' must be a string"
    region = post.get("default_region")
    if region is not None and not isinstance(region, str):
        return "'default_region' must be a string"
    if region:
        from bot.geo.regions import REGIONS

        if region != "UA" and region not in REGIONS:
            return f"'default_region' is no region code: {region[:20]!r}"
    return None


def _parse_jsonl(stdin: TextIO, stdout: TextIO) -> int:
    """``sitrep parse --jsonl``: one JSON object per input line, one result line per input line.

    A malformed line (not JSON, not an object, a wrong-typed field, an unknown region) gets its
    own line with an ``error`` field and the run goes on; so does a line the parser fails on.
    An unknown ``source_kind`` string is read as none: the text still says what happened.
    """
    for lineno, line in enumerate(stdin, 1):
        if not line.strip():
            continue
        try:
            post = json.loads(line)
        except (ValueError, RecursionError) as exc:
            _emit(stdout, {"id": None, "events": [], "error": f"line {lineno}: not JSON: {exc}"})
            continue
        ident = post.get("id") if isinstance(post, dict) else None
        problem = _post_error(post)
        if problem is not None:
            _emit(stdout, {"id": ident, "events": [], "error": f"line {lineno}: {problem}"})
            continue
        kind = post.get("source_kind") or None
        try:
            events = parse(
                post["text"],
                source_kind=kind if kind in CHANNEL_KINDS else None,
                default_region=post.get("default_region") or None,
            )
        except Exception as exc:  # one bad post must not end the run
            error = f"line {lineno}: parser failed: {type(exc).__name__}"
            _emit(stdout, {"id": ident, "events": [], "error": error})
            continue
        _emit(stdout, {"id": ident, "events": [e.to_json() for e in events]})
    return 0


def _parse_text(text: str, source_kind: str | None, region: str | None, stdout: TextIO) -> int:
    events = parse(text, source_kind=source_kind, default_region=region)
    if not events:
        stdout.write("No events: nothing in this post is an alert, attack, outage or delay.\n")
    for e in events:
        stdout.write(f"• {e.summary}\n")
        if e.places:
            stdout.write(
                "    places: " + ", ".join(f"{p.name_uk} ({p.region})" for p in e.places) + "\n"
            )
        if e.weapons:
            stdout.write("    weapons: " + ", ".join(e.weapons) + "\n")
    return 0


def cmd_parse(args: argparse.Namespace) -> int:
    if args.jsonl:
        if isinstance(sys.stdin, io.TextIOWrapper):
            sys.stdin.reconfigure(errors="replace")  # bytes that are not UTF-8 spoil one line only
        return _parse_jsonl(sys.stdin, sys.stdout)
    text = " ".join(args.text) if args.text else sys.stdin.read()
    return _parse_text(text, args.source_kind, args.region, sys.stdout)


def parse_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("text", nargs="*", help="the post's text (default: read stdin)")
    p.add_argument(
        "--jsonl",
        action="store_true",
        help="read JSON lines {id, text, source_kind?, default_region?}",
    )
    p.add_argument("--source-kind", choices=CHANNEL_KINDS)
    p.add_argument("--region", help="the channel's default region, an ISO code such as UA-74")
    p.set_defaults(func=cmd_parse)
