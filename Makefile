# The front door. `make report` and `make test` do all set-up on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
CORPUS ?= data/corpus.yml
LANGS  ?= zh en
BUILD  ?= build
JOBS   ?= 0
TEST_JOBS ?= 2

.PHONY: help venv tables report explore eval test lint format bench clean

help:
	@echo "make report   set up .venv, build the tables, run the notebooks, write figures/ and reports/"
	@echo "make test     set up .venv, lint, run the test suite (includes executing every notebook)"
	@echo "make eval     build the development corpus and score it against its gold (dev and frozen splits)"
	@echo "make tables   build the tables only (CORPUS=path/to/corpus.yml to use your own manifest)"
	@echo "make explore  write reports/explorer.html (works offline) and open it"
	@echo "make bench    run the speed benchmark (writes benchmarks/README.md figures)"
	@echo "make lint     ruff check + format check"

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP)

tables: $(STAMP)
	$(BIN)/compare build --corpus $(CORPUS) --out $(BUILD) --jobs $(JOBS)

report: tables
	$(BIN)/compare report --corpus $(CORPUS) --build $(BUILD) --langs "$(LANGS)"

explore: tables
	$(BIN)/compare explore --build $(BUILD)

eval: $(STAMP)
	$(BIN)/compare eval --corpus data/dev/corpus.yml --gold data/dev/gold --out $(BUILD)/dev --jobs $(JOBS)

test: lint
	$(BIN)/python -m pytest -q -n $(TEST_JOBS) --dist loadfile

lint: $(STAMP)
	$(BIN)/ruff check --quiet src tests benchmarks notebooks
	$(BIN)/ruff format --check --quiet src tests benchmarks

format: $(STAMP)
	$(BIN)/ruff format src tests benchmarks
	$(BIN)/ruff check --fix src tests benchmarks

bench: $(STAMP)
	$(BIN)/python benchmarks/bench.py

clean:
	rm -rf $(BUILD) .$(notdir $(BUILD))-store reports .pytest_cache
