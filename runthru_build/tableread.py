"""Table reads: the whole cast on their own phones, one shared run-through, voices for the rest.

``serve`` keeps one read per production.  A read is its join code, the line
everyone is on, who is there, who holds which part, whether it is paused, who
hosts it and how its voices are heard (``room``: only the host's device plays
them; ``apart``: every phone does).  Every change bumps the read's version and
is written atomically to ``.runthru/tableread/<production>.json``, so a
restarted ``serve`` brings each read back at the same line and everyone
rejoins with the code and the token their browser kept.  Phones learn of
changes by long-polling (``wait``), as live reload does: plain requests that
pass through quick tunnels, where SSE and WebSockets do not.

Rules kept here, not in the pages: one person per part; a participant changes
only their own parts; only the host, or an actor holding a part of the current
line, moves the read on, and only from the line they saw (two taps on one line
move it once); a line nobody present holds is voiced, and only the host's
device ends it.  Someone not heard from for ``AWAY_AFTER_S`` is away (their
parts are voiced until they return); the host can mark someone away at once,
and a host who is away or leaves hands the role to the next one present.  The
host can remove someone (their parts go back to the voice, and their phone is
told so) and close the read to new people, so that whoever was removed cannot
come straight back with the code; those already in stay in.
"""

from __future__ import annotations

import contextlib
import json
import re
import secrets
import sys
import threading
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .fsutil import write_atomic

FOLDER = "tableread"
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud across a room
CODE_LENGTH = 5
MAX_READS = 8
MAX_PARTICIPANTS = 40
MAX_NAME = 40
AWAY_AFTER_S = 60.0
POLL_TIMEOUT_S = 25.0
"""A long-poll returns after this long even if nothing changed (well under ``AWAY_AFTER_S``)."""
AUDIO_MODES = ("room", "apart")
HOST_ACTIONS = ("pause", "resume", "previous", "scene", "restart", "line", "host", "away", "remove", "lock", "audio",
                "dismiss", "end")
REMOVED = "the host removed you from this table read"
CODE = re.compile(f"[{CODE_ALPHABET}]{{{CODE_LENGTH}}}")
_ZWJ = "\u200d"
"""The one format character a name keeps: it joins emoji (👨‍👩‍👧)."""
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
"""Letters and symbols that draw nothing (Hangul fillers, the blank Braille cell)."""
MAX_MARKS = 3
"""Combining marks kept on one letter (more pile up over the lines around the name)."""


def _same_token(secret: str, token: str | None) -> bool:
    """Is ``token`` (as a phone sent it) ``secret``, compared in constant time?  ``compare_digest``
    refuses non-ASCII text (a 500), and such a token is nobody's."""
    return bool(token) and token.isascii() and secrets.compare_digest(secret, token)


class TableReadError(Exception):
    """A refused request: ``status`` is the HTTP status it answers with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class ScriptLines:
    """What the server needs of a production's script: its parts, and each line's speakers and scene."""

    title: str
    characters: tuple[str, ...]
    speakers: tuple[tuple[str, ...], ...]
    scenes: tuple[int, ...]

    def scene_start(self, scene: int) -> int:
        return self.scenes.index(scene) if scene in self.scenes else 0


def load_lines(build_dir: Path, slug: str) -> ScriptLines | None:
    """A built production's lines, read from its ``data.js``; None if there is no such production."""
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,63}", slug):
        return None
    try:
        text = (build_dir / slug / "data.js").read_text(encoding="utf-8")
        data = json.loads(text[text.index("{"):text.rindex("}") + 1])
        lines = [it for it in data["items"] if it.get("t") == "l"]
        return ScriptLines(title=str(data["production"].get("title") or slug),
                           characters=tuple(str(c["name"]) for c in data["characters"]),
                           speakers=tuple(tuple(map(str, it["s"])) for it in lines),
                           scenes=tuple(int(it["n"]) for it in lines))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def clean_name(raw: Any) -> str:
    """A name as typed, trimmed and at most ``MAX_NAME`` long, without what would hide or disguise
    it: control, direction and other invisible format characters (all but the emoji joiner),
    characters that draw nothing, piles of combining marks.  At least one character must show."""
    if not isinstance(raw, str):
        raise TableReadError(400, "a name is needed")
    kept: list[str] = []
    marks = 0
    for c in unicodedata.normalize("NFC", " ".join(raw.split())):
        category = unicodedata.category(c)
        if (category[0] == "C" and c != _ZWJ) or category in ("Zl", "Zp") or c in _BLANK_LETTERS:
            continue
        marks = marks + 1 if category[0] == "M" else 0
        if marks <= MAX_MARKS:
            kept.append(c)
    name = " ".join("".join(kept).split())[:MAX_NAME].strip().strip(_ZWJ).strip()
    if not any(unicodedata.category(c)[0] in "LNPS" for c in name):
        raise TableReadError(400, "a name is needed")
    return name


