# One entry point for people and CI. `make run` and `make test` each set up
# everything they need on a fresh machine (virtualenv, packages, model weights).
PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
# llama.cpp is compiled on install. Not for "this CPU" (-march=native): a CPU that reports AMX or AVX-512 FP16
# inside a VM may not let a process use them (the model then dies with "Illegal instruction"); AVX2 runs everywhere.
LLAMA_CMAKE_ARGS ?= -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON

.PHONY: run test install models browser ocr ingest bench lint clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	# torch first, from the local CPU wheel: anything else would pull a multi-GB CUDA build
	$(PY) -m pip install --quiet torch==2.13.0
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

models: install
	$(PY) app.py models fetch

run: models ocr
	$(PY) app.py serve

browser:
	# Debian's Chromium for the end-to-end tests (Playwright's own browser download cannot work offline)
	command -v chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) \
		|| echo "Chromium could not be installed: tests/e2e will be skipped"

ocr:
	# Tesseract with its Vietnamese model, for scanned PDF pages (Debian packages)
	command -v tesseract >/dev/null && tesseract --list-langs 2>/dev/null | grep -qx vie \
		|| (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tesseract-ocr tesseract-ocr-vie) \
		|| echo "Tesseract could not be installed: scanned PDF pages cannot be read"

test: models browser ocr
	$(PY) -m ruff check .
	$(PY) -m pytest -ra --durations=25

ingest: models
	$(PY) app.py ingest

bench: models
	$(PY) app.py bench --answers extractive --answers llama_cpp --members 8 \
		--parity ../shared/eval/external/uit_qa --scale 10000 --scale 100000 --scale-server --json bench.json

lint: install
	$(PY) -m ruff check .

clean:
	rm -rf data .pytest_cache
