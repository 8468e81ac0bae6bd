from wintertrack.cli import app

app()
