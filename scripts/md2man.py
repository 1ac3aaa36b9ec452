#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""md2man — the project's docs/*.md (a plain subset of Markdown) to man(7) roff.

  md2man.py --name cocotrust-verity --section 1 --title "..." [--version V] IN.md OUT.1

Handles what the docs use: headings (# -> .SH, ## and deeper -> .SS), paragraphs,
fenced code blocks (kept verbatim), pipe tables, "-"/"*"/"1." lists, inline
`code` (bold), **bold**, *emphasis* and [links](url) (the text). No network,
standard library only, deterministic (no date unless SOURCE_DATE_EPOCH is set).
"""
import argparse
import datetime
import os
import re
import sys


def esc(text):
    """Escape roff specials in running text."""
    text = text.replace("\\", "\\e")
    text = text.replace("-", "\\-")
    return text


def inline(text):
    out = []
    pos = 0
    # `code` spans first: their contents are literal.
    text = re.sub(r"\*\*`([^`]+)`\*\*", r"`\1`", text)
    for m in re.finditer(r"`([^`]+)`", text):
        out.append(inline_plain(text[pos:m.start()]))
        out.append("\\fB" + esc(m.group(1)) + "\\fR")
        pos = m.end()
    out.append(inline_plain(text[pos:]))
    return "".join(out)


def inline_plain(text):
    text = re.sub(r"\[([^\]]+)\]\(([^)]+)\)", r"\1", text)
    text = esc(text)
    text = re.sub(r"\*\*([^*]+)\*\*", r"\\fB\1\\fR", text)
    text = re.sub(r"(?<![\w*])\*([^*\s][^*]*)\*(?![\w*])", r"\\fI\1\\fR", text)
    text = re.sub(r"(?<![\w_])_([^_\s][^_]*)_(?![\w_])", r"\\fI\1\\fR", text)
    return text


def line_safe(s):
    """A roff input line must not start with a control character."""
    if s.startswith(".") or s.startswith("'"):
        return "\\&" + s
    return s


def table_cells(row):
    row = row.strip()
    if row.startswith("|"):
        row = row[1:]
    if row.endswith("|"):
        row = row[:-1]
    # split on | not inside `code`
    cells, cur, in_code = [], "", False
    for ch in row:
        if ch == "`":
            in_code = not in_code
        if ch == "|" and not in_code:
            cells.append(cur.strip())
            cur = ""
        else:
            cur += ch
    cells.append(cur.strip())
    return cells


def convert(md, name, section, title, version):
    lines = md.splitlines()
    out = []
    date = ""
    if "SOURCE_DATE_EPOCH" in os.environ:
        date = datetime.datetime.fromtimestamp(
            int(os.environ["SOURCE_DATE_EPOCH"]), datetime.timezone.utc).strftime("%Y-%m-%d")
    out.append('.TH "%s" "%s" "%s" "cocotrust %s" "cocotrust manual"' % (
        name.upper(), section, date, version))
    out.append(".SH NAME")
    out.append(esc(name) + " \\- " + esc(title))
    para = []
    i = 0
    seen_heading = False

    def flush():
        if para:
            out.append(".PP")
            out.append(line_safe(inline(" ".join(para))))
            para.clear()

    while i < len(lines):
        ln = lines[i]
        s = ln.strip()
        if s.startswith("```"):
            flush()
            i += 1
            out.append(".PP")
            out.append(".RS 4")
            out.append(".nf")
            while i < len(lines) and not lines[i].strip().startswith("```"):
                out.append(line_safe(lines[i].replace("\\", "\\e")))
                i += 1
            out.append(".fi")
            out.append(".RE")
            i += 1
            continue
        m = re.match(r"^(#{1,6})\s+(.*)$", ln)
        if m:
            flush()
            level, text = len(m.group(1)), m.group(2).strip()
            if level == 1 and not seen_heading:
                # The document title: NAME already says it.
                seen_heading = True
                i += 1
                continue
            if not seen_heading or level <= 2:
                # The first heading and the area's own sections are man sections.
                out.append(".SH " + '"' + inline(text).upper().replace('"', "") + '"')
            else:
                out.append(".SS " + '"' + inline(text).replace('"', "") + '"')
            seen_heading = True
            i += 1
            continue
        if s.startswith("|") and i + 1 < len(lines) and re.match(r"^\s*\|?\s*:?-{3,}", lines[i + 1]):
            flush()
            header = table_cells(ln)
            i += 2
            rows = []
            while i < len(lines) and lines[i].strip().startswith("|"):
                rows.append(table_cells(lines[i]))
                i += 1
            # A definition list reads best on a terminal: first cell as the tag.
            for r in rows:
                out.append(".TP")
                out.append(line_safe(inline(r[0]) if r else ""))
                rest = []
                for h, c in zip(header[1:], r[1:]):
                    if len(header) > 2 and c:
                        rest.append(inline(h) + ": " + inline(c))
                    elif c:
                        rest.append(inline(c))
                out.append(line_safe("; ".join(rest) if len(header) > 2 else " ".join(rest)))
            continue
        m = re.match(r"^(\s*)([-*]|\d+\.)\s+(.*)$", ln)
        if m and not s.startswith("**"):
            flush()
            bullet = "\\(bu" if m.group(2) in "-*" else m.group(2)
            item = [m.group(3)]
            i += 1
            while i < len(lines) and lines[i].startswith("  ") and lines[i].strip() \
                    and not re.match(r"^\s*([-*]|\d+\.)\s+", lines[i]):
                item.append(lines[i].strip())
                i += 1
            out.append('.IP "%s" 4' % bullet)
            out.append(line_safe(inline(" ".join(item))))
            continue
        if not s:
            flush()
            i += 1
            continue
        para.append(s)
        i += 1
    flush()
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--name", required=True)
    ap.add_argument("--section", default="1")
    ap.add_argument("--title", required=True)
    ap.add_argument("--version", default="")
    ap.add_argument("input")
    ap.add_argument("output")
    a = ap.parse_args()
    with open(a.input, encoding="utf-8") as f:
        md = f.read()
    roff = convert(md, a.name, a.section, a.title, a.version)
    tmp = a.output + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(roff)
    os.replace(tmp, a.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
