"""Which llama.cpp build set-up chooses for a CPU, read from the Makefile itself with the CPU's flags handed in."""

import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AVX2 = "fpu sse sse2 ssse3 sse4_1 sse4_2 avx avx2 fma f16c bmi2"
AVX512 = "avx512f avx512cd avx512vl avx512dq avx512bw avx512vbmi avx512_vnni avx512_bf16"
ZEN4 = f"{AVX2} {AVX512} gfni vaes vpclmulqdq"  # AVX-512 VNNI, but not the 256-bit AVX-VNNI of newer cores
ICE_LAKE = ZEN4.replace(" avx512_bf16", "")  # AVX-512 VNNI and VBMI, no BF16
SAPPHIRE_RAPIDS = f"{ZEN4} avx_vnni amx_bf16 amx_tile amx_int8"


def chosen(variable: str, flags: str, *assignments: str) -> str:
    """A Makefile variable's value on a CPU reporting ``flags`` (nothing is built: --eval prints and exits)."""
    make = shutil.which("make")
    assert make, "make is needed to set up and test this project"
    result = subprocess.run(
        [make, "--no-print-directory", "-s", "--eval", "show-%: ; @echo $($*)", f"show-{variable}", f"CPU_FLAGS={flags}", *assignments],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )
    return result.stdout.strip()


def test_a_cpu_with_avx512_vnni_but_not_avx_vnni_gets_the_avx512_build() -> None:
    """AMD Zen 4 reports no avx_vnni; requiring it once sent such machines to the AVX2 build (prompt 108 -> 77
    tokens/s on one)."""
    assert chosen("LLAMA_CPU", ZEN4) == "avx512"
    arguments = chosen("LLAMA_CMAKE_ARGS", ZEN4).split()
    assert "-DGGML_AVX512_VNNI=ON" in arguments
    assert not [argument for argument in arguments if argument.startswith("-DGGML_AVX_VNNI")]  # VEX VNNI would not run there


def test_a_cpu_without_avx512_bf16_gets_the_avx512_build_without_it() -> None:
    """Intel Ice Lake and Cascade Lake lack only BF16; requiring it once sent them to the AVX2 build. The extension
    is left out of the build, as its instructions would stop the process there."""
    assert chosen("LLAMA_CPU", ICE_LAKE) == "avx512"
    arguments = chosen("LLAMA_CMAKE_ARGS", ICE_LAKE).split()
    assert {"-DGGML_AVX512=ON", "-DGGML_AVX512_VNNI=ON", "-DGGML_AVX512_VBMI=ON"} <= set(arguments)
    assert "-DGGML_AVX512_BF16=ON" not in arguments
    assert "-DGGML_AVX512_BF16=ON" in chosen("LLAMA_CMAKE_ARGS", ZEN4).split()


def test_a_cpu_missing_any_avx512_foundation_flag_gets_the_avx2_build() -> None:
    assert chosen("LLAMA_CPU", AVX2) == "avx2"
    assert chosen("LLAMA_CPU", ZEN4.replace(" avx512bw", "")) == "avx2"
    assert "-DGGML_AVX512=ON" not in chosen("LLAMA_CMAKE_ARGS", AVX2).split()


def test_amx_is_chosen_only_when_the_probe_runs_a_tile_instruction() -> None:
    """The flags alone are not enough (a VM may report them and refuse the tile state): the probe decides."""
    amx_runs = chosen("AMX_RUNS", SAPPHIRE_RAPIDS) == "yes"
    assert chosen("LLAMA_CPU", SAPPHIRE_RAPIDS) == ("amx" if amx_runs else "avx512")
    assert chosen("LLAMA_CPU", SAPPHIRE_RAPIDS, "AMX_RUNS=") == "avx512"
    assert chosen("LLAMA_CPU", SAPPHIRE_RAPIDS, "AMX_RUNS=yes") == "amx"


def test_a_named_build_is_kept_whatever_the_cpu() -> None:
    assert chosen("LLAMA_CPU", ZEN4, "LLAMA_CPU=avx2") == "avx2"
