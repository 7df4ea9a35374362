"""Atomic writes of private files: what a writer killed mid-write leaves is cleaned up."""

import os
import socket
import subprocess
import time

from core.files import write_atomically


def test_a_part_left_by_a_dead_writer_goes_at_the_next_write(tmp_path):
    target = tmp_path / "statements" / "1.pdf"
    host = socket.gethostname()
    dead = subprocess.Popen(["true"])
    dead.wait()  # a writer killed mid-write: its process is gone
    target.parent.mkdir(parents=True)
    left = target.with_name(f"1.pdf.{host}-{dead.pid}-abcdef12.part")
    left.write_bytes(b"%PDF half")
    writing = target.with_name(f"1.pdf.{host}-{os.getpid()}-12abcdef.part")  # alive
    writing.write_bytes(b"%PDF in progress")
    elsewhere = target.with_name("1.pdf.another-host-4242-0000aaaa.part")
    elsewhere.write_bytes(b"%PDF on another host")

    write_atomically(target, b"%PDF whole")

    assert target.read_bytes() == b"%PDF whole"
    assert not left.exists()
    assert writing.exists() and elsewhere.exists()  # their writers may still be at work
    an_hour_ago = time.time() - 3600
    os.utime(elsewhere, (an_hour_ago, an_hour_ago))
    write_atomically(target, b"%PDF again")
    assert not elsewhere.exists() and writing.exists()
    assert sorted(p.name for p in target.parent.iterdir()) == sorted(["1.pdf", writing.name])
