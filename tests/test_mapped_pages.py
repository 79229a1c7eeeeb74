"""Pages of a mapped file are given back to the kernel and read again, unchanged, on use."""

import mmap
import os
from pathlib import Path

from chat.mapped_pages import mapped_ranges, release_mapped_file


def resident_bytes_of(path: str) -> int:
    """Resident bytes of this process's mappings of ``path`` (/proc/self/smaps)."""
    resident, inside, target = 0, False, os.path.realpath(path)
    for line in Path("/proc/self/smaps").read_text(encoding="utf-8").splitlines():
        fields = line.split()
        if "-" in fields[0] and not fields[0].endswith(":"):  # a mapping's header line
            inside = len(fields) == 6 and os.path.realpath(fields[5]) == target
        elif inside and fields[0] == "Rss:":
            resident += int(fields[1]) * 1024
    return resident


def test_a_read_only_mapping_is_no_longer_resident_and_still_reads_the_same(tmp_path) -> None:
    weights = tmp_path / "weights.bin"
    content = os.urandom(8 * 2**20)
    weights.write_bytes(content)
    with weights.open("rb") as file, mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
        assert sum(mapped[i] for i in range(0, len(content), 4096)) >= 0  # touch every page
        assert resident_bytes_of(str(weights)) == len(content)
        assert release_mapped_file(str(weights)) == len(content)
        assert resident_bytes_of(str(weights)) == 0
        assert mapped[:] == content


def test_only_the_named_file_is_released_and_no_proc_means_none(tmp_path) -> None:
    kept, other = tmp_path / "kept.bin", tmp_path / "other.bin"
    for path in (kept, other):
        path.write_bytes(os.urandom(2**20))
    with kept.open("rb") as a, other.open("rb") as b, mmap.mmap(a.fileno(), 0, access=mmap.ACCESS_READ) as ma, mmap.mmap(b.fileno(), 0, access=mmap.ACCESS_READ) as mb:
        _ = ma[:], mb[:]
        release_mapped_file(str(other))
        assert resident_bytes_of(str(kept)) == 2**20 and resident_bytes_of(str(other)) == 0
    assert mapped_ranges(str(kept), tmp_path / "no-such-maps") == []
