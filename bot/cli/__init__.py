"""The `gridbot` command line: one module per command group, put together here."""

import typer

from bot.cli import audit, chase, duties, export, faq, oversight, roster, serve, study

app = typer.Typer(
    help="统计网格助手 gridbot：基层统计网格智治 Telegram 机器人。", no_args_is_help=True
)
app.add_typer(serve.db_app, name="db")
app.add_typer(roster.grids_app, name="grids")
app.add_typer(roster.invites_app, name="invites")
app.add_typer(roster.people_app, name="people")
app.add_typer(faq.faq_app, name="faq")
app.add_typer(duties.duties_app, name="duties")
app.add_typer(study.study_app, name="study")
app.add_typer(oversight.evaluate_app, name="evaluate")
app.add_typer(oversight.funding_app, name="funding")
app.add_typer(oversight.departments_app, name="departments")
app.add_typer(export.export_app, name="export")
app.add_typer(chase.chase_app, name="chase")
app.add_typer(audit.audit_app, name="audit")
app.command("import")(roster.import_command)
app.command("run")(serve.run)
app.command("demo")(serve.demo)


def main() -> None:
    app()
