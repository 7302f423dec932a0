#!/usr/bin/env python3
"""Prints one request's or group's figures from a Gatling HTML report (index.html statistics table) as
key=value: ok, ko, p50, p75, p95, p99, max, mean (ms). Gatling 3.14 keeps no machine-readable stats file.
A group's times are whole journeys (its first request's start to its end). The first row of that name wins.
usage: gatling-stats.py <report dir> <request or group name>"""
import html, re, sys

report, name = sys.argv[1], sys.argv[2]
text = open(f"{report}/index.html", encoding="utf-8").read()
for row in re.findall(r"<tr id=\"(?:req|group)_.*?</tr>", text, re.S):
    label = re.search(r'class="ellipsed-name">([^<]*)<', row)
    cells = [html.unescape(re.sub(r"<[^>]+>", " ", c)).strip() for c in re.findall(r"<td.*?</td>", row, re.S)]
    if label and html.unescape(label.group(1)).strip() == name:
        total, ok, ko, _, _, _, p50, p75, p95, p99, mx, mean, _ = cells[1:14]
        for key, value in dict(ok=ok, ko=ko, p50=p50, p75=p75, p95=p95, p99=p99, max=mx, mean=mean).items():
            print(f"{key}={value}")
        sys.exit(0)
sys.exit(f"no request named {name!r} in {report}")
