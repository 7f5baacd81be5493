"""reports/bench.md and reports/bench_latency.png from one `make bench-load` run.

The "before" profile and figures come from reports/bench_before.json, written by
`python -m bench.load --save-as before` on the code before the lean hot path; the
hand-written findings (tracker-store growth, memory) from bench/load_notes.md.
"""

from __future__ import annotations

import json
from pathlib import Path

from bench.nlu_eval import REPORTS, ROOT

NOTES = ROOT / "bench" / "load_notes.md"
CHART = "bench_latency.png"
RATIO_GOAL = 1.5
REALISTIC_P95_GOAL_MS = 300
RSS_GOAL_KB = 1.2 * 1024 * 1024
CLUSTER_RATIO_GOAL = 1.4  # issue #12: two servers against one


def fmt(value: float | None, digits: int = 0) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def levels(run: dict, mode: str) -> list[dict]:
    return [level for level in run["levels"] if level["mode"] == mode]


def floor_for(runs: list[dict], store: str) -> dict | None:
    return next((r for r in runs if r["name"].startswith("floor") and r["store"] == store), None)


def peak(run: dict) -> float:
    return max((level["turns_per_s"] for level in levels(run, "saturation")), default=0.0)


def saturation_table(runs: list[dict]) -> list[str]:
    loads = [level["load"] for level in levels(runs[0], "saturation")]
    head = "| target | " + " | ".join(f"{n} client{'s' * (n > 1)}" for n in loads)
    lines = [
        head + " | peak turns/s | x floor (peak, same stores) |",
        "|---" * (len(loads) + 3) + "|",
    ]
    for run in runs:
        if not levels(run, "saturation"):  # the scaled-out target: realistic levels only
            continue
        cells = [
            f"{fmt(level['turns_per_s'], 1)} t/s (p50 {fmt(level['p50_ms'])}, "
            f"p95 {fmt(level['p95_ms'])}, p99 {fmt(level['p99_ms'])} ms"
            + (f", {level['errors']} err" if level["errors"] else "")
            + ")"
            for level in levels(run, "saturation")
        ]
        floor = floor_for(runs, run["store"])
        ratio = "–"
        if floor is not None and floor is not run and peak(floor):
            ratio = f"**{peak(run) / peak(floor):.2f}x**"
        lines.append(f"| {run['name']} | " + " | ".join(cells) + f" | {peak(run):.1f} | {ratio} |")
    return lines


def realistic_table(runs: list[dict]) -> list[str]:
    lines = [
        "| target | conversations | turns | p50 ms | p95 ms | p99 ms | errors |",
        "|---|---|---|---|---|---|---|",
    ]
    for run in runs:
        for level in levels(run, "realistic"):
            kinds = ", ".join(f"{k}: {v}" for k, v in level["error_kinds"].items())
            lines.append(
                f"| {run['name']} | {level['load']} | {level['turns']} | "
                f"{fmt(level['p50_ms'])} | {fmt(level['p95_ms'])} | {fmt(level['p99_ms'])} | "
                f"{level['errors']}{f' ({kinds})' if kinds else ''} |"
            )
    return lines


def memory_table(runs: list[dict]) -> list[str]:
    lines = [
        "| target | Rasa RSS after the run | Rasa peak RSS | other processes (RSS) "
        "| start-up to first answer (model load included) |",
        "|---|---|---|---|---|",
    ]
    for run in runs:
        rasa = run["memory_kb"]["rasa"]
        others = ", ".join(
            f"{name} {kb['VmRSS'] / 1024:.0f} MB"
            for name, kb in run["memory_kb"].items()
            if name != "rasa"
        )
        lines.append(
            f"| {run['name']} | {rasa['VmRSS'] / 1024:.0f} MB | {rasa['VmHWM'] / 1024:.0f} MB | "
            f"{others or '–'} | {run['startup_s']:.1f} s |"
        )
    return lines


def profile_section(title: str, profile: dict | None) -> list[str]:
    if not profile:
        return [f"**{title}:** no profile recorded.", ""]
    lines = [
        f"**{title}** ({profile['samples']} samples at 100 Hz). Share of samples whose stack "
        "passes through:",
        "",
        "| package | % | | function (on the stack) | % |",
        "|---|---|---|---|---|",
    ]
    packages = list(profile["packages"].items())[:12]
    functions = profile["functions"][:12]
    for index in range(max(len(packages), len(functions))):
        package = packages[index] if index < len(packages) else ("", "")
        function = functions[index] if index < len(functions) else ("", "")
        lines.append(
            f"| {package[0]} | {package[1]} | | `{function[0]}` | {function[1]} |"
            if function[0]
            else f"| {package[0]} | {package[1]} | | | |"
        )
    leaves = ", ".join(f"`{name}` {pct}%" for name, pct in profile.get("self", [])[:8])
    return [*lines, "", f"Innermost frames (self time): {leaves}.", ""]


