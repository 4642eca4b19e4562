#!/usr/bin/env python3
"""Turn VADER's sentiment lexicon (vaderSentiment 3.3.2, MIT licence) into
the JSON Lines text dataset of examples/finetune-text.

Each lexicon line is `token<TAB>mean<TAB>std<TAB>[ten human ratings]`: ten
raters scored each token from -4 (extremely negative) to +4 (extremely
positive). A token whose mean rating is at least +0.5 is `positive`, at most
-0.5 `negative`; the few in between are left out. Every third token (in
lexicon order) is kept, so the example fine-tunes in well under five
minutes on two cores. Output order and content depend only on the input.

usage: prepare.py VADER_LEXICON OUT.jsonl
"""
import json
import sys


def main() -> None:
    src, dst = sys.argv[1], sys.argv[2]
    kept = 0
    with open(src, encoding="utf-8") as f, open(dst, "w", encoding="utf-8") as out:
        for i, line in enumerate(f):
            fields = line.rstrip("\n").split("\t")
            if len(fields) < 2 or i % 3:
                continue
            token, mean = fields[0], float(fields[1])
            if abs(mean) < 0.5 or not token.strip():
                continue
            label = "positive" if mean > 0 else "negative"
            out.write(json.dumps({"id": f"vader-{i}", "text": token, "label": label}) + "\n")
            kept += 1
    print(f"{dst}: {kept} records", file=sys.stderr)


if __name__ == "__main__":
    main()
