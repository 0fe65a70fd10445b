"""Backups of the shop's database, and restoring one.

A backup is taken with SQLite's online backup API (``Connection.backup``) in
one step: it reads a consistent snapshot while the app keeps writing (WAL:
readers never block writers), whereas copying the file under writes can
produce a torn, unusable copy. The result is a plain single-file SQLite
database (rollback journal, no ``-wal``), checked with ``integrity_check``,
readable by any SQLite tool.

Restoring never trusts the chosen file: ``inspect`` copies it aside,
checks it is SQLite, intact and a Comptoir store this version knows
(``posapp.store.db.Store``, which also brings an older backup's schema up to
date). Then the current database is itself backed up aside (timestamped),
and the checked copy is written in. Two ways:

- ``restore(store_path, backup_path)`` writes it INTO the live database with
  the backup API, so connections left open (the window's) see the restored
  data instead of a replaced file. The app must first stop every other
  writer: the sync engine and the print queue (``ShopApp.restore_backup``
  does so and restarts them). A database still being written is refused.
- ``restore_offline(store_path, backup_path)`` is for when nothing has the
  database open (app closed, e.g. at start-up): it checkpoints the live file,
  then atomically ``os.replace``-s it with the checked copy. A file replaced
  under an open connection would silently leave that connection on the old
  one, so a database still open elsewhere is refused.

Before the checked copy goes in, it is adjusted to what happened since the
backup (``_follow_previous``, one transaction):

- numbering: the outbox keeps numbering above every mutation id this counter
  used (the live database's; the marketplace's arrives with the next pull);
- identity: a backup with nothing pending takes a fresh counter identity
  (``client_id``), so its new changes can never meet ids the marketplace
  processed after the backup (nor those of the install it was copied from).
  A backup with pending changes keeps its identity: some of them may have
  reached the marketplace after the backup, and only under the same identity
  does the marketplace recognise them as replays. New changes that collide
  with ids it processed are refused ``mutation_id_reused`` and re-numbered
  (``outbox.renumber_from``), never taken for replays;
- tickets: print jobs printed (or possibly printed) since the backup are
  carried over, so an order that arrived after the backup, pulled again, is
  not printed a second time, nor a ticket queued at backup time reprinted.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlite_utils import Database

from posapp.store import identity
from posapp.store.db import Store, StoreError
from posapp.store.migrations import MIGRATIONS
from sync.messages import CoreMessage
from sync.sqlite_tx import transaction

__all__ = [
    "BackupError",
    "BackupInfo",
    "RestoreResult",
    "backup",
    "default_backup_name",
    "inspect",
    "restore",
    "restore_offline",
]

log = logging.getLogger(__name__)

_MAGIC = b"SQLite format 3\x00"
_SET = "comptoir.shop"


# code → French default text (logs, callers without an interface); the interface words
# each code itself (``posapp/ui/core_messages.py``). ``errno``: why a file failed, if known.
BACKUP_MESSAGES: dict[str, str] = {
    "backup.same_file": "La sauvegarde doit être un autre fichier que la base elle-même.",
    "backup.write_failed": "Sauvegarde impossible dans {folder} : vérifiez la place libre et"
                           " les droits sur ce dossier.",
    "backup.failed": "Sauvegarde impossible (détails dans le journal) : réessayez, ou"
                     " choisissez un autre dossier.",
    "backup.unreadable": "Impossible de lire {name} : choisissez un autre fichier.",
    "backup.not_sqlite": "{name} n’est pas une base SQLite : choisissez une sauvegarde de"
                         " Comptoir (.db).",
    "backup.not_comptoir": "{name} n’est pas une sauvegarde de Comptoir : choisissez-en une"
                           " autre.",
    "backup.newer": "{name} vient d’une version plus récente de Comptoir : mettez Comptoir à"
                    " jour avant de la restaurer.",
    "backup.damaged": "{name} est illisible ou endommagé : choisissez une autre sauvegarde.",
    "backup.busy": "La base est en cours d’écriture : arrêtez la synchronisation et"
                   " l’impression avant de restaurer.",
    "backup.still_open": "La base est encore ouverte (Comptoir tourne-t-il encore ?) : fermez-le"
                         " avant de restaurer.",
    "backup.restore_failed": "Restauration impossible (détails dans le journal) : la base n’a"
                             " pas changé ; réessayez.",
}


class BackupError(RuntimeError):
    """Backup or restore impossible: ``code`` and ``params`` say why, for the interface to
    word it; ``str(err)`` is the French default. Library text goes to the log only."""

    def __init__(self, code: str, **params: object):
        self.code = code
        self.params = params
        super().__init__(CoreMessage(code, BACKUP_MESSAGES[code], **params))


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    size: int
    migrations: tuple[str, ...]
    products: int
    orders: int
    pending: int  # changes not yet confirmed by the marketplace at backup time


@dataclass(frozen=True)
class RestoreResult:
    restored: BackupInfo
    previous: Path | None  # where the database as it was before the restore was saved


def default_backup_name(now: dt.datetime | None = None) -> str:
    moment = (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
    return f"comptoir-sauvegarde-{moment}.db"


def _connect(path: Path, timeout: float = 10.0) -> sqlite3.Connection:
    conn = sqlite3.connect(str(path), timeout=timeout, isolation_level=None)
    conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
    return conn


def _check_integrity(conn: sqlite3.Connection, what: Path) -> None:
    rows = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
    if rows != ["ok"]:
        log.warning("integrity check of %s: %s", what, "; ".join(rows[:3]))
        raise BackupError("backup.damaged", name=what.name)


def _fsync(path: Path) -> None:
    with contextlib.suppress(OSError):  # not every filesystem lets a directory be synced
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _copy(src: Path, dst: Path) -> None:
    """Online copy of ``src`` to a new single-file database ``dst``."""
    source = _connect(src)
    try:
        target = _connect(dst)
        try:
            source.backup(target)  # one step: a consistent snapshot, never restarted
            target.execute("PRAGMA journal_mode = DELETE")  # self-contained file
        finally:
            target.close()
    finally:
        source.close()


def backup(store_path: Path | str, dest: Path | str) -> BackupInfo:
    """Back the live database up to ``dest`` (written aside, then renamed into place)."""
    store_path, dest = Path(store_path), Path(dest)
    if dest.resolve() == store_path.resolve():
        raise BackupError("backup.same_file")
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        temp = dest.with_name(f".{dest.name}.partial")
        temp.unlink(missing_ok=True)
        _copy(store_path, temp)
        conn = _connect(temp)
        try:
            _check_integrity(conn, temp)
        finally:
            conn.close()
        with open(temp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(temp, dest)
        _fsync(dest.parent)
    except sqlite3.Error as exc:
        log.warning("backup to %s failed: %s", dest, exc)
        raise BackupError("backup.failed") from exc
    except OSError as exc:
        log.warning("backup to %s failed: %s", dest, exc)
        raise BackupError("backup.write_failed", folder=str(dest.parent), errno=exc.errno) \
            from exc
    return inspect(dest)


def _describe(conn: sqlite3.Connection, path: Path, migrations: tuple[str, ...]) -> BackupInfo:
    def count(table: str) -> int:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])

    return BackupInfo(path, path.stat().st_size, migrations, count("products"), count("orders"),
                      count("outbox"))


def _read_migrations(conn: sqlite3.Connection, path: Path) -> tuple[str, ...]:
    try:
        rows = conn.execute("SELECT name FROM _sqlite_migrations WHERE migration_set = ?"
                            " ORDER BY name", (_SET,)).fetchall()
    except sqlite3.OperationalError:
        rows = []
    names = tuple(r[0] for r in rows)
    if "0001_initial" not in names:
        raise BackupError("backup.not_comptoir", name=path.name)
    return names


@contextlib.contextmanager
def _prepared(backup_path: Path, work_dir: Path) -> Iterator[tuple[Path, BackupInfo]]:
    """A checked, up-to-date copy of the backup in ``work_dir`` (removed afterwards)."""
    backup_path = Path(backup_path)
    try:
        with open(backup_path, "rb") as handle:
            magic = handle.read(len(_MAGIC))
    except OSError as exc:
        log.warning("backup %s unreadable: %s", backup_path, exc)
        raise BackupError("backup.unreadable", name=backup_path.name, errno=exc.errno) from exc
    if magic != _MAGIC:
        raise BackupError("backup.not_sqlite", name=backup_path.name)
    with tempfile.TemporaryDirectory(prefix=".comptoir-restore-", dir=work_dir) as tmp:
        copy = Path(tmp) / "restore.db"
        migrations: tuple[str, ...] = ()
        try:
            _copy(backup_path, copy)
            conn = _connect(copy)
            try:
                _check_integrity(conn, backup_path)
                migrations = _read_migrations(conn, backup_path)
            finally:
                conn.close()
            store = Store(copy)  # refuses a newer Comptoir's file, upgrades an older one
            try:
                info = _describe(store.conn, backup_path, migrations)
                store.conn.execute("PRAGMA journal_mode = DELETE")
            finally:
                store.close()
        except StoreError as exc:
            log.warning("backup %s refused: %s", backup_path, exc)
            newer = _unknown_migrations(migrations)
            raise BackupError("backup.newer" if newer else "backup.damaged",
                              name=backup_path.name) from exc
        except sqlite3.Error as exc:
            log.warning("backup %s unreadable: %s", backup_path, exc)
            raise BackupError("backup.damaged", name=backup_path.name) from exc
        yield copy, info


def _unknown_migrations(applied: tuple[str, ...]) -> set[str]:
    """Migrations of a newer Comptoir (this build does not know them)."""
    return set(applied) - {m.name for m in MIGRATIONS.pending(Database(memory=True))}


def inspect(backup_path: Path | str) -> BackupInfo:
    """Check a backup without touching it; raises BackupError with the reason."""
    backup_path = Path(backup_path)
    with _prepared(backup_path, Path(tempfile.gettempdir())) as (_, info):
        return info


def _highest_mutation_id(conn: sqlite3.Connection) -> int:
    row = conn.execute(
        "SELECT max(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'outbox'), 0),"
        " COALESCE((SELECT max(id) FROM outbox), 0),"
        " COALESCE((SELECT max(id) FROM refused_mutations), 0))").fetchone()
    return int(row[0] or 0)


# Ticket states that mean "it went to the printer": never print those again.
_PRINTED_STATES = ("printed", "uncertain", "printing")

_CARRY_PRINTED = f"""
    WITH went AS (
        SELECT job_key, kind, order_id, copies, document,
               CASE state WHEN 'printing' THEN 'uncertain' ELSE state END AS state,
               attempts, last_error, created_at, started_at, printed_at
        FROM previous.print_jobs WHERE state IN ({", ".join(f"'{s}'" for s in _PRINTED_STATES)}))
    UPDATE print_jobs SET state = went.state, attempts = went.attempts,
        last_error = went.last_error, started_at = went.started_at, printed_at = went.printed_at
    FROM went WHERE print_jobs.job_key = went.job_key
      AND print_jobs.state NOT IN ({", ".join(f"'{s}'" for s in _PRINTED_STATES)})