def acceptance(data: dict) -> list[str]:
    runs = data["runs"]
    lines = ["| criterion | this run | met |", "|---|---|---|"]
    lines.append(
        f"| `make bench-load` under 15 min | {data['total_s'] / 60:.1f} min | "
        f"{'yes' if data['total_s'] < 900 else 'no'} |"
    )
    for run in runs:
        floor = floor_for(runs, run["store"])
        if run["name"].startswith("floor") or floor is None or not peak(floor):
            continue
        ratio = peak(run) / peak(floor)
        lines.append(
            f"| saturation >= {RATIO_GOAL}x the floor ({run['store']}) | {ratio:.2f}x | "
            f"{'yes' if ratio >= RATIO_GOAL else 'no'} |"
        )
    for run in runs:
        if run["name"].startswith("floor"):
            continue
        for level in levels(run, "realistic"):
            if level["load"] == 200:
                ok = (
                    level["p95_ms"] is not None
                    and level["p95_ms"] < REALISTIC_P95_GOAL_MS
                    and level["errors"] == 0
                )
                lines.append(
                    f"| realistic, 200 conversations ({run['store']}): p95 < "
                    f"{REALISTIC_P95_GOAL_MS} ms, 0 errors | p95 {fmt(level['p95_ms'])} ms, "
                    f"{level['errors']} errors | {'yes' if ok else 'no'} |"
                )
        rss = run["memory_kb"]["rasa"]["VmRSS"]
        lines.append(
            f"| Rasa RSS < 1.2 GB after the run ({run['store']}) | {rss / 1024:.0f} MB | "
            f"{'yes' if rss < RSS_GOAL_KB else 'no'} |"
        )
    failover = data.get("failover")
    if failover:
        kill = failover["kill"]
        lines += [
            f"| #12: 2 Rasa servers >= {CLUSTER_RATIO_GOAL}x one (production stores) | "
            f"{failover['ratio']:.2f}x | "
            f"{'yes' if failover['ratio'] >= CLUSTER_RATIO_GOAL else 'no'} |",
            f"| #12: a server killed mid-run loses no conversation | {kill['lost']} lost, "
            f"{kill['failed_attempts']} retried attempts | "
            f"{'yes' if kill['lost'] == 0 else 'no'} |",
        ]
    return lines


def failover_section(failover: dict | None) -> list[str]:
    if not failover:
        return []
    from bench.failover import report_lines

    return ["## Two Rasa servers, and one killed mid-run (bench/failover.py)", "",
            *report_lines(failover)]  # fmt: skip


def before_section(before: dict | None, runs: list[dict]) -> list[str]:
    if not before:
        return []
    lines = [
        "## Before and after",
        "",
        f"Before: the same bench on `{before['git']}` ({before['date']}, load average "
        f"{', '.join(f'{x:.1f}' for x in before['load_average'])}), our servers only.",
        "",
        "| target | before: peak turns/s | now: peak turns/s | before: Rasa RSS | now |",
        "|---|---|---|---|---|",
    ]
    # runs before 0eba157 counted only the turns begun in the window: not comparable
    comparable = bool(before.get("counting"))
    for old in before["runs"]:
        new = next((r for r in runs if r["name"] == old["name"]), None)
        if new is None:
            continue
        lines.append(
            f"| {old['name']} | {f'{peak(old):.1f}' if comparable else '– (not comparable)'} | "
            f"{peak(new):.1f} | "
            f"{old['memory_kb']['rasa']['VmRSS'] / 1024:.0f} MB | "
            f"{new['memory_kb']['rasa']['VmRSS'] / 1024:.0f} MB |"
        )
    return [*lines, ""]


