from jiesu.cli import run

run()
