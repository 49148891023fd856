#!/usr/bin/python3
"""Tables and the learned-window figure of docs/results.md from configs/frontends_compare.yaml runs:
`results_md.py EXPERIMENT_FOLDER_OR_RESULTS_CSV... > tables.md` (figure: gnuplot,
docs/figures/learned_windows.png). A folder is read run by run (runs/<cell>/run<k>/result.json), so
trials of several invocations over subsets of the grid count together. Rows are front-end
families, columns initial windows."""
import collections
import csv
import glob
import json
import os
import statistics
import subprocess
import sys

FAMILIES = [("logmel", "fixed log-mel"), ("dmel", "DMEL"), ("degram", "DEGram (SincGram + TF-DE + norm)"),
            ("logmel_pcen", "log-mel + PCEN"), ("dmel_pcen", "DMEL + PCEN"),
            ("learnable", "fully learnable (λ + SincGram + TF-DE + norm)"),
            ("learnable_pcen", "fully learnable + PCEN")]
WINDOWS = ["10ms", "35ms", "300ms"]
DATA = [("digits", "FSDD digits"), ("speakers", "FSDD speakers"), ("digits_10pct", "FSDD digits, 10 % of train"),
        ("esc10", "ESC-10, random stratified split (280 / 40 / 80 clips)"),
        ("esc10_folds", "ESC-10 on its own folds (1–3 train, 4 valid, 5 test)")]


def rows(paths):
    for path in paths:
        if os.path.isdir(path):
            for result in sorted(glob.glob(os.path.join(path, "runs", "*", "run*", "result.json"))):
                cell = dict(part.split("=", 1) for part in os.path.basename(os.path.dirname(os.path.dirname(result))).split(","))
                r = json.load(open(result))
                yield {**cell, **{k: str(v) for k, v in r.items() if not isinstance(v, (dict, list))}}
            continue
        with open(path) as f:
            for row in csv.DictReader(line for line in f if not line.startswith("#")):
                if row.get("status", "ok") == "ok":
                    yield row


def family_and_window(frontend):
    for w in WINDOWS:
        if frontend.endswith("_" + w):
            return frontend[: -len(w) - 1], w
    return frontend, "32ms (Hann)"


def main(paths):
    cells = collections.defaultdict(list)
    for row in rows(paths):
        family, window = family_and_window(row["frontend"])
        cells[(row["data"], family, window)].append(row)
    out = []
    for data, title in DATA:
        if not any(k[0] == data for k in cells):
            continue
        out.append(f"### {title}\n")
        out.append("Test accuracy (%), mean ± std over runs (n); for a trained window, the range of learned windows "
                   "(ms).\n")
        out.append("| front end | " + " | ".join(w.replace("ms", " ms") for w in WINDOWS) + " |")
        out.append("|---|" + "---|" * len(WINDOWS))
        for family, label in FAMILIES:
            entries = []
            for w in WINDOWS if family != "degram" else ["32ms (Hann)"]:
                runs = cells.get((data, family, w), [])
                if not runs:
                    entries.append("–")
                    continue
                acc = [100 * float(r["test_accuracy"]) for r in runs]
                text = f"{statistics.mean(acc):.1f} ± {statistics.stdev(acc) if len(acc) > 1 else 0:.1f} ({len(acc)})"
                learned = [float(r["learned_window_ms"]) for r in runs if r.get("learned_window_ms")]
                initial = [float(r["initial_window_ms"]) for r in runs if r.get("initial_window_ms")]
                if learned and initial and max(abs(a - b) for a, b in zip(learned, initial)) > 1e-3:
                    text += f"<br>→ {min(learned):.0f}–{max(learned):.0f} ms"
                entries.append(text)
            if family == "degram":
                entries = [f"{entries[0]} (32 ms Hann)", "", ""]
            out.append(f"| {label} | " + " | ".join(entries) + " |")
        out.append("")
    out.append("### Runtimes\n")
    out.append("Median seconds per epoch (training and validation, one thread per trial, two trials at once on 2 "
               "cores) and median epochs run.\n")
    out.append("| data | front end | " + " | ".join(w.replace("ms", " ms") for w in WINDOWS) + " |")
    out.append("|---|---|" + "---|" * len(WINDOWS))
    for data, title in DATA:
        for family, label in FAMILIES:
            entries = []
            for w in WINDOWS if family != "degram" else ["32ms (Hann)"]:
                runs = cells.get((data, family, w), [])
                if not runs:
                    entries.append("–")
                    continue
                per_epoch = statistics.median(float(r["seconds"]) / max(1, int(r["epochs"])) for r in runs)
                entries.append(f"{per_epoch:.2f} s × {statistics.median(int(r['epochs']) for r in runs):.0f}")
            if family == "degram":
                entries += ["", ""]
            if any(e != "–" for e in entries if e):
                out.append(f"| {data} | {label} | " + " | ".join(entries) + " |")
    print("\n".join(out))
    figure(cells)


def figure(cells):
    series = []
    for family, label in FAMILIES:
        points = [(float(r["initial_window_ms"]), float(r["learned_window_ms"]))
                  for (data, fam, w), runs in cells.items() if data == "digits" and fam == family
                  for r in runs if r.get("learned_window_ms") and r.get("initial_window_ms")]
        if points and any(abs(a - b) > 1e-3 for a, b in points):
            series.append((label, points))
    if not series:
        return
    script = ["set terminal pngcairo size 900,600 noenhanced", "set output 'docs/figures/learned_windows.png'",
              "set logscale xy", "set xlabel 'initial window (ms)'", "set ylabel 'learned window (ms)'",
              "set title 'FSDD digits: where the trained windows went (one point per run)'", "set key top left",
              "set xrange [7:400]", "set yrange [5:1000]", "set grid"]
    plots = ["x title 'unchanged' lc rgb '#999999'"]
    data = []
    for i, (label, points) in enumerate(series):
        jitter = 1 + 0.04 * (i - len(series) / 2)
        plots.append(f"'-' using 1:2 with points pt {i + 5} ps 1.4 title '{label}'")
        data.append("\n".join(f"{a * jitter} {b}" for a, b in points) + "\ne")
    script.append("plot " + ", ".join(plots))
    subprocess.run(["gnuplot"], input="\n".join(script + data) + "\n", text=True, check=True)


if __name__ == "__main__":
    main(sys.argv[1:])
