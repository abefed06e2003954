# Two commands for a fresh machine: `make demo` and `make test`.
# Each creates .venv when missing and installs xitt into it; a second call is quick.

VENV    ?= .venv
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.xitt-installed
TORCH   ?= torch==2.13.0

.PHONY: demo test install clean-demo

$(PY):
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# torch first and pinned: an unpinned torch would pull gigabytes of CUDA wheels.
$(STAMP): $(PY) pyproject.toml
	$(PY) -m pip install --quiet $(TORCH)
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/xitt run experiments/quickstart.xitt

test: $(STAMP)
	$(PY) -m pytest -q

clean-demo:
	rm -rf experiments/.xitt experiments/reports
