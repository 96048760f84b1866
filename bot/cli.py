"""The `advisor` command line: ingest, search, assess and ask, from a terminal."""

from __future__ import annotations

import functools
import json
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer
from typer.core import TyperCommand, TyperGroup

from advisor.access import Requester
from advisor.errors import AdvisorError


class _WordsForTypes:
    """Help that says in words what each parameter takes, without Typer's type labels
    (``<bool>``, ``<list[Path]>``), which read like code rather than a finished tool."""

    def get_params(self, ctx):
        params = super().get_params(ctx)
        for param in params:  # an option that takes a value shows its metavar (USER, N), nothing else
            shown = param.metavar if param.param_type_name == "option" else None
            param.display_type_rich = functools.partial(_shown_type, shown)
        return params


def _shown_type(shown: str | None, ctx) -> str | None:
    return shown


class Command(_WordsForTypes, TyperCommand):
    pass


class Group(_WordsForTypes, TyperGroup):
    pass


app = typer.Typer(
    help="AI transformation advisor: move AI initiatives from proof of concept to production.",
    cls=Group,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
command = functools.partial(app.command, cls=Command)


def _print_version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"advisor {version('ai-transformation-advisor')}")
        raise typer.Exit()


@app.callback()
def _options(
    show_version: Annotated[
        bool | None,
        typer.Option("--version", callback=_print_version, is_eager=True, help="Show the version and exit."),
    ] = None,
) -> None:
    """AI transformation advisor: move AI initiatives from proof of concept to production."""


