#!/usr/bin/python3
"""Replaces (or appends) one generated section of a markdown file: `record_section.py FILE NAME TITLE`
with the section body on stdin, between <!-- NAME begin --> and <!-- NAME end --> markers, so
scripts that each measure one part (bench/run.sh, kinds.sh, python_package.py) share docs/benchmarks.md."""
import os
import sys

path, name, title = sys.argv[1:4]
begin, end = f"<!-- {name} begin -->", f"<!-- {name} end -->"
text = open(path).read() if os.path.exists(path) else "# Benchmarks\n"
section = f"{begin}\n## {title}\n\n{sys.stdin.read().rstrip()}\n{end}"
if begin in text and end in text:
    text = text[:text.index(begin)] + section + text[text.index(end) + len(end):]
else:
    text = text.rstrip("\n") + "\n\n" + section + "\n"
with open(path + ".tmp", "w") as f:
    f.write(text)
os.replace(path + ".tmp", path)
