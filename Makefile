# Two entry points on a fresh machine:  `make demo`  and  `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
OUT    ?= out/seeds

.PHONY: demo test install system-deps bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

system-deps:
	bash scripts/install-system-deps.sh

# torch is pinned to 2.13.0 in the [marian] extra: an unpinned torch pulls a multi-GB CUDA build.
install: $(BIN)/python system-deps
	$(BIN)/pip install -q -e '.[marian,fast,scale,embed,dev]'

# The main job on the seeds: clean, cluster, translate (marian if its model is there,
# else apertium), write aligned JSONL/TMX/XLIFF and the reviewer site.
demo: install
	$(BIN)/xlate run seeds -o $(OUT) --glossary seeds/glossary.tsv --report
	@echo "open $(OUT)/report/index.html"

test: install
	$(BIN)/python -m pytest -q -ra

bench: install
	$(BIN)/python bench/eval_cleaner.py

clean:
	rm -rf out build *.egg-info .pytest_cache