UserOpt = Annotated[
    str | None, typer.Option("--user", "-u", metavar="USER", help="Slack user id asking (applies access rules).")
]
ChannelOpt = Annotated[
    str | None, typer.Option("--channel", "-c", metavar="CHANNEL", help="Slack channel id the question comes from.")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def edge(command):
    """Turn every failure into one line on stderr and a non-zero exit; never a traceback."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        from rich.markup import escape

        from bot.render import console

        try:
            return command(*args, **kwargs)
        except (typer.Exit, typer.Abort):
            raise
        except AdvisorError as exc:
            # escaped: a message may name an extra in brackets; unwrapped: one message, one line
            console(stderr=True).print(f"[red]error:[/red] {escape(str(exc))}", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None
        except KeyboardInterrupt:
            raise typer.Exit(130) from None
        except Exception as exc:  # the edge: anything unexpected still gets one clear line
            console(stderr=True).print(
                f"[red]error:[/red] unexpected {exc.__class__.__name__}: {escape(str(exc))}", soft_wrap=True
            )
            raise typer.Exit(1) from None

    return wrapper


def requester_for(user: str | None, channel: str | None) -> Requester:
    return Requester(user_id=user, channel_id=channel) if (user or channel) else Requester.admin()


def _advisor(today: date | None = None, heal: bool = True, warn: bool = True, **overrides):
    """The Advisor, its index healed unless ``heal`` is False; stored records that no longer agree
    with framework.yaml are warned about on stderr (``warn=False`` where the command reports them itself)."""
    from bot.bootstrap import load_settings, open_advisor
    from bot.progress import ingest_progress

    settings = load_settings(**overrides)
    with ingest_progress("Indexing the bundled knowledge (first run)") as on_progress:
        on_problems = _warn if warn else (lambda _problems: None)
        return open_advisor(settings, today=today, on_progress=on_progress, heal=heal, on_problems=on_problems)


def _warn(problems: list[str]) -> None:
    from bot.render import console

    for problem in problems:
        console(stderr=True).print(f"[yellow]warning:[/yellow] {problem}", markup=True, highlight=False)


def _output(result, as_json: bool, view) -> None:
    """Print a result (a model or a list of models) as JSON, or as the terminal view ``view()``."""
    if as_json:
        data = (
            [r.model_dump(mode="json") for r in result] if isinstance(result, list) else result.model_dump(mode="json")
        )
        sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    else:
        from bot.render import console

        console().print(view())


@command()
@edge
def ingest(
    paths: Annotated[list[Path], typer.Argument(metavar="PATH", help="Files or folders (recursive).")],
    prune: Annotated[
        bool, typer.Option(help="Remove indexed sources that no longer exist under these folders.")
    ] = False,
    allow: Annotated[
        list[str] | None, typer.Option(metavar="ID", help="Restrict to these Slack user/channel ids (repeatable).")
    ] = None,
    as_json: JsonOpt = False,
):
    """Ingest documents (md, txt, pdf, docx, html) and initiative records (csv, yaml, json)."""
    from bot.progress import ingest_progress
    from bot.render import ingest_view
    from ingest.pipeline import Ingestor

    advisor = _advisor(warn=False)
    with ingest_progress("Ingesting", enabled=not as_json) as on_progress:
        summary = Ingestor(advisor, allowed=allow).run(paths, prune=prune, on_progress=on_progress)
    _output(summary, as_json, lambda: ingest_view(summary))
    if summary.failed:
        raise typer.Exit(1)


@command()
@edge
def remove(
    paths: Annotated[
        list[Path], typer.Argument(metavar="PATH", help="Indexed files, or folders whose indexed files to remove.")
    ],
    as_json: JsonOpt = False,
):
    """Take sources out of the index and their initiative records out of the portfolio."""
    from bot.render import removal_view
    from ingest.pipeline import Ingestor

    summary = Ingestor(_advisor()).remove(paths)
    _output(summary, as_json, lambda: removal_view(summary))
    if not summary.counts["removed"]:
        raise AdvisorError("nothing indexed under " + ", ".join(str(p) for p in paths))


@command()
@edge
def reindex(as_json: JsonOpt = False):
    """Re-embed everything indexed with the configured model, after ADVISOR_EMBEDDING_MODEL changed."""
    from bot.progress import ingest_progress
    from bot.render import reembedded_view
    from ingest.pipeline import Ingestor

    advisor = _advisor()
    with ingest_progress("Re-embedding", enabled=not as_json) as on_progress:
        summary = Ingestor(advisor).run([], on_progress=on_progress)
    done = summary.reembedded
    _output(
        summary,
        as_json,
        lambda: (
            reembedded_view(done)
            if done
            else f"The index already uses {advisor.index.embedder.name}: nothing to re-embed."
        ),
    )


@command()
@edge
def doctor(
    check: Annotated[bool, typer.Option("--check", help="Only report; exit code 1 when something is wrong.")] = False,
    as_json: JsonOpt = False,
):
    """Check that the manifest, the vector store and the BM25 snapshot agree, and repair what does not."""
    from bot.progress import ingest_progress
    from bot.render import doctor_view
    from ingest.doctor import examine

    advisor = _advisor(heal=False)
    with ingest_progress("Repairing", enabled=not (as_json or check)) as on_progress:
        report = examine(advisor, repair=not check, on_progress=on_progress)
    _output(report, as_json, lambda: doctor_view(report))
    if not report.healthy:
        raise typer.Exit(1)


@app.command()
@edge
def sources(as_json: JsonOpt = False):
    """List what is indexed: source, kind, chunks, ingested at."""
    from bot.render import sources_view
    from ingest.manifest import Manifest
    from ingest.pipeline import display_source

    advisor = _advisor()
    entries = [
        e.model_copy(update={"source": display_source(Path(e.source), advisor)})
        for e in Manifest(advisor.engine).entries().values()
    ]
    _output(entries, as_json, lambda: sources_view(entries))


@command()
@edge
def search(
    query: Annotated[str, typer.Argument(metavar="QUERY", help="What to look for.")],
    k: Annotated[int, typer.Option("--k", metavar="N", min=1, max=100, help="How many passages.")] = 5,
    kind: Annotated[
        list[str] | None, typer.Option(metavar="KIND", help="practice, record or document (repeatable).")
    ] = None,
    tag: Annotated[
        list[str] | None, typer.Option(metavar="TAG", help="Only passages with this tag (repeatable).")
    ] = None,
    initiative: Annotated[
        str | None, typer.Option(metavar="ID", help="Only passages about this initiative id.")
    ] = None,
    user: UserOpt = None,
    channel: ChannelOpt = None,
    as_json: JsonOpt = False,
):
    """Hybrid search (dense + BM25) over everything indexed, within the requester's access."""
    from advisor.search.index import SearchFilter
    from bot.render import hits_view

    bad = sorted(set(kind or []) - {"practice", "record", "document"})
    if bad:
        raise AdvisorError(f"--kind: unknown kind {bad[0]!r}; expected practice, record or document")
    advisor = _advisor()
    where = SearchFilter(kinds=tuple(kind or ()), tags=tuple(tag or ()), initiative_id=initiative)
    hits = advisor.index.search(query, requester_for(user, channel), k=k, where=where)
    _output(hits, as_json, lambda: hits_view(hits))


@command()
@edge
def initiative(
    id_or_name: Annotated[str, typer.Argument(metavar="ID_OR_NAME", help="Id, name or a loose form of the name.")],
    user: UserOpt = None,
    channel: ChannelOpt = None,
    as_json: JsonOpt = False,
):
    """Assess one initiative: phase, next phase, unmet gates, missing capabilities, risks."""
    from bot.render import assessment_view

    advisor = _advisor()
    requester = requester_for(user, channel)
    record = advisor.find_initiative(id_or_name, requester)
    assessment = advisor.assess(record.id, requester)
    _output(assessment, as_json, lambda: assessment_view(assessment, record, advisor.framework))


@command()
@edge
def portfolio(
    where: Annotated[
        str | None,
        typer.Argument(metavar="[FILTER]", help='For example "genai japan", "phase 2", stalled, "missing monitoring".'),
    ] = None,
    user: UserOpt = None,
    channel: ChannelOpt = None,
    as_json: JsonOpt = False,
    csv_file: Annotated[
        Path | None,
        typer.Option(
            "--csv", metavar="FILE", help="Write every matching initiative with its assessment to FILE ('-': stdout)."
        ),
    ] = None,
):
    """The portfolio at a glance, over the initiatives the requester may see (and the filter)."""
    from bot.render import portfolio_view

    advisor = _advisor()
    requester = requester_for(user, channel)
    if csv_file is not None:
        _write_csv(advisor, requester, where or "", csv_file)
        return
    summary = advisor.portfolio_summary(requester, where or "")
    _output(summary, as_json, lambda: portfolio_view(summary, advisor.framework))


def _write_csv(advisor, requester: Requester, where: str, target: Path) -> None:
    """Every matching initiative, one row each, written whole or not at all."""
    from advisor.portfolio.export import portfolio_csv
    from bot.render import console

    assessed = advisor.portfolio_assessed(requester, where)
    table = portfolio_csv(assessed, advisor.framework)
    if str(target) == "-":
        sys.stdout.write(table)
        return
    partial = target.with_name(target.name + ".partial")
    try:
        partial.write_text(table, encoding="utf-8")
        partial.replace(target)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise AdvisorError(f"--csv: cannot write {target}: {exc.strerror}") from None
    console(stderr=True).print(f"{len(assessed)} initiatives written to {target}", highlight=False, markup=False)


@command()
@edge
def ask(
    question: Annotated[str, typer.Argument(metavar="QUESTION", help="Your question, in your own words.")],
    user: UserOpt = None,
    channel: ChannelOpt = None,
    as_json: JsonOpt = False,
):
    """Ask the advisor; the answer cites its sources."""
    from bot.render import answer_view

    advisor = _advisor()
    answer = advisor.ask(question, requester_for(user, channel))
    _output(answer, as_json, lambda: answer_view(answer))


@command()
@edge
def chat(user: UserOpt = None, channel: ChannelOpt = None):
    """An interactive session: ask follow-ups ("and what are its risks?"); `exit` to leave."""
    from bot.render import answer_view, console

    advisor = _advisor()
    out = console()
    out.print("[dim]Ask about an initiative, the portfolio or a practice. Type exit to leave.[/dim]")
    history: list[str] = []
    while True:
        try:
            question = out.input("[bold cyan]you>[/bold cyan] ").strip()
        except EOFError:
            break
        if question.lower() in ("exit", "quit", ":q"):
            break
        if not question:
            continue
        try:
            out.print(answer_view(advisor.ask(question, requester_for(user, channel), history)))
        except AdvisorError as exc:
            out.print(f"[red]error:[/red] {exc}")
        history.append(question)


@command(name="eval")
@edge
def evaluate(
    file: Annotated[
        Path,
        typer.Argument(
            metavar="FILE", help="Labelled questions (YAML), as in benchmarks/datasets/answers.yaml.", dir_okay=False
        ),
    ],
    user: UserOpt = None,
    channel: ChannelOpt = None,
    today: Annotated[
        datetime | None,
        typer.Option(metavar="DATE", formats=["%Y-%m-%d"], help="The date the labels were made for (YYYY-MM-DD)."),
    ] = None,
    as_json: JsonOpt = False,
):
    """Score the configured composer on labelled questions: citations, supported sentences, key terms,
    exact facts, fallbacks, latency and tokens, per question and in total."""
    from advisor.answering.evaluation import load_labelled
    from bot.evaluation import eval_view, run_eval

    cases = load_labelled(file)  # a bad file stops before the index is opened
    advisor = _advisor(today=today.date() if today else None, llm_user_hourly_tokens=None)
    report = run_eval(advisor, file, cases, user, channel)
    if as_json:
        _output(report, as_json, None)
    else:
        from bot.render import console

        out = console()
        out.width = max(out.width, 150)  # one line per question, also when piped to a file
        out.print(eval_view(report))


@command()
@edge
def usage(
    days: Annotated[int, typer.Option(metavar="N", min=1, help="Days to show, today included.")] = 30,
    as_json: JsonOpt = False,
):
    """Tokens the chat model used, per day and per user, and answers the hourly limit kept from it."""
    from advisor.db import make_engine
    from advisor.feedback import UsageStore
    from bot.bootstrap import load_settings
    from bot.evaluation import usage_view

    since = datetime.now(UTC).date() - timedelta(days=days - 1)
    report = UsageStore(make_engine(load_settings())).report(since)
    _output(report, as_json, lambda: usage_view(report))


@command()
@edge
def serve(
    http: Annotated[
        bool,
        typer.Option(
            "--http",
            help="HTTP mode behind a load balancer (events at /slack/events, "
            "health at /healthz); default: Socket Mode with SLACK_APP_TOKEN.",
        ),
    ] = False,
    host: Annotated[str, typer.Option(metavar="HOST", help="HTTP mode: the address to listen on.")] = "0.0.0.0",
    port: Annotated[
        int | None, typer.Option(metavar="PORT", help="HTTP mode: the port (default: $PORT, else 3000).")
    ] = None,
    workers: Annotated[int, typer.Option(metavar="N", min=1, help="HTTP mode: worker processes.")] = 2,
):
    """Run the Slack bot. Exit code 78 when a Slack token or setting is missing or wrong."""
    from bot.slack.serve import serve_from_cli

    serve_from_cli(http=http, host=host, port=port, workers=workers)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
