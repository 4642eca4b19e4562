#!/usr/bin/env python3
"""Hold deny.toml's advisory exceptions to their terms.

    scripts/check-advisory-exceptions.py [DENY_TOML] [--today YYYY-MM-DD]

Every entry of [advisories].ignore must be a table with an `id` (a RustSec
or GHSA id) and a `reason` that ends in "(expires YYYY-MM-DD)"; an entry
without one, or past its date, fails (exit 1), so that a shipped dependency
with a known vulnerability is accepted only for a stated reason and a
stated time.
"""
import datetime
import re
import sys
import tomllib

EXPIRY = re.compile(r"\(expires (\d{4}-\d{2}-\d{2})\)$")
ID = re.compile(r"^(RUSTSEC-\d{4}-\d{4}|GHSA(-[23456789cfghjmpqrvwx]{4}){3})$")


def problems(config, today):
    ignore = config.get("advisories", {}).get("ignore", [])
    for n, entry in enumerate(ignore, 1):
        if not isinstance(entry, dict):
            yield f"exception {n} ({entry!r}) is a bare id: give a table with id and reason"
            continue
        ident = entry.get("id", "")
        if not ID.match(str(ident)):
            yield f"exception {n}: id {ident!r} is not a RustSec or GHSA id"
        reason = str(entry.get("reason", "")).strip()
        m = EXPIRY.search(reason)
        if not m or len(reason) <= len(m.group(0)):
            yield f"exception {n} ({ident}): the reason must say why and end in '(expires YYYY-MM-DD)'"
            continue
        try:
            expires = datetime.date.fromisoformat(m.group(1))
        except ValueError:
            yield f"exception {n} ({ident}): {m.group(1)} is not a date"
            continue
        if expires < today:
            yield f"exception {n} ({ident}) expired on {expires}: fix the dependency or renew it with a reason"


def main(argv):
    path, today = "deny.toml", datetime.date.today()
    args = list(argv)
    if "--today" in args:
        i = args.index("--today")
        today = datetime.date.fromisoformat(args[i + 1])
        del args[i : i + 2]
    if args:
        path = args[0]
    with open(path, "rb") as f:
        config = tomllib.load(f)
    found = list(problems(config, today))
    for p in found:
        print(f"{path}: {p}", file=sys.stderr)
    n = len(config.get("advisories", {}).get("ignore", []))
    if not found:
        print(f"{path}: {n} advisory exception(s), each with a reason and a future expiry")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
