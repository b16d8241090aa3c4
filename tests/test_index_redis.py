"""RedisIndex on a real redis-server beyond the contract (tests/test_backends.py):
keys, settings, many writers."""

from __future__ import annotations

import random
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import redis
from madeup_texts import synthetic

from dedup.backends.open import open_index
from dedup.backends.redis import RedisIndex
from dedup.errors import SettingsMismatchError, StoreError, UnknownDocumentError
from dedup.fingerprint import Fingerprint, fingerprint
from dedup.options import FingerprintOptions, LshOptions
from dedup.tokens import tokenize


@pytest.fixture
def url(redis_url: str) -> str:
    """The emptied Redis database of ``redis_url`` (tests/conftest.py)."""
    return redis_url


def fp_of(text: str, options: FingerprintOptions | None = None) -> Fingerprint:
    return fingerprint(tokenize(text), text, options=options)


def test_remove(url: str) -> None:
    text = synthetic(1)
    with RedisIndex(url) as index:
        index.insert("a", fp_of(text), text)
        index.remove("a")
        assert "a" not in index
        assert len(index) == 0
        assert index.query(fp_of(text)) == set()
        with pytest.raises(UnknownDocumentError, match="'a'"):
            index.remove("a")
    with redis.Redis.from_url(url) as client:
        assert sorted(client.keys()) == [b"dedup:settings"]


def test_prefixes_keep_indexes_apart(url: str) -> None:
    text = synthetic(1)
    with RedisIndex(url, prefix="news") as news, RedisIndex(url, prefix="blogs") as blogs:
        news.insert("a", fp_of(text), text)
        assert "a" not in blogs
        assert blogs.query(fp_of(text)) == set()


def test_empty_views_are_not_indexed(url: str) -> None:
    # all lower case: no capitalised words, so the skeleton view is empty
    texts = {f"doc{n}": synthetic(n, names=False) for n in range(3)}
    with RedisIndex(url) as index:
        for doc_id, text in texts.items():
            index.insert(doc_id, fp_of(text), text)
        for doc_id, text in texts.items():
            assert index.query(fp_of(text)) == {doc_id}
    with redis.Redis.from_url(url) as client:
        assert client.keys("dedup:skeleton:*") == []
        assert len(client.keys("dedup:words:*")) == 3 * 64


@pytest.mark.parametrize(
    ("fingerprint", "lsh", "stored", "requested"),
    [
        pytest.param(
            FingerprintOptions(num_perm=256), None, "num_perm=128", "num_perm=256", id="num_perm"
        ),
        pytest.param(
            None, LshOptions(bands=32, rows=4), "bands=64, rows=2", "bands=32, rows=4", id="bands"
        ),
    ],
)
def test_settings_mismatch(
    url: str,
    fingerprint: FingerprintOptions | None,
    lsh: LshOptions | None,
    stored: str,
    requested: str,
) -> None:
    RedisIndex(url).close()
    with pytest.raises(SettingsMismatchError) as info:
        RedisIndex(url, fingerprint=fingerprint, lsh=lsh)
    message = str(info.value)
    assert f"was built with {stored} but was opened with {requested};" in message
    assert "(prefix 'dedup')" in message


def test_omitted_settings_are_the_stored_ones(url: str) -> None:
    fingerprint = FingerprintOptions(views=("words",), num_perm=64, seed=3)
    RedisIndex(url, fingerprint=fingerprint, lsh=LshOptions(bands=16, rows=4)).close()
    with RedisIndex(url) as index:
        assert index.fingerprint == fingerprint
        assert (index.lsh.bands, index.lsh.rows) == (16, 4)


def test_unreachable_server(free_port: int) -> None:
    with pytest.raises(StoreError, match=r"cannot reach Redis at redis://127\.0\.0\.1:"):
        RedisIndex(f"redis://127.0.0.1:{free_port}/0")


def test_password_stays_out_of_messages(free_port: int) -> None:
    with pytest.raises(StoreError) as info:
        RedisIndex(f"redis://worker:s3cret@127.0.0.1:{free_port}/0")
    assert "s3cret" not in str(info.value)
    assert "worker:***@127.0.0.1" in str(info.value)


def test_closed_index(url: str) -> None:
    index = RedisIndex(url)
    index.close()
    index.close()
    with pytest.raises(StoreError, match="is closed"):
        len(index)


def test_open_index_picks_redis_for_redis_urls(url: str, tmp_path: Path) -> None:
    with open_index(url) as index:
        assert isinstance(index, RedisIndex)
    with open_index(tmp_path / "index.db") as index:
        assert not isinstance(index, RedisIndex)


# A worker: waits for "go" on stdin, then adds `count` documents `{name}-{n}` whose texts
# are random words drawn with the seed `{version}-{n}`, printing each id once added.
_WORKER = textwrap.dedent(
    """
    import random, sys
    from dedup.fingerprint import fingerprint
    from dedup.backends.open import open_index
    from dedup.tokens import tokenize

    location, name, count, version = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    sys.stdin.readline()
    with open_index(location) as index:
        for n in range(count):
            rng = random.Random(f"{version}-{n}")
            text = " ".join(f"w{rng.randrange(10**6)}" for _ in range(200))
            index.insert(f"{name}-{n}", fingerprint(tokenize(text), text), text)
            print(f"{name}-{n}", flush=True)
    """
)


def _run_workers(location: str, *workers: tuple[str, int, str]) -> list[list[str]]:
    """Run the workers at the same time; the ids each printed."""
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", _WORKER, location, name, str(count), version],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for name, count, version in workers
    ]
    try:
        for process in processes:
            assert process.stdin is not None
            process.stdin.write("go\n")
            process.stdin.flush()
        outputs = [process.communicate(timeout=120)[0].split() for process in processes]
    finally:
        for process in processes:
            process.kill()
            process.wait()
            for stream in (process.stdin, process.stdout):
                if stream is not None:
                    stream.close()
    assert [process.returncode for process in processes] == [0] * len(processes)
    return outputs


def test_two_processes_adding_at_once_lose_nothing(url: str) -> None:
    RedisIndex(url).close()
    left, right = _run_workers(url, ("left", 200, "left"), ("right", 200, "right"))
    assert (len(left), len(right)) == (200, 200)
    with RedisIndex(url) as index:
        assert len(index) == 400
        assert all(doc_id in index for doc_id in left + right)


def test_two_processes_replacing_the_same_ids_leave_no_stale_bands(url: str) -> None:
    RedisIndex(url).close()
    _run_workers(url, ("doc", 100, "one"), ("doc", 100, "two"))

    def version(name: str, n: int) -> str:
        rng = random.Random(f"{name}-{n}")
        return " ".join(f"w{rng.randrange(10**6)}" for _ in range(200))

    with RedisIndex(url) as index:
        assert len(index) == 100
        for n in range(100):
            texts = {version("one", n), version("two", n)}
            kept = index.text(f"doc-{n}")
            (lost,) = texts - {kept}
            assert index.query(fp_of(kept)) == {f"doc-{n}"}
            assert index.query(fp_of(lost)) == set()
