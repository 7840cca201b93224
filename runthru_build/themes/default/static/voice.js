/* RunThru player: voice mode. At your line it listens to the microphone, waits for you to
 * start, and goes on once you have been silent for the end-of-line pause. Loaded only
 * when voice mode is on. Audio never leaves the page; nothing is listened to while the
 * player's own audio plays. */
(function () {
  "use strict";

  var P = window.RunThru;
  var $ = P.$;
  var FRAME = 1024;          // samples per analysed frame (~21 ms at 48 kHz)
  var MARGIN_DB = 10;        // above the noise floor counts as voice
  var MIN_DB = -62;          // ... and never quieter than this (digital silence is not a floor)
  var FLOOR_S = 3;           // the noise floor: the quietest frame of the last few seconds
  var WARMUP_S = 0.5;        // after the microphone opens
  var RUN_MS = 85;           // voiced this long in a row counts as speech (clicks and bumps do not)
  var TAP_MS = 350;          // Space released sooner is a tap (continue), later a hold

  if (P.settings.pause == null) P.settings.pause = 1.2;

  // -- the detector: band-passed frame energy against an adaptive noise floor ----------
  function biquad(kind, f, rate) {
    var w = 2 * Math.PI * f / rate, c = Math.cos(w), a = Math.sin(w) / Math.SQRT2, n = 1 + a;
    var b = kind === "high" ? [(1 + c) / 2, -(1 + c), (1 + c) / 2] : [(1 - c) / 2, 1 - c, (1 - c) / 2];
    return { b0: b[0] / n, b1: b[1] / n, b2: b[2] / n, a1: -2 * c / n, a2: (1 - a) / n, x1: 0, x2: 0, y1: 0, y2: 0 };
  }

  function filter(q, x) {
    var y = q.b0 * x + q.b1 * q.x1 + q.b2 * q.x2 - q.a1 * q.y1 - q.a2 * q.y2;
    q.x2 = q.x1; q.x1 = x; q.y2 = q.y1; q.y1 = y;
    return y;
  }

  // Speech band only: mains hum (50/60 Hz), rumble and hiss above 3.5 kHz do not count.
  function Detector(rate) {
    this.rate = rate;
    this.hp = biquad("high", 200, rate);
    this.lp = biquad("low", 3500, rate);
    this.history = [];
    this.keep = Math.round(FLOOR_S * rate / FRAME);
    // A capture starts with a ramp from silence and the browser's noise suppression still
    // settling, louder than the room will be: learning nothing from it, hearing nothing in it.
    this.warmup = Math.round(WARMUP_S * rate / FRAME);
  }
  Detector.prototype.push = function (samples) {
    var sum = 0;
    for (var k = 0; k < samples.length; k++) {
      var y = filter(this.lp, filter(this.hp, samples[k]));
      sum += y * y;
    }
    var db = 10 * Math.log10(sum / samples.length + 1e-10);
    if (this.warmup > 0) { this.warmup -= 1; return { db: db, floor: db, voiced: false }; }
    // Digital silence (the first frames of a capture, a muted track) is no room's floor:
    // remembered, it would let the room's own noise count as voice for seconds.
    if (db > -90) this.history.push(db);
    if (this.history.length > this.keep) this.history.shift();
    var floor = this.history.length ? Math.min.apply(null, this.history) : db;
    return { db: db, floor: floor, voiced: db > Math.max(floor + MARGIN_DB, MIN_DB) };
  };

  // Where speech starts and ends in a recording, in seconds: the first and the last voiced run
  // long enough to be speech, as voice mode hears it live (the start counts: nothing learned is
  // thrown away, so a take can only be trimmed too little). null when it holds no speech.
  function speechSpan(samples, rate) {
    var detector = new Detector(rate);
    detector.warmup = 0;
    var frameS = FRAME / rate, need = Math.ceil(RUN_MS / 1000 / frameS), run = 0, first = -1, last = -1;
    for (var k = 0; k + FRAME <= samples.length; k += FRAME) {
      run = detector.push(samples.subarray(k, k + FRAME)).voiced ? run + 1 : 0;
      if (run < need) continue;
      if (first < 0) first = k / rate - (run - 1) * frameS;
      last = (k + FRAME) / rate;
    }
    return first < 0 ? null : [first, last];
  }

  // -- end of line: started, then silent for the pause (not while held) ----------------
  function EndOfLine(rate, pauseS) {
    this.frameMs = 1000 * FRAME / rate;
    this.pauseMs = pauseS * 1000;
    this.t = 0; this.run = 0; this.started = false; this.lastVoice = 0; this.held = false; this.releasedAt = 0;
  }
  // One frame: true when the line is over.
  EndOfLine.prototype.frame = function (voiced) {
    this.t += this.frameMs;
    this.run = voiced ? this.run + this.frameMs : 0;
    if (this.run >= RUN_MS) { this.started = true; this.lastVoice = this.t; }
    if (!this.started || this.held) return false;
    return this.t - Math.max(this.lastVoice, this.releasedAt) >= this.pauseMs;
  };
  EndOfLine.prototype.hold = function (on) {
    if (this.held && !on) this.releasedAt = this.t;
    this.held = on;
  };

  // -- the microphone ------------------------------------------------------------------
  var mic = null;            // { stream, ctx, proc, detector }
  var opening = false;
  var listen = null;         // { ticket, eol, started }
  var log = [];              // for tests and the bench: [{e, t}]
  var holdDown = 0;

  function note(e) { log.push({ e: e, t: performance.now() }); }

  function say(text) {
    $("voice-msg").textContent = text;
    $("voice-msg").hidden = !text;
  }

  function refusal(err) {
    var why = !err ? "The microphone needs a secure page (https, localhost or the unzipped files)" :
      err.name === "NotAllowedError" || err.name === "SecurityError" ? "The browser refused the microphone" :
      err.name === "NotFoundError" || err.name === "OverconstrainedError" ? "No microphone was found" :
      "The microphone could not start (" + err.name + ")";
    return why + ", so your lines are back to \u201cwait for me\u201d.";
  }

  function fallBack(err) {
    note("refused");
    opening = false;
    say(refusal(err));
    P.settings.mode = "wait";   // for this visit only: another address may allow the microphone
    P.applySettings();
    endListen(false);
  }

  function openMic() {
    if (mic || opening) return;
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) { fallBack(null); return; }
    opening = true;
    // No automatic gain: it would lift the room's noise up to speech level in every pause.
    navigator.mediaDevices.getUserMedia({
      audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: false, channelCount: 1 }
    }).then(function (stream) {
      opening = false;
      var Ctx = window.AudioContext || window.webkitAudioContext;
      var ctx = new Ctx();
      var source = ctx.createMediaStreamSource(stream);
      // A ScriptProcessor, not an AudioWorklet: a worklet module cannot load from file://.
      var proc = ctx.createScriptProcessor(FRAME, 1, 1);
      mic = { stream: stream, ctx: ctx, proc: proc, detector: new Detector(ctx.sampleRate) };
      proc.onaudioprocess = onFrame;
      source.connect(proc);
      proc.connect(ctx.destination);
      if (ctx.resume) ctx.resume();
      note("mic");
      say("");
      if (!wanted()) closeMic();
      else startListening();
    }).catch(fallBack);
  }

  function closeMic() {
    if (!mic) return;
    var m = mic;
    mic = null;
    m.proc.onaudioprocess = null;
    m.stream.getTracks().forEach(function (t) { t.stop(); });
    m.ctx.close();
    note("closed");
  }

  function wanted() { return P.settings.mode === "voice" && P.playing; }
  function atMyLine() { return wanted() && P.waiting && P.audio.paused; }

  function startListening() {
    if (!atMyLine()) return;
    if (!mic) { openMic(); return; }
    listen = { ticket: P.ticket, pos: P.cur, eol: new EndOfLine(mic.ctx.sampleRate, P.settings.pause), started: false };
    note("listen");
    showListening(true);
    if (P.recordingStarts) P.recordingStarts(mic.stream, P.ticket);
  }

  // Keep the take when the line was spoken and the player went on to the next line.
  function endListen(keep) {
    if (!listen) return;
    if (P.recordingEnds) P.recordingEnds(listen.ticket, keep && listen.started);
    listen = null;
    holdDown = 0;
    showListening(false);
  }

  function onFrame(e) {
    if (!wanted()) { endListen(false); closeMic(); return; }
    if (!listen) return;
    if (listen.ticket !== P.ticket || !atMyLine()) { endListen(P.cur === listen.pos + 1); return; }
    var r = mic.detector.push(e.inputBuffer.getChannelData(0));
    var done = listen.eol.frame(r.voiced);
    meter(r);
    if (listen.eol.started && !listen.started) { listen.started = true; note("speech"); }
    if (done) {
      note("advance");
      endListen(true);
      P.continueAfterMine();
    }
  }

  // -- what you see: a level meter, "listening / hearing you / holding" ----------------
  // Redrawn ten times a second, in steps of a tenth: redrawing at the audio's frame rate
  // cost the browser ten times what the detector does.
  var shown = { t: -1e9, level: "" };
  function meter(r) {
    if (listen.eol.t - shown.t < 100) return;
    shown.t = listen.eol.t;
    var level = (Math.round(Math.max(0, Math.min(1, (r.db - r.floor) / 30)) * 10) / 10).toFixed(1);
    if (level !== shown.level) $("voice-level").style.transform = "scaleX(" + (shown.level = level) + ")";
    var state = listen.eol.held ? "Holding — release to go on" : listen.eol.started ? "Hearing you…" : "Listening — speak your line";
    if ($("voice-state").textContent !== state) $("voice-state").textContent = state;
  }

  function showListening(on) {
    $("voice").hidden = !on;
    P.body.classList.toggle("is-listening", on);
  }

  function hold(on) {
    if (!listen) return;
    listen.eol.hold(on);
    note(on ? "hold" : "release");
    $("voice-hold").setAttribute("aria-pressed", on ? "true" : "false");
  }

  // Space: a tap continues at once, a longer press holds. Ahead of the player's own keys.
  function onKeyDown(e) {
    if (e.key !== " " || !listen || document.documentElement.classList.contains("dialog-open")) return;
    if (e.target.closest && e.target.closest("select, input, textarea")) return;
    e.preventDefault();
    e.stopPropagation();
    if (e.repeat || holdDown) return;
    holdDown = performance.now();
    hold(true);
  }

  function onKeyUp(e) {
    if (e.key !== " " || !holdDown) return;
    e.preventDefault();
    var tap = performance.now() - holdDown < TAP_MS;
    holdDown = 0;
    hold(false);
    if (tap && listen) { note("tap"); endListen(true); P.continueAfterMine(); }
  }

  // -- settings: the end-of-line pause ---------------------------------------------------
  function applyVoiceSettings() {
    var voice = P.settings.mode === "voice";
    $("voice-settings").hidden = !voice;
    $("pause").value = P.settings.pause;
    $("pause-out").textContent = Number(P.settings.pause).toFixed(1) + " s";
    if (voice) say("");
    if (voice && P.waiting && P.playing) startListening();
  }

  $("pause").addEventListener("input", function () {
    P.settings.pause = Number(this.value);
    P.saveSettings();
    applyVoiceSettings();
  });
  var btn = $("voice-hold");
  btn.addEventListener("pointerdown", function (e) { e.preventDefault(); hold(true); });
  ["pointerup", "pointercancel", "pointerleave"].forEach(function (t) {
    btn.addEventListener(t, function () { if (listen && listen.eol.held && !holdDown) hold(false); });
  });
  window.addEventListener("keydown", onKeyDown, true);
  window.addEventListener("keyup", onKeyUp, true);

  P.onMyLine = startListening;
  var before = P.onSettings;  // recordings.js may have come first
  P.onSettings = function () { if (before) before(); applyVoiceSettings(); };
  P.VoiceDetector = Detector;
  P.speechSpan = speechSpan;
  P.EndOfLine = EndOfLine;
  P.voiceLog = log;
  P.loadScript("recordings.js");
  applyVoiceSettings();
})();
