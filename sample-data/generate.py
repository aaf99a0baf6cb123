#!/usr/bin/env python3
"""Deterministic synthetic support-chat corpus for `handoff`.

Writes consumer-finance / online-shopping support conversations (a bot called Penny
for the fictional shop-and-pay brand "Kestrel") as JSONL, one conversation per line,
with problems planted at a known, per-category rate, plus:

  * a ground-truth summary (tests/data/sample-truth.json) counted from the conversations actually written,
  * optionally a per-conversation label file (tests/data/sample-labels.jsonl),
  * optionally a small per-message CSV sample (messages.csv) with its own ids (csv-NNN).

Standard library only; everything is driven by one seeded random.Random, so the same
arguments always produce byte-identical files.  Output is streamed line by line, so
--conversations 1000000 runs in constant memory (the distinct-message count is only
kept for runs of at most 200,000 conversations).

    python3 sample-data/generate.py                       # the committed corpus
    python3 sample-data/generate.py --conversations 1000000 \
        --out /tmp/handoff-1m.jsonl --no-truth            # benchmark corpus

Run with --help for every option.  Everything in here is fictional: names, merchants,
card numbers (public Luhn-valid test numbers), IBANs (published example IBANs), phone
numbers (Ofcom drama range / US 555-01xx) and e-mail domains (example.com/.org/.net).
"""

from __future__ import annotations

import argparse
import calendar
import csv
import datetime as _dt
import io
import json
import math
import os
import re
import sys
import time

import random

GENERATOR_VERSION = 1
HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.join(HERE, "transcripts.jsonl")
DEFAULT_CSV = os.path.join(HERE, "messages.csv")
# Ground truth lives with the tests, outside sample-data/, so `handoff audit sample-data/`
# reads only transcripts.
DEFAULT_TRUTH = os.path.join(HERE, "..", "tests", "data", "sample-truth.json")
DEFAULT_LABELS = os.path.join(HERE, "..", "tests", "data", "sample-labels.jsonl")

# ---------------------------------------------------------------------------------------
# Time window: six weeks, 2025-03-03 00:00Z .. 2025-04-13 23:00Z.  Bot 4.1.0 for the first
# three weeks, 4.2.0 from 2025-03-24.
# ---------------------------------------------------------------------------------------
BASE_EPOCH = calendar.timegm((2025, 3, 3, 0, 0, 0))
DAYS = 42
VERSION_SWITCH_EPOCH = calendar.timegm((2025, 3, 24, 0, 0, 0))
VERSIONS = ("4.1.0", "4.2.0")
_DAY_STR = []   # day index (from BASE - 60 days) -> "YYYY-MM-DD"
_DAY_DM = []    # -> (day of month, month name)
_DAY0 = BASE_EPOCH - 60 * 86400
for _i in range(60 + DAYS + 5):
    _d = _dt.datetime.fromtimestamp(_DAY0 + _i * 86400, _dt.timezone.utc)
    _DAY_STR.append(_d.strftime("%Y-%m-%d"))
    _DAY_DM.append((_d.day, _d.strftime("%B")))


def iso(epoch: int) -> str:
    rel = epoch - _DAY0
    d, s = divmod(rel, 86400)
    h, s = divmod(s, 3600)
    m, s = divmod(s, 60)
    return f"{_DAY_STR[d]}T{h:02d}:{m:02d}:{s:02d}Z"


# Within-day traffic shape (per hour 00..22; nothing starts after 23:00 so that every
# message stays inside the window).  Used as an inverse CDF so start times stay monotonic.
_HOUR_WEIGHTS = [1, 0.6, 0.4, 0.3, 0.3, 0.5, 1.2, 2.5, 4.5, 6, 6.5, 6.5, 7, 7, 6.5, 6,
                 6, 6, 6.5, 7, 6.5, 5, 3]
_cum = []
_t = 0.0
for _w in _HOUR_WEIGHTS:
    _t += _w
    _cum.append(_t)
_HOUR_CDF = [c / _t for c in _cum]


def day_fraction_to_seconds(u: float) -> int:
    """Maps u in [0,1) to seconds after midnight following _HOUR_WEIGHTS (monotonic)."""
    lo = 0.0
    for h, c in enumerate(_HOUR_CDF):
        if u < c or h == len(_HOUR_CDF) - 1:
            frac = (u - lo) / (c - lo) if c > lo else 0.0
            return int(h * 3600 + min(max(frac, 0.0), 0.9999) * 3600)
        lo = c
    return 0


# ---------------------------------------------------------------------------------------
# Categories: volume share, target needs-human rate, and the mix of planted scenarios
# among the conversations that need a human.
# ---------------------------------------------------------------------------------------
CATEGORY_ORDER = ["delivery", "payments", "refunds", "account_access", "card", "disputes", "fraud"]
VOLUME = {"delivery": 0.24, "payments": 0.21, "refunds": 0.16, "account_access": 0.13,
          "card": 0.11, "disputes": 0.08, "fraud": 0.07}
TARGET_RATE = {"disputes": 0.55, "fraud": 0.45, "account_access": 0.35, "refunds": 0.28,
               "card": 0.20, "payments": 0.14, "delivery": 0.08}
SCENARIOS = ["escalation", "handoff", "fallback", "loop", "negative", "unanswered",
             "status_only", "low_csat_only"]
SCENARIO_WEIGHTS = {
    #                 esc  hand  fb  loop  neg  unans  status  csat
    "disputes":       [30, 20,   10, 10,   12,  8,     6,      4],
    "fraud":          [25, 35,   10, 4,    8,   10,    5,      3],
    "account_access": [15, 7,    25, 25,   12,  8,     5,      3],
    "refunds":        [18, 8,    12, 18,   22,  12,    6,      4],
    "card":           [18, 10,   28, 10,   14,  10,    6,      4],
    "payments":       [12, 5,    25, 15,   15,  18,    6,      4],
    "delivery":       [12, 5,    15, 20,   15,  25,    5,      3],
}
TEAM = {"payments": "payments", "refunds": "refunds", "disputes": "disputes",
        "account_access": "account security", "delivery": "deliveries", "fraud": "fraud",
        "card": "cards"}

# Keywords that make a first customer message name its category unambiguously.  Only
# openings matching their own category and no other are used when `category` is omitted.
CATEGORY_KEYWORDS = {
    "payments": [r"\bpayments?\b"],
    "refunds": [r"\brefund"],
    "disputes": [r"\bdisput", r"\bchargeback"],
    "account_access": [r"\bpassword", r"\blocked\b", r"\blog ?in\b", r"\b2fa\b",
                       r"\bverification code", r"\bsecurity code", r"\bsign in\b"],
    "delivery": [r"\bparcel", r"\bdeliver", r"\btracking\b", r"\bcourier"],
    "fraud": [r"\bfraud", r"\bscam", r"\bdon't recognise", r"\bdidn't make\b", r"\bhacked\b",
              r"\bsuspicious\b"],
    "card": [r"\blost my card\b", r"\bcard was stolen\b", r"\bpin\b", r"\bfreeze my card\b",
             r"\bunfreeze my card\b", r"\breplacement card\b", r"\bnew card\b",
             r"\bcontactless\b"],
}
_KW_RE = {c: re.compile("|".join(ks), re.I) for c, ks in CATEGORY_KEYWORDS.items()}

# ---------------------------------------------------------------------------------------
# Slot values
# ---------------------------------------------------------------------------------------
MERCHANTS = ["Brightmart", "Northwind Outfitters", "Greenleaf Grocers", "Skyway Travel",
             "Pixelhouse", "StreamBox", "CityCabs", "Urban Threads", "Home & Hearth",
             "Fresh Basket", "Gadget Hub", "Bookworm Books", "FitLife Gym", "Cinema One",
             "Coffee Corner", "Petals Florist", "Harbour Hotels", "Sparrow Shoes",
             "Tidy Home Supplies", "Luma Beauty", "Trackside Rail", "Oakwood Furniture"]
ODD_MERCHANTS = ["QPX*DIGITAL SRV", "WWW.BESTDEALZ-ONLINE", "GLOBALPAY*7781", "TOPUP MOBILE LTD",
                 "FX TRADE 24", "PAYSRV*GAMESHOP", "AMZ-MKTPLACE EU", "SQ *LOCAL VENDOR",
                 "CRYPTOXCHANGE.IO", "INTL SUBSCR 0098"]
ITEMS = ["kettle", "pair of trainers", "winter coat", "phone case", "desk lamp", "blender",
         "headphones", "air fryer", "rucksack", "smart watch", "duvet set", "coffee machine",
         "gaming chair", "tablet", "set of saucepans", "bike helmet", "dress", "jacket",
         "wireless speaker", "printer"]
CARRIERS = {"ParcelGo": "PG", "SwiftPost": "SP", "QuickDrop": "QD", "EverCourier": "EC",
            "HomeRun Logistics": "HR"}
CARRIER_NAMES = list(CARRIERS)
AGENTS = ["Sam", "Priya", "Tom", "Aisha", "Marco", "Chloe", "Dev", "Hannah", "Kofi", "Ines",
          "Liam", "Mei", "Ollie", "Zara", "Ruth", "Jonas"]
CITIES = ["Madrid", "Toronto", "Singapore", "Prague", "Lisbon", "Warsaw", "Denver", "Osaka",
          "Cape Town", "Bucharest"]