@dataclass
class Participant:
    pid: str
    """Public: others see it."""
    token: str
    """Secret: only this participant's browser holds it."""
    name: str
    joined: float
    seen: float
    away: bool = False
    marked_away: bool = False
    """Marked away by the host: stays away until the participant says they are back."""
    polling: int = 0
    poll_generation: int = 0

    def public(self) -> dict[str, Any]:
        return {"id": self.pid, "name": self.name, "away": self.away}


@dataclass
class Read:
    code: str
    production: str
    lines: ScriptLines
    host: str | None
    audio: str = "room"
    line: int = 0
    moved: int = 0
    """Counts every move of the line (a restart of the same line too): a device replays when it changes."""
    paused: bool = True
    done: bool = False
    version: int = 1
    created: float = 0.0
    participants: dict[str, Participant] = field(default_factory=dict)
    parts: dict[str, str] = field(default_factory=dict)
    """Part name -> the pid holding it."""
    asks: list[str] = field(default_factory=list)
    """Who asked the host to pause (pids), in order."""
    ended: bool = False
    locked: bool = False
    """Closed to new people by the host (those in it stay in, and come back with their tokens)."""
    removed: list[str] = field(default_factory=list)
    """The tokens of people the host removed (the newest ``MAX_PARTICIPANTS``): their phones are told why."""

    def present(self, pid: str | None) -> bool:
        p = self.participants.get(pid or "")
        return p is not None and not p.away

    def actors(self) -> list[str]:
        """The present participants holding a part of the current line (none: the line is voiced)."""
        holders = [self.parts.get(s) for s in self.lines.speakers[self.line]] if self.lines.speakers else []
        return list(dict.fromkeys(pid for pid in holders if pid and self.present(pid)))

    def view(self, me: Participant | None = None) -> dict[str, Any]:
        """What every phone is told (never a token)."""
        return {
            "code": self.code, "production": self.production, "title": self.lines.title,
            "version": self.version, "line": self.line, "moved": self.moved, "paused": self.paused,
            "done": self.done, "audio": self.audio, "host": self.host,
            "participants": [p.public() for p in sorted(self.participants.values(), key=lambda p: p.joined)],
            "parts": dict(self.parts), "actors": self.actors(),
            "asks": [{"id": pid, "name": self.participants[pid].name} for pid in self.asks if pid in self.participants],
            "me": me.pid if me else None, "ended": self.ended, "locked": self.locked,
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code, "production": self.production, "host": self.host, "audio": self.audio,
            "line": self.line, "moved": self.moved, "paused": self.paused, "done": self.done,
            "version": self.version, "created": self.created, "parts": self.parts, "asks": self.asks,
            "locked": self.locked, "removed": self.removed,
            "participants": [{"pid": p.pid, "token": p.token, "name": p.name, "joined": p.joined,
                              "marked_away": p.marked_away} for p in self.participants.values()],
        }


class Bucket:
    """Requests per client: ``rate`` a second, bursts of ``burst``; at most ``keep`` clients remembered."""

    def __init__(self, rate: float, burst: float, clock: Callable[[], float], keep: int = 10_000) -> None:
        self.rate, self.burst, self.clock, self.keep = rate, burst, clock, keep
        self._levels: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, key: str) -> bool:
        with self._lock:
            now = self.clock()
            level, at = self._levels.get(key, (self.burst, now))
            level = min(self.burst, level + (now - at) * self.rate)
            if len(self._levels) >= self.keep and key not in self._levels:
                self._levels = {k: v for k, v in self._levels.items() if now - v[1] < self.burst / self.rate}
            if level < 1:
                self._levels[key] = (level, now)
                return False
            self._levels[key] = (level - 1, now)
            return True


