"""Large buffers freed go back to the system once the threshold is fixed (real glibc, in a fresh process each)."""

import platform
import subprocess
import sys
import textwrap

import pytest

from vectorstore import freed_memory

# Frees a 16 MiB buffer (glibc then raises its threshold to 16 MiB), then allocates 24 buffers of 1 MiB, writes them and
# frees all but the last, which holds the heap's top: prints how many MiB the process kept of the 23 MiB freed.
FRAGMENTING = textwrap.dedent("""
    import ctypes, runpy, sys
    if sys.argv[1] == "fixed":  # the module alone: importing the package would allocate much more first
        assert runpy.run_path(sys.argv[2])["return_large_buffers_when_freed"]()
    libc = ctypes.CDLL("libc.so.6")
    libc.malloc.restype, libc.malloc.argtypes, libc.free.argtypes = ctypes.c_void_p, [ctypes.c_size_t], [ctypes.c_void_p]
    def resident_kib():
        return next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmRSS"))
    big = libc.malloc(16 << 20); ctypes.memset(big, 1, 16 << 20); libc.free(big)
    before = resident_kib()
    blocks = [libc.malloc(1 << 20) for _ in range(24)]
    for block in blocks:
        ctypes.memset(block, 1, 1 << 20)
    for block in blocks[:-1]:
        libc.free(block)
    print((resident_kib() - before) / 1024)
""")


def kept_mib(mode: str) -> float:
    result = subprocess.run([sys.executable, "-c", FRAGMENTING, mode, freed_memory.__file__], capture_output=True, text=True, check=True)
    return float(result.stdout)


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="the threshold is glibc's")
def test_freed_buffers_leave_the_process_only_with_the_threshold_fixed() -> None:
    assert kept_mib("growing") > 16  # glibc's own behaviour: what ingestion's embedding buffers did
    assert kept_mib("fixed") < 4
