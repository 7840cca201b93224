/* RunThru player: wiring and start. Loaded last, after core, display, playback,
 * navigation and settings. */
(function () {
  "use strict";

  var P = window.RunThru;
  var $ = P.$;

  $("play").addEventListener("click", P.togglePlay);
  P.wireNavigation();
  P.wireSettings();
  if (P.also.length) $("roles-label").textContent = P.roleNames().join(" + ");
  P.fillScenes();
  P.applySettings();
  var saved = P.store.get(P.resumeKey(), null);
  P.cur = typeof saved === "number" && saved >= 0 && saved < P.lines.length ? saved : 0;
  P.render();
  P.highlight(true);
  if (saved === null) P.offerFirstLine();
  if (P.store.get(P.prefix + "takes", 0)) P.loadScript("recordings.js");

  // For tests and for anyone curious in the console.
  window.runthruPlayer = {
    state: function () {
      return { line: P.cur, item: P.lines[P.cur], playing: P.playing, waiting: P.waiting,
               mine: P.isMine(P.lineAt(P.cur)), speed: P.settings.speed, roles: P.roleNames(),
               headsUp: $("heads-up").textContent };
    }
  };
})();