class TableReads:
    """Every read of one server, kept under one lock; ``changed`` wakes the long-polls."""

    def __init__(self, build_dir: Path, state_dir: Path | None, clock: Callable[[], float] = time.time) -> None:
        self.build_dir = build_dir
        self.folder = state_dir / FOLDER if state_dir is not None else None
        self.clock = clock
        self.reads: dict[str, Read] = {}
        self.changed = threading.Condition()
        self.changes = Bucket(rate=5, burst=20, clock=clock)
        """State changes per participant (a tap, a claim)."""
        self.joins = Bucket(rate=1, burst=60, clock=clock)
        """Joins and starts per client address (a whole cast behind one router joins at once)."""
        self._stopped = threading.Event()
        self._unsaved: set[str] = set()
        """Productions whose read could not be written (said once, until a write works again)."""
        self.restore()

    # -- persistence ---------------------------------------------------------------------
    def _path(self, read: Read) -> Path | None:
        return self.folder / f"{read.production}.json" if self.folder is not None else None

    def _save(self, read: Read) -> None:
        """The read to disk (a private file: it holds the tokens).  A disk that refuses is said once
        on stderr, and the read goes on in memory: a full disk must not stop the rehearsal."""
        path = self._path(read)
        if path is None:
            return
        try:
            if read.ended:
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
            else:
                write_atomic(path, json.dumps(read.to_json(), indent=1).encode())
        except OSError as exc:
            if read.production not in self._unsaved:
                self._unsaved.add(read.production)
                print(f"runthru serve: cannot save the table read to {path}: {exc.strerror or exc} "
                      "(it goes on, but a restart will not bring it back)", file=sys.stderr)
        else:
            self._unsaved.discard(read.production)

    def restore(self) -> list[str]:
        """Bring back the reads a previous ``serve`` left.  A file that no longer fits (its play is
        gone, or it was edited by hand into something else) is left as it is and said in one line
        on stderr: never a crash of ``serve``, never another read lost."""
        if self.folder is None or not self.folder.is_dir():
            return []
        for path in sorted(self.folder.glob("*.json")):
            try:
                read = self._restore_one(path)
            except Exception as exc:  # whatever a hand-edited file holds
                reason = "nested too deep" if isinstance(exc, RecursionError) else str(exc) or type(exc).__name__
                print(f"runthru serve: ignoring the table read in {path}: {reason}", file=sys.stderr)
                continue
            if read.code in self.reads or len(self.reads) >= MAX_READS:
                why = "its code is another read's" if read.code in self.reads else f"{MAX_READS} reads are on already"
                print(f"runthru serve: ignoring the table read in {path}: {why}", file=sys.stderr)
                continue
            self.reads[read.code] = read
        return sorted(self.reads)

    def _restore_one(self, path: Path) -> Read:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        production, code = data["production"], data["code"]
        lines = load_lines(self.build_dir, production) if isinstance(production, str) else None
        if lines is None or not lines.speakers or path.stem != production:
            raise ValueError(f"no built play {production!r} with lines for it")
        if not isinstance(code, str) or not CODE.fullmatch(code):
            raise ValueError(f"{code!r} is not a join code")
        read = Read(code=code, production=production, lines=lines, host=None,
                    audio=data["audio"] if data["audio"] in AUDIO_MODES else "room",
                    line=min(max(0, int(data["line"])), len(lines.speakers) - 1), moved=int(data["moved"]),
                    paused=bool(data["paused"]), done=bool(data["done"]), version=int(data["version"]),
                    created=float(data["created"]), locked=data.get("locked") is True,
                    removed=[t for t in data.get("removed", [])[-MAX_PARTICIPANTS:] if isinstance(t, str)])
        now = self.clock()
        for p in data["participants"][:MAX_PARTICIPANTS]:
            try:
                name = clean_name(p["name"])
            except TableReadError:
                name = "?"  # a name kept by an older serve that this one would refuse
            # everyone gets a minute's grace to come back to the restarted server
            read.participants[str(p["pid"])] = Participant(
                pid=str(p["pid"]), token=str(p["token"]), name=name, joined=float(p["joined"]), seen=now,
                away=bool(p["marked_away"]), marked_away=bool(p["marked_away"]))
        read.parts = {k: v for k, v in data["parts"].items()
                      if k in lines.characters and isinstance(v, str) and v in read.participants}
        read.asks = [a for a in data["asks"] if isinstance(a, str) and a in read.participants]
        host = data["host"]
        read.host = host if isinstance(host, str) and host in read.participants else None
        self._handover_if_needed(read)
        return read

    def refresh(self) -> None:
        """A rebuild was published (serve --watch): each read follows its production's new lines."""
        with self.changed:
            for read in self.reads.values():
                lines = load_lines(self.build_dir, read.production)
                if lines is None or not lines.speakers or lines == read.lines:
                    continue
                read.lines = lines
                read.line = min(read.line, len(lines.speakers) - 1)
                read.parts = {part: pid for part, pid in read.parts.items() if part in lines.characters}
                self._bump(read)

    # -- looking up ------------------------------------------------------------------------
    def get(self, code: str) -> Read:
        read = self.reads.get(str(code).upper())
        if read is None:
            raise TableReadError(404, "no table read has that code (it may have ended)")
        return read

    def for_production(self, slug: str) -> Read | None:
        with self.changed:
            return next((r for r in self.reads.values() if r.production == slug), None)

    def view(self, read: Read, me: Participant | None = None) -> dict[str, Any]:
        """``read.view(me)`` taken under the lock, never half-way through another request's change."""
        with self.changed:
            return read.view(me)

    def who(self, read: Read, token: str | None) -> Participant:
        """The participant a token belongs to; hearing from them brings them back if they were away."""
        with self.changed:  # a re-entrant lock: callers may hold it already
            p = next((p for p in read.participants.values() if _same_token(p.token, token)), None)
            if p is None:
                if any(_same_token(removed, token) for removed in read.removed):
                    raise TableReadError(403, REMOVED)
                raise TableReadError(403, "you are not in this table read: join it again")
            p.seen = self.clock()
            if p.away and not p.marked_away:
                p.away = False
                self._handover_if_needed(read)
                self._bump(read)
            return p

    # -- changes ---------------------------------------------------------------------------
    def _bump(self, read: Read) -> None:
        read.version += 1
        self._save(read)
        self.changed.notify_all()

    def _new_participant(self, read: Read, name: str) -> Participant:
        """Someone new.  A full read makes room by dropping whoever has been away longest (first
        those holding no part), so phones that joined and never came back cannot fill it for good.
        A name someone in the read has already is numbered: the cast can tell who is who."""
        if len(read.participants) >= MAX_PARTICIPANTS:
            away = [p for p in read.participants.values() if p.away]
            if not away:
                raise TableReadError(429, f"this table read is full ({MAX_PARTICIPANTS} people)")
            held = set(read.parts.values())
            self._remove(read, min(away, key=lambda p: (p.pid in held, p.seen)))
        taken = {p.name.casefold() for p in read.participants.values()}
        base, n = name, 2
        while name.casefold() in taken:
            name = f"{base[:MAX_NAME - 5].rstrip()} ({n})"
            n += 1
        now = self.clock()
        pid = secrets.token_hex(4)
        while pid in read.participants:
            pid = secrets.token_hex(4)
        p = Participant(pid=pid, token=secrets.token_urlsafe(18), name=name, joined=now, seen=now)
        read.participants[pid] = p
        return p

    def start(self, production: str, name: Any, audio: str = "room", client: str = "") -> tuple[Read, Participant]:
        """A new read of ``production`` hosted by ``name`` (409 if one is on: join it instead)."""
        name = clean_name(name)
        if audio not in AUDIO_MODES:
            raise TableReadError(400, f"audio must be one of {', '.join(AUDIO_MODES)}")
        if not self.joins.take(client):
            raise TableReadError(429, "too many requests: wait a minute")
        lines = load_lines(self.build_dir, production)
        if lines is None or not lines.speakers:
            raise TableReadError(404, "no such production (or it has no lines)")
        with self.changed:
            existing = self.for_production(production)
            if existing is not None:
                raise TableReadError(409, f"a table read of this play is on already: join it with code {existing.code}")
            if len(self.reads) >= MAX_READS:
                raise TableReadError(429, f"{MAX_READS} table reads are on already: end one first")
            code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            while code in self.reads:
                code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            read = Read(code=code, production=production, lines=lines, host=None, audio=audio, created=self.clock())
            host = self._new_participant(read, name)
            read.host = host.pid
            self.reads[code] = read
            self._bump(read)
            return read, host

    def join(self, code: str, name: Any, client: str = "") -> tuple[Read, Participant]:
        name = clean_name(name)
        if not self.joins.take(client):
            raise TableReadError(429, "too many requests: wait a minute")
        with self.changed:
            read = self.get(code)
            if read.locked:
                raise TableReadError(403, "the host has closed this table read to new people")
            p = self._new_participant(read, name)
            if read.host is None or not read.present(read.host):
                read.host = p.pid
            self._bump(read)
            return read, p

    def act(self, code: str, token: str | None, action: str, arg: Any = None) -> tuple[Read, Participant | None]:
        """One change asked for by one participant (or refused with a ``TableReadError``): the read,
        and the participant who asked (None once they have left)."""
        with self.changed:
            read = self.get(code)
            me = self.who(read, token)
            if not self.changes.take(me.pid):
                raise TableReadError(429, "too many requests: slow down")
            if action in HOST_ACTIONS:
                if read.host != me.pid:
                    raise TableReadError(403, "only the host can do that")
                self._host_action(read, action, arg)
            elif action == "next":
                self._next(read, me, arg)
            elif action == "claim":
                self._claim(read, me, arg)
            elif action == "release":
                if read.parts.get(str(arg)) != me.pid:
                    raise TableReadError(403, "that part is not yours")
                del read.parts[str(arg)]
            elif action == "ask":
                if me.pid not in read.asks and me.pid != read.host:
                    read.asks.append(me.pid)
            elif action == "here":
                me.marked_away = me.away = False
                self._handover_if_needed(read)
            elif action == "leave":
                self._remove(read, me)
            else:
                raise TableReadError(400, f"unknown action {action!r}")
            self._bump(read)
            if read.ended:
                self.reads.pop(read.code, None)
            return read, read.participants.get(me.pid)

    def _next(self, read: Read, me: Participant, at: Any) -> None:
        if read.paused:
            raise TableReadError(409, "the read is paused")
        if not isinstance(at, int) or isinstance(at, bool) or at != read.line:
            raise TableReadError(409, "the read has moved on already")
        if me.pid != read.host and me.pid not in read.actors():
            raise TableReadError(403, "only the host, or whoever has this line, moves the read on")
        if read.line + 1 < len(read.lines.speakers):
            self._move(read, read.line + 1)
        else:
            read.done, read.paused = True, True

    def _move(self, read: Read, line: int) -> None:
        read.line = max(0, min(len(read.lines.speakers) - 1, line))
        read.moved += 1
        read.done = False

    def _claim(self, read: Read, me: Participant, part: Any) -> None:
        if part not in read.lines.characters:
            raise TableReadError(400, "no such part in this play")
        holder = read.parts.get(part)
        if holder not in (None, me.pid) and read.present(holder):
            raise TableReadError(409, f"{part} is taken by {read.participants[holder].name}")
        read.parts[part] = me.pid

    def _host_action(self, read: Read, action: str, arg: Any) -> None:
        if action == "pause":
            read.paused = True
            read.asks.clear()
        elif action == "resume":
            if read.done:
                self._move(read, 0)
            read.paused = False
            read.asks.clear()
        elif action == "dismiss":
            read.asks.clear()
        elif action == "previous":
            self._move(read, read.line - 1)
        elif action == "restart":
            self._move(read, read.lines.scene_start(read.lines.scenes[read.line]))
        elif action == "scene":
            if not isinstance(arg, int) or arg not in read.lines.scenes:
                raise TableReadError(400, "no such scene")
            self._move(read, read.lines.scene_start(arg))
        elif action == "line":
            if not isinstance(arg, int) or not 0 <= arg < len(read.lines.speakers):
                raise TableReadError(400, "no such line")
            self._move(read, arg)
        elif action == "audio":
            if arg not in AUDIO_MODES:
                raise TableReadError(400, f"audio must be one of {', '.join(AUDIO_MODES)}")
            read.audio = arg
        elif action == "host":
            if not read.present(str(arg)):
                raise TableReadError(400, "the host role goes to someone who is here")
            read.host = str(arg)
        elif action == "away":
            target = read.participants.get(str(arg))
            if target is None or target.pid == read.host:
                raise TableReadError(400, "no such participant (the host cannot mark themselves away)")
            target.away = target.marked_away = True
        elif action == "remove":
            target = read.participants.get(str(arg))
            if target is None or target.pid == read.host:
                raise TableReadError(400, "no such participant (the host leaves instead of removing themselves)")
            self._remove(read, target)
            read.removed = [*read.removed, target.token][-MAX_PARTICIPANTS:]
        elif action == "lock":
            if not isinstance(arg, bool):
                raise TableReadError(400, "lock takes true or false")
            read.locked = arg
        elif action == "end":
            read.ended = True

    def _remove(self, read: Read, me: Participant) -> None:
        del read.participants[me.pid]
        read.parts = {part: pid for part, pid in read.parts.items() if pid != me.pid}
        read.asks = [pid for pid in read.asks if pid != me.pid]
        if read.host == me.pid:
            read.host = None
        self._handover_if_needed(read)
        if not read.participants:
            read.ended = True

    def _handover_if_needed(self, read: Read) -> None:
        """A read whose host is gone or away is hosted by the first one present (by when they joined)."""
        if read.present(read.host):
            return
        here = sorted((p for p in read.participants.values() if not p.away), key=lambda p: p.joined)
        if here:
            read.host = here[0].pid

    def sweep(self) -> None:
        """Mark away whoever has not been heard from for ``AWAY_AFTER_S`` (their parts are voiced)."""
        now = self.clock()
        with self.changed:
            for read in list(self.reads.values()):
                gone = [p for p in read.participants.values()
                        if not p.away and p.polling == 0 and now - p.seen > AWAY_AFTER_S]
                for p in gone:
                    p.away = True
                if gone:
                    self._handover_if_needed(read)
                    self._bump(read)

    def run_sweeper(self, every: float = 2.0) -> None:
        def loop() -> None:
            while not self._stopped.wait(every):
                self.sweep()

        threading.Thread(target=loop, name="runthru-tableread-away", daemon=True).start()

    # -- long-polling ------------------------------------------------------------------------
    def wait(self, code: str, token: str | None, since: int, timeout: float = POLL_TIMEOUT_S) -> dict[str, Any]:
        """The read's state once its version passes ``since`` (or after ``timeout``).  A newer poll
        from the same participant releases an older one, so a phone that reconnects holds one thread."""
        with self.changed:
            read = self.get(code)
            me = self.who(read, token)
            me.poll_generation += 1
            generation = me.poll_generation
            if me.polling:
                self.changed.notify_all()  # the older poll of this phone returns
            me.polling += 1
            try:
                self.changed.wait_for(lambda: read.version > since or read.ended or self._stopped.is_set()
                                      or me.poll_generation != generation, timeout=timeout)
            finally:
                me.polling -= 1
                me.seen = self.clock()
            if read.ended:
                raise TableReadError(410, "the host ended this table read")
            if me.pid not in read.participants:  # removed (or left from another tab) while waiting
                self.who(read, me.token)
            return read.view(me)

    def stop(self) -> None:
        """Release every waiting poll (the server is stopping)."""
        self._stopped.set()
        with self.changed:
            self.changed.notify_all()