"""
_INSERT_PRINTED = f"""
    INSERT OR IGNORE INTO print_jobs (job_key, kind, order_id, copies, document, state,
                                      attempts, last_error, created_at, started_at, printed_at)
    SELECT job_key, kind, order_id, copies, document,
           CASE state WHEN 'printing' THEN 'uncertain' ELSE state END,
           attempts, last_error, created_at, started_at, printed_at
    FROM previous.print_jobs WHERE state IN ({", ".join(f"'{s}'" for s in _PRINTED_STATES)})
    ORDER BY id
"""


def _follow_previous(prepared: Path, previous: Path | None, live_highest: int) -> None:
    """Adjust the checked copy to what happened since the backup (see the module's doc)."""
    conn = _connect(prepared)
    try:
        attached = previous is not None and _attach(conn, previous)
        with transaction(conn):
            highest = max(live_highest, _highest_mutation_id(conn))
            if conn.execute("UPDATE sqlite_sequence SET seq = ? WHERE name = 'outbox'",
                            (highest,)).rowcount == 0 and highest:
                conn.execute("INSERT INTO sqlite_sequence (name, seq) VALUES ('outbox', ?)",
                             (highest,))
            pending = conn.execute("SELECT (SELECT count(*) FROM outbox)"
                                   " + (SELECT count(*) FROM outbox_unreported)").fetchone()[0]
            if not pending:
                conn.execute("DELETE FROM sync_state WHERE key IN ('client_id', 'pushed_through')")
                conn.execute("INSERT INTO sync_state (key, value) VALUES ('client_id', ?)",
                             (identity.new_client_id(),))
            if attached:
                _carry_printed_jobs(conn)
            identity.new_generation(conn)  # answers asked of the database before: stale
        if attached:
            conn.execute("DETACH DATABASE previous")
    finally:
        conn.close()


def _attach(conn: sqlite3.Connection, previous: Path) -> bool:
    try:
        conn.execute("ATTACH DATABASE ? AS previous", (str(previous),))
        conn.execute("SELECT count(*) FROM previous.print_jobs").fetchone()
    except sqlite3.Error as exc:  # damaged (its raw files were saved aside): nothing to learn
        log.warning("database before the restore unreadable, print jobs not carried: %s", exc)
        with contextlib.suppress(sqlite3.Error):
            conn.execute("DETACH DATABASE previous")
        return False
    return True


def _carry_printed_jobs(conn: sqlite3.Connection) -> None:
    conn.execute("SAVEPOINT carry")
    try:
        conn.execute(_CARRY_PRINTED)
        conn.execute(_INSERT_PRINTED)
    except sqlite3.DatabaseError as exc:  # a damaged page met half-way: keep the rest
        log.warning("print jobs of the database before the restore not carried over: %s", exc)
        conn.execute("ROLLBACK TO carry")
    conn.execute("RELEASE carry")


def _save_previous(store_path: Path, aside_dir: Path | None) -> tuple[Path | None, int]:
    """Back the current database up aside; returns (where, its highest mutation id)."""
    if not store_path.exists():
        return None, 0
    folder = aside_dir or store_path.parent / "sauvegardes"
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    aside = folder / f"avant-restauration-{stamp}.db"
    try:
        backup(store_path, aside)
    except BackupError:
        # A damaged database cannot be read by the backup API: keep its raw files.
        folder.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal"):
            source = Path(f"{store_path}{suffix}")
            if source.exists():
                shutil.copy2(source, Path(f"{aside}{suffix}"))
        return aside, 0
    conn = _connect(aside)
    try:
        return aside, _highest_mutation_id(conn)
    finally:
        conn.close()


def restore(store_path: Path | str, backup_path: Path | str, *,
            aside_dir: Path | None = None) -> RestoreResult:
    """Write a checked backup into the live database (sync and printing must be stopped).

    Connections left open on the live database (the window's) stay valid and
    read the restored data. Raises BackupError if the database is being written.
    """
    store_path = Path(store_path)
    store_path.parent.mkdir(parents=True, exist_ok=True)
    with _prepared(Path(backup_path), store_path.parent) as (prepared, info):
        previous, highest = _save_previous(store_path, aside_dir)
        _follow_previous(prepared, previous, highest)
        live = _connect(store_path, timeout=2.0)
        try:
            try:  # nobody may be writing: this fails fast if someone holds the write lock
                live.execute("BEGIN IMMEDIATE")
                live.execute("ROLLBACK")
            except sqlite3.OperationalError as exc:
                raise BackupError("backup.busy") from exc
            _match_page_size(prepared, live)
            source = _connect(prepared)
            try:
                source.backup(live)
            finally:
                source.close()
            live.execute("PRAGMA journal_mode = WAL")
            _check_integrity(live, store_path)
        except sqlite3.Error as exc:
            log.warning("restore into %s failed: %s", store_path, exc)
            raise BackupError("backup.restore_failed") from exc
        finally:
            live.close()
    return RestoreResult(info, previous)


def _match_page_size(prepared: Path, live: sqlite3.Connection) -> None:
    """The backup API cannot change a WAL database's page size: adapt the copy instead."""
    wanted = int(live.execute("PRAGMA page_size").fetchone()[0])
    conn = _connect(prepared)
    try:
        if int(conn.execute("PRAGMA page_size").fetchone()[0]) != wanted:
            conn.execute(f"PRAGMA page_size = {wanted}")
            conn.execute("VACUUM")
    finally:
        conn.close()


def restore_offline(store_path: Path | str, backup_path: Path | str, *,
                    aside_dir: Path | None = None) -> RestoreResult:
    """Replace the database file by a checked backup; nothing may have it open.

    Atomic (``os.replace`` within the folder): a crash leaves either the old
    or the restored database, never a mix.
    """
    store_path = Path(store_path)
    store_path.parent.mkdir(parents=True, exist_ok=True)
    with _prepared(Path(backup_path), store_path.parent) as (prepared, info):
        previous, highest = _save_previous(store_path, aside_dir)
        _follow_previous(prepared, previous, highest)
        sidecars = [Path(f"{store_path}{suffix}") for suffix in ("-wal", "-shm")]
        if store_path.exists():
            try:
                live = _connect(store_path, timeout=2.0)
                try:  # fold the WAL in: the last connection to close removes -wal and -shm
                    live.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                finally:
                    live.close()
            except sqlite3.DatabaseError:
                # Damaged: its raw files are saved aside; a stale WAL must not meet the new file.
                for sidecar in sidecars:
                    sidecar.unlink(missing_ok=True)
            if any(sidecar.exists() for sidecar in sidecars):
                raise BackupError("backup.still_open")
        with open(prepared, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(prepared, store_path)
        _fsync(store_path.parent)
    return RestoreResult(info, previous)
