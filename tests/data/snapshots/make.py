"""Writes the snapshot tests' inputs (baseline.jsonl, candidate.jsonl): a few dozen short
conversations with every case a renderer has to show. Standard library only; the output is
the same on every run. Run from the repository root: python3 tests/data/snapshots/make.py
"""

import json
from pathlib import Path

HERE = Path(__file__).parent

# What a conversation does, as (role, text) pairs.
HEALTHY = [
    ("customer", "where is my parcel"),
    ("bot", "Your parcel is with the courier and arrives tomorrow before noon."),
    ("customer", "great, thanks!"),
]
FALLBACK = [
    ("customer", "my card was declined at the shop"),
    ("bot", "Sorry, I didn't understand that."),
    ("customer", "get me a human please"),
]
# A long bot answer given three times: a loop, and longer than every clip width (90 and 120).
LONG = ("To change a delivery address, open Orders, choose the order, tap Delivery details "
        "and pick a new address before the parcel is dispatched from our warehouse.")
LOOP = [
    ("customer", "I need to change the delivery address"),
    ("bot", LONG),
    ("customer", "it is already dispatched, what now?"),
    ("bot", LONG),
    ("customer", "that does not help, it left the warehouse"),
    ("bot", LONG),
    ("customer", "useless"),
]
# A second loop, only in the candidate (the release diff's "new loops"), also clipped.
NEW_LOOP_ANSWER = ("You can track every order from the Orders page in the app or on the website; "
                   "a parcel marked delivered is usually with a neighbour or in a safe place.")
NEW_LOOP = [
    ("customer", "my order never came"),
    ("bot", NEW_LOOP_ANSWER),
    ("customer", "it says delivered but it is not here"),
    ("bot", NEW_LOOP_ANSWER),
    ("customer", "you keep saying that"),
    ("bot", NEW_LOOP_ANSWER),
]
# Redaction shows in every format: the address must never appear as written.
PII = [
    ("customer", "please email the receipt to jo.bloggs@example.com"),
    ("bot", "Sorry, I didn't understand that."),
    ("customer", "can I talk to a person"),
]

# (category, (baseline kind, CSAT), (candidate kind, CSAT)): 37 conversations, the same ids
# on both sides.
#   billing      10, 4 need a human  (40%: route to humans); all 10 in the candidate
#   delivery     12, 3 need a human  (25%: human review, one of them a loop); one fixed
#   orders       12, 1 needs a human (8%: bot ok); the candidate loops on two
#   card | lost   3, 2 need a human  (too few: insufficient data; a pipe in the name)
PLAN = (
    [("billing", ("pii", 1), ("pii", 1))]
    + [("billing", ("fallback", 1), ("fallback", 1))] * 3
    + [("billing", ("healthy", 4), ("fallback", 2))] * 2
    + [("billing", ("healthy", None), ("fallback", None))] * 2
    + [("billing", ("healthy", 5), ("fallback", 1))] * 2
    + [("delivery", ("loop", 1), ("loop", 1))]
    + [("delivery", ("fallback", None), ("healthy", 4))]
    + [("delivery", ("fallback", 2), ("fallback", 2))]
    + [("delivery", ("healthy", 4), ("healthy", 4))] * 4
    + [("delivery", ("healthy", None), ("healthy", None))] * 5
    + [("orders", ("fallback", 1), ("fallback", 1))]
    + [("orders", ("healthy", 5), ("new_loop", 3))] * 2
    + [("orders", ("healthy", 5), ("healthy", 5))] * 4
    + [("orders", ("healthy", None), ("healthy", None))] * 5
    + [("card | lost", ("fallback", 1), ("fallback", 1))] * 2
    + [("card | lost", ("healthy", 4), ("healthy", 4))]
)
KINDS = {"healthy": HEALTHY, "fallback": FALLBACK, "loop": LOOP, "new_loop": NEW_LOOP, "pii": PII}


def conversation(i, category, kind, csat):
    c = {"id": f"s-{i + 1:03d}", "category": category}
    # Two ISO weeks, 2025-W10 and 2025-W11, for the weekly chart and --compare-periods:
    # billing's problems all fall in the second week with one healthy conversation (5 and
    # 5: a flagged rise), the rest alternate.
    # The last conversation has no start time (an undated one).
    if i < len(PLAN) - 1:
        week = (PLAN[i][1][0] != "healthy" or i == 9) if category == "billing" else i % 2
        day = 3 + 7 * week + i % 7
        c["started_at"] = f"2025-03-{day:02d}T{9 + i % 8:02d}:00:00Z"
    if csat is not None:
        c["csat"] = csat
    c["messages"] = [{"role": r, "text": t} for r, t in KINDS[kind]]
    return json.dumps(c, ensure_ascii=False)


def write(name, side, extra=()):
    lines = [conversation(i, p[0], *p[side]) for i, p in enumerate(PLAN)]
    (HERE / name).write_text("\n".join([*lines, *extra]) + "\n", encoding="utf-8")


# The baseline also has a line that is not JSON (a skipped record, with its location).
write("baseline.jsonl", 1, ['{"id": "s-bad", "messages": ['])
write("candidate.jsonl", 2)
