/* Live reload for `runthru-build serve --watch`: injected into served pages only,
 * never into bundles. Long-polls the server; reloads the page when its own
 * production was rebuilt (the player resumes at the same line), and shows a
 * failed rebuild's error over the page until the next good build. */
(function () {
  "use strict";
  var first = window.location.pathname.split("/").filter(Boolean)[0] || "";
  var slug = /\./.test(first) ? "" : first;  // "" on the site index: any production counts
  var mine = null;
  var epoch = -1;
  var overlay = null;
  var dismissed = null;  // the error the user tapped away: not shown again until it changes

  function show(message) {
    if (message === dismissed) return;
    if (!overlay) {
      overlay = document.createElement("div");
      overlay.id = "runthru-build-error";
      overlay.setAttribute("role", "alert");
      var s = overlay.style;
      s.position = "fixed"; s.left = "0"; s.right = "0"; s.top = "0"; s.zIndex = "1000";
      s.background = "#b3261e"; s.color = "#fff"; s.padding = "0.8rem 1rem";
      s.font = "15px/1.4 ui-monospace, monospace"; s.whiteSpace = "pre-wrap";
      s.cursor = "pointer";
      overlay.addEventListener("click", function () { dismissed = overlay.dataset.message; hide(); });
      document.body.appendChild(overlay);
    }
    overlay.dataset.message = message;
    overlay.textContent = "Build failed — still showing the last good version (tap to hide).\n" + message;
  }
  function hide() { if (overlay) { overlay.remove(); overlay = null; } }

  function poll() {
    fetch("/_runthru/reload?since=" + epoch, { cache: "no-store", credentials: "same-origin" })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (s) {
        var current = slug ? (s.productions[slug] || 0) : JSON.stringify(s.productions);
        if (mine === null) mine = current;
        epoch = s.epoch;
        if (s.error) { show(s.error); } else { hide(); dismissed = null; }
        if (current !== mine && !s.error) { window.location.reload(); return; }
        poll();
      })
      .catch(function () { setTimeout(poll, 2000); });
  }
  poll();
})();
