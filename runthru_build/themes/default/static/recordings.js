/* RunThru player: recording my own lines in voice mode (MediaRecorder), kept in this
 * browser's IndexedDB only and never uploaded; playing a scene with them; deleting them. */
(function () {
  "use strict";

  var P = window.RunThru;
  var $ = P.$;
  var KEYS = P.prefix + "take:";
  var takes = {};            // item index -> { key, blob, url }
  var rerecord = {};         // item index -> true: record over its take next time
  var rec = null;            // { ticket, i, recorder, chunks }
  var dbOpen = null;
  var KEEP_S = 0.15;         // silence kept before and after the speech of a take
  var TAKE_RATE = 24000;     // a trimmed take's sample rate: speech, at half the size of 48 kHz

  // A take belongs to its line's words: an edited line does not play an old take.
  function keyOf(i) {
    var text = P.spokenText(P.items[i]), h = 0;
    for (var k = 0; k < text.length; k++) h = (h * 31 + text.charCodeAt(k)) | 0;
    return KEYS + i + ":" + (h >>> 0).toString(36);
  }

  function db() {
    if (!dbOpen) {
      dbOpen = new Promise(function (resolve, reject) {
        var req = window.indexedDB.open("runthru", 1);
        req.onupgradeneeded = function () { req.result.createObjectStore("takes"); };
        req.onsuccess = function () { resolve(req.result); };
        req.onerror = function () { reject(req.error); };
      });
    }
    return dbOpen;
  }

  function tx(mode, fn) {
    return db().then(function (d) {
      return new Promise(function (resolve, reject) {
        var t = d.transaction("takes", mode);
        var out = fn(t.objectStore("takes"));
        t.oncomplete = function () { resolve(out && out.result); };
        t.onerror = function () { reject(t.error); };
      });
    });
  }

  function range() { return window.IDBKeyRange.bound(KEYS, KEYS + "\uffff"); }

  function load() {
    return Promise.all([tx("readonly", function (s) { return s.getAllKeys(range()); }),
                        tx("readonly", function (s) { return s.getAll(range()); })]).then(function (r) {
      takes = {};
      r[0].forEach(function (key, n) {
        var i = Number(key.slice(KEYS.length).split(":")[0]);
        if (P.items[i] && keyOf(i) === key) takes[i] = { key: key, blob: r[1][n] };
      });
      show();
    });
  }

  function count() { return Object.keys(takes).length; }

  function show() {
    var n = count();
    P.store.set(P.prefix + "takes", n);
    $("takes").hidden = !n && P.settings.mode !== "voice";
    $("takes-count").textContent = n + (n === 1 ? " line" : " lines") + " recorded";
    $("takes-play").disabled = $("takes-delete").disabled = !n;
    $("takes-play").textContent = P.withTakes ? "Stop playing my recordings" : "Play the scene with my recordings";
    $("record").checked = !!P.settings.record;
    var i = P.lines[P.cur];
    $("rerecord").hidden = !(takes[i] && P.waiting && !rerecord[i]);
  }

  // -- recording, while voice mode listens at my line -----------------------------------
  P.recordingStarts = function (stream, ticket) {
    var i = P.lines[P.cur];
    show();
    if (!P.settings.record || !window.MediaRecorder || (takes[i] && !rerecord[i])) return;
    var recorder;
    try { recorder = new window.MediaRecorder(stream); } catch (e) { return; }
    rec = { ticket: ticket, i: i, recorder: recorder, chunks: [] };
    var mine = rec;
    recorder.ondataavailable = function (e) { if (e.data && e.data.size) mine.chunks.push(e.data); };
    recorder.start();
  };

  P.recordingEnds = function (ticket, keep) {
    if (!rec || rec.ticket !== ticket) return;
    var done = rec;
    rec = null;
    done.recorder.onstop = function () {
      if (!keep || !done.chunks.length) return;
      var recorded = new Blob(done.chunks, { type: done.recorder.mimeType || "audio/webm" });
      var key = keyOf(done.i);
      var blob;
      trimmed(recorded).then(function (out) {
        blob = out;
        return tx("readwrite", function (s) { s.put(blob, key); });
      }).then(function () {
        forget(done.i);
        takes[done.i] = { key: key, blob: blob };
        delete rerecord[done.i];
        if (P.voiceLog) P.voiceLog.push({ e: "take", i: done.i, t: performance.now() });
        show();
      });
    };
    done.recorder.stop();
  };

  // The take cut to its speech, as a WAV: the waiting before I began and the end-of-line pause
  // after I stopped are not played back. The take as recorded where it cannot be decoded or
  // holds nothing the detector calls speech: a take is never lost to trimming.
  function trimmed(blob) {
    var Offline = window.OfflineAudioContext || window.webkitOfflineAudioContext;
    if (!Offline || !P.speechSpan || !blob.arrayBuffer) return Promise.resolve(blob);
    return blob.arrayBuffer().then(function (data) {
      var ctx = new Offline(1, 1, TAKE_RATE);
      return new Promise(function (resolve, reject) { ctx.decodeAudioData(data, resolve, reject); });
    }).then(function (audio) {
      var samples = audio.getChannelData(0), rate = audio.sampleRate;
      var span = P.speechSpan(samples, rate);
      if (!span) return blob;
      var from = Math.max(0, Math.floor((span[0] - KEEP_S) * rate));
      var to = Math.min(samples.length, Math.ceil((span[1] + KEEP_S) * rate));
      return wav(samples.subarray(from, to), rate);
    }).catch(function () { return blob; });
  }

  function wav(samples, rate) {
    var view = new DataView(new ArrayBuffer(44 + samples.length * 2));
    function text(at, s) { for (var k = 0; k < s.length; k++) view.setUint8(at + k, s.charCodeAt(k)); }
    text(0, "RIFF"); view.setUint32(4, 36 + samples.length * 2, true); text(8, "WAVE");
    text(12, "fmt "); view.setUint32(16, 16, true); view.setUint16(20, 1, true); view.setUint16(22, 1, true);
    view.setUint32(24, rate, true); view.setUint32(28, rate * 2, true); view.setUint16(32, 2, true);
    view.setUint16(34, 16, true); text(36, "data"); view.setUint32(40, samples.length * 2, true);
    for (var k = 0; k < samples.length; k++) {
      var x = Math.max(-1, Math.min(1, samples[k]));
      view.setInt16(44 + 2 * k, x < 0 ? x * 0x8000 : x * 0x7fff, true);
    }
    return new Blob([view], { type: "audio/wav" });
  }

  function forget(i) {
    if (takes[i] && takes[i].url) URL.revokeObjectURL(takes[i].url);
    delete takes[i];
  }

  // -- playing with my recordings ---------------------------------------------------------
  P.takeUrl = function (i) {
    var take = P.withTakes && takes[i];
    if (!take) return null;
    if (!take.url) take.url = URL.createObjectURL(take.blob);
    return take.url;
  };

  $("takes-play").addEventListener("click", function () {
    P.withTakes = !P.withTakes;
    show();
    if (!P.withTakes) return;
    P.closeDialog();
    P.cur = P.sceneStarts[P.sceneOf(P.cur)];
    if (P.playing) P.go(P.cur); else P.togglePlay();
  });

  $("takes-delete").addEventListener("click", function () {
    tx("readwrite", function (s) { s.delete(range()); }).then(function () {
      Object.keys(takes).forEach(forget);
      P.withTakes = false;
      show();
    });
  });

  $("record").addEventListener("change", function () {
    P.settings.record = this.checked;
    P.saveSettings();
  });

  $("rerecord").addEventListener("click", function () {
    rerecord[P.lines[P.cur]] = true;
    P.go(P.cur);
  });

  var before = P.onSettings;
  P.onSettings = function () { if (before) before(); show(); };
  load().catch(function () { $("takes-count").textContent = "Recordings are not available in this browser."; });
})();
