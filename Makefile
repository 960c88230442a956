# Two entry points: `make demo` and `make test`. Both build .venv/ first.
PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed

.PHONY: demo test venv bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/qopt demo-data --if-missing
	$(VENV)/bin/qopt shell

test: $(STAMP)
	$(VENV)/bin/pytest -q -p no:cacheprovider

bench: $(STAMP)  # lists the benchmarks; each is run on its own (they are heavy), figures in docs/benchmarks.md
	@for f in bench/*.py; do echo "$(VENV)/bin/python $$f --help"; done

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info
