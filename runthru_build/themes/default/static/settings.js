/* RunThru player: the settings sheet and the help dialog (fixed in the viewport, Esc /
 * tap outside / close button, focus kept inside, the page behind held still), the theme,
 * extra parts, and saving a role for offline use. */
(function () {
  "use strict";

  var P = window.RunThru;
  var $ = P.$;

  function applySettings() {
    var s = P.settings;
    $("mode").value = s.mode;
    $("display").value = s.display;
    $("speed").value = String(s.speed);
    $("gap").value = s.gap;
    $("gap-out").textContent = (s.gap / 1000).toFixed(2) + " s";
    $("lead").value = String(s.lead);
    P.audio.playbackRate = s.speed;
    P.describeNavigation();
    if (s.mode === "voice") P.loadScript("voice.js", function () { s.mode = "wait"; applySettings(); });
    if (P.onSettings) P.onSettings();
  }

  function speedBy(delta) {
    var options = [0.75, 1, 1.25, 1.5, 1.75, 2];
    var i = options.indexOf(P.settings.speed);
    P.settings.speed = options[Math.max(0, Math.min(options.length - 1, (i < 0 ? 1 : i) + delta))];
    applySettings();
    P.saveSettings();
  }

  // -- dialogs ------------------------------------------------------------------------
  var open = null;           // { el, opener }

  function focusables(el) {
    return Array.prototype.filter.call(
      el.querySelectorAll("button, select, input, summary, a[href], [tabindex]:not([tabindex='-1'])"),
      function (x) { return !x.disabled && !x.hidden && x.offsetParent !== null; });
  }

  function openDialog(el, opener) {
    if (open) closeDialog();
    open = { el: el, opener: opener };
    el.hidden = false;
    document.documentElement.classList.add("dialog-open");  // the page behind does not scroll
    if (opener) opener.setAttribute("aria-expanded", "true");
    var first = focusables(el)[0];
    if (first) first.focus({ preventScroll: true });
  }

  function closeDialog() {
    if (!open) return;
    var was = open;
    open = null;
    was.el.hidden = true;
    document.documentElement.classList.remove("dialog-open");
    if (was.opener) {
      was.opener.setAttribute("aria-expanded", "false");
      was.opener.focus({ preventScroll: true });
    }
  }

  // Keys while a dialog is open: Esc closes, Tab stays inside. True when handled.
  function dialogKey(e) {
    if (!open) return false;
    if (e.key === "Escape" || (e.key === "?" && open.el.id === "help")) {
      closeDialog();
      e.preventDefault();
      return true;
    }
    if (e.key === "Tab") {
      var all = focusables(open.el);
      var at = all.indexOf(document.activeElement);
      if (e.shiftKey && at <= 0) { all[all.length - 1].focus(); e.preventDefault(); }
      else if (!e.shiftKey && at === all.length - 1) { all[0].focus(); e.preventDefault(); }
      else if (at < 0) { all[0].focus(); e.preventDefault(); }
    }
    return true;
  }

  function wireDialog(el, opener, closer) {
    opener.addEventListener("click", function () { if (open && open.el === el) closeDialog(); else openDialog(el, opener); });
    closer.addEventListener("click", closeDialog);
    el.addEventListener("click", function (e) { if (e.target === el) closeDialog(); });  // the backdrop
  }

  // -- parts played alongside ----------------------------------------------------------
  function fillAlso() {
    var box = $("also");
    P.D.characters.forEach(function (c) {
      if (P.baseRoles.indexOf(c.name) >= 0) return;
      var label = document.createElement("label");
      var input = document.createElement("input");
      input.type = "checkbox";
      input.value = c.name;
      input.checked = !!P.mine[c.name];
      input.addEventListener("change", function () {
        var names = P.baseRoles.slice();
        box.querySelectorAll("input:checked").forEach(function (x) { names.push(x.value); });
        P.setRoles(names);
        $("roles-label").textContent = names.length ? names.join(" + ") : "Listening to the whole play";
        P.render();
        P.describeNavigation();
      });
      label.appendChild(input);
      label.appendChild(document.createTextNode(" " + c.name));
      box.appendChild(label);
    });
    $("also-box").hidden = !box.children.length;
  }

  function setTheme(theme) {
    document.documentElement.setAttribute("data-theme", theme);
    P.store.set("runthru:theme", theme);
  }

  function toggleTheme() {
    var root = document.documentElement;
    var dark = root.getAttribute("data-theme") === "dark" ||
      (!root.getAttribute("data-theme") && window.matchMedia("(prefers-color-scheme: dark)").matches);
    setTheme(dark ? "light" : "dark");
  }

  // -- offline (service worker, only when served over http/https) -----------------------
  var offlineCapable = /^https?:$/.test(window.location.protocol) && "serviceWorker" in navigator;

  function offlineUrls() {
    var here = window.location.href;
    var urls = [here.split("#")[0]];
    document.querySelectorAll("script[src], link[rel=stylesheet]").forEach(function (el) {
      urls.push(new URL(el.getAttribute("src") || el.getAttribute("href"), here).href);
    });
    P.lazyScripts.forEach(function (name) { urls.push(new URL(P.ROOT + "assets/" + name, here).href); });
    P.lines.forEach(function (li) {
      var it = P.items[li];
      if (it.a && !P.isMine(it)) urls.push(new URL(P.AUDIO_BASE + it.a, here).href);
    });
    return urls;
  }

  // Behind a PIN (the server marks its pages) nothing is kept unless the actor asks, and Sign out removes it.
  var behindPin = !!document.querySelector('meta[name="runthru-private"]');

  function makeOffline(quiet) {
    if (!offlineCapable || (quiet && behindPin)) return;
    navigator.serviceWorker.register(P.ROOT + "sw.js").then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (reg) {
      if (!quiet) $("offline-status").textContent = behindPin ? "Saving this part's page, the player and the " +
        "other parts' audio in this browser until you sign out…" : "Saving for offline use…";
      reg.active.postMessage({ type: "cache", urls: offlineUrls() });
    }).catch(function () {
      if (!quiet) $("offline-status").textContent = "Offline use is not available in this browser.";
    });
  }

  P.wireSettings = function () {
    var s = P.settings;
    function changed(apply) { return function () { apply(this.value); applySettings(); P.saveSettings(); }; }
    $("mode").addEventListener("change", changed(function (v) { s.mode = v; }));
    $("display").addEventListener("change", function () { s.display = this.value; P.saveSettings(); P.render(); });
    $("speed").addEventListener("change", changed(function (v) { s.speed = Number(v); }));
    $("gap").addEventListener("input", changed(function (v) { s.gap = Number(v); }));
    $("lead").addEventListener("change", changed(function (v) { s.lead = Number(v); P.highlight(false); }));
    wireDialog($("settings"), $("settings-btn"), $("settings-close"));
    wireDialog($("help"), $("help-btn"), $("help-close"));
    $("help-x").addEventListener("click", closeDialog);
    $("theme-btn").addEventListener("click", toggleTheme);
    $("offline-btn").addEventListener("click", function () { makeOffline(false); });
    if (offlineCapable) {
      $("offline-btn").hidden = false;
      navigator.serviceWorker.addEventListener("message", function (e) {
        if (e.data && e.data.type === "cached") {
          $("offline-status").textContent = e.data.failed ? "Saved " + (e.data.done - e.data.failed) + " of " +
            e.data.done + " files; try again when online." : behindPin ? "Available offline ✓ (this part's page, " +
            "the player and the other parts' audio are kept in this browser; Sign out removes them)" : "Available offline ✓";
        }
      });
    }
    var theme = P.store.get("runthru:theme", null);
    if (theme) document.documentElement.setAttribute("data-theme", theme);
    fillAlso();
  };

  P.applySettings = applySettings;
  P.speedBy = speedBy;
  P.openDialog = openDialog;
  P.closeDialog = closeDialog;
  P.dialogKey = dialogKey;
  P.makeOffline = makeOffline;
})();
