"""Voice mode in real headless Chromium, the microphone fed from WAV files (Chromium's fake
capture device): speech rendered with Piper, silences and noise made here. bench/voice.py
reuses the recordings."""

from __future__ import annotations

import time
from functools import cache
from pathlib import Path

import numpy as np
import pytest
import soundfile
from conftest import CHROMIUM, CHROMIUM_ARGS, build_site, static_server, unzip_bundle

pytestmark = [pytest.mark.browser, pytest.mark.slow]

RATE = 48000
PAUSE = 1.2                  # the default end-of-line pause
SCRIPT = """# Voice Test

## Scene 1

AMY: I have waited all day, and now you come.
BEN: Forgive me. The road was long.
AMY: Then sit, and tell me everything.
BEN: Very well.
"""
SPEECH = ["Now is the winter of our discontent", "made glorious summer by this sun of York",
          "and all the clouds that lowered upon our house", "in the deep bosom of the ocean buried"]


# -- the recordings ---------------------------------------------------------------------
@cache
def speech(text: str) -> np.ndarray:
    """Piper saying ``text`` (the shipped voice) at RATE, its leading and trailing silence cut."""
    from runthru_build.engines.base import TakeRequest
    from runthru_build.engines.piper import PiperEngine

    audio, rate = PiperEngine().synthesize(TakeRequest(key="mic", text=text, voice={}))
    loud = np.flatnonzero(np.abs(audio) > 0.02)
    audio = audio[loud[0]:loud[-1] + 1]
    resampled = np.interp(np.arange(int(len(audio) * RATE / rate)) * rate / RATE, np.arange(len(audio)), audio)
    return (0.5 * resampled / np.max(np.abs(resampled))).astype(np.float32)


def silence(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * RATE), np.float32)


def pink(seconds: float, dbfs: float, seed: int = 1) -> np.ndarray:
    """Pink (1/f) noise at ``dbfs`` RMS."""
    n = round(seconds * RATE)
    spectrum = np.fft.rfft(np.random.default_rng(seed).standard_normal(n))
    spectrum /= np.sqrt(np.maximum(np.fft.rfftfreq(n, 1 / RATE), 1.0))
    noise = np.fft.irfft(spectrum, n)
    return (noise * 10 ** (dbfs / 20) / np.sqrt(np.mean(noise ** 2))).astype(np.float32)


def hum(seconds: float, dbfs: float) -> np.ndarray:
    """Mains hum: 50 Hz with its odd harmonics, at ``dbfs`` RMS."""
    t = np.arange(round(seconds * RATE)) / RATE
    wave = sum(np.sin(2 * np.pi * 50 * k * t) / k for k in (1, 3, 5))
    return (wave * 10 ** (dbfs / 20) / np.sqrt(np.mean(wave ** 2))).astype(np.float32)


def rms_db(x: np.ndarray) -> float:
    return 10 * np.log10(np.mean(x.astype(np.float64) ** 2))


def line(parts: list[np.ndarray | float]) -> tuple[np.ndarray, float]:
    """Speech and pauses in a row (a float is seconds of silence); returns the audio and
    where the last speech ends, in seconds."""
    audio = np.concatenate([silence(p) if isinstance(p, float) else p for p in parts])
    last = max(i for i, p in enumerate(parts) if not isinstance(p, float))
    end = sum(p if isinstance(p, float) else len(p) / RATE for p in parts[:last + 1])
    return audio, end


def over_noise(audio: np.ndarray, snr_db: float, seed: int = 2) -> np.ndarray:
    """``audio`` with pink noise under it, ``snr_db`` below the speech's own level."""
    active = audio[np.abs(audio) > 0.01]
    noise = pink(len(audio) / RATE, rms_db(active) - snr_db, seed)
    return audio + noise


def write(path: Path, audio: np.ndarray) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    soundfile.write(path, np.clip(audio, -1, 1), RATE, subtype="PCM_16")
    return path


