# One entry point for people and CI. `make run` and `make test` each set up
# everything they need on a fresh machine (virtualenv, packages, model weights).
PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
# llama.cpp is compiled on install for the instruction sets this CPU reports, never -march=native. The AVX-512 build
# does not ask for AVX-VNNI (the 256-bit VEX form): AMD Zen 4 has AVX-512 VNNI but not it, and ggml prefers the
# AVX-512 VL form of the same instruction wherever both exist, so requiring it sent Zen 4 to the AVX2 build.
# AVX-512 with VNNI and BF16 reads a prompt ~1.5x as fast as AVX2 (68 -> 104 tokens/s, 2 cores); AMX (Intel Xeon
# from the 4th generation) ~1.5x as fast again (647-token prompt: 7.0 -> 4.6 s). AMX is chosen only when a probe
# (setup/amx_probe.c) runs a tile instruction, as a VM may report the flags and still refuse the tile state; the
# source is patched (setup/*.patch) so that llama.cpp's AMX kernels load their tile configuration at all, and
# `app.py models fetch` then rewrites the model's K-quant matrices into the formats those kernels multiply
# (weights/amx_formats.py).
# The wheel is kept per instruction set, build options and patches (pip's own cache would hand one CPU's build to
# another). ggml's own thread pool, not OpenMP: with OpenMP, llama.cpp called from any thread but the main one (every
# web request) was ~12 % slower, as libgomp throttles its spinning once torch's OpenMP threads exist too.
LLAMA_AVX2_ARGS   := -DGGML_NATIVE=OFF -DGGML_OPENMP=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON
CPU_FLAGS         := $(shell grep -m1 '^flags' /proc/cpuinfo 2>/dev/null | cut -d: -f2)
# The AVX-512 build needs the foundation; each extension is built in only where the CPU reports it, so Intel Ice
# Lake and Cascade Lake (AVX-512 VNNI, no BF16) get the AVX-512 build rather than AVX2.
AVX512_FLAGS      := avx512f avx512cd avx512vl avx512dq avx512bw
AVX512_MISSING    := $(strip $(foreach flag,$(AVX512_FLAGS),$(if $(filter $(flag),$(CPU_FLAGS)),,missing)))
AVX512_EXTENSIONS := $(if $(filter avx512vbmi,$(CPU_FLAGS)),-DGGML_AVX512_VBMI=ON) \
	$(if $(filter avx512_vnni,$(CPU_FLAGS)),-DGGML_AVX512_VNNI=ON) $(if $(filter avx512_bf16,$(CPU_FLAGS)),-DGGML_AVX512_BF16=ON)
LLAMA_AVX512_ARGS := $(LLAMA_AVX2_ARGS) -DGGML_AVX512=ON $(strip $(AVX512_EXTENSIONS))
LLAMA_AMX_ARGS    := $(LLAMA_AVX512_ARGS) -DGGML_AMX_TILE=ON -DGGML_AMX_INT8=ON -DGGML_AMX_BF16=ON
# Probed once, and only when no instruction set was named (the wheel's own make is handed the choice).
AMX_RUNS          := $(if $(LLAMA_CPU),,$(if $(filter amx_tile,$(CPU_FLAGS)),$(shell probe=$$(mktemp) && gcc -O2 \
	-mamx-tile -mamx-int8 setup/amx_probe.c -o $$probe 2>/dev/null && $$probe && echo yes; rm -f $$probe)))
LLAMA_CPU ?= $(if $(AVX512_MISSING),avx2,$(if $(AMX_RUNS),amx,avx512))
LLAMA_CMAKE_ARGS ?= $(if $(filter avx2,$(LLAMA_CPU)),$(LLAMA_AVX2_ARGS),$(if $(filter amx,$(LLAMA_CPU)),$(LLAMA_AMX_ARGS),$(LLAMA_AVX512_ARGS)))
LLAMA_PATCHES     := $(sort $(wildcard setup/*.patch))
LLAMA_REQUIREMENT := $(shell grep -o 'llama-cpp-python[^"]*' pyproject.toml)
LLAMA_BUILD       := $(LLAMA_CPU)-$(shell (echo '$(LLAMA_CMAKE_ARGS)'; cat $(LLAMA_PATCHES)) | md5sum | cut -c1-8)
LLAMA_WHEELS      := $(HOME)/.cache/party-rag/wheels/llama-$(LLAMA_BUILD)
# llama.cpp's own HTTP server (parallel slots, continuous batching) from the same source release and options, for
# many members at once: README, "Nhiều người hỏi cùng lúc". Not needed by `make run` or `make test`.
LLAMA_SERVER      := $(HOME)/.cache/party-rag/llama-server-$(LLAMA_BUILD)/llama-server
LLAMA_SERVER_ARGS := -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=OFF -DLLAMA_BUILD_SERVER=ON -DLLAMA_BUILD_TESTS=OFF \
	-DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_OPENSSL=OFF -DLLAMA_USE_PREBUILT_UI=OFF

.PHONY: run test install models browser ocr ingest bench lint clean llama-server llama-wheel

$(STAMP): pyproject.toml Makefile $(LLAMA_PATCHES)
	test -x $(PY) || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	# torch first, from the local CPU wheel: anything else would pull a multi-GB CUDA build
	$(PY) -m pip install --quiet torch==2.13.0
	test -e $(LLAMA_WHEELS)/.built || $(MAKE) --no-print-directory llama-wheel LLAMA_CPU=$(LLAMA_CPU)
	$(PY) -m pip install --quiet --force-reinstall --no-deps $(LLAMA_WHEELS)/llama_cpp_python-*.whl
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

# The source release that pyproject.toml pins, with setup/*.patch applied, unpacked into the folder $(1).
define LLAMA_SOURCE
rm -rf $(1) && mkdir -p $(1)
$(PY) -m pip download --quiet --no-deps --no-binary :all: -d $(1) '$(LLAMA_REQUIREMENT)'
tar xzf $(1)/*.tar.gz -C $(1)
for patch in $(LLAMA_PATCHES); do patch --quiet -d $(1)/*/vendor/llama.cpp -p1 < $$patch || exit 1; done
endef

# The Python package's wheel for this CPU (called by install when none is cached).
llama-wheel:
	$(call LLAMA_SOURCE,$(LLAMA_WHEELS).src)
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(PY) -m pip wheel --quiet --no-deps --no-cache-dir -w $(LLAMA_WHEELS) $(LLAMA_WHEELS).src/*/
	rm -rf $(LLAMA_WHEELS).src
	touch $(LLAMA_WHEELS)/.built

$(LLAMA_SERVER): | install
	$(call LLAMA_SOURCE,$(@D).src)
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
