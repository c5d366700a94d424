# The two entry points of the README. Each sets everything up first, so both work on a fresh machine.
# `make run BUILD=dir PORT=n` moves the build folder and the explorer's port (the browser tests do).
.PHONY: run test lint
BUILD ?= build
PORT ?= 8501

run:
	scripts/setup.sh
	.venv/bin/policygraph --build-dir $(BUILD) build
	exec .venv/bin/policygraph --build-dir $(BUILD) explore --server.headless true --server.port $(PORT)

lint:
	.venv/bin/ruff check .
	.venv/bin/mypy

test:
	scripts/setup.sh --test
	$(MAKE) --no-print-directory lint
	.venv/bin/python -m pytest -m "not slow" -q --durations=15