def chart(runs: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (left, middle, right) = plt.subplots(1, 3, figsize=(15, 4.5))
    for run in runs:
        style = "--" if run["name"].startswith("floor") else "-"
        saturation = levels(run, "saturation")
        loads = [level["load"] for level in saturation]
        left.plot(loads, [lv["turns_per_s"] for lv in saturation], style, marker="o",
                  label=run["name"])  # fmt: skip
        middle.plot(loads, [lv["p95_ms"] for lv in saturation], style, marker="o",
                    label=run["name"])  # fmt: skip
        realistic = levels(run, "realistic")
        right.plot([lv["load"] for lv in realistic], [lv["p95_ms"] for lv in realistic], style,
                   marker="o", label=run["name"])  # fmt: skip
    left.set(title="Saturation: throughput", xlabel="clients (no think time)", ylabel="turns/s")
    middle.set(title="Saturation: p95 latency", xlabel="clients", ylabel="ms", yscale="log")
    right.set(
        title="Realistic (1-5 s think): p95 latency",
        xlabel="concurrent conversations", ylabel="ms", yscale="log",
    )  # fmt: skip
    right.axhline(REALISTIC_P95_GOAL_MS, color="grey", linewidth=0.8, linestyle=":")
    for axis in (left, middle, right):
        axis.grid(True, alpha=0.3)
    left.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def growth_table(growth: dict[str, dict]) -> list[str]:
    if not growth:
        return []
    lengths = list(next(iter(growth.values())))
    lines = [
        "## Tracker store against conversation length",
        "",
        "Retrieve + save of one more turn (5 events) on a session that already has N turns, "
        "Rasa's SQLTrackerStore against ours (bot/rasa/tracker_store.py: the session kept "
        "between turns, checked with one indexed query), median of 5, in one process "
        "(bench/tracker_growth.py):",
        "",
        "| store | " + " | ".join(f"N = {n}" for n in lengths) + " |",
        "|---" * (len(lengths) + 1) + "|",
    ]
    for store, timings in growth.items():
        lines.append(f"| {store} | " + " | ".join(f"{timings[n]} ms" for n in lengths) + " |")
    return [*lines, ""]


def write_report(data: dict) -> Path:
    runs = data["runs"]
    before_path = REPORTS / "bench_before.json"
    before = json.loads(before_path.read_text()) if before_path.exists() else None
    ours = next((r for r in runs if r["store"] == "embedded" and r.get("profile")), None)
    chart(runs, REPORTS / CHART)
    settings = data["settings"]
    lines = [
        "# Load benchmark: our Rasa server and a bare `rasa init` assistant",
        "",
        f"`make bench-load` (bench/load.py) on {data['date']}, commit `{data['git']}`, "
        f"model `{data['model']}`, {data['cores']} cores shared with other work (load "
        f"average at the end {', '.join(f'{x:.1f}' for x in data['load_average'])}). "
        f"The whole run took {data['total_s'] / 60:.1f} min"
        + (
            f", of which {data['floor_train_s']:.0f} s to train the floor "
            "(`rasa init --no-prompt`, its default config, in this run)."
            if data["floor_train_s"]
            else "; the floor was trained by an earlier run (`--reuse-floor`, same Rasa version)."
        ),
        "",
        "Closed-loop REST load from one asyncio + aiohttp process on the same machine, "
        "127.0.0.1 only; a new sender per conversation. Saturation: "
        f"{settings['saturation_seconds']:.0f} s measured per level after "
        f"{settings['warmup_seconds']:.0f} s of warm-up, no think time. Realistic: each "
        "conversation waits 1–5 s (uniform) between messages, "
        f"{settings['realistic_seconds']:.0f} s measured. Our scripts (bench/scripts.py, "
        "it/fr/en): greeting, can't log in to the checklist, password reset, account "
        "status with the code read from the outbox table, FAQ, a person. The floor plays "
        "`rasa init`'s own intents. Absolute numbers move with the other work on the "
        "machine; the ratios compare targets measured minutes apart in the same run.",
        "",
        "## Acceptance",
        "",
        *acceptance(data),
        "",
        *[f"**Not measured:** {failure}" for failure in data.get("failures") or []],
        "",
        "## Saturation (closed loop, no think time)",
        "",
        *saturation_table(runs),
        "",
        "## Realistic (1–5 s between messages)",
        "",
        *realistic_table(runs),
        "",
        f"![latency against load]({CHART})",
        "",
        "## Memory and start-up",
        "",
        *memory_table(runs),
        "",
        "## Profile of our Rasa server under load",
        "",
        "py-spy, sampling our embedded server during the 10-client saturation level.",
        "",
        *profile_section(
            "Before" + (f" (`{before['git']}`)" if before else ""),
            next((r["profile"] for r in before["runs"] if r.get("profile")), None)
            if before
            else None,
        ),
        *profile_section(f"After (`{data['git']}`)", ours["profile"] if ours else None),
        *before_section(before, runs),
        *failover_section(data.get("failover")),
        *growth_table(data.get("tracker_growth") or {}),
    ]
    if NOTES.exists():
        lines += [NOTES.read_text(encoding="utf-8").strip(), ""]
    path = REPORTS / "bench.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    print(path.read_text(encoding="utf-8"))
    return path
