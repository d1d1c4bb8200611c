# The two commands of the README:
#   make demo   set up .venv/ and run storyline on the bundled example (SQLite store)
#   make test   install what the tests need and run them (this is what CI runs)
.PHONY: demo test setup setup-test lint typecheck bench

DB ?= storyline.db

setup:
	bash scripts/setup.sh web

setup-test:
	bash scripts/setup-test-system.sh
	bash scripts/setup.sh test,eval,feeds,web,ner,spark

demo: setup
	.venv/bin/storyline --db $(DB) run examples/demo-news.jsonl
	@echo
	@echo "Next: .venv/bin/storyline --db $(DB) stories | show ID"
	@echo "      .venv/bin/storyline --db $(DB) serve   then open http://127.0.0.1:8000/"

test: setup-test
	.venv/bin/ruff check src tests benchmarks
	.venv/bin/mypy
	.venv/bin/python -m pytest -q

lint:
	.venv/bin/ruff check src tests benchmarks

typecheck:
	.venv/bin/mypy