def paused_line(pause: float = 0.6, tail: float = 7.0, n: int = 0) -> tuple[np.ndarray, float]:
    """Speech, a pause inside the line, more speech, silence."""
    return line([0.5, speech(SPEECH[n % 4]), pause, speech(SPEECH[(n + 1) % 4]), tail])


# -- the site and the browser -----------------------------------------------------------
@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return build_site(tmp_path_factory, "play.md", SCRIPT) / "build"


@pytest.fixture(scope="module")
def served(site):
    with static_server(site) as base:
        yield f"{base}/play/amy/index.html"


@pytest.fixture
def bundle_url(site, tmp_path) -> str:
    return (unzip_bundle(site / "play/amy.zip", tmp_path / "bundle") / "index.html").as_uri()


def mic_browser(browser, wav: Path | None, allow: bool = True, extra: tuple[str, ...] | list[str] = ()):
    """A Chromium whose microphone plays ``wav`` (looping); ``allow=False`` refuses it."""
    args = [*CHROMIUM_ARGS, *extra, "--use-fake-device-for-media-stream", "--autoplay-policy=no-user-gesture-required"]
    if wav:
        args.append(f"--use-file-for-fake-audio-capture={wav}")
    args.append("--use-fake-ui-for-media-stream" if allow else "--use-fake-ui-for-media-stream=deny")
    return browser.browser_type.launch(executable_path=CHROMIUM, args=args)


def open_player(chromium, url: str, **settings):
    page = chromium.new_page()
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.goto(url)
    page.wait_for_function("() => window.runthruPlayer !== undefined")
    page.evaluate("s => localStorage.setItem(RunThru.prefix + 'settings', JSON.stringify(s))",
                  {"mode": "voice", **settings})
    page.reload()
    page.wait_for_function("() => window.RunThru.VoiceDetector !== undefined")
    return page


def voice_log(page) -> list[dict]:
    return page.evaluate("RunThru.voiceLog")


def events(page, kind: str) -> list[float]:
    """When each ``kind`` event came, in seconds since the microphone opened (its file starts)."""
    log = voice_log(page)
    mic = next(e["t"] for e in log if e["e"] == "mic")
    return [(e["t"] - mic) / 1000 for e in log if e["e"] == kind]


def start_listening(page) -> float:
    """Press play at my first line; returns the Python clock when the microphone opened."""
    page.click("#play")
    page.wait_for_function("() => RunThru.voiceLog.some(e => e.e === 'mic')", timeout=10000)
    since = page.evaluate("performance.now() - RunThru.voiceLog.find(e => e.e === 'mic').t") / 1000
    return time.monotonic() - since


def sleep_until(t: float) -> None:
    time.sleep(max(0.0, t - time.monotonic()))


def line_pos(page) -> int:
    return page.evaluate("window.runthruPlayer.state().line")


# -- the cases --------------------------------------------------------------------------
def test_pause_inside_a_line_does_not_advance_silence_after_it_does(browser, bundle_url, tmp_path):
    audio, end = paused_line(0.6)
    chromium = mic_browser(browser, write(tmp_path / "line.wav", audio))
    try:
        page = open_player(chromium, bundle_url)       # an unzipped bundle, on file://
        mic = start_listening(page)
        assert page.locator("#voice").is_visible()
        sleep_until(mic + end + PAUSE + 1.5)
        advances = events(page, "advance")
        assert len(advances) == 1, voice_log(page)
        assert end + PAUSE - 0.1 <= advances[0] <= end + PAUSE + 0.5, (advances, end)
        assert line_pos(page) >= 1 and not page.errors
    finally:
        chromium.close()


