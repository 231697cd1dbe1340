# The two commands a newcomer needs:
#   make run   - set everything up and start a live session of the default routine
#   make test  - set everything up and run the whole test suite
.PHONY: setup setup-test run test lint bench clean

setup:
	./tools/setup.sh

setup-test:
	./tools/setup.sh --test

run: setup
	.venv/bin/voicecoach run

test: setup-test
	.venv/bin/python -m pytest

lint: setup-test
	.venv/bin/ruff check voicecoach tests benchmarks
	.venv/bin/mypy voicecoach

bench: setup-test
	.venv/bin/python -m benchmarks

clean:
	rm -rf .venv .pytest_cache .mypy_cache .ruff_cache
