"""``report.md`` of ``skequi sweep --data``: the answer, the tables, the next sweep."""

from __future__ import annotations

import shlex

import pandas as pd

__all__ = ["write_report"]


def _markdown(frame: pd.DataFrame, floats: str = "{:.3f}") -> str:
    """A pipe table (pandas' to_markdown needs tabulate, an optional dependency)."""
    header = "| " + " | ".join(str(c) for c in frame.columns) + " |"
    rule = "|" + "|".join("---" for _ in frame.columns) + "|"
    rows = []
    for values in frame.itertuples(index=False):
        cells = [floats.format(v) if isinstance(v, float) else str(v) for v in values]
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join([header, rule] + rows)


def _candidates(frame: pd.DataFrame, names, task) -> pd.DataFrame:
    columns = {"group": "group", "relaxation_rank": "rank", "n_params": "n_params",
               "mean_test_score": "score", "std_test_score": "± (folds)"}
    table = frame[[c for c in columns if c in frame]].rename(columns=columns)
    points = 100.0
    for column in ("score", "± (folds)"):
        table[column] = table[column] * points
    for name in names:
        key = f"mean_test_score_on_{name}"
        if key in frame:
            table[f"score on {name}-moved"] = frame[key] * points
    for name in names:
        key = f"mean_test_error_vs_{name}"
        if key in frame:
            table[f"error vs {name}"] = frame[key]
    if task.kind == "field":
        for key, label in (("mean_test_rmse", "RMSE"), ("mean_test_relative_l2", "rel. L2")):
            if key in frame:
                table[label] = frame[key]
    return table


def _next_command(args, recommended: str) -> str:
    parts = ["skequi", "sweep", "--data", str(args.data)]
    if args.target:
        parts += ["--target", ",".join(args.target)]
    if args.target_type != "auto":
        parts += ["--target-type", args.target_type]
    parts += ["--groups", f"C1,{recommended}" if recommended != "C1" else "C1",
              "--ranks", "0,1,2"]
    return " ".join(shlex.quote(p) for p in parts)


def write_report(path, *, args, data, task, names, plain, frame, answer, numbers, table,
                 largest, recommended, tests, held_out, n_train, n_test, elapsed, best,
                 reference, epochs) -> None:
    """Write ``report.md`` (see :mod:`._own_data` for what each piece is)."""
    points = "points (x100)"
    lines = [f"# Symmetry report: {data.source}", ""]
    widths = (f"each group's widths matched to the plain CNN with channels={reference} "
              "(relaxed models keep their group's widths and add their relaxation's "
              "parameters)" if task.data == "images" else f"EMLP, hidden={args.hidden}")
    lines += [
        f"{n_train} training samples, {n_test} held out ({held_out}); {task.kind} on "
        f"{task.data} (X {tuple(data.X.shape[1:])} per sample), scored by {task.score_name}. "
        f"GridSearchCV over group in {{{', '.join(names)}}} x relaxation_rank in "
        f"{{{', '.join(map(str, args.ranks))}}}, {args.cv}-fold, {epochs} epochs per fit "
        f"(batch {args.batch_size}), "
        f"{widths}; {elapsed:.0f} s.",
        "",
        "## The answer",
        "",
        answer,
        "",
        f"Gaps are the mean ± standard deviation over the {args.cv} folds of the per-fold "
        f"difference in {task.score_name}, in {points}.",
        "",
        "## Candidates",
        "",
        "Scores in points on the validation folds: as they are (`score`), and moved by random "
        "elements of each candidate group (`score on G-moved`; targets that transform move "
        "too). `error vs G` is the equivariance error ||f(g x) - g f(x)|| / ||f(x)|| averaged "
        "over G's non-identity elements (0 for a model exact under G).",
        "",
        _markdown(_candidates(frame, names, task), "{:.2f}"),
        "",
        "## Which symmetries do the data have?",
        "",
        f"The plain model ({plain}, no symmetry imposed), trained on the training part and "
        f"scored on the held-out pairs moved by each element g of {largest}: "
        + ("(g x, y) for labels. " if task.kind == "classification" else "(g x, g y). ")
        + "If the data are symmetric under g, moved pairs are just more pairs like the others "
        "and the score holds; where it drops, g is not a symmetry of the data. An element "
        "holds when its drop is under two bootstrap standard errors or under one point.",
        "",
    ]
    shown = table.reset_index()
    shown["holds"] = shown["holds"].map({True: "yes", False: "**no**"})
    lines += [_markdown(shown, "{:.2f}"), ""]
    if recommended is not None:
        held = [e for e in table.index[table.holds] if e != "e"]
        if recommended == "C1":
            lines.append(f"No element of {largest} but the identity keeps the score: the data "
                         "look unsymmetric under the pixel grid's symmetries; the plain CNN is "
                         "the right model.")
        else:
            lines.append(f"**Recommended group: {recommended}**, the largest subgroup of D4 whose "
                         f"elements all keep the score (held: {', '.join(held)}). Sweep it "
                         f"next, exact and relaxed:")
            lines += ["", "```bash", _next_command(args, recommended), "```"]
    else:
        failed = [e for e in table.index[~table.holds]]
        lines.append("All sampled elements keep the score: the data look symmetric under "
                     f"{largest}." if not failed else
                     f"The score drops under {', '.join(failed)}: the data are not symmetric "
                     f"under all of {largest}.")
    lines += ["", "## Held-out test", ""]
    test = pd.DataFrame(tests)
    test["score"] = test["score"] * 100
    lines += [f"Both models refitted on the whole training part; {task.score_name} in points"
              + (", RMSE and relative L2 error in the targets' units" if task.kind == "field"
                 else "") + "; `loss_drop_last_fifth`: how much the training loss fell over "
              "the last fifth of the epochs.", "", _markdown(test, "{:.3f}"), ""]
    from ._own_data import STILL_LEARNING

    for row in tests:
        if row["loss_drop_last_fifth"] > STILL_LEARNING:
            lines += [f"**Warning**: the {row['model']} model ({row['group']}) was still "
                      f"learning when training stopped (its training loss fell "
                      f"{row['loss_drop_last_fifth']:.0%} over the last fifth of the {epochs} "
                      "epochs): the comparison may change with more epochs (--epochs).", ""]
    lines += ["## Files", "",
              "- `results.csv`: every candidate, every score column of the search",
              "- `relaxation.png`: score against relaxation rank, one line per group",
              "- `report.md`: this report", ""]
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines))
