"""A worker process of the heavy-work pool (app/jobs.py): `python -m app.worker <server pid>`.

It reads pickled (fn, arg) jobs from stdin and writes each answer, fn(arg) as JSON, to
stdout, one length-prefixed frame at a time. It runs at lower CPU priority (the server's
own requests come first) with one BLAS thread (set in its environment by jobs.py), and it
ends with its server: when the server process dies the kernel kills it (Linux's parent-death
signal), and when the server closes its end of the pipe it reads the end of its input.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import os
import pickle
import signal
import sys

from .jobs import ANSWER, ERROR, HEADER, OUT_OF_MEMORY, READY, serialized


def main(server_pid: int) -> None:
    _die_with(server_pid)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the server; it stops us
    os.nice(10)
    jobs, answers = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing but frames on the answers' pipe
    import app.api.answers  # noqa: F401  (what a job needs, loaded before READY; no FastAPI)

    gc.freeze()  # what is loaded stays: the collector need not look at it again
    send(answers, READY)
    while header := jobs.read(HEADER.size):
        (size,) = HEADER.unpack(header)
        fn, arg = pickle.loads(jobs.read(size))
        # a big answer is millions of new lists: collecting while they are built cost as much
        # as building them (a 16 MB trace: 310 ms instead of 140), and references free them
        gc.disable()
        try:
            frame = ANSWER + serialized(fn, arg)
        except MemoryError:
            frame = OUT_OF_MEMORY
        except Exception as error:  # the server raises it again (a bad body, say)
            frame = ERROR + _pickled(error)
        finally:
            gc.enable()
        send(answers, frame)


def send(out, frame: bytes) -> None:
    out.write(HEADER.pack(len(frame)) + frame)
    out.flush()


def _pickled(error: Exception) -> bytes:
    try:
        data = pickle.dumps(error)
        pickle.loads(data)
        return data
    except Exception:
        return pickle.dumps(RuntimeError(f"{type(error).__name__}: {error}"))


def _die_with(server_pid: int) -> None:
    """Be killed when the server dies, even in the middle of a job."""
    with contextlib.suppress(OSError, AttributeError):  # not Linux: the end of stdin still
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # stops an idle worker
    if os.getppid() != server_pid:  # the server died before the signal was armed
        os._exit(0)


if __name__ == "__main__":
    main(int(sys.argv[1]))
