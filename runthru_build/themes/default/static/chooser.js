/* Role chooser: tick several parts to rehearse them together. */
(function () {
  "use strict";
  var form = document.getElementById("chooser");
  if (!form) return;
  // Cast preview: one audio element plays a role's few characteristic lines in turn.
  var voice = new Audio();
  var queue = [];
  var playingFor = null;
  function stop() { voice.pause(); queue = []; playingFor = null; }
  function next() {
    if (!queue.length) { playingFor = null; return; }
    voice.setAttribute("src", queue.shift());
    var started = voice.play();
    // another preview tapped before this one began: its play() is cut short by pause(), not an error
    if (started && started.catch) started.catch(function () {});
  }
  voice.addEventListener("ended", next);
  form.addEventListener("click", function (e) {
    var button = e.target.closest("button.preview");
    if (!button) return;
    e.preventDefault();
    if (playingFor === button) { stop(); return; }
    stop();
    playingFor = button;
    queue = button.getAttribute("data-src").split(" ");
    next();
  });
  var button = document.getElementById("together");
  function ticked() {
    return Array.prototype.map.call(form.querySelectorAll("input[name=role]:checked"), function (x) { return x.value; });
  }
  form.addEventListener("change", function () { button.disabled = ticked().length < 2; });
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var slugs = ticked();
    if (!slugs.length) return;
    window.location.href = slugs[0] + "/index.html" + (slugs.length > 1 ? "?also=" + slugs.slice(1).join(",") : "");
  });
})();