COUNTRIES = ["Spain", "France", "Portugal", "the US", "Japan", "Italy", "Greece", "Canada",
             "Thailand", "Mexico"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
DEVICES = ["iPhone", "Android phone", "laptop", "tablet", "work computer"]
ERRORS = ["E-401", "E-1007", "ERR_OTP_EXPIRED", "AUTH-22", "error 503", "code 0x1F"]
LOCALES = [("en-GB", 0.55), ("en-US", 0.28), ("en-IE", 0.11), ("en-AU", 0.06)]
CURRENCY = {"en-GB": "£", "en-US": "$", "en-IE": "€", "en-AU": "A$"}
FIRST = ["jane", "john", "amir", "li", "sophie", "tom", "priya", "marek", "chloe", "daniel",
         "fatima", "oliver", "emma", "noah", "ava", "kwame", "sofia", "ben"]
LAST = ["doe", "smith", "khan", "wong", "brown", "patel", "nowak", "murphy", "garcia", "jones",
        "okafor", "rossi"]
TEST_CARDS = ["4111111111111111", "5500000000000004", "4012888888881881", "5555555555554444",
              "4242424242424242", "378282246310005", "6011111111111117", "5105105105105100",
              "4000056655665556"]
IBANS = ["GB82 WEST 1234 5698 7654 32", "GB33 BUKB 2020 1555 5555 55",
         "DE89 3704 0044 0532 0130 00", "IE29 AIBK 9311 5212 3456 78",
         "FR14 2004 1010 0505 0001 3M02 606", "NL91 ABNA 0417 1643 00"]


def _luhn_ok(num: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(num)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


assert all(_luhn_ok(c) for c in TEST_CARDS)


class Ctx(dict):
    """Per-conversation slot values, created lazily on first use so every slot stays
    consistent within one conversation (the same order number everywhere)."""

    def __init__(self, rng, cat, locale, start):
        super().__init__()
        self.rng = rng
        self.locale = locale
        self.start = start
        self["cur"] = CURRENCY[locale]
        self["team"] = TEAM[cat]

    def __missing__(self, key):
        v = _SLOTS[key](self, self.rng)
        self[key] = v
        return v


def _money(ctx, rng, lo, hi):
    v = math.exp(rng.uniform(math.log(lo), math.log(hi)))
    if rng.random() < 0.2:
        return f"{ctx['cur']}{int(v)}"
    return f"{ctx['cur']}{v:,.2f}"


def _date(ctx, rng):
    d = (ctx.start - _DAY0) // 86400 - rng.randint(1, 20)
    dom, mon = _DAY_DM[d]
    return f"{mon} {dom}" if ctx.locale == "en-US" else f"{dom} {mon}"


def _order(ctx, rng):
    r = rng.random()
    if r < 0.5:
        return f"KS-{rng.randrange(100000, 999999)}"
    if r < 0.75:
        return f"#{rng.randrange(10000000, 99999999)}"
    return f"KS{rng.randrange(1000000, 9999999)}"


def _email(ctx, rng):
    if rng.random() < 0.1:
        return "jane.doe@example.com"
    f, l = rng.choice(FIRST), rng.choice(LAST)
    r = rng.random()
    if r < 0.5:
        return f"{f}.{l}@example.com"
    if r < 0.8:
        return f"{f}{l}{rng.randrange(10, 99)}@example.org"
    return f"{f[0]}{l}@example.net"


def _phone(ctx, rng):
    if ctx.locale == "en-US" or rng.random() < 0.15:
        r = rng.random()
        n = rng.randrange(1000, 9999)
        if r < 0.5:
            return f"(555) 010-{n}"
        if r < 0.75:
            return f"555-010-{n}"
        return f"+1 555 010 {n}"
    n = rng.randrange(100, 999)
    r = rng.random()
    if r < 0.5:
        return f"+44 7700 900{n}"
    if r < 0.85:
        return f"07700 900{n}"
    return f"+447700900{n}"


def _pan(ctx, rng):
    c = rng.choice(TEST_CARDS)
    sep = rng.choice([" ", " ", "-", ""])
    if len(c) == 15:
        return sep.join([c[:4], c[4:10], c[10:]])
    return sep.join([c[0:4], c[4:8], c[8:12], c[12:16]])


def _iban(ctx, rng):
    i = rng.choice(IBANS)
    return i if rng.random() < 0.75 else i.replace(" ", "")


def _time(ctx, rng):
    h, m = rng.randint(8, 20), rng.randrange(60)
    if ctx.locale == "en-US":
        return f"{(h - 1) % 12 + 1}:{m:02d}{'am' if h < 12 else 'pm'}"
    return f"{h}:{m:02d}"


_SLOTS = {
    "amount": lambda c, r: _money(c, r, 4, 900),
    "amount_small": lambda c, r: _money(c, r, 2, 40),
    "merchant": lambda c, r: r.choice(MERCHANTS),
    "merchant_odd": lambda c, r: r.choice(ODD_MERCHANTS),
    "order": _order,
    "carrier": lambda c, r: r.choice(CARRIER_NAMES),
    "tracking": lambda c, r: f"{CARRIERS[c['carrier']]}{r.randrange(100000000, 999999999)}GB",
    "card4": lambda c, r: f"{r.randrange(10000):04d}",
    "phone4": lambda c, r: f"{r.randrange(10000):04d}",
    "code": lambda c, r: f"{r.randrange(1000000):06d}",
    "date": _date,
    "weekday": lambda c, r: r.choice(WEEKDAYS),
    "days": lambda c, r: str(r.randint(3, 21)),
    "n": lambda c, r: str(r.randint(2, 7)),
    "item": lambda c, r: r.choice(ITEMS),
    "city": lambda c, r: r.choice(CITIES),
    "country": lambda c, r: r.choice(COUNTRIES),
    "device": lambda c, r: r.choice(DEVICES),
    "err": lambda c, r: r.choice(ERRORS),
    "ref": lambda c, r: f"DSP-{r.randrange(100000, 999999)}",
    "fcase": lambda c, r: f"FR-{r.randrange(100000, 999999)}",
    "ticket": lambda c, r: f"T-{r.randrange(1000000, 9999999)}",
    "agent": lambda c, r: r.choice(AGENTS),
    "time": _time,
    "email": _email,
    "phone": _phone,
    "pan": _pan,
    "iban": _iban,
    "month": lambda c, r: _DAY_DM[(c.start - _DAY0) // 86400 - 25][1],
}

# ---------------------------------------------------------------------------------------
# Category content: intents (customer openings + bot answers), clarify exchanges,
# follow-up Q&A pairs, agent resolutions.
# ---------------------------------------------------------------------------------------
CLARIFY = {
    "txn": (["Can you tell me the amount and the merchant so I can find the payment?",
             "Sure, which payment is this about? The merchant name and the amount would help.",
             "I can look into that. Roughly when was it, and how much was it for?"],
            ["it was {amount} at {merchant}", "{merchant}, {amount}, on {date}",
             "about {amount}, yesterday afternoon", "{amount} to {merchant} on {weekday}",
             "it's the {merchant} one, {amount}", "{merchant} on {date}, card ending {card4}",
             "{amount} i think, at {merchant}", "the {amount} one from {date}",
             "it shows as \"{merchant}\" on my statement, {amount}"]),
    "order": (["Could you share the order number? You'll find it in your confirmation email.",
               "What's the order number? It's at the top of your confirmation email.",
               "Happy to check. Which order is it?"],
              ["order number is {order}", "{order}", "it's {order}", "the order is {order}",
               "{order} I think", "sure, {order}", "it should be {order}",
               "{order}, placed on {date}", "the email says \"your order {order} is confirmed\""]),
    "ref": (["Do you have the case reference? It starts with DSP.",
             "Could you give me the dispute reference from your email?"],
            ["it's {ref}", "{ref}", "reference {ref}", "case number is {ref}",
             "{ref} I think", "the email says {ref}"]),
    "device": (["Are you using the app or the website?",
                "Which device are you trying to get in on?"],
               ["the app, on my {device}", "website on my {device}", "the app",
                "my {device}", "browser on my {device}", "both tbh, app and website"]),
    "fraudtxn": (["Which payment don't you recognise? Tell me the amount and the date, please.",
                  "Can you tell me the amount and the name shown on the transaction?"],
                 ["{amount} on {date}", "{merchant_odd}, {amount}",
                  "the one for {amount} to {merchant_odd}", "{amount} yesterday, {merchant_odd}",
                  "it says \"{merchant_odd}\", {amount}", "{amount}, the name is \"{merchant_odd}\""]),
    "card4": (["Which card is it? The last four digits are enough.",
               "Can you confirm the last four digits of the card?"],
              ["ending {card4}", "{card4}", "it ends in {card4}", "last 4 are {card4}",
               "the one ending {card4}"]),
}

CLARIFY_SLOTS = {"txn": ["{amount}"], "order": ["{order}"], "ref": ["{ref}"], "device": [],
                 "fraudtxn": ["{amount}"], "card4": []}

CATS = {
    "payments": {
        "intents": [
            {"ask": "txn",
             "open": ["my card was declined at {merchant}",
                      "my payment to {merchant} keeps getting declined",
                      "tried to pay {amount} at {merchant} and the payment failed",
                      "why does my payment keep failing at checkout?",
                      "the payment for my order won't go through, it says \"try again later\"",
                      "checkout says \"payment declined\" but I have money in my account",
                      "I can't pay for my basket, it just says the payment was unsuccessful",
                      "card got declined online twice today when paying {merchant}",
                      "every time I try to pay {amount} it bounces back",
                      "payment failed on the website, what's going on",
                      "my card keeps getting rejected at {merchant}",
                      "I'm trying to buy something for {amount} and it keeps saying declined"],
             "answer": ["Payments are usually declined when the billing address doesn't match, the card has expired, or a security check is needed. Please check the details in Wallet > Cards and try again; if a check is needed you'll get a notification in the app to approve it.",
                        "I can see a declined attempt of {amount} at {merchant}. It was stopped by our automatic security check, and I've now marked it as genuine, so if you try again in a couple of minutes it should go through.",
                        "A decline at {merchant} is often caused by 3D Secure timing out. Try the payment again and keep the app open so you can approve the request when it pops up; it expires after five minutes."]},
            {"ask": "txn",
             "open": ["I've been charged twice for the same order",
                      "there are two payments of {amount} to {merchant} on my statement",
                      "{merchant} took the payment twice",
                      "looks like I paid twice for order {order}",
                      "duplicate payment showing for {amount}, only bought one thing",
                      "why have I got 2 identical payments to {merchant}",
                      "I see the same payment twice on my account"],
             "answer": ["I can see two transactions of {amount} to {merchant}. One of them is a pending authorisation that was never collected, and it will drop off automatically within 3-5 working days, so you'll only pay once.",
                        "The second {amount} entry is a pre-authorisation hold from {merchant}, not a real payment. Holds like this are released by the merchant, usually within 5 working days, and you won't be charged twice."]},
            {"ask": "txn",
             "open": ["my payment to {merchant} has been pending for {days} days",
                      "money has left my account but {merchant} says they haven't received the payment",
                      "payment stuck on processing, has it gone through or not",
                      "why is my payment of {amount} still showing as pending?",
                      "transfer to {merchant} says pending since {weekday}",
                      "{merchant} say my payment never arrived but it's gone from my balance"],
             "answer": ["Pending payments are waiting for {merchant} to collect them. Most are completed within 2 working days; if {merchant} doesn't collect the {amount} within 7 days it's automatically returned to your balance.",
                        "Your {amount} payment to {merchant} left us on {date} and is with their bank now. Merchants can take up to 48 hours to mark an order as paid, so it's worth checking your order page again tomorrow."]},
            {"ask": None,
             "open": ["how do I change my payment method",
                      "I want to add a new card for payments",
                      "can I pay by bank transfer instead of card?",
                      "how do I remove an old card from my account, I want to use a different payment method",
                      "can I change which card my subscription payment comes from",
                      "is it possible to set a default payment method?"],
             "answer": ["You can change your payment method in the app: go to Account > Payment methods, tap Add, enter the new card details and then tap Make default. Future payments will use the new card.",
                        "To switch how you pay, open Account > Payment methods. Bank transfer is available for orders over {cur}50, and you can remove an old card by swiping left on it."]},
            {"ask": "order",
             "open": ["can I split a payment into instalments",
                      "how does pay in 3 work?",
                      "is it possible to spread the cost of {amount} over a few months",
                      "I want to set up an instalment plan for order {order}",
                      "can I pay for order {order} in monthly payments?"],
             "answer": ["Pay in 3 splits purchases between {cur}30 and {cur}2,000 into three interest-free payments. Choose it at checkout; the first payment is taken on the day and the rest a month apart.",
                        "For order {order} you can switch to instalments within 14 days of purchase: open the order, tap Spread the cost, and pick 3 or 6 monthly payments. There's no interest on the 3-month plan."]},
        ],
        "context": ["it's the {merchant} one", "this is the second time this week",
                    "I've got plenty of money in the account", "I'm paying from the app",
                    "it was fine last month", "I need it for a gift", "on my {device}"],
        "followups": [
            (["how long until it's sorted?", "how long will that take", "when will it show up?"],
             ["It normally takes 1-2 working days to show, but it can take up to 5 working days depending on the merchant's bank."]),
            (["can I still use my card in the meantime?", "is my card ok to use meanwhile?"],
             ["Yes, your card can be used as normal while this is processed."]),
            (["will {merchant} know it went through?", "does {merchant} get notified?"],
             ["Yes, {merchant} gets the payment confirmation automatically, so there's nothing you need to send them."]),
        ],
        "agent_fix": ["I've checked with our payments team: the second {amount} charge was a duplicate, and I've reversed it. You'll see it back in your account within 2 working days.",
                      "Thanks for waiting. The {amount} payment to {merchant} was stuck in a manual review; I've released it, and {merchant} should confirm your order shortly.",
                      "I've lifted the temporary block on online payments that was stopping your card. Please try {merchant} again now and it should go through."],
    },
    "refunds": {
        "intents": [
            {"ask": "order",
             "open": ["where is my refund for order {order}?",
                      "still waiting on my refund of {amount}",
                      "I sent the {item} back {days} days ago and haven't had a refund yet",
                      "when will I get my refund",
                      "my refund from {merchant} hasn't come through",
                      "it's been {days} days and no sign of the refund for my return",
                      "the return was accepted but the money isn't back in my account",
                      "I returned my {item}, when do I get the money back?",
                      "how long do refunds take? sent my return on {date}"],
             "answer": ["Your return for order {order} was received on {date} and the refund of {amount} has been approved. Refunds go back to the original payment method and take 3-5 working days to appear.",
                        "I can see the refund of {amount} for order {order} was issued on {date}. Depending on your bank it can take up to 5 working days to show on your statement, so it should be with you by {weekday}.",
                        "Returns are checked within 48 hours of reaching our warehouse. Once it's checked, the refund of {amount} is sent back to your original payment method automatically and you'll get an email."]},
            {"ask": "order",
             "open": ["I want a refund for order {order}",
                      "how do I get a refund for my {item}?",
                      "can I return the {item} and get my money back",
                      "I'd like to request a refund, the {item} is too small",
                      "the {item} I got isn't what I ordered, I want a refund",
                      "please refund my order, I changed my mind",
                      "is it too late to get a refund on something I bought on {date}?",
                      "how do returns work, I want to send back a {item}"],
             "answer": ["You can request a refund within 30 days of delivery. Open order {order}, tap Return or refund, choose a reason and print the free returns label. We'll refund {amount} once the item is back with us.",
                        "I've started a refund request for order {order}. Drop the item at any drop-off point within 14 days using the QR code we've emailed you, and the refund is issued once it's scanned in."]},
            {"ask": "order",
             "open": ["I only got part of my refund back",
                      "refund was {amount_small} but I paid {amount}",
                      "why is my refund less than what I paid?",
                      "you refunded me {amount_small} for order {order}, should be {amount}",
                      "the refund amount is wrong, the email says \"partial refund\"",
                      "got a partial refund, where's the rest?"],
             "answer": ["The refund for order {order} was reduced because the original delivery charge isn't refundable when an item is returned for a change of mind. The remaining {amount_small} was sent back on {date}.",
                        "Part of order {order} was refunded first because the items came back in two parcels. The rest of the refund will be issued as soon as the second one is checked in, usually within 2 working days."]},
            {"ask": None,
             "open": ["will my refund go back to my card?",
                      "can I get my refund as store credit instead",
                      "my old card has expired, where will the refund go?",
                      "can the refund be paid into a different account",
                      "does a refund go back to my bank account or my card",
                      "quick question about refunds to a closed account"],
             "answer": ["Refunds always go back to the original payment method. If that card has expired or been replaced, your bank will still pass the money to your new card automatically, so you don't need to do anything.",
                        "You can choose store credit instead of a refund to your card on the returns page; store credit is added instantly, while card refunds take 3-5 working days."]},
        ],
        "context": ["I returned it on {date}", "I have the receipt", "it was a present",
                    "the return label was scanned", "I paid {amount} for it", "bought it on {date}"],
        "followups": [
            (["how long will the refund take?", "when will I see the money", "how long does it take to reach my account?"],
             ["Refunds usually reach your account within 3-5 working days of being issued, though some banks take a little longer to show them."]),
            (["will I get an email when it's refunded?", "do you tell me when it's done?"],
             ["Yes, we'll email you the moment the refund is issued, with the amount and the date."]),
            (["do I need to keep the receipt?", "should I keep the returns slip?"],
             ["It's a good idea to keep the drop-off receipt until the refund shows in your account, just in case."]),
        ],
        "agent_fix": ["I've pushed the refund of {amount} for order {order} through manually. It was held because the return wasn't scanned properly, and it'll reach your account within 3 working days.",
                      "I've issued the missing {amount_small} as a goodwill refund and added a note to order {order}. You'll get a confirmation email in the next few minutes.",
                      "I've approved the refund for order {order} as an exception. The {amount} will go back to your card, usually within 3-5 working days."],
    },
    "disputes": {
        "intents": [
            {"ask": "txn",
             "open": ["I want to raise a chargeback against {merchant}",
                      "how do I dispute a transaction?",
                      "I'd like to dispute a payment of {amount} to {merchant}",
                      "need to open a dispute, the merchant won't answer my emails",
                      "can you do a chargeback for me",
                      "how do I start a chargeback for {amount}",
                      "I need to dispute something on my statement, it's listed as \"{merchant_odd}\""],
             "answer": ["You can open a dispute from the transaction itself: tap the {amount} payment to {merchant}, choose Report a problem, then Dispute this payment. You'll need to tell us what happened and upload any emails or receipts.",
                        "To raise a chargeback we first need you to have contacted {merchant} and given them 14 days to respond. If they haven't resolved it, open the payment in Activity and tap Dispute; we'll handle it with their bank."]},
            {"ask": "txn",
             "open": ["{merchant} took my money but never sent anything",
                      "paid {amount} to {merchant} weeks ago, nothing arrived and they've stopped replying",
                      "the seller disappeared after I paid, can I get my money back?",
                      "I paid for a {item} on {date} and never got it, the shop won't respond",
                      "want to dispute a payment to {merchant}, they never sent my order"],
             "answer": ["I'm sorry that happened. As it's been more than 14 days since the payment of {amount}, you can open a dispute: go to the payment in Activity, tap Report a problem and choose I didn't receive my order.",
                        "If {merchant} hasn't delivered and isn't responding, you're covered by our purchase protection. Upload your order confirmation in the dispute form and we'll usually decide within 10 working days."]},
            {"ask": "txn",
             "open": ["{merchant} keeps charging me after I cancelled my subscription",
                      "I cancelled my membership with {merchant} in {month} but they took {amount} again",
                      "recurring payment to {merchant} still going out even though I cancelled",
                      "how do I stop {merchant} taking money every month, I already cancelled with them",
                      "I want to dispute the {amount} {merchant} took after I cancelled"],
             "answer": ["You can stop future payments to {merchant} under Card > Subscriptions; tap the merchant and choose Block future payments. For the {amount} already taken after you cancelled, you can raise a dispute from the transaction.",
                        "I've found the recurring payment to {merchant}. Blocking it in Card > Subscriptions stops it straight away, and if you have their cancellation email you can use it to dispute the last {amount} charge."]},
            {"ask": "ref",
             "open": ["what's happening with my dispute {ref}?",
                      "my chargeback case {ref} has been open for weeks",
                      "any update on the dispute I raised on {date}",
                      "I raised a dispute about {merchant} and haven't heard anything",
                      "is there news on case {ref}",
                      "chargeback status please, opened it on {date}"],
             "answer": ["Dispute {ref} is with {merchant}'s bank, who have 30 days to respond. The latest update was on {date}, when we sent them your evidence; we'll message you as soon as they reply.",
                        "Your case {ref} is still open. We credited a temporary refund of {amount} while it's investigated, and the merchant's bank has until {weekday} next week to respond."]},
            {"ask": "txn",
             "open": ["{merchant} charged me {amount} instead of {amount_small}",
                      "the amount taken by {merchant} is wrong, the receipt says {amount_small}",
                      "I was overcharged at {merchant}, want to dispute the difference",
                      "a restaurant added a tip I didn't agree to, the total came to {amount}",
                      "hotel charged {amount} extra after I checked out, I want to dispute it"],
             "answer": ["If {merchant} charged more than you agreed, ask them for a correction first and keep a copy of your receipt showing {amount_small}. If they don't fix it within 14 days, you can dispute the difference from the transaction screen.",
                        "I can see the {amount} payment to {merchant}. You can dispute just the difference: open the payment, tap Report a problem, choose Wrong amount and enter the {amount_small} you expected to pay."]},
        ],
        "context": ["I've got the emails", "I have screenshots of the order", "it was on {date}",
                    "I contacted them twice already", "it's {amount} so quite a lot",
                    "they promised delivery by {weekday}"],
        "followups": [
            (["how long does a dispute take?", "how long will the investigation take", "when will I know the outcome?"],
             ["Most disputes are decided within 30 days, but if the merchant's bank challenges it, it can take up to 90 days. We'll keep you updated by email."]),
            (["do I get the money back while you investigate?", "will I get a temporary refund?"],
             ["In most cases we credit a temporary refund within 5 working days while the dispute is investigated."]),
            (["what evidence do you need?", "what should I upload?"],
             ["Screenshots of the order, any emails with the merchant and proof that you tried to sort it with them are the most useful."]),
        ],
        "agent_fix": ["I've opened dispute {ref} for the {amount} payment to {merchant} and credited a temporary refund while we investigate. You'll get updates by email as the case progresses.",
                      "I've reviewed case {ref} and sent it to our chargeback team with the evidence you gave. They'll contact {merchant}'s bank today, and you'll hear from us within 10 working days.",
                      "I've blocked future payments to {merchant} and raised a dispute for the last {amount}. The temporary credit will show in your account by tomorrow."],
    },
    "account_access": {
        "intents": [
            {"ask": "device",
             "open": ["my account is locked",
                      "I'm locked out of my account after too many attempts",
                      "it says my account has been locked, what do I do",
                      "locked out again, can you unlock it",
                      "app says account temporarily locked",
                      "tried logging in a few times and now I'm locked out"],
             "answer": ["For security, accounts lock for 30 minutes after five incorrect attempts. After that you can log in again, or tap Forgot password on the login screen to reset it straight away.",
                        "I've sent an unlock link to the email address on your account. It's valid for 24 hours; once you open it, you'll be asked to set a new password and your account will be unlocked."]},
            {"ask": None,
             "open": ["I forgot my password",
                      "password reset email never arrives",
                      "how do I reset my password?",
                      "the reset password link says it's expired",
                      "can't remember my password and the reset link isn't coming through",
                      "need to change my password",
                      "requested a new password {n} times, nothing in my inbox"],
             "answer": ["To reset your password, tap Forgot password on the login screen and enter your email. The link arrives within a few minutes (check your spam folder too) and it's valid for one hour.",
                        "Password reset links expire after 60 minutes for security. I've sent you a fresh link just now; open it on the same device and choose a new password with at least 10 characters."]},
            {"ask": "device",
             "open": ["I'm not getting the 2FA code",
                      "the verification code isn't arriving by text",
                      "changed my phone number and now I can't get the security code",
                      "2FA code keeps saying invalid",
                      "I entered the code {code} and it says it's expired",
                      "no verification text coming through, been waiting {n} minutes",
                      "where do I get the login code from?"],
             "answer": ["Verification codes are sent by text to the number ending {phone4} and expire after 5 minutes. If one doesn't arrive, wait 60 seconds and tap Resend code; requesting several at once makes the earlier ones invalid.",
                        "If you've changed your phone number, you can still log in with a one-time code sent to your email: tap Try another way on the code screen, then update your number under Settings > Security."]},
            {"ask": None,
             "open": ["I need to update the email on my account",
                      "how do I change my login email",
                      "I no longer have access to my old email address, how do I log in?",
                      "can I change my username",
                      "want to switch the email address I sign in with"],
             "answer": ["You can change your email in Settings > Personal details > Email. We'll send a confirmation link to both the old and the new address, and the change takes effect once you confirm from the new one.",
                        "If you can't access your old email, we can verify you with a selfie and photo ID in the app instead. Tap Help > I can't access my email and follow the steps; it usually takes under an hour."]},
            {"ask": "device",
             "open": ["the app logs me out every time I open it",
                      "login page says \"error {err}\"",
                      "I can't log in on my new phone",
                      "keep getting sent back to the login screen",
                      "website won't let me sign in, just spins",
                      "getting {err} when I try to log in"],
             "answer": ["Error {err} usually means the app is out of date. Please update to the latest version from your app store, restart your phone and log in again; your details are saved so nothing will be lost.",
                        "When you move to a new phone you need to verify it once. Log in with your email and password, then approve the new device from the email we send you. After that it'll remember you."]},
        ],
        "context": ["I'm on the {device}", "it was fine yesterday", "I haven't changed anything",
                    "I need to pay a bill today", "I'm abroad at the moment"],
        "followups": [
            (["will I lose my saved cards?", "is my data still there?", "will my payment details still be saved?"],
             ["No, everything stays saved to your account: cards, addresses and order history."]),
            (["how do I stop this happening again?", "any way to avoid this next time?"],
             ["Turning on biometric login in Settings > Security means you won't need to type your password, which avoids most lockouts."]),
            (["does this log me out on my other devices?", "will my tablet stay logged in?"],
             ["Changing your password signs you out everywhere else, so you'll need to log in again on your other devices."]),
        ],
        "agent_fix": ["I've verified your identity and unlocked your account. I've also sent a password reset link to your email, which is valid for the next hour.",
                      "I've removed the old phone number and added your new one, so verification codes will go to the new number from now on. Try logging in again now.",
                      "I've cleared the block on your login and reset your trusted devices. You can log in on your {device} now and approve it from the email we send."],
    },
    "delivery": {
        "intents": [
            {"ask": "order",
             "open": ["where is my parcel?",
                      "my order {order} hasn't arrived yet",
                      "tracking hasn't updated in {days} days",
                      "when will my delivery arrive",
                      "order placed on {date} still not here",
                      "parcel was meant to come {weekday}, nothing yet",
                      "is my order on its way? it's {order}",
                      "the tracking just says \"in transit\" since {weekday}",
                      "any idea when my {item} will turn up?",
                      "my delivery is late"],
             "answer": ["Order {order} is with {carrier} under tracking number {tracking}. It was scanned at their local depot this morning and is due to be delivered by {weekday}.",
                        "I've checked order {order}: {carrier} have it and it's out for delivery today. You'll get a text with a one-hour delivery window, and you can follow it live with tracking number {tracking}.",
                        "Your order {order} left our warehouse on {date}. {carrier} deliveries take 3-5 working days, and the tracking page for {tracking} will update once it reaches your local depot."]},
            {"ask": "order",
             "open": ["it says delivered but I haven't got anything",
                      "tracking shows my parcel was delivered but it's not here",
                      "the courier marked it as delivered, nothing at my door",
                      "my order {order} says delivered but I never received it",
                      "got a \"your parcel has been delivered\" text but there's nothing here"],
             "answer": ["{carrier} recorded order {order} as delivered at {time} with a photo at the front door. It's worth checking with neighbours and any safe place; if it doesn't turn up within 24 hours, message us again and we'll send a replacement.",
                        "Sometimes parcels are marked as delivered a little early. {carrier} have confirmed order {order} is on the van, so please wait until 9pm today; if it still hasn't arrived, a replacement will be sent automatically."]},
            {"ask": "order",
             "open": ["can I change the delivery address for order {order}?",
                      "I put the wrong address on my order",
                      "need to send my parcel to my work address instead",
                      "can I get it delivered to a pickup point",
                      "I've moved house, can the delivery go to my new address?"],
             "answer": ["Order {order} hasn't been dispatched yet, so you can still change the address: open the order, tap Edit delivery and enter the new address. Changes are possible until it's packed, usually within 2 hours of ordering.",
                        "As order {order} is already with {carrier}, you can redirect it on their tracking page using tracking number {tracking}. Choose Deliver somewhere else and pick a nearby parcel locker or a neighbour."]},
            {"ask": "order",
             "open": ["can I choose a delivery day?",
                      "will my order arrive before {weekday}",
                      "I'm away until {weekday}, can the delivery wait",
                      "is there a way to get next day delivery",
                      "can the courier come in the evening?"],
             "answer": ["You can pick a delivery day on the {carrier} tracking page for {tracking}: tap Change delivery day and choose any date in the next 7 days. You'll get a confirmation text once it's updated.",
                        "Next day delivery is available on orders placed before 9pm for {cur}4.99. For order {order}, standard delivery is due on {weekday}, and you can ask {carrier} to hold it at the depot for up to 7 days."]},
            {"ask": "order",
             "open": ["my parcel arrived damaged",
                      "box was crushed and the {item} inside is broken",
                      "the {item} arrived smashed",
                      "delivery came today but the {item} is damaged",
                      "the {item} in my delivery has a big crack in it"],
             "answer": ["I'm sorry it arrived damaged. I've logged a damaged item report for order {order}; you'll get an email with a link to upload two photos, and once they're in we'll send a replacement {item} free of charge.",
                        "Thanks for letting us know. For order {order} you don't need to send the damaged {item} back; just upload a photo on the order page under Report a problem and we'll refund or replace it, whichever you choose."]},
        ],
        "context": ["I ordered it on {date}", "it's a birthday present", "I paid for express",
                    "I've been in all day", "it's quite a big box", "I need it by {weekday}"],
        "followups": [
            (["can I track it live?", "is there live tracking?", "can I see where the van is?"],
             ["Yes, on the day of delivery the {carrier} tracking page shows the van on a map and an estimated arrival time."]),
            (["what if I'm not in?", "what happens if nobody's home", "I might be out, what then"],
             ["If you're out, {carrier} will leave it in your safe place or with a neighbour, or take it to the nearest pickup point and leave a card."]),
            (["do I need to sign for it?", "will they need a signature?"],
             ["No signature is needed for this order; {carrier} will take a photo when they drop it off."]),
        ],
        "agent_fix": ["I've spoken to {carrier} and they've confirmed the parcel was left at the wrong address. I've arranged a replacement for order {order}, which will arrive by {weekday}.",
                      "I've opened an investigation with {carrier} for tracking number {tracking} and sent out a replacement on next day delivery, so you don't have to wait for the outcome.",
                      "I've updated the delivery address on order {order} with {carrier} directly. It'll go to the new address on {weekday}."],
    },
    "fraud": {
        "intents": [
            {"ask": "fraudtxn",
             "open": ["there's a transaction I don't recognise",
                      "{amount} to {merchant_odd} that wasn't me",
                      "I've got a payment on my account I didn't make",
                      "my card has been used without my permission, there's a charge for {amount} from {merchant_odd}",
                      "suspicious payment on my statement, {merchant_odd}",
                      "I don't recognise a payment of {amount} from {date}",
                      "there are three small payments I didn't make, is this fraud?"],
             "answer": ["I've frozen your card ending {card4} so no further payments can be made. The {amount} payment to {merchant_odd} is now reported as fraud, and we'll send a replacement card within 3-5 working days.",
                        "Thanks for flagging this. {merchant_odd} is the billing name some online shops use, so please check your recent orders first; if you still don't recognise the {amount} payment, tap it in Activity and choose I don't recognise this."]},
            {"ask": None,
             "open": ["I got a text saying my account is suspended and asking me to click a link",
                      "I think I gave my details to a scam website",
                      "got an email from you asking for my card details, is it real?",
                      "a caller claiming to be from the bank asked me for a code",
                      "I clicked a link in a text about a parcel fee and entered my card",
                      "is this message a scam? it says \"your account will be closed unless you pay {amount_small}\""],
             "answer": ["That message isn't from us: we never ask for your password, PIN or full card number by text or email. Don't click the link; forward it to 7726 and delete it. If you entered any details, tell me and I'll freeze your card.",
                        "I've frozen your card ending {card4} as a precaution and ordered a replacement. As you shared details on that site, please change your password now, and we'll monitor your account closely for the next 30 days."]},
            {"ask": None,
             "open": ["the email on my account was changed and it wasn't me",
                      "got an alert about a login from {city} that wasn't me",
                      "I think my account has been hacked",
                      "a new device was added to my account and it wasn't me",
                      "suspicious login from {city} last night"],
             "answer": ["I've signed out every device from your account and blocked the login from {city}. Please set a new password now and turn on two-step verification in Settings > Security so it can't happen again.",
                        "Your account is now in protected mode: no payments or changes can be made until you verify yourself with photo ID in the app. Once verified, you can set a new password and review recent activity."]},
            {"ask": "fraudtxn",
             "open": ["I sent {amount} to a seller who turned out to be a scammer",
                      "I think I've been scammed, I paid {amount} for a {item} on a marketplace and the seller vanished",
                      "I transferred money after a call from a fake police officer",
                      "paid a deposit of {amount} for a flat and now the landlord doesn't exist",
                      "I've been the victim of fraud, sent {amount} to a fake investment"],
             "answer": ["I'm sorry this happened. I've logged a scam report for the {amount} payment and asked the receiving bank to freeze the funds. You'll get an update by email within {n} working days; please also report it to Action Fraud.",
                        "Thanks for telling us quickly. I've contacted the bank that received your {amount} and opened fraud case {fcase}. We'll let you know within 15 working days whether the money can be recovered."]},
        ],
        "context": ["it happened last night", "I still have my card with me",
                    "I'm really worried", "my partner uses the same account",
                    "I noticed it this morning"],
        "followups": [
            (["will I get the money back?", "do I get my money back?", "is the money gone?"],
             ["Because you reported it quickly, you're protected: unauthorised payments are refunded, usually within 5 working days once the case is checked."]),
            (["how do I pay for things until the new card comes?", "can I still pay for things today?"],
             ["You can use your virtual card in the app straight away for online and phone payments; the number is shown under Card > Virtual card."]),
            (["should I change my password too?", "what else should I update to be safe?"],
             ["Yes, please change your password and check that the email and phone number on your account are still yours."]),
        ],
        "agent_fix": ["I've blocked your card ending {card4}, cancelled the {amount} payment as fraud and ordered a new card. The money will be back in your account within 5 working days.",
                      "I've secured your account, removed the unknown device and opened fraud case {fcase}. You'll need to set a new password when you next log in.",
                      "I've flagged the receiving account and submitted a recovery request for your {amount}. Case {fcase} is open, and we'll update you within 15 working days."],
    },
    "card": {
        "intents": [
            {"ask": "card4",
             "open": ["I've lost my card",
                      "my card was stolen",
                      "left my card in a taxi last night",
                      "can't find my card anywhere",
                      "my wallet was stolen with my card in it",
                      "I think I dropped my card at {merchant}",
                      "I think I lost my card on the train"],
             "answer": ["I've cancelled your card ending {card4} so nobody else can use it, and a replacement is on its way to your home address; it should arrive in 3-5 working days. Your card details in the app update automatically.",
                        "Your card ending {card4} is now frozen. If you find it, you can unfreeze it in Card settings; if not, tap Replace card and we'll send a new one free of charge within 5 working days."]},
            {"ask": None,
             "open": ["how do I freeze my card",
                      "want to unfreeze my card",
                      "can I temporarily block my card",
                      "is there a way to lock my card for online payments only",
                      "my son has my card, can I pause it for a bit?"],
             "answer": ["To freeze your card, open the app, tap Card and switch on Freeze card. While it's frozen, payments and cash withdrawals are blocked, and you can unfreeze it at any time with the same switch.",
                        "You can block just online payments under Card > Security > Online payments. Contactless and chip-and-PIN payments will still go through, and you can switch it back on whenever you like."]},
            {"ask": "card4",
             "open": ["my new card hasn't arrived",
                      "the chip on my card is damaged",
                      "card is snapped in half, need a new one",
                      "when does my replacement card arrive?",
                      "my card expires next month, will I get a new one automatically",
                      "the magnetic strip on my card is worn out"],
             "answer": ["Your replacement card ending {card4} was posted on {date} and usually arrives within 5 working days. If it hasn't arrived by {weekday}, tap Card > Report not received and we'll send another one.",
                        "New cards are sent automatically about 4 weeks before your current card expires. You'll receive it at your home address, and you can start using it as soon as you activate it in the app."]},
            {"ask": None,
             "open": ["I forgot my PIN",
                      "how do I see my PIN in the app?",
                      "my PIN is blocked after 3 wrong tries",
                      "can I change my PIN",
                      "the cash machine said \"incorrect PIN\" but I'm sure it's right"],
             "answer": ["You can view your PIN in the app: tap Card, then Show PIN, and confirm with your fingerprint or passcode. It stays on screen for 10 seconds so nobody can see it over your shoulder.",
                        "If your PIN is blocked after three wrong attempts, tap Card > Unblock PIN in the app. Then use your card with the correct PIN at any cash machine to reset the counter."]},
            {"ask": None,
             "open": ["what's my contactless limit",
                      "can I raise my ATM withdrawal limit",
                      "how much can I take out of a cash machine per day",
                      "the shop asked for my PIN on a contactless payment, why?",
                      "is there a daily spending limit on my card?"],
             "answer": ["Your contactless limit is {cur}100 per payment. After several contactless payments in a row you'll occasionally be asked for your PIN; that's a security check, and it resets the counter.",
                        "The daily cash withdrawal limit is {cur}500. You can raise it to {cur}1,000 for 24 hours under Card > Limits, and it goes back to the normal limit automatically the next day."]},
            {"ask": None,
             "open": ["can I use my card in {country}?",
                      "I'm going to {country} next week, do I need to tell you?",
                      "are there fees for using my card abroad",
                      "will I be charged for taking cash out in {country}",
                      "does my card have foreign transaction fees"],
             "answer": ["You can use your card in {country} without letting us know. Card payments abroad are free, and cash withdrawals are free up to {cur}200 a month, then 2% after that.",
                        "There's no need to tell us before you travel to {country}. We convert payments at the Mastercard rate with no extra fee, so you'll see the exact amount in the app straight away."]},
        ],
        "context": ["I've had it for years", "I'm travelling on {weekday}",
                    "it's my only card", "I use it for everything", "it's the debit card"],
        "followups": [
            (["how long will the new card take?", "when does the new card arrive"],
             ["New cards arrive within 3-5 working days, and your virtual card can be used in the meantime."]),
            (["do I need to update my subscriptions?", "will my direct debits still go out?"],
             ["Direct debits aren't affected, and most subscriptions update to your new card details automatically."]),
            (["can I use Google Pay with it?", "does it work with my phone wallet?"],
             ["Yes, you can add it to your phone wallet from the Card screen in the app with one tap."]),
        ],
        "agent_fix": ["I've cancelled the card ending {card4} and ordered an express replacement, which should arrive tomorrow. Your virtual card is active in the app in the meantime.",
                      "I've unblocked your PIN and reset the attempt counter, so it'll be accepted at the next cash machine you use.",
                      "I've raised your withdrawal limit to {cur}1,000 for the next 24 hours and added a travel note to your account for {country}."],
    },
}

GENERIC_FOLLOWUPS = [
    (["will I get an email about this?", "do I get a confirmation email?", "will you send me something to confirm?", "is there a confirmation I can keep?"],
     ["Yes, we'll send a confirmation to the email address on your account within a few minutes.",
      "You'll get a confirmation by email shortly, and you can also see it in the app under Messages."]),
    (["do I need to do anything else?", "is there anything else I need to do?", "anything else needed from me?"],
     ["Nothing else is needed from you right now. We'll notify you in the app if anything changes.",
      "No, that's everything for now. You're all set."]),
    (["where can I see this in the app?", "where do I check that?", "can I see it in the app"],
     ["In the app, tap Activity and you'll see the latest update at the top.",
      "You can check progress any time in the app under Activity > Updates."]),
    (["is there a fee?", "does that cost anything?", "will I be charged for this?"],
     ["There's no fee for this.", "No, this is free of charge on every account type."]),
]

GREETINGS_BOT = {
    "4.1.0": ["Hi! I'm Penny, Kestrel's virtual assistant. What can I help you with today?",
              "Hello, you're chatting with Penny. How can I help?",
              "Hi there 👋 I'm Penny. Ask me about payments, orders, deliveries or your card."],
    "4.2.0": ["Hi, I'm Penny, your Kestrel assistant. Tell me what's up and I'll do my best to sort it.",
              "Welcome to Kestrel support! I'm Penny, the virtual assistant. What do you need help with?",
              "Hey! Penny here, Kestrel's assistant. What can I do for you today?"],
}
CUST_GREETINGS = ["hi", "hello", "hey", "Hi there", "Good morning", "Hello", "hiya", "Evening",
                  "Hey there", "Morning", "Good afternoon", "hi penny", "Hi Penny", "hello?"]
POLITE = ["thanks", "thank you", "can you help?", "any ideas?", "please help",
          "thanks in advance", "cheers", "could you look into it please?", "what should I do?",
          "what can I do?", "help please", "can you check?", "ta"]
MILD_NEG = ["annoying", "so annoying", "bit of a pain", "not ideal", "which is a nuisance",
            "ugh", "grr", "really inconvenient", "a bit stressful tbh"]
GENERIC_CONTEXT = ["I'm on the app", "using the website", "this is the first time this has happened",
                   "it's quite urgent", "need it sorted today if possible", "just noticed this",
                   "I checked the FAQ already", "the app just says \"something went wrong\"",
                   "it keeps saying \"please try again\""]
EMOJI = ["🙂", "🙏", "😕", "😅", "🤔", "😩"]

CONFIRM = ["thanks, that fixed it", "perfect, that worked", "great, sorted", "got it, thank you!",
           "brilliant, all good now", "that's done it, cheers", "amazing, thank you so much",
           "lovely, that's sorted then", "ah that's worked now, thanks", "yep that did it",
           "great stuff, thanks for your help", "all sorted, thank you", "that's perfect, thanks",
           "super, all fine now", "ok that makes sense, thank you", "found it, thanks!",
           "cheers, that's exactly what I needed", "thank you, that's really helpful",
           "fab, thanks", "nice one, sorted", "that's cleared it up, thanks",
           "right, all done now. thank you", "excellent, thanks a lot", "oh great, thank you"]
CONFIRM_SUFFIX = ["", "", "", "", " 🙂", " 👍", "!", " :)", ", have a good day", ", appreciate it"]
ACK = ["ok thanks", "ok", "thanks", "alright", "ok cheers", "fine, thanks", "noted", "ok will do",
       "right ok", "okay", "ok ta", "thx"]
NO_MORE = ["no that's all, thanks", "nope, that's everything", "no thanks", "that's it, cheers",
           "all good thanks", "no, that's all", "nothing else thanks"]
BOT_CLOSE_CONFIRM = ["You're welcome! Is there anything else I can help with?",
                     "Glad that's sorted. Have a great day!", "Happy to help. Take care!",
                     "Great! If anything else comes up, just message me here.",
                     "No problem at all, have a lovely day.",
                     "Brilliant. I'll close this chat now, but you can message me any time.",
                     "Perfect, glad I could help! 😊", "You're very welcome."]
BOT_CLOSE_ACK = ["You're welcome!", "No problem. Have a good day!", "Anytime, take care.",
                 "Glad I could help."]
BOT_ANYTHING_ELSE = ["Is there anything else I can help you with today?",
                     "Anything else I can do for you?",
                     "Can I help with anything else?"]
BOT_BYE = ["Great, have a lovely day!", "Thanks for chatting with Penny. Bye for now!",
           "Take care!", "Have a good one!"]

ESCALATION_CORE = ["can I talk to a human", "I want to speak to a real person", "get me an agent",
                   "connect me to a representative", "is there a live agent",
                   "let me speak to someone", "human please", "put me through to customer service",
                   "I need to talk to a manager", "I need to speak to a supervisor",
                   "can I speak to an actual person", "transfer me to an agent",
                   "I'd like to talk to someone from your team", "is there a real person I can talk to",
                   "can you put me through to a human agent", "I want to talk to customer service",
                   "speak to a person", "agent please", "can someone from your team call me",
                   "I want a real human, not a bot", "let me talk to a representative",
                   "is there anyone I can actually speak to"]
ESCALATION_PREFIX = ["", "", "", "ok ", "look, ", "please ", "honestly ", "this isn't getting anywhere. ",
                     "no. ", "sorry but ", "right, "]
ESCALATION_SUFFIX = ["", "?", "?", ".", " please", " now", "!", " asap", " 🙏", " about this"]

NEGATIVE_CORE = ["this is useless", "you're not helping at all", "forget it", "still doesn't work",
                 "that didn't help", "waste of my time", "ridiculous, I'll go elsewhere", "I give up",
                 "not what I asked", "this is pointless", "that's not what I asked",
                 "still not sorted", "you're going round in circles", "useless bot",
                 "this is a joke", "nope, still the same problem", "that doesn't answer my question",
                 "I'll just close my account then", "absolutely useless", "doesn't help me at all",
                 "this bot is hopeless", "no, that's wrong", "still no help"]
NEGATIVE_PREFIX = ["", "", "", "ugh ", "no. ", "honestly ", "seriously, ", "wow. ", "well ", "oh ", "right. "]
NEGATIVE_SUFFIX = ["", "", ".", "!", " 😡", " 🙄", ", thanks for nothing", ", bye", "..."]

FALLBACKS = ["Sorry, I didn't understand that.",
             "I'm not sure I follow. Could you rephrase?",
             "I can't help with that here.",
             "I don't have information about that.",
             "Sorry, I didn't catch that. Could you say it another way?",
             "I'm unable to help with this request.",
             "Sorry, I didn't understand that. You can ask me about payments, refunds, deliveries, cards and your account.",
             "Hmm, I'm not sure I follow. Could you rephrase your question?",
             "I'm sorry, I can't help with that here. Try asking in a different way.",
             "I don't have information about that yet.",
             "Sorry, I didn't catch that."]

OFFSCRIPT = ["what about the other thing", "is it because of the update?", "the one from before",
             "my sister said you do cashback on this?", "same as last time", "can you check the thing",
             "why does it say that", "do you know about the new rules", "the blue one",
             "what does the yellow icon mean", "hmm", "what about for my husband's account",
             "it's the one I mentioned", "and the points?", "is it linked to my other account",
             "that's the bit I'm confused about", "wait which page", "ok but the app looks different now",
             "does it matter that I'm on holiday", "what if it happens again on the joint one",
             "can I do it from the old app version", "but what about the thing on the website",
             "and the voucher?", "it's complicated, it's partly mine and partly my mum's"]
REPHRASE_PREFIX = ["I mean ", "sorry, ", "ok so ", "what I'm asking is ", "let me put it another way: ",
                   "basically ", ""]
RESTATE_PREFIX = ["I said ", "no, ", "like I said, ", "again: ", "that's not it. ", "sorry I mean ",
                  "I'm asking: ", "no no, ", "again, ", "I know that but ", "you're not reading it. ",
                  "I already told you, "]
PUSHBACK = ["I already tried that", "yes I've done that already", "that's not really my question",
            "I did that and nothing changed", "but it's been {days} days", "that's what I did",
            "I've checked that twice", "I know, I read that on the website",
            "there's no option like that in my app", "I don't see that button"]
BOT_GENERIC_HELP = ["You can find step-by-step guides for this in the Help Centre under {team}. Most issues are solved by updating the app and then trying again.",
                    "Here are some things to try: close and reopen the app, check you're on the latest version, and make sure your details are up to date in Settings.",
                    "Our Help Centre article on {team} covers this in detail, including what to do if the steps look different on your device."]
BOT_APOLOGY = ["I'm sorry to hear that. You can find more options in the Help Centre at kestrel.example/help.",
               "Sorry about that. If you'd like, you can leave feedback on this chat using the thumbs icon.",
               "I understand. Thanks for your patience today."]
UNANSWERED_NUDGE = ["hello?", "are you still there?", "?", "hello??", "helloooo", "..."]
BOT_TICKET = ["I've raised this with our {team} team under reference {ticket}. They'll email you within {n} working days with an update.",
              "I've logged a request ({ticket}) for the {team} team to review. You'll hear back by email, usually within {n} working days.",
              "Thanks, I've passed the details to our {team} team as case {ticket}. They'll be in touch within {n} working days."]
BOT_TRANSFER_ON_REQUEST = ["Of course. I'm connecting you with someone from our {team} team now; it may take a few minutes.",
                           "Sure, I'll pass you to our {team} team. Please stay in the chat.",
                           "No problem, transferring you now. Your chat history will be shared so you won't need to repeat yourself."]
BOT_TRANSFER_SELF = ["This needs one of our specialists, so I'm passing you over to the {team} team now.",
                     "For your security, I'm transferring this chat to our {team} specialists.",
                     "I'll bring in a colleague from the {team} team who can look at this properly."]
BOT_DEFLECT = ["Our {team} specialists are available by phone on 0800 000 0000 between 8am and 8pm, or you can leave a message in the Help Centre and they'll reply within 24 hours.",
               "The quickest way to reach our {team} specialists is the Contact us page in the app, which lets you book a call back at a time that suits you.",
               "You can reach the {team} team through Help > Contact us in the app. They usually reply within one working day."]
SYSTEM_TRANSFER = ["Conversation transferred to an agent", "Conversation transferred to an agent",
                   "Conversation transferred to an agent (queue: {team})",
                   "Transferring you to a member of the {team} team…",
                   "Chat handed over to a human agent"]
SYSTEM_JOINED = ["{agent} joined the chat", "Agent {agent} has joined the conversation"]
SYSTEM_START = ["Chat started from the help page", "Customer opened chat from the app",
                "Chat started from the order page"]
AGENT_GREET = ["Hi, this is {agent} from the {team} team. I've read through the chat; give me a moment to look into this.",
               "Hello, {agent} here from {team}. Thanks for waiting, I'm taking a look now.",
               "Hi there, my name's {agent} and I'm part of the {team} team. Let me check your account.",
               "Hi, it's {agent} from the {team} team. Sorry for the wait, I can see what's happened so far."]
AGENT_SECURITY = ["Before I go on, can you confirm the last four digits of your card?",
                  "For security, could you confirm the last four digits of the card on your account?"]
AGENT_SECURITY_REPLY = ["{card4}", "ends {card4}", "it's {card4}", "sure, {card4}"]
CUST_TO_AGENT = ["thanks", "thank you, finally", "ok thanks {agent}", "great, thank you", "hi {agent}",
                 "hi, thanks for picking this up", "ok", "hello, thanks", "thanks for looking"]
AGENT_CLOSE = ["Is there anything else I can help with today?", "Thanks for your patience today. Take care!",
               "You're welcome, have a good rest of your day.",
               "All done. I'll close the chat now, but message us any time."]

PII_TEMPLATES = {
    "email": ["my email is {email}", "email is {email}", "registered email: {email}",
              "you can reach me on {email}", "it's under {email}"],
    "phone": ["my number is {phone}", "mobile is {phone}", "phone {phone}",
              "text me on {phone} if easier", "my phone number is {phone}"],
    "card": ["card number {pan}", "my card is {pan}", "the card number is {pan}",
             "card {pan} exp 09/27", "it's on card {pan}"],
    "iban": ["my IBAN is {iban}", "IBAN {iban}", "paid from account {iban}",
             "my account for payouts is {iban}", "account is {iban}"],
}
PII_MIX = {  # category -> weights for email, phone, card, iban
    "payments": [3, 2, 3, 2], "refunds": [3, 2, 2, 3], "disputes": [2, 2, 3, 3],
    "account_access": [6, 3, 1, 0], "delivery": [3, 5, 1, 1], "fraud": [2, 2, 5, 1],
    "card": [2, 2, 5, 1],
}
PII_KINDS = ["email", "phone", "card", "iban"]
P_PII = 0.14  # per eligible customer message (openings, details, rephrasings)

LOOP_SWAPS = [("usually", "normally"), ("within", "in"), (" can ", " may "), ("check", "review"),
              ("tap", "select"), ("once", "when"), ("just", "simply"), ("email", "e-mail"),
              (" now ", " right away ")]
TYPO_WORDS = {"receive": "recieve", "definitely": "definately", "account": "acount",
              "password": "pasword", "received": "recieved", "address": "adress",
              "payment": "paymnet", "refund": "refudn", "delivery": "delivary",
              "separate": "seperate", "tomorrow": "tommorow", "because": "becuase"}

COUNT_KEYS = ["conversations", "needs_human", "escalation_request", "bot_fallback",
              "abandoned_after_fallback", "loop", "customer_repeat", "negative_close",
              "unanswered", "handoff", "explicit_status", "low_csat", "csat_answered",
              "confirmed_resolved", "category_omitted", "role_aliases", "messages",
              "customer_messages", "pii_messages"]
PROBLEM_KEYS = ["escalation_request", "bot_fallback", "loop", "negative_close", "unanswered",
                "handoff", "explicit_status", "low_csat"]


def _clear_openings():
    """For every category, the (intent index, opening) pairs that name only that category."""
    out = {}
    for cat, cd in CATS.items():
        lst = []
        for ii, intent in enumerate(cd["intents"]):
            for o in intent["open"]:
                if _KW_RE[cat].search(o) and not any(
                        _KW_RE[c].search(o) for c in CATS if c != cat):
                    lst.append((ii, o))
        assert len(lst) >= 4, (cat, lst)
        out[cat] = lst
    return out


CLEAR_OPENINGS = _clear_openings()


# ---------------------------------------------------------------------------------------
# The generator
# ---------------------------------------------------------------------------------------
class Generator:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.nh_state = {c: [0, 0] for c in CATS}  # category -> [seen, needs_human]
        cats = CATEGORY_ORDER
        tot = sum(VOLUME[c] for c in cats)
        acc = 0.0
        self.cat_cdf = []
        for c in cats:
            acc += VOLUME[c] / tot
            self.cat_cdf.append((acc, c))
        loc_tot = sum(w for _, w in LOCALES)
        acc = 0.0
        self.loc_cdf = []
        for l, w in LOCALES:
            acc += w / loc_tot
            self.loc_cdf.append((acc, l))

    # -- small helpers ------------------------------------------------------------------
    def pick_cdf(self, cdf):
        u = self.rng.random()
        for c, v in cdf:
            if u < c:
                return v
        return cdf[-1][1]

    def wchoice(self, items, weights):
        return self.rng.choices(items, weights)[0]

    def style(self, text, typo=True):
        """Customer typing habits: lowercase, dropped punctuation, typos, rare emoji."""
        rng = self.rng
        r = rng.random()
        if r < 0.13:
            text = text.lower()
        elif r < 0.55 and text[:1].islower():
            text = text[:1].upper() + text[1:]
        if rng.random() < 0.12:
            text = text.rstrip(".!?")
        if typo and rng.random() < 0.07:
            text = self.typo(text)
        if rng.random() < 0.015:
            text += " " + rng.choice(EMOJI)
        return text

    def typo(self, text):
        rng = self.rng
        words = text.split(" ")
        for i, w in enumerate(words):
            lw = w.lower().strip(",.?!")
            if lw in TYPO_WORDS and rng.random() < 0.7:
                words[i] = w.lower().replace(lw, TYPO_WORDS[lw])
                return " ".join(words)
        cands = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
        if not cands:
            return text
        i = rng.choice(cands)
        w = words[i]
        j = rng.randrange(1, len(w) - 2)
        op = rng.random()
        if op < 0.5:
            w = w[:j] + w[j + 1] + w[j] + w[j + 2:]
        elif op < 0.8:
            w = w[:j] + w[j + 1:]
        else:
            w = w[:j] + w[j] + w[j:]
        words[i] = w
        return " ".join(words)

    def end_punct(self, s):
        if s.endswith(("?", "!", ".")):
            return s
        r = self.rng.random()
        if r < 0.55:
            return s + "."
        if r < 0.92:
            return s
        if r < 0.96:
            return s + "!"
        return s + "..."

    def maybe_pii(self, text, st):
        rng = self.rng
        if rng.random() >= P_PII:
            return text
        kind = self.wchoice(PII_KINDS, PII_MIX[st["cat"]])
        pii = rng.choice(PII_TEMPLATES[kind]).format_map(st["ctx"])
        sep = rng.choice([". ", ", ", " - ", "\n", ". "])
        st["pii"] += 1
        return text.rstrip() + sep + pii

    # -- customer messages ----------------------------------------------------------------
    def opening(self, st, clear):
        rng = self.rng
        ctx = st["ctx"]
        cd = CATS[st["cat"]]
        stmt = st["stmt"].format_map(ctx)
        st["stmt_filled"] = stmt
        parts = stmt
        if not clear and not stmt.endswith("?") and rng.random() < 0.1:
            parts = parts.rstrip(".?!") + rng.choice([", ", " - ", ". "]) + rng.choice(MILD_NEG)
        if rng.random() < 0.3:
            pool = cd["context"] if rng.random() < 0.7 else GENERIC_CONTEXT
            parts = self.end_punct(parts) + " " + rng.choice(pool).format_map(ctx)
        if rng.random() < 0.33:
            parts = self.end_punct(parts) + " " + rng.choice(POLITE)
        parts = self.end_punct(parts)
        if rng.random() < 0.42:
            g = rng.choice(CUST_GREETINGS)
            sep = self.wchoice([" ", ", ", "! ", ". ", "\n"], [3, 4, 2, 1, 0.6])
            if g.endswith("?"):
                sep = " "
            parts = g + sep + parts
        text = self.style(parts, typo=not clear)
        return self.maybe_pii(text, st)

    def alt_statement(self, st):
        """Another wording of the same intent (for rephrasing after a fallback)."""
        opens = st["intent"]["open"]
        if len(opens) > 1:
            choices = [o for o in opens if o != st["stmt"]]
            return self.rng.choice(choices).format_map(st["ctx"])
        return st["stmt_filled"]

    def rephrase(self, st):
        rng = self.rng
        t = rng.choice(REPHRASE_PREFIX) + self.alt_statement(st)
        return self.maybe_pii(self.style(self.end_punct(t)), st)

    def restate(self, st):
        """Customer restates the first request, mostly reusing its words (loops)."""
        rng = self.rng
        prefixes = [p for p in RESTATE_PREFIX if p not in st["restate_prefixes"]]
        prefix = rng.choice(prefixes)
        st["restate_prefixes"].append(prefix)
        if rng.random() < 0.7:
            base = st["stmt_filled"]
            if rng.random() < 0.5:
                base = base[:1].lower() + base[1:]
            st["restated"] = True
            t = prefix + base
        else:
            t = prefix + self.alt_statement(st)
        return self.style(self.end_punct(t), typo=False)

    def detail(self, st, details):
        t = self.rng.choice(details).format_map(st["ctx"])
        return self.maybe_pii(self.style(t), st)

    def question(self, st, q):
        return self.style(q.format_map(st["ctx"]))

    def confirm(self):
        rng = self.rng
        t = rng.choice(CONFIRM) + rng.choice(CONFIRM_SUFFIX)
        if rng.random() < 0.15:
            t = t.lower()
        return t

    def ack(self):
        return self.rng.choice(ACK)

    def escalation(self):
        rng = self.rng
        core = rng.choice(ESCALATION_CORE)
        t = rng.choice(ESCALATION_PREFIX) + core + rng.choice(ESCALATION_SUFFIX)
        t = t[:1].upper() + t[1:] if rng.random() < 0.5 else t
        if rng.random() < 0.1:
            t = t.lower()
        return t

    def negative(self):
        rng = self.rng
        t = rng.choice(NEGATIVE_PREFIX) + rng.choice(NEGATIVE_CORE) + rng.choice(NEGATIVE_SUFFIX)
        if rng.random() < 0.4:
            t = t[:1].upper() + t[1:]
        return t

    # -- bot messages -------------------------------------------------------------------
    def fallback(self, st):
        used = st["fallbacks"]
        choices = [f for f in FALLBACKS if f not in used]
        f = self.rng.choice(choices)
        used.append(f)
        return f

    def loop_variant(self, text):
        """The same bot answer again, verbatim or with a tiny change."""
        rng = self.rng
        r = rng.random()
        if r < 0.5:
            return text
        if r < 0.7:
            if text.endswith("."):
                return text[:-1] if rng.random() < 0.5 else text[:-1] + "!"
            return text + "."
        swaps = [(a, b) for a, b in LOOP_SWAPS if a in text]
        if not swaps:
            return text.replace(", ", " ", 1) if ", " in text else text + "."
        a, b = rng.choice(swaps)
        return text.replace(a, b, 1)

    def take_followup(self, st):
        """A (question, answer) pair not yet used in this conversation."""
        rng = self.rng
        pool = st["fu_pool"]
        if not pool:
            return None
        i = rng.randrange(len(pool))
        qs, ans = pool.pop(i)
        return rng.choice(qs), rng.choice(ans).format_map(st["ctx"])

    # -- conversation parts -------------------------------------------------------------
    # A message under construction is [role, text, tag, group]; role is c/b/a/s; group
    # marks optional parts that may be dropped to respect the 16-message limit.
    def prelude(self, M, st, k, fallback_first=False, clarify_p=0.6, greet_p=0.55):
        rng = self.rng
        ctx = st["ctx"]
        if rng.random() < 0.03:
            M.append(["s", rng.choice(SYSTEM_START), None, "sysstart"])
        if rng.random() < greet_p:
            M.append(["b", rng.choice(GREETINGS_BOT[st["version"]]), None, "greet"])
        M.append(["c", self.opening(st, st["clear"]), "open", None])
        if fallback_first:
            M.append(["b", self.fallback(st), "fb", None])
            M.append(["c", self.rephrase(st), "rephrase", None])
        ask = st["intent"]["ask"]
        if ask and any(slot in st["stmt"] for slot in CLARIFY_SLOTS[ask]):
            ask = None  # the opening already gave what the question would ask for
        if ask and rng.random() < clarify_p:
            qs, ds = CLARIFY[ask]
            M.append(["b", rng.choice(qs), None, "clarify"])
            M.append(["c", self.detail(st, ds), "detail", "clarify"])
        ans = rng.choice(st["intent"]["answer"]).format_map(ctx)
        st["answer"] = ans
        M.append(["b", ans, "answer", None])
        for j in range(k):
            fu = self.take_followup(st)
            if fu is None:
                break
            q, a = fu
            g = f"fu{j}"
            M.append(["c", self.question(st, q), "question", g])
            M.append(["b", a, None, g])

    def healthy_ending(self, M, st, allow_confirm=True):
        rng = self.rng
        r = rng.random()
        if not allow_confirm:
            r = 0.6 + 0.4 * r
        if r < 0.45:
            M.append(["c", self.confirm(), "confirm", None])
            M.append(["b", rng.choice(BOT_CLOSE_CONFIRM), None, None])
        elif r < 0.6:
            M.append(["c", self.confirm(), "confirm", None])
            M.append(["b", rng.choice(BOT_ANYTHING_ELSE), None, None])
            M.append(["c", rng.choice(NO_MORE), "nomore", None])
            M.append(["b", rng.choice(BOT_BYE), None, None])
        elif r < 0.8:
            M.append(["c", self.ack(), "ack", None])
            M.append(["b", rng.choice(BOT_CLOSE_ACK), None, None])
        # else: no closing, the conversation ends on the bot's answer

    def agent_flow(self, M, st):
        rng = self.rng
        ctx = st["ctx"]
        M.append(["s", rng.choice(SYSTEM_TRANSFER).format_map(ctx), "transfer", None])
        if rng.random() < 0.3:
            M.append(["s", rng.choice(SYSTEM_JOINED).format_map(ctx), None, "joined"])
        M.append(["a", rng.choice(AGENT_GREET).format_map(ctx), None, None])
        if rng.random() < 0.3:
            M.append(["a", rng.choice(AGENT_SECURITY), None, "sec"])
            M.append(["c", rng.choice(AGENT_SECURITY_REPLY).format_map(ctx), None, "sec"])
        M.append(["c", self.style(rng.choice(CUST_TO_AGENT).format_map(ctx), typo=False), None, None])
        M.append(["a", rng.choice(CATS[st["cat"]]["agent_fix"]).format_map(ctx), None, None])
        r = rng.random()
        if r < 0.55:
            M.append(["c", self.confirm(), "confirm", None])
            M.append(["a", rng.choice(AGENT_CLOSE), None, None])
        elif r < 0.85:
            M.append(["c", self.ack(), "ack", None])
            M.append(["a", rng.choice(AGENT_CLOSE), None, None])

    def escalate_tail(self, M, st, p_handoff=0.45, p_deflect=0.30):
        """Customer asks for a person; then handoff, deflection or silence."""
        rng = self.rng
        M.append(["c", self.escalation(), "esc", None])
        r = rng.random()
        if r < p_handoff:
            M.append(["b", rng.choice(BOT_TRANSFER_ON_REQUEST).format_map(st["ctx"]), None, None])
            self.agent_flow(M, st)
        elif r < p_handoff + p_deflect:
            M.append(["b", rng.choice(BOT_DEFLECT).format_map(st["ctx"]), None, None])
            r2 = rng.random()
            if r2 < 0.45:
                M.append(["c", self.negative(), "neg", None])
            elif r2 < 0.65:
                M.append(["c", self.ack(), "ack", None])
                M.append(["b", rng.choice(BOT_CLOSE_ACK), None, None])
            else:
                M.append(["c", self.escalation(), "esc", None])
        # else: unanswered escalation request

    # -- scenarios ----------------------------------------------------------------------
    def sc_healthy(self, M, st):
        self.prelude(M, st, self.rng.choice([0, 0, 1, 1, 1, 2, 2, 3]))
        self.healthy_ending(M, st)

    def sc_low_csat_only(self, M, st):
        self.prelude(M, st, self.rng.choice([0, 1, 1, 2]))
        self.healthy_ending(M, st, allow_confirm=self.rng.random() < 0.3)

    def sc_status_only(self, M, st):
        rng = self.rng
        self.prelude(M, st, rng.choice([0, 0, 1]))
        M.append(["b", rng.choice(BOT_TICKET).format_map(st["ctx"]), None, None])
        if rng.random() < 0.6:
            M.append(["c", self.ack(), "ack", None])
            M.append(["b", rng.choice(BOT_CLOSE_ACK), None, None])

    def sc_fallback(self, M, st):
        rng = self.rng
        r = rng.random()
        if r < 0.35:  # abandoned right after a fallback
            if rng.random() < 0.5:  # the bot never understood the request
                if rng.random() < 0.6:
                    M.append(["b", rng.choice(GREETINGS_BOT[st["version"]]), None, "greet"])
                M.append(["c", self.opening(st, st["clear"]), "open", None])
                M.append(["b", self.fallback(st), "fb", None])
                M.append(["c", self.rephrase(st), "rephrase", None])
                M.append(["b", self.fallback(st), "fb", None])
            else:
                self.prelude(M, st, rng.choice([0, 1]))
                M.append(["c", self.style(rng.choice(OFFSCRIPT)), "offscript", None])
                M.append(["b", self.fallback(st), "fb", None])
        elif r < 0.60:  # recovered after rephrasing
            self.prelude(M, st, rng.choice([0, 1, 1]), fallback_first=True)
            self.healthy_ending(M, st)
        elif r < 0.80:  # repeated fallbacks, then asks for a person
            self.prelude(M, st, rng.choice([0, 1]))
            M.append(["c", self.style(rng.choice(OFFSCRIPT)), "offscript", None])
            M.append(["b", self.fallback(st), "fb", None])
            M.append(["c", self.rephrase(st) if rng.random() < 0.5 else self.style(rng.choice(OFFSCRIPT)),
                      "rephrase", None])
            M.append(["b", self.fallback(st), "fb", None])
            self.escalate_tail(M, st, p_handoff=0.5, p_deflect=0.15)
        else:  # repeated fallbacks, then gives up
            self.prelude(M, st, 0)
            M.append(["c", self.style(rng.choice(OFFSCRIPT)), "offscript", None])
            M.append(["b", self.fallback(st), "fb", None])
            M.append(["c", self.rephrase(st), "rephrase", None])
            M.append(["b", self.fallback(st), "fb", None])
            M.append(["c", self.negative(), "neg", None])
            if rng.random() < 0.3:
                M.append(["b", self.fallback(st), "fb", None])

    def sc_loop(self, M, st):
        rng = self.rng
        self.prelude(M, st, 0, fallback_first=rng.random() < 0.1)
        ans = st["answer"]
        reps = 2 if rng.random() < 0.6 else 3
        for _ in range(reps - 1):
            M.append(["c", self.restate(st), "restate", None])
            M.append(["b", self.loop_variant(ans), "loop", None])
        r = rng.random()
        if r < 0.40:
            M.append(["c", self.negative(), "neg", None])
            if rng.random() < 0.35:
                M.append(["b", rng.choice(BOT_APOLOGY), None, None])
        elif r < 0.62:
            self.escalate_tail(M, st, p_handoff=0.4, p_deflect=0.3)
        elif r < 0.80:
            pass  # abandoned on the repeated answer
        else:
            M.append(["c", rng.choice(UNANSWERED_NUDGE), "nudge", None])

    def sc_negative(self, M, st):
        rng = self.rng
        self.prelude(M, st, rng.choice([0, 0, 1, 2]), fallback_first=rng.random() < 0.15)
        helps = list(BOT_GENERIC_HELP)
        rounds = 1 if rng.random() < 0.75 else 2
        for _ in range(rounds):
            M.append(["c", self.style(rng.choice(PUSHBACK).format_map(st["ctx"])), "pushback", None])
            h = helps.pop(rng.randrange(len(helps)))
            M.append(["b", h.format_map(st["ctx"]), None, None])
        M.append(["c", self.negative(), "neg", None])
        if rng.random() < 0.45:
            M.append(["b", rng.choice(BOT_APOLOGY), None, None])

    def sc_unanswered(self, M, st):
        rng = self.rng
        self.prelude(M, st, rng.choice([0, 1, 1, 2]))
        r = rng.random()
        fu = self.take_followup(st)
        if r < 0.5 and fu:
            M.append(["c", self.question(st, fu[0]), "question", None])
        elif r < 0.7 and fu:
            M.append(["c", self.question(st, fu[0]), "question", None])
            M.append(["c", rng.choice(UNANSWERED_NUDGE), "nudge", None])
        else:
            cd = CATS[st["cat"]]
            M.append(["c", self.style(rng.choice(cd["context"]).format_map(st["ctx"])), "detail", None])

    def sc_escalation(self, M, st):
        rng = self.rng
        self.prelude(M, st, rng.choice([0, 0, 1]), fallback_first=rng.random() < 0.15)
        if rng.random() < 0.4:
            M.append(["c", self.style(rng.choice(PUSHBACK).format_map(st["ctx"])), "pushback", None])
            M.append(["b", rng.choice(BOT_GENERIC_HELP).format_map(st["ctx"]), None, None])
        self.escalate_tail(M, st)

    def sc_handoff(self, M, st):
        rng = self.rng
        self.prelude(M, st, rng.choice([0, 0, 1]), clarify_p=0.8)
        M.append(["b", rng.choice(BOT_TRANSFER_SELF).format_map(st["ctx"]), None, None])
        self.agent_flow(M, st)

    # -- one conversation -----------------------------------------------------------------
    def conversation(self, conv_id, start, allow_status=True, force_cat=None, force_scen=None):
        rng = self.rng
        cat = force_cat or self.pick_cdf(self.cat_cdf)
        locale = self.pick_cdf(self.loc_cdf)
        version = VERSIONS[0] if start < VERSION_SWITCH_EPOCH else VERSIONS[1]
        # needs-human draw, nudged towards the target so realised rates track it closely
        seen, hits = self.nh_state[cat]
        rate = TARGET_RATE[cat]
        p = min(max(rate + 0.1 * (rate * seen - hits), 0.0), 1.0)
        needs = rng.random() < p
        if force_scen is not None:
            needs = force_scen != "healthy"
        self.nh_state[cat] = [seen + 1, hits + needs]
        if force_scen:
            scen = force_scen
        elif needs:
            weights = list(SCENARIO_WEIGHTS[cat])
            if not allow_status:
                weights[SCENARIOS.index("status_only")] = 0
            scen = self.wchoice(SCENARIOS, weights)
        else:
            scen = "healthy"
        omit = rng.random() < 0.04
        cd = CATS[cat]
        if omit:
            ii, stmt = rng.choice(CLEAR_OPENINGS[cat])
            intent = cd["intents"][ii]
        else:
            intent = rng.choice(cd["intents"])
            stmt = rng.choice(intent["open"])
        for attempt in range(20):
            ctx = Ctx(rng, cat, locale, start)
            st = {"cat": cat, "ctx": ctx, "intent": intent, "stmt": stmt, "clear": omit,
                  "version": version, "pii": 0, "fallbacks": [], "restated": False, "restate_prefixes": [],
                  "fu_pool": list(cd["followups"]) + list(GENERIC_FOLLOWUPS)}
            M = []
            getattr(self, "sc_" + scen)(M, st)
            # respect the 4..16 message bounds: drop optional parts, or pad with a greeting
            for g in ("fu3", "fu2", "fu1", "fu0", "sec", "joined", "clarify", "sysstart", "greet"):
                if len(M) <= 16:
                    break
                M = [m for m in M if m[3] != g]
            if len(M) < 4 and not any(m[3] == "greet" for m in M):
                i = 1 if M and M[0][0] == "s" else 0
                M.insert(i, ["b", rng.choice(GREETINGS_BOT[version]), None, "greet"])
            if 4 <= len(M) <= 16:
                break
        else:
            raise RuntimeError(f"could not build a 4..16 message conversation ({scen})")
        # flags from what was actually built
        tags = [m[2] for m in M]
        last_ns = next(m for m in reversed(M) if m[0] != "s")
        last_c = next((m for m in reversed(M) if m[0] == "c"), None)
        f = {
            "escalation_request": "esc" in tags,
            "bot_fallback": "fb" in tags,
            "abandoned_after_fallback": M[-1][2] == "fb",
            "loop": "loop" in tags,
            "customer_repeat": st["restated"],
            "negative_close": last_c is not None and last_c[2] == "neg",
            "unanswered": last_ns[0] == "c",
            "handoff": any(m[0] == "a" or m[2] == "transfer" for m in M),
            "confirmed_resolved": "confirm" in tags,
        }
        problem = any(f[k] for k in PROBLEM_KEYS if k in f)
        # status (explicit or not) and csat, consistent with the outcome most of the time
        status = None
        if scen == "status_only":
            status = self.wchoice(["pending", "open", "escalated"], [45, 35, 20])
        elif rng.random() < 0.7 and allow_status:
            if not problem:
                status = "solved" if rng.random() < 0.8 else "closed"
            elif f["handoff"]:
                status = self.wchoice(["escalated", "solved", "closed", "pending"], [60, 15, 10, 15])
            elif f["unanswered"] or f["abandoned_after_fallback"]:
                status = self.wchoice(["open", "pending", "closed"], [60, 15, 25])
            else:
                status = self.wchoice(["pending", "open", "escalated", "closed"], [30, 30, 15, 25])
        csat = None
        if scen == "low_csat_only":
            csat = 1 if rng.random() < 0.55 else 2
        elif rng.random() < 0.3:
            if not problem:
                csat = self.wchoice([5, 4, 3], [50, 35, 15])
            elif f["handoff"] and f["confirmed_resolved"]:
                csat = self.wchoice([1, 2, 3, 4, 5], [15, 15, 25, 30, 15])
            else:
                csat = self.wchoice([1, 2, 3, 4, 5], [40, 30, 18, 9, 3])
        f["explicit_status"] = status in ("open", "escalated", "pending")
        f["low_csat"] = csat is not None and csat <= 2
        f["csat_answered"] = csat is not None
        f["needs_human"] = any(f[k] for k in PROBLEM_KEYS)
        if f["needs_human"] != needs:
            raise AssertionError(f"{conv_id}: planted {scen} but needs_human={f['needs_human']}")
        # timestamps
        msgs = []
        epochs = []
        t = start
        prev = None
        alias = rng.random() < 0.03
        role_names = ({"c": "user", "b": "assistant", "a": "agent", "s": "system"} if alias else
                      {"c": "customer", "b": "bot", "a": "agent", "s": "system"})
        n_cust = 0
        for role, text, tag, _g in M:
            if prev is not None:
                if role == "b":
                    t += rng.randint(1, 4)
                elif role == "s":
                    t += rng.randint(1, 3)
                elif role == "a":
                    t += rng.randint(30, 480) if prev == "s" else rng.randint(20, 150)
                else:
                    t += rng.randint(6, 40) + len(text) // rng.randint(3, 6)
            prev = role
            if role == "c":
                n_cust += 1
            msgs.append({"role": role_names[role], "text": text, "ts": iso(t)})
            epochs.append(t)
        f["category_omitted"] = omit
        f["role_aliases"] = alias
        rec = {"id": conv_id}
        if not omit:
            rec["category"] = cat
        rec["channel"] = self.wchoice(["chat", "web", "app"], [45, 30, 25])
        rec["bot_version"] = version
        rec["started_at"] = iso(start)
        if csat is not None:
            rec["csat"] = csat
        if status is not None:
            rec["status"] = status
        rec["messages"] = msgs
        meta = {"queue": "general" if omit else cat, "locale": locale,
                "customer_tier": self.wchoice(["standard", "plus", "premium"], [70, 22, 8])}
        if rec["channel"] == "app":
            meta["os"] = "ios" if rng.random() < 0.55 else "android"
            meta["app_version"] = "7.3.1" if version == "4.1.0" else rng.choice(["7.3.1", "7.4.0"])
        else:
            meta["entry_point"] = rng.choice(["help_centre", "order_page", "account_page"])
        rec["metadata"] = meta
        info = {"cat": cat, "scenario": scen, "flags": f, "messages": len(msgs),
                "customer_messages": n_cust, "pii": st["pii"],
                "customer_texts": [m[1] for m in M if m[0] == "c"], "version": version,
                "epochs": epochs}
        return rec, info


# ---------------------------------------------------------------------------------------
# Counting
# ---------------------------------------------------------------------------------------
class Tally:
    def __init__(self):
        self.cats = {c: dict.fromkeys(COUNT_KEYS, 0) for c in CATEGORY_ORDER}
        self.versions = {v: {"conversations": 0, "needs_human": 0} for v in VERSIONS}
        self.scenarios = {c: {} for c in CATEGORY_ORDER}

    def add(self, info):
        c = self.cats[info["cat"]]
        f = info["flags"]
        c["conversations"] += 1
        for k in COUNT_KEYS[1:16]:
            if f[k]:
                c[k] += 1
        c["messages"] += info["messages"]
        c["customer_messages"] += info["customer_messages"]
        c["pii_messages"] += info["pii"]
        v = self.versions[info["version"]]
        v["conversations"] += 1
        v["needs_human"] += f["needs_human"]
        s = self.scenarios[info["cat"]]
        s[info["scenario"]] = s.get(info["scenario"], 0) + 1

    def summary(self, with_targets=True):
        def finish(d):
            d = dict(d)
            n = d["conversations"]
            d["needs_human_rate"] = round(d["needs_human"] / n, 4) if n else 0.0
            return d
        cats = {}
        overall = dict.fromkeys(COUNT_KEYS, 0)
        for name in CATEGORY_ORDER:
            d = self.cats[name]
            for k in COUNT_KEYS:
                overall[k] += d[k]
            cd = finish(d)
            if with_targets:
                cd["target_needs_human_rate"] = TARGET_RATE[name]
                cd["target_volume_share"] = VOLUME[name]
            cd["scenarios"] = dict(sorted(self.scenarios[name].items()))
            cats[name] = cd
        return cats, finish(overall)


# ---------------------------------------------------------------------------------------
# Writers
# ---------------------------------------------------------------------------------------
def write_corpus(args, gen, tally, labels_fh, distinct):
    n = args.conversations
    width = max(6, len(str(n)))
    span = DAYS * 86400
    out = sys.stdout if args.out == "-" else open(args.out, "w", encoding="utf-8", newline="\n")
    dumps = json.JSONEncoder(ensure_ascii=False).encode
    buf = []
    t0 = time.time()
    try:
        for i in range(n):
            u = (i + gen.rng.random()) / n
            day = min(int(u * DAYS), DAYS - 1)
            start = BASE_EPOCH + day * 86400 + day_fraction_to_seconds(u * DAYS - day)
            start = min(start, BASE_EPOCH + span - 3600)
            rec, info = gen.conversation(f"c-{i + 1:0{width}d}", start)
            buf.append(dumps(rec))
            if tally is not None:
                tally.add(info)
            if distinct is not None:
                distinct.update(info["customer_texts"])
            if labels_fh is not None:
                labels_fh.write(dumps(label_of(rec["id"], info)) + "\n")
            if len(buf) >= 2000:
                out.write("\n".join(buf) + "\n")
                buf.clear()
            if args.progress and (i + 1) % 100000 == 0:
                print(f"  {i + 1:,} conversations ({time.time() - t0:.0f}s)", file=sys.stderr)
        if buf:
            out.write("\n".join(buf) + "\n")
    finally:
        if out is not sys.stdout:
            out.close()


def label_of(cid, info):
    f = info["flags"]
    return {"id": cid, "category": info["cat"], "category_omitted": f["category_omitted"],
            "scenario": info["scenario"], "needs_human": f["needs_human"],
            "problems": [k for k in PROBLEM_KEYS if f[k]],
            "extra": [k for k in ("abandoned_after_fallback", "customer_repeat", "confirmed_resolved")
                      if f[k]]}


CSV_FORCED_SCENARIOS = ["healthy", "handoff", "escalation", "fallback", "loop", "negative",
                        "unanswered", "low_csat_only"]


def write_csv(path, seed, n_conv):
    """A per-message CSV sample with its own ids and RNG stream (independent of the main
    corpus size).  Rows are ordered by timestamp, so conversations interleave; each
    conversation's own rows stay in order."""
    gen = Generator(seed * 7919 + 17)
    tally = Tally()
    convs = []
    windows = [calendar.timegm((2025, 3, 11, 9, 0, 0)), calendar.timegm((2025, 4, 8, 14, 0, 0))]
    half = (n_conv + 1) // 2
    for i in range(n_conv):
        w = windows[0] if i < half else windows[1]
        start = w + int(gen.rng.random() * 900)
        # the first conversations of each window cover every category and every scenario
        k = i if i < half else i - half
        force = CATEGORY_ORDER[k % len(CATEGORY_ORDER)] if k < len(CATEGORY_ORDER) else None
        scen = CSV_FORCED_SCENARIOS[k] if k < len(CSV_FORCED_SCENARIOS) else None
        rec, info = gen.conversation(f"csv-{i + 1:03d}", start, allow_status=False,
                                     force_cat=force, force_scen=scen)
        tally.add(info)
        convs.append([rec, info["epochs"]])
    # A conversation whose rows would all be adjacent is moved (every timestamp shifted by
    # the same amount) to start just after another conversation of its window.
    for _round in range(100):
        rows = sorted((e, i, j) for i, (_r, es) in enumerate(convs) for j, e in enumerate(es))
        pos = {}
        for k, (_e, i, _j) in enumerate(rows):
            pos.setdefault(i, []).append(k)
        bad = [i for i, ks in sorted(pos.items()) if ks[-1] - ks[0] + 1 == len(ks)]
        if not bad:
            break
        for i in bad:
            lo, hi = (0, half) if i < half else (half, n_conv)
            other = gen.rng.choice([x for x in range(lo, hi) if x != i])
            rec, es = convs[i]
            delta = convs[other][1][0] + gen.rng.randint(1, 20) - es[0]
            convs[i][1] = es = [e + delta for e in es]
            for m, e in zip(rec["messages"], es):
                m["ts"] = iso(e)
    else:
        raise RuntimeError("could not interleave the CSV sample")
    rows = [(convs[i][0], convs[i][0]["messages"][j]) for _e, i, j in rows]
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
        w.writerow(["conversation_id", "role", "text", "ts", "category", "csat", "bot_version"])
        for rec, m in rows:
            w.writerow([rec["id"], m["role"], m["text"], m["ts"], rec.get("category", ""),
                        rec.get("csat", ""), rec["bot_version"]])
    cats, overall = tally.summary(with_targets=False)
    overall["rows"] = len(rows)
    return {"path": os.path.basename(path), "overall": overall, "categories": cats}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=20250303, help="RNG seed (default 20250303)")
    ap.add_argument("--conversations", type=int, default=3000, help="number of conversations (default 3000)")
    ap.add_argument("--out", default=DEFAULT_OUT,
                    help="JSONL output, '-' for stdout (default sample-data/transcripts.jsonl)")
    ap.add_argument("--csv", default=None,
                    help="per-message CSV sample path (default: sample-data/messages.csv when --out "
                         "is the default, otherwise none)")
    ap.add_argument("--csv-conversations", type=int, default=60, help="conversations in the CSV sample (default 60)")
    ap.add_argument("--truth", default=None,
                    help="ground-truth summary path (default: tests/data/sample-truth.json when --out is the "
                         "default, otherwise OUT with .truth.json)")
    ap.add_argument("--labels", default=None,
                    help="per-conversation labels JSONL (default: tests/data/sample-labels.jsonl when --out "
                         "is the default, otherwise none)")
    ap.add_argument("--no-csv", action="store_true", help="don't write the CSV sample")
    ap.add_argument("--no-truth", action="store_true", help="don't count or write the truth summary")
    ap.add_argument("--no-labels", action="store_true", help="don't write per-conversation labels")
    ap.add_argument("--quiet", action="store_true", help="no summary on stderr")
    args = ap.parse_args(argv)
    args.progress = not args.quiet and args.conversations >= 200000

    default_out = args.out != "-" and os.path.abspath(args.out) == DEFAULT_OUT
    if args.csv is None and default_out:
        args.csv = DEFAULT_CSV
    if args.truth is None:
        if default_out:
            args.truth = DEFAULT_TRUTH
        elif args.out != "-":
            base = args.out[:-6] if args.out.endswith(".jsonl") else args.out
            args.truth = base + ".truth.json"
    if args.labels is None and default_out:
        args.labels = DEFAULT_LABELS
    if args.no_csv:
        args.csv = None
    if args.no_truth:
        args.truth = None
    if args.no_labels:
        args.labels = None

    t0 = time.time()
    gen = Generator(args.seed)
    tally = Tally() if (args.truth or not args.quiet) else None
    distinct = set() if (args.conversations <= 200000 and (args.truth or not args.quiet)) else None
    labels_fh = open(args.labels, "w", encoding="utf-8", newline="\n") if args.labels else None
    try:
        write_corpus(args, gen, tally, labels_fh, distinct)
    finally:
        if labels_fh:
            labels_fh.close()
    elapsed = time.time() - t0

    csv_summary = write_csv(args.csv, args.seed, args.csv_conversations) if args.csv else None

    if tally is not None:
        cats, overall = tally.summary()
        if distinct is not None:
            overall["distinct_customer_messages"] = len(distinct)
            masked = {re.sub(r"\d", "0", s) for s in distinct}
            overall["distinct_customer_messages_digits_masked"] = len(masked)
        truth = {
            "generator": {"script": "sample-data/generate.py", "version": GENERATOR_VERSION,
                          "seed": args.seed, "conversations": args.conversations,
                          "window": [iso(BASE_EPOCH), iso(BASE_EPOCH + DAYS * 86400 - 1)],
                          "bot_versions": {"4.1.0": "started before 2025-03-24",
                                           "4.2.0": "started on or after 2025-03-24"}},
            "definitions": {
                "needs_human": "any of " + ", ".join(PROBLEM_KEYS),
                "explicit_status": "status is open, escalated or pending",
                "low_csat": "csat <= 2",
                "csat_answered": "csat present",
                "unanswered": "last non-system message is from the customer",
                "negative_close": "the customer's last message expresses failure or frustration",
                "abandoned_after_fallback": "the last message is a bot fallback (subset of bot_fallback)",
                "customer_repeat": "the customer restates the first request reusing its words (in loops)",
                "confirmed_resolved": "a customer message confirms the issue is solved",
                "category_omitted": "no category field; the first customer message names the topic",
                "pii_messages": "customer messages carrying a fake e-mail, phone, card number or IBAN",
                "categories": "counted by the true (planted) category, also when the field is omitted",
            },
            "overall": overall,
            "categories": cats,
            "by_bot_version": tally.versions,
        }
        if csv_summary:
            truth["csv_sample"] = csv_summary
        if args.truth:
            with open(args.truth, "w", encoding="utf-8", newline="\n") as fh:
                json.dump(truth, fh, indent=2, sort_keys=True, ensure_ascii=False)
                fh.write("\n")
        if not args.quiet:
            print(f"wrote {args.conversations:,} conversations to {args.out} in {elapsed:.1f}s",
                  file=sys.stderr)
            print(f"{'category':<16}{'convs':>7}{'needs':>7}{'rate':>8}{'target':>8}", file=sys.stderr)
            for name in sorted(cats, key=lambda c: -cats[c]["needs_human_rate"]):
                d = cats[name]
                print(f"{name:<16}{d['conversations']:>7}{d['needs_human']:>7}"
                      f"{d['needs_human_rate']:>8.3f}{TARGET_RATE[name]:>8.2f}", file=sys.stderr)
            print(f"{'overall':<16}{overall['conversations']:>7}{overall['needs_human']:>7}"
                  f"{overall['needs_human_rate']:>8.3f}", file=sys.stderr)
            if distinct is not None:
                print(f"distinct customer messages: {len(distinct):,} "
                      f"({overall['distinct_customer_messages_digits_masked']:,} with digits masked) "
                      f"of {overall['customer_messages']:,}", file=sys.stderr)
            for p in (args.csv, args.truth, args.labels):
                if p:
                    print(f"wrote {p}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:  # e.g. `--out - | head`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)
