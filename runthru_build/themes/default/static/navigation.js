/* RunThru player: getting to your lines: next / previous of my lines (a few cues before
 * each, so you hear your cue), scene jumps, taps on the script, the keyboard. */
(function () {
  "use strict";

  var P = window.RunThru;
  var $ = P.$;
  var lines = P.lines;

  // Where rehearsing each of my speeches starts: `lead` cues before it, never before its
  // scene's first line nor back into my previous speech. A speech is a run of my lines
  // with nobody else between.
  function startPoints() {
    var points = [];
    var lastMine = -1;
    lines.forEach(function (li, pos) {
      if (!P.isMine(P.items[li])) return;
      if (lastMine !== pos - 1 || pos === 0) {
        points.push(Math.max(P.sceneStarts[P.sceneOf(pos)], pos - P.settings.lead, lastMine + 1));
      }
      lastMine = pos;
    });
    return points;
  }

  function nextMine() {
    var later = startPoints().filter(function (s) { return s > P.cur; });
    if (later.length) P.go(later[0]);
  }

  function previousMine() {
    var earlier = startPoints().filter(function (s) { return s < P.cur; });
    if (earlier.length) P.go(earlier[earlier.length - 1]);
  }

  function restartScene() { P.go(P.sceneStarts[P.sceneOf(P.cur)]); }

  function describeButtons() {
    var lead = P.settings.lead;
    var before = lead ? lead + " cue" + (lead > 1 ? "s" : "") + " before " : "to ";
    $("next-mine").setAttribute("aria-label", "Start " + before + "my next line (N)");
    $("prev-mine").setAttribute("aria-label", "Start " + before + "my previous line (P)");
    $("next-mine").title = $("next-mine").getAttribute("aria-label");
    $("prev-mine").title = $("prev-mine").getAttribute("aria-label");
    var mineAnywhere = lines.some(function (li) { return P.isMine(P.items[li]); });
    $("next-mine").hidden = $("prev-mine").hidden = !mineAnywhere;
  }

  function onScriptTap(e) {
    var row = e.target.closest(".line");
    if (!row) return;
    var pos = lines.indexOf(Number(row.getAttribute("data-i")));
    if (row.classList.contains("mine") && e.target.closest(".concealed")) { P.cur = pos; P.reveal(); return; }
    if (pos === P.cur && P.waiting) { P.continueAfterMine(); return; }  // my own line: done, go on
    P.go(pos);
  }

  function cycleDisplay() {
    var order = ["full", "initials", "hidden"];
    P.settings.display = order[(order.indexOf(P.settings.display) + 1) % 3];
    P.applySettings(); P.saveSettings(); P.render();
  }

  var keys = {
    " ": function () { if (P.waiting) P.continueAfterMine(); else P.togglePlay(); },
    Enter: function () { if (!P.waiting) return false; P.continueAfterMine(); },
    ArrowRight: function () { P.go(P.cur + 1); },
    ArrowLeft: function () { P.go(P.cur - 1); },
    r: function () { P.go(P.cur); },
    s: restartScene,
    h: function () { P.reveal(); },
    n: nextMine,
    p: previousMine,
    m: function () {
      var modes = ["wait", "timed", "voice"];
      P.settings.mode = modes[(modes.indexOf(P.settings.mode) + 1) % modes.length];
      P.applySettings(); P.saveSettings();
    },
    d: cycleDisplay,
    "+": function () { P.speedBy(1); },
    "=": function () { P.speedBy(1); },
    "-": function () { P.speedBy(-1); },
    _: function () { P.speedBy(-1); },
    "?": function () { P.openDialog($("help"), $("help-btn")); }
  };
  keys.Spacebar = keys[" "];

  function onKey(e) {
    if (P.dialogKey(e)) return;
    if (e.target.closest && e.target.closest("select, input, textarea")) return;
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    var action = keys[e.key.length === 1 ? e.key.toLowerCase() : e.key];
    if (action && action() !== false) e.preventDefault();
  }

  // A first visit far from my first line: offer to start just before it.
  function offerFirstLine() {
    var first = startPoints()[0];
    if (!first) return;
    var lead = P.settings.lead;
    var mineAt = lines.findIndex(function (li) { return P.isMine(P.items[li]); });
    $("offer-btn").textContent = "Start " + (lead ? lead + " cue" + (lead > 1 ? "s" : "") + " before" : "at") +
      " your first line (line " + (mineAt + 1) + " of " + lines.length + ")";
    $("offer").hidden = false;
  }

  P.wireNavigation = function () {
    $("offer-btn").addEventListener("click", function () { P.go(startPoints()[0]); });
    $("prev").addEventListener("click", function () { P.go(P.cur - 1); });
    $("next").addEventListener("click", function () { P.go(P.cur + 1); });
    $("prev-mine").addEventListener("click", previousMine);
    $("next-mine").addEventListener("click", nextMine);
    $("replay").addEventListener("click", function () { P.go(P.cur); });
    $("restart").addEventListener("click", restartScene);
    $("continue").addEventListener("click", P.continueAfterMine);
    $("scene").addEventListener("change", function () { P.go(P.sceneStarts[Number(this.value)]); });
    $("script").addEventListener("click", onScriptTap);
    document.addEventListener("keydown", onKey);
  };
  P.describeNavigation = describeButtons;
  P.offerFirstLine = offerFirstLine;
  P.startPoints = startPoints;
})();
