"""Have the C allocator give large freed buffers back to the system at once.

OpenVINO sizes its buffers to each batch's shape, and ingestion's batches come in
every length. glibc's malloc serves a large request from a fresh mapping at first,
but each such buffer freed raises its threshold (up to 32 MiB), after which buffers
of that size come from the heap and stay with the process once freed, fragmented:
embedding one 175-chunk document grew an int8 process by ~1.4 GiB (peak 3.6 GiB),
and the web app at 100k chunks from 4.4 to 5.8 GiB. A fixed threshold keeps every
buffer above 128 KiB in its own mapping, returned when freed: peak 2.8 GiB, chunks/s
unchanged (7.22 against 7.09, three rounds each). torch allocates per operation and
was slower so (3.8 -> 2.3 chunks/s, one round). The setting is the whole process's;
opening an OpenVINO body sets it, so a process embedding with torch keeps glibc's own.
"""

from __future__ import annotations

import ctypes
import ctypes.util

M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter; setting it also turns the threshold's growth off
THRESHOLD_BYTES = 128 * 1024  # glibc's own starting value


def return_large_buffers_when_freed() -> bool:
    """Fix the threshold for the whole process; False where the C library is not glibc (nothing changes)."""
    try:
        mallopt = ctypes.CDLL(ctypes.util.find_library("c")).mallopt
    except (OSError, AttributeError, TypeError):  # no C library found, or one without mallopt (musl, macOS)
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return mallopt(M_MMAP_THRESHOLD, THRESHOLD_BYTES) == 1
