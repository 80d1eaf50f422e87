#!/usr/bin/env python3
"""Horizontal bar charts for the benchmark scripts: one group of bars per
job (or profile), each bar scaled to the group's largest value, written as SVG
and converted to PNG when rsvg-convert (librsvg2-bin, from
hack/install-deps.sh --bench) is present.

As a module: write(groups, colors, svg_path), groups = [(title, [(label, value)])].
As a program: bar_chart.py OUT.svg < groups.json, where groups.json is
[{"title": "...", "bars": [["label", value], ...]}, ...]."""
import json
import shutil
import subprocess
import sys

PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#7f7f7f", "#bdbdbd"]


def write(groups, colors, svg_path):
    """Writes svg_path (and the .png beside it when it can); returns the PNG path or None."""
    rowh = 22
    left = max([100] + [int(7 * len(label)) + 10 for _, g in groups for label, _ in g])  # the label column
    width = left + 700
    bars = sum(len(b) for _, b in groups)
    svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{40 + bars * rowh + len(groups) * 16}">',
           '<rect width="100%" height="100%" fill="white"/>']
    y = 20
    for title, group in groups:
        svg.append(f'<text x="5" y="{y}" font-size="13" font-weight="bold">{title}</text>')
        y += 6
        top = max([v for _, v in group] + [1e-9])
        for label, v in group:
            w = int(600 * v / top)
            color = colors.get(label) or PALETTE[len(colors) % len(PALETTE)]
            colors.setdefault(label, color)
            svg.append(f'<rect x="{left}" y="{y}" width="{w}" height="{rowh - 6}" fill="{color}"/>')
            svg.append(f'<text x="5" y="{y + 12}" font-size="11">{label}</text>')
            svg.append(f'<text x="{left + 5 + w}" y="{y + 12}" font-size="11">{v:.1f}</text>')
            y += rowh
        y += 10
    svg.append("</svg>")
    with open(svg_path, "w") as f:
        f.write("\n".join(svg))
    if not shutil.which("rsvg-convert"):
        return None
    png = svg_path[:-4] + ".png" if svg_path.endswith(".svg") else svg_path + ".png"
    subprocess.run(["rsvg-convert", "-o", png, svg_path], capture_output=True)
    return png


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: bar_chart.py OUT.svg < groups.json")
    groups = [(g["title"], [(b[0], float(b[1])) for b in g["bars"]]) for g in json.load(sys.stdin)]
    png = write(groups, {}, sys.argv[1])
    print(f"chart: {sys.argv[1]}" + (f" {png}" if png else ""))


if __name__ == "__main__":
    main()
