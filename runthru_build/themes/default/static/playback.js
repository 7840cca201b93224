/* RunThru player: speaking everyone else's lines through one audio element, waiting at mine. */
(function () {
  "use strict";

  var P = window.RunThru;
  var $ = P.$;
  var audio = P.audio;
  var lines = P.lines;
  var prefetched = [];

  function estimate(it) { return (it.d || (0.6 + it.w / 2.6)) / P.settings.speed; }

  function clearTimer() { if (P.timer) { clearTimeout(P.timer); P.timer = null; } }

  function setPlaying(on) {
    P.playing = on;
    $("play").setAttribute("aria-label", on ? "Pause" : "Play");
    P.body.classList.toggle("is-playing", on);
  }

  function showCue(on) {
    P.waiting = on;
    $("cue").hidden = !on;
    P.body.classList.toggle("is-waiting", on);
  }

  function later(ms, fn) {
    var t = P.ticket;
    clearTimer();
    P.timer = setTimeout(function () { if (t === P.ticket && P.playing) fn(); }, ms);
  }

  function step() {
    var from = P.playableFrom ? P.playableFrom(P.cur) : P.cur;  // drills.js: short cues start at a cue
    if (from >= lines.length) { finished(); return; }
    P.cur = from;
    P.ticket += 1;
    clearTimer();
    showCue(false);
    $("offer").hidden = true;
    P.highlight();
    P.store.set(P.resumeKey(), P.cur);
    if (!P.playing) return;
    var it = P.lineAt(P.cur);
    var take = P.isMine(it) && P.takeUrl ? P.takeUrl(lines[P.cur]) : null;  // my own recording, if playing them
    if (P.isMine(it) && !take) {
      audio.pause();
      if (P.settings.mode === "timed") later(estimate(it) * 1000 + 300, advance);
      else showCue(true);
      if (P.waiting && P.onMyLine) P.onMyLine();
      prefetch();
      return;
    }
    if (!it.a && !take) { fallback(it); return; }
    var t = P.ticket;
    audio.src = take || P.AUDIO_BASE + it.a + (P.clipFrom ? P.clipFrom(P.cur) : "");
    audio.playbackRate = P.settings.speed;
    var started = audio.play();
    if (started && started.catch) started.catch(function () { if (t === P.ticket && P.playing) fallback(it); });
    prefetch();
  }

  function fallback(it) {
    // A missing or broken clip: show the text, wait as long as it would take, move on.
    var row = P.rowOf(P.cur);
    if (row) row.classList.add("no-audio");
    later(estimate(it) * 1000, advance);
  }

  function advance() {
    var next = P.nextLine ? P.nextLine(P.cur) : P.cur + 1;  // drills.js: short cues, the changes
    if (next < lines.length) {
      P.cur = next;
      step();
    } else {
      finished();
    }
  }

  function finished() {
    setPlaying(false);
    showCue(false);
    $("now").textContent = "End of the script.";
    $("progress").textContent = "The end — press play to start again";
    P.cur = 0;
    P.store.set(P.resumeKey(), 0);
    P.store.set(P.prefix + "ran-through", true);
    P.makeOffline(true);
  }

  audio.addEventListener("ended", function () {
    if (P.playing) later(P.settings.gap / P.settings.speed, advance);
  });
  audio.addEventListener("error", function () {
    if (P.playing && audio.getAttribute("src")) fallback(P.lineAt(P.cur));
  });

  function prefetch() {
    prefetched = [];
    for (var k = P.cur + 1; k < Math.min(lines.length, P.cur + 4); k++) {
      var it = P.lineAt(k);
      if (it.a && !P.isMine(it)) {
        var a = new Audio();
        a.preload = "auto";
        a.src = P.AUDIO_BASE + it.a;
        prefetched.push(a);
      }
    }
  }

  function togglePlay() {
    if (P.playing) {
      setPlaying(false);
      P.ticket += 1;
      clearTimer();
      audio.pause();
      showCue(false);
      return;
    }
    setPlaying(true);
    var it = P.lineAt(P.cur);
    if (!P.isMine(it) && it.a && audio.getAttribute("src") === P.AUDIO_BASE + it.a &&
        audio.currentTime > 0 && !audio.ended) {
      P.ticket += 1;
      audio.playbackRate = P.settings.speed;
      audio.play();
    } else {
      step();
    }
  }

  function go(pos) {
    P.cur = Math.max(0, Math.min(lines.length - 1, pos));
    step();
  }

  function continueAfterMine() { if (P.waiting) advance(); }

  function reveal() {
    var i = lines[P.cur];
    P.revealed[i] = !P.revealed[i];
    var old = P.rowOf(P.cur);
    if (old) {
      var fresh = P.lineNode(P.items[i], i);
      if (old.classList.contains("current")) fresh.classList.add("current");
      old.replaceWith(fresh);
    }
  }

  P.togglePlay = togglePlay;
  P.prefetch = prefetch;     // tableread.js: the next few lines' audio, ahead of time
  P.estimate = estimate;
  P.go = go;
  P.continueAfterMine = continueAfterMine;
  P.reveal = reveal;
})();
