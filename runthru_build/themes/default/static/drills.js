/* RunThru player: drills. Loaded after player.js.
 *  - the word being spoken, highlighted from each take's word timings (it.wt: [start, end] s);
 *  - short cues: only the end of the line before each of mine, cut from the one take;
 *  - changes since the actor last rehearsed (it.cr: the revision a line last changed in):
 *    margin marks, a banner, "rehearse the changes";
 *  - shuffled cues: a random cue, then my line, scored in this browser only. */
(function () {
  "use strict";

  var P = window.RunThru;
  var $ = P.$;
  var lines = P.lines;
  var items = P.items;
  var s = P.settings;
  if (s.highlight === undefined) s.highlight = true;
  if (!s.cueMode) s.cueMode = "full";
  if (!s.cueWords) s.cueWords = 6;

  function mineAt(pos) { return pos >= 0 && pos < lines.length && P.isMine(P.lineAt(pos)); }
  function anyMine() { return lines.some(function (li) { return P.isMine(items[li]); }); }

  // -- word highlight -------------------------------------------------------------------
  var wrapped = null;        // { row, words: [span] } of the line being spoken
  var lit = -1;

  function wordSpans(row) {
    if (wrapped && wrapped.row === row) return wrapped.words;
    var words = [];
    row.querySelectorAll(".speech:not(.concealed)").forEach(function (speech) {
      var walker = document.createTreeWalker(speech, NodeFilter.SHOW_TEXT);
      var texts = [];
      while (walker.nextNode()) texts.push(walker.currentNode);
      texts.forEach(function (node) {
        var parts = node.nodeValue.split(/(\s+)/);
        var frag = document.createDocumentFragment();
        parts.forEach(function (part) {
          if (!part) return;
          if (/^\s+$/.test(part)) { frag.appendChild(document.createTextNode(part)); return; }
          var span = document.createElement("span");
          span.className = "w";
          span.textContent = part;
          frag.appendChild(span);
          words.push(span);
        });
        node.parentNode.replaceChild(frag, node);
      });
    });
    wrapped = { row: row, words: words };
    lit = -1;
    return words;
  }

  function wordAt(times, t) {
    var k = -1;
    for (var i = 0; i < times.length && times[i][0] <= t; i++) k = i;
    return k;
  }

  function paintWord() {
    var on = document.querySelector(".w.word-now");
    var it = P.lineAt(P.cur);
    var row = P.rowOf(P.cur);
    var k = -1, words = [];
    if (s.highlight && row && it.wt && !P.isMine(it) && P.audio.getAttribute("src")) {
      words = wordSpans(row);
      k = wordAt(it.wt, P.audio.currentTime);
      if (k >= 0 && words.length !== it.wt.length) k = Math.floor(k * words.length / it.wt.length);
    }
    var span = k >= 0 ? words[k] : null;
    if (on && on !== span) on.classList.remove("word-now");
    if (span && span !== on) {
      span.classList.add("word-now");
      var rect = span.getBoundingClientRect();
      var bottom = document.querySelector(".controls").getBoundingClientRect().top - $("cue-zone").offsetHeight;
      if (rect.bottom > bottom || rect.top < 0) span.scrollIntoView({ block: "center", behavior: P.reduceMotion ? "auto" : "smooth" });
    }
    lit = k;
  }

  var frame = null;
  function follow() {
    paintWord();
    frame = P.audio.paused ? null : window.requestAnimationFrame(follow);
  }
  P.audio.addEventListener("playing", function () { if (!frame) frame = window.requestAnimationFrame(follow); });
  function clearWord() {
    var on = document.querySelector(".w.word-now");
    if (on) on.classList.remove("word-now");
    lit = -1;
  }
  P.audio.addEventListener("pause", clearWord);  // lit again where it stands when playing resumes
  P.audio.addEventListener("ended", clearWord);

  // -- short cues ------------------------------------------------------------------------
  // Where a cue's tail starts: the last clause boundary when it leaves 2..N words, else the last N words.
  function tailStart(it) {
    var n = it.wt ? it.wt.length : 0;
    var most = Number(s.cueWords) || 6;
    if (n <= most) return 0;
    var words = P.spokenText(it).split(/\s+/).filter(Boolean);
    var from = n - most;
    if (words.length === n) {
      for (var k = n - 2; k >= n - most - 1 && k >= 0; k--) {
        if (/[,;:.!?—–]["'’”)]*$/.test(words[k])) {
          if (n - (k + 1) >= 2) from = k + 1;
          break;
        }
      }
    }
    return Math.max(0, it.wt[from][0] - 0.08);
  }

  var queue = null;          // "rehearse the changes": [{ start, line }], in order

  P.clipFrom = function (pos) {
    if (s.cueMode !== "short" || queue || mineAt(pos) || !mineAt(pos + 1)) return "";
    var at = tailStart(P.lineAt(pos));
    return at > 0 ? "#t=" + at.toFixed(3) : "";
  };

  P.playableFrom = function (pos) {  // short cues: a line that cues nobody is skipped, the first one too
    if (!P.playing || s.cueMode !== "short" || queue || !anyMine() || mineAt(pos) || mineAt(pos + 1)) return pos;
    return P.nextLine(pos);
  };

  P.nextLine = function (pos) {
    if (queue) {  // my changed speech done: on to the cue before the next one
      if (!mineAt(pos) || mineAt(pos + 1)) return pos + 1;
      var rest = queue.filter(function (q) { return q.line > pos; });
      if (!rest.length) { stopChanges(); return lines.length; }
      return Math.max(pos + 1, rest[0].start);
    }
    if (s.cueMode !== "short" || !anyMine()) return pos + 1;
    if (mineAt(pos + 1)) return pos + 1;
    for (var k = pos + 2; k < lines.length; k++) if (mineAt(k)) return k - 1;  // the cue before my next line
    return lines.length;
  };

  // -- changes since I last rehearsed -------------------------------------------------------
  var R = P.D.revision;
  var seenKey = P.prefix + "rehearsed:" + P.roleNames().sort().join("+");
  var seen = P.store.get(seenKey, null);
  var base = null;           // lines changed after this revision are marked
  if (R) base = seen && seen.rev < R.id ? seen.rev : (R.id > R.first && !seen ? R.id - 1 : null);

  function shortDate(iso) {
    var d = new Date(iso);
    return isNaN(d) ? "" : d.toLocaleDateString(undefined, { month: "short", day: "numeric" });
  }

  function changedAfter(pos, rev) { var it = P.lineAt(pos); return it.cr !== undefined && it.cr > rev; }

  function markRow(row) {
    var it = items[Number(row.getAttribute("data-i"))];
    if (base === null || !it || !(it.cr > base)) return;
    row.classList.add("changed");
    var when = shortDate(R.dates[String(it.cr)]);
    row.setAttribute("data-changed", when);
    row.title = "changed " + when;
  }

  function markAll() { document.querySelectorAll("#script .line").forEach(markRow); }

  var render = P.render;
  P.render = function () { render.apply(this, arguments); wrapped = null; markAll(); };
  var lineNode = P.lineNode;
  P.lineNode = function () { var row = lineNode.apply(this, arguments); markRow(row); wrapped = null; return row; };

  // My lines that changed, or whose cue changed, after `rev`: where rehearsing each starts.
  function changeTargets(rev) {
    var out = [];
    lines.forEach(function (li, pos) {
      if (!mineAt(pos)) return;
      var cueChanged = pos > 0 && !mineAt(pos - 1) && changedAfter(pos - 1, rev);
      if (!changedAfter(pos, rev) && !cueChanged) return;
      out.push({ line: pos, start: Math.max(P.sceneStarts[P.sceneOf(pos)], pos - 1), cue: cueChanged,
                 mine: changedAfter(pos, rev) });
    });
    return out;
  }

  function rehearsed() {  // never back to an older revision: an older bundle opened after a newer one
    var stored = P.store.get(seenKey, null);
    if (R && !(stored && stored.rev > R.id)) P.store.set(seenKey, { rev: R.id, time: new Date().toISOString() });
  }

  function stopChanges() { queue = null; P.body.classList.remove("rehearsing-changes"); }

  function showChanges() {
    if (!R || !seen || seen.rev >= R.id || !anyMine()) return;
    var targets = changeTargets(seen.rev);
    var mine = targets.filter(function (t) { return t.mine; }).length;
    var cues = targets.filter(function (t) { return t.cue; }).length;
    if (!targets.length) return;
    $("changes-text").textContent = mine + " of your lines and " + cues + " cue" +
      (cues === 1 ? "" : "s") + " changed since you last rehearsed (" + shortDate(seen.time) + ")";
    $("offer").hidden = true;
    $("changes").hidden = false;
    $("changes-go").onclick = function () {
      $("changes").hidden = true;
      queue = targets;
      P.body.classList.add("rehearsing-changes");
      rehearsed();
      if (!P.playing) { P.cur = queue[0].start; P.togglePlay(); } else P.go(queue[0].start);
    };
    $("changes-close").onclick = function () { $("changes").hidden = true; };
  }

  P.audio.addEventListener("playing", function () { rehearsed(); $("changes").hidden = true; });

  // -- shuffled cues -------------------------------------------------------------------------
  var scoreKey = P.prefix + "drill:" + P.roleNames().sort().join("+");
  var scores = P.store.get(scoreKey, {});
  var drillAudio = new Audio();
  var current = null;        // position of my line being drilled

  function lineId(pos) { var it = P.lineAt(pos); return it.h || it.src; }

  function drillable() {
    var out = [];
    for (var pos = 1; pos < lines.length; pos++) {
      if (mineAt(pos) && !mineAt(pos - 1) && P.sceneOf(pos - 1) === P.sceneOf(pos)) out.push(pos);
    }
    return out;
  }

  function standing(score) {
    if (!score) return "new";
    return score.g >= 2 && score.last === "g" && score.g > score.m ? "solid" : "shaky";
  }

  // Missed lines come up most, untried ones next, solid ones least.
  function weight(pos) {
    var score = scores[lineId(pos)];
    if (!score) return 2;
    return Math.max(0.25, 1 + 2 * score.m - score.g) * (score.last === "m" ? 2 : 1);
  }

  function pick() {
    var all = drillable().filter(function (pos) { return pos !== current || drillable().length === 1; });
    var total = all.reduce(function (sum, pos) { return sum + weight(pos); }, 0);
    var r = Math.random() * total;
    for (var k = 0; k < all.length; k++) { r -= weight(all[k]); if (r <= 0) return all[k]; }
    return all[all.length - 1];
  }

  function progress() {
    var counts = { solid: 0, shaky: 0, "new": 0 };
    drillable().forEach(function (pos) { counts[standing(scores[lineId(pos)])] += 1; });
    $("drill-progress").textContent = counts.solid + " solid · " + counts.shaky + " shaky · " +
      counts["new"] + " not yet tried";
    $("drill-progress").setAttribute("data-counts", [counts.solid, counts.shaky, counts["new"]].join(","));
  }

  function playCue() {
    if (current == null) return;
    var cue = P.lineAt(current - 1);
    drillAudio.pause();
    if (!cue.a) return;
    var from = s.cueMode === "short" ? tailStart(cue) : 0;
    drillAudio.src = P.AUDIO_BASE + cue.a + (from > 0 ? "#t=" + from.toFixed(3) : "");
    drillAudio.playbackRate = s.speed;
    var played = drillAudio.play();
    if (played && played.catch) played.catch(function () { /* shown as text anyway */ });
  }

  function nextCue() {
    current = pick();
    if (current === undefined) return;
    var cue = P.lineAt(current - 1);
    $("drill-cue-name").textContent = cue.c + ":";
    $("drill-cue-text").textContent = P.spokenText(cue);
    $("drill-mine-text").textContent = "•••";
    $("drill-mine-text").className = "concealed";
    progress();
    playCue();
  }

  function score(got) {
    if (current == null) return;
    var id = lineId(current);
    var entry = scores[id] || { g: 0, m: 0 };
    if (got) entry.g += 1; else entry.m += 1;
    entry.last = got ? "g" : "m";
    scores[id] = entry;
    P.store.set(scoreKey, scores);
    nextCue();
  }

  function openDrill() {
    if (!drillable().length) return;  // no part of mine here (listening to the whole play)
    if (P.playing) P.togglePlay();
    rehearsed();
    P.openDialog($("drill"), $("drill-btn"));
    nextCue();
  }

  function closeDrill() { drillAudio.pause(); P.closeDialog(); }
  document.addEventListener("keydown", function (e) { if (e.key === "Escape") drillAudio.pause(); }, true);

  // -- settings and wiring ---------------------------------------------------------------------
  function applyDrillSettings() {
    $("cue-mode").value = s.cueMode;
    $("cue-words").value = String(s.cueWords);
    $("word-highlight").checked = !!s.highlight;
    P.body.classList.toggle("short-cues", s.cueMode === "short");
    if (!s.highlight) paintWord();
  }

  $("cue-mode").addEventListener("change", function () { s.cueMode = this.value; applyDrillSettings(); P.saveSettings(); });
  $("cue-words").addEventListener("change", function () { s.cueWords = Number(this.value); P.saveSettings(); });
  $("word-highlight").addEventListener("change", function () { s.highlight = this.checked; applyDrillSettings(); P.saveSettings(); });
  $("drill-btn").addEventListener("click", openDrill);
  $("drill-close").addEventListener("click", closeDrill);
  $("drill").addEventListener("click", function (e) { if (e.target === $("drill")) closeDrill(); });
  $("drill-replay").addEventListener("click", playCue);
  $("drill-reveal").addEventListener("click", function () {
    if (current == null) return;
    $("drill-mine-text").textContent = P.spokenText(P.lineAt(current));
    $("drill-mine-text").className = "";
  });
  $("drill-got").addEventListener("click", function () { score(true); });
  $("drill-missed").addEventListener("click", function () { score(false); });
  $("drill-btn").hidden = !drillable().length;

  applyDrillSettings();
  markAll();
  showChanges();

  window.runthruDrills = {
    changeTargets: function () { return base === null ? [] : changeTargets(base); },
    scores: function () { return scores; }
  };
})();
