"""Give back the pages of a memory-mapped model file that the process no longer reads.

llama.cpp maps the GGUF file and, where the build repacks weights for its own kernels
(AMX on Intel Xeon), copies each matrix out of the mapping at load time: the ~1 GB of
file pages it read stay mapped into the process, resident but never read again.
``MADV_DONTNEED`` unmaps them from this process; they stay in the page cache, which the
kernel reclaims freely, and any page inference does read (norms, token embeddings)
faults back in from there on first use. The mapping is read-only, so nothing is lost.
"""

from __future__ import annotations

import ctypes
import os
from pathlib import Path

MADV_DONTNEED = 4


def mapped_ranges(path: str, maps: Path = Path("/proc/self/maps")) -> list[tuple[int, int]]:
    """(start, end) addresses where this process maps ``path``; none where /proc is not there."""
    target = os.path.realpath(path)
    try:
        lines = maps.read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    ranges = []
    for line in lines:
        fields = line.split(maxsplit=5)
        if len(fields) == 6 and os.path.realpath(fields[5]) == target:
            start, end = (int(address, 16) for address in fields[0].split("-"))
            ranges.append((start, end))
    return ranges


def release_mapped_file(path: str) -> int:
    """Drop this process's resident pages of ``path``'s mappings; returns the bytes of mapping advised."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
    advised = 0
    for start, end in mapped_ranges(path):
        if libc.madvise(start, end - start, MADV_DONTNEED) == 0:
            advised += end - start
    return advised
