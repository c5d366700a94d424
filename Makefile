# The two entry points of the README. Each sets everything up first, so both work on a fresh machine.
.PHONY: run test lint

run:
	scripts/setup.sh
	.venv/bin/policygraph build
	.venv/bin/policygraph explore --server.headless true

lint:
	.venv/bin/ruff check .
	.venv/bin/mypy

test:
	scripts/setup.sh --test
	$(MAKE) --no-print-directory lint
	.venv/bin/python -m pytest -m "not slow" -q
