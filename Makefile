# One entry point for people and CI. `make run` and `make test` each set up
# everything they need on a fresh machine (virtualenv, packages, model weights).
PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
# llama.cpp is compiled on install for the instruction sets this CPU reports, never -march=native: a CPU that reports
# AMX inside a VM may not let a process use it (the model dies with "Illegal instruction" on its first tile
# instruction, seen here). AVX-512 with VNNI and BF16 reads a prompt ~1.5x as fast as AVX2 (68 -> 104 tokens/s, 2 cores).
# The wheel is kept per instruction set and build options (pip's own cache would hand one CPU's build to another).
# ggml's own thread pool, not OpenMP: with OpenMP, llama.cpp called from any thread but the main one (every web
# request) was ~12 % slower, as libgomp throttles its spinning once torch's OpenMP threads exist too.
LLAMA_AVX2_ARGS   := -DGGML_NATIVE=OFF -DGGML_OPENMP=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON
LLAMA_AVX512_ARGS := $(LLAMA_AVX2_ARGS) -DGGML_AVX512=ON -DGGML_AVX512_VBMI=ON -DGGML_AVX512_VNNI=ON -DGGML_AVX512_BF16=ON -DGGML_AVX_VNNI=ON
AVX512_FLAGS      := avx512f avx512cd avx512vl avx512dq avx512bw avx512vbmi avx512_vnni avx512_bf16 avx_vnni
CPU_FLAGS         := $(shell grep -m1 '^flags' /proc/cpuinfo 2>/dev/null | cut -d: -f2)
LLAMA_CPU ?= $(if $(strip $(foreach flag,$(AVX512_FLAGS),$(if $(filter $(flag),$(CPU_FLAGS)),,missing))),avx2,avx512)
LLAMA_CMAKE_ARGS ?= $(if $(filter avx512,$(LLAMA_CPU)),$(LLAMA_AVX512_ARGS),$(LLAMA_AVX2_ARGS))
LLAMA_REQUIREMENT := $(shell grep -o 'llama-cpp-python[^"]*' pyproject.toml)
LLAMA_BUILD       := $(LLAMA_CPU)-$(shell echo '$(LLAMA_CMAKE_ARGS)' | md5sum | cut -c1-8)
LLAMA_WHEEL       := $(HOME)/.cache/party-rag/wheels/llama-$(LLAMA_BUILD)/llama_cpp_python-$(lastword $(subst ==, ,$(LLAMA_REQUIREMENT)))-*.whl
# llama.cpp's own HTTP server (parallel slots, continuous batching) from the same source release and options, for
# many members at once: README, "Nhiều người hỏi cùng lúc". Not needed by `make run` or `make test`.
LLAMA_SERVER      := $(HOME)/.cache/party-rag/llama-server-$(LLAMA_BUILD)/llama-server
LLAMA_SERVER_ARGS := -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=OFF -DLLAMA_BUILD_SERVER=ON -DLLAMA_BUILD_TESTS=OFF \
	-DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_OPENSSL=OFF -DLLAMA_USE_PREBUILT_UI=OFF

.PHONY: run test install models browser ocr ingest bench lint clean llama-server

$(STAMP): pyproject.toml Makefile
	test -x $(PY) || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	# torch first, from the local CPU wheel: anything else would pull a multi-GB CUDA build
	$(PY) -m pip install --quiet torch==2.13.0
	ls $(LLAMA_WHEEL) >/dev/null 2>&1 || CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" \
		$(PY) -m pip wheel --quiet --no-deps --no-cache-dir -w $(dir $(LLAMA_WHEEL)) '$(LLAMA_REQUIREMENT)'
	$(PY) -m pip install --quiet --force-reinstall --no-deps $(LLAMA_WHEEL)
	$(PY) -m pip install --quiet -e '.[dev]'
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

llama-server: $(LLAMA_SERVER)

$(LLAMA_SERVER): | install
	rm -rf $(@D).src && mkdir -p $(@D).src
	$(PY) -m pip download --quiet --no-deps --no-binary :all: -d $(@D).src '$(LLAMA_REQUIREMENT)'
	tar xzf $(@D).src/*.tar.gz -C $(@D).src
	cmake -S $$(echo $(@D).src/*/vendor/llama.cpp) -B $(@D).src/build $(LLAMA_CMAKE_ARGS) $(LLAMA_SERVER_ARGS) >/dev/null
	cmake --build $(@D).src/build --target llama-server -j $$(nproc)
	mkdir -p $(@D) && cp $(@D).src/build/bin/llama-server $@
	rm -rf $(@D).src

ingest: models
	$(PY) app.py ingest

bench: models
	$(PY) app.py bench --answers extractive --answers llama_cpp --members 8 \
		--parity ../shared/eval/external/uit_qa --scale 10000 --scale 100000 --scale-server --json bench.json

lint: install
	$(PY) -m ruff check .

clean:
	rm -rf data .pytest_cache