def test_holding_space_keeps_waiting_through_a_long_pause(browser, served, tmp_path):
    first = speech(SPEECH[0])
    audio, end = line([0.5, first, 3.0, speech(SPEECH[1]), 6.0])
    chromium = mic_browser(browser, write(tmp_path / "held.wav", audio))
    try:
        page = open_player(chromium, served)
        mic = start_listening(page)
        sleep_until(mic + 0.5 + len(first) / RATE - 0.4)     # while the first words are said
        page.keyboard.down("Space")
        release = end + 2.0                                   # well after the line ended
        sleep_until(mic + release)
        assert events(page, "advance") == [] and line_pos(page) == 0
        page.keyboard.up("Space")
        sleep_until(mic + release + PAUSE + 0.8)
        advances = events(page, "advance")
        assert len(advances) == 1, voice_log(page)
        assert release + PAUSE - 0.2 <= advances[0] <= release + PAUSE + 0.5, (advances, release)
    finally:
        chromium.close()


NOISE_SECONDS = 15           # the issue asks for 60 s; 15 s keeps the suite quick (bench/voice.py runs 60 s)


def test_noise_and_hum_alone_never_advance_and_enter_still_does(browser, served, tmp_path):
    # Chromium's fake microphone loops its file, and starts it before the page hears it (later on a
    # busy machine): with a file as long as the listening, its loop seam, which no room has, fell
    # inside the window, where a busy CI-like run heard "speech" in noise (14.1 s of 15). Twice as
    # long keeps the seam out.
    noise = pink(2 * NOISE_SECONDS, -35) + hum(2 * NOISE_SECONDS, -35)
    chromium = mic_browser(browser, write(tmp_path / "noise.wav", noise))
    try:
        page = open_player(chromium, served)
        mic = start_listening(page)
        sleep_until(mic + NOISE_SECONDS)
        assert events(page, "speech") == [] and events(page, "advance") == [], voice_log(page)
        assert line_pos(page) == 0
        page.keyboard.press("Enter")
        page.wait_for_function("() => window.runthruPlayer.state().line === 1", timeout=2000)
    finally:
        chromium.close()


def test_speech_over_noise_at_10_db_snr_advances_once(browser, served, tmp_path):
    clean, end = line([1.5, speech(SPEECH[2]), 0.6, speech(SPEECH[3]), 6.0])
    chromium = mic_browser(browser, write(tmp_path / "snr.wav", over_noise(clean, 10)))
    try:
        page = open_player(chromium, served)
        mic = start_listening(page)
        sleep_until(mic + end + PAUSE + 1.5)
        advances = events(page, "advance")
        assert len(advances) == 1, voice_log(page)
        assert end + PAUSE - 0.2 <= advances[0] <= end + PAUSE + 0.6, (advances, end)
    finally:
        chromium.close()


BACK = ", so your lines are back to \u201cwait for me\u201d."


@pytest.mark.parametrize("case", ["denied", "plain http on a network address"])
def test_microphone_refused_falls_back_to_waiting(browser, served, case):
    if case == "denied":
        chromium, url, said = mic_browser(browser, None, allow=False), served, "The browser refused the microphone"
    else:
        # A name that resolves to 127.0.0.1 but is no "localhost": an insecure page, as on a LAN.
        chromium = mic_browser(browser, None, extra=["--host-resolver-rules=MAP stage.lan 127.0.0.1"])
        url = served.replace("127.0.0.1", "stage.lan")
        said = "The microphone needs a secure page (https, localhost or the unzipped files)"
    try:
        page = open_player(chromium, url)
        page.click("#play")
        msg = page.locator("#voice-msg")
        msg.wait_for(state="visible", timeout=5000)
        assert msg.inner_text() == said + BACK
        assert page.eval_on_selector("#mode", "e => e.value") == "wait"
        assert page.locator("#voice").is_hidden()
        page.click("#continue")                         # never a dead player
        page.wait_for_function("() => window.runthruPlayer.state().line === 1", timeout=2000)
        assert not page.errors
    finally:
        chromium.close()


