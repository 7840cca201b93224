/* Role chooser: tick several parts to rehearse them together. */
(function () {
  "use strict";
  var form = document.getElementById("chooser");
  if (!form) return;
  // Cast preview: one audio element, each role's first line.
  var voice = new Audio();
  form.addEventListener("click", function (e) {
    var button = e.target.closest("button.preview");
    if (!button) return;
    e.preventDefault();
    var src = button.getAttribute("data-src");
    if (voice.getAttribute("src") === src && !voice.paused) { voice.pause(); return; }
    voice.setAttribute("src", src);
    voice.play();
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