def stored_take_seconds(page) -> dict[int, float]:
    """The length of each take kept in the browser's IndexedDB, by item, decoded as the player would."""
    return {int(k): v for k, v in page.evaluate("""async () => {
        const db = await new Promise(ok => { const q = indexedDB.open('runthru', 1); q.onsuccess = () => ok(q.result); });
        const all = (what) => new Promise(ok => {
            const q = db.transaction('takes').objectStore('takes')[what](); q.onsuccess = () => ok(q.result); });
        const [keys, blobs] = [await all('getAllKeys'), await all('getAll')];
        const out = {};
        for (let n = 0; n < keys.length; n++) {
            const ctx = new OfflineAudioContext(1, 1, 48000);
            const audio = await ctx.decodeAudioData(await blobs[n].arrayBuffer());
            out[keys[n].slice(RunThru.prefix.length + 5).split(':')[0]] = audio.duration;
        }
        return out;
    }""").items()}


def test_record_two_lines_play_them_back_after_reload_and_delete(browser, bundle_url, tmp_path):
    said, _ = line([0.5, speech(SPEECH[0]), 2.5])     # loops: every line hears it again soon
    chromium = mic_browser(browser, write(tmp_path / "takes.wav", said))
    try:
        page = open_player(chromium, bundle_url, record=True)     # file://: IndexedDB there too
        start_listening(page)
        page.wait_for_function("() => RunThru.voiceLog.filter(e => e.e === 'advance').length >= 2", timeout=30000)
        page.wait_for_function("() => document.getElementById('takes-count').textContent === '2 lines recorded'",
                               timeout=5000)
        # each take is cut to its speech, ~150 ms kept either side: not the wait before it nor the
        # end-of-line pause after it (found by a newcomer: 10.7 s kept for 7.5 s of speech)
        spoken = len(speech(SPEECH[0])) / RATE
        first = stored_take_seconds(page)[page.evaluate("RunThru.lines[0]")]
        assert spoken - 0.05 <= first <= spoken + 0.5, (first, spoken)  # as recorded: spoken + 1.7 s
        page.click("#play")                              # pause
        page.reload()
        page.wait_for_function("() => document.getElementById('takes-count').textContent === '2 lines recorded'",
                               timeout=5000)
        page.evaluate("""() => { window.__played = [];
            const a = document.getElementById('audio');
            a.addEventListener('playing', () => window.__played.push(a.src)); }""")
        page.click("#settings-btn")
        page.click("#takes-play")
        page.wait_for_function("() => window.__played.filter(s => s.startsWith('blob:')).length >= 2", timeout=30000)
        played = page.evaluate("window.__played")
        assert [s.startswith("blob:") for s in played[:3]] == [True, False, True], played
        assert voice_log(page) == []                     # my takes played; nothing listened
        page.click("#play")
        page.click("#settings-btn")
        page.click("#takes-play")                        # back to saying my lines myself
        page.keyboard.press("Escape")
        page.click(f'.line[data-i="{page.evaluate("RunThru.lines[0]")}"]')
        page.click("#play")
        page.locator("#rerecord").wait_for(state="visible", timeout=10000)   # this line has a take
        page.click("#rerecord")
        page.wait_for_function("() => RunThru.voiceLog.some(e => e.e === 'take')", timeout=20000)
        assert [e["i"] for e in voice_log(page) if e["e"] == "take"] == [page.evaluate("RunThru.lines[0]")]
        assert page.locator("#takes-count").inner_text() == "2 lines recorded"
        page.click("#play")
        page.click("#settings-btn")
        page.click("#takes-delete")
        page.wait_for_function("() => document.getElementById('takes-count').textContent === '0 lines recorded'")
        page.reload()
        page.wait_for_function("() => window.RunThru.takeUrl !== undefined")
        assert page.locator("#takes-count").inner_text() == "0 lines recorded"
        assert not page.errors
    finally:
        chromium.close()
