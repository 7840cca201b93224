/* RunThru rehearsal player. Plain JavaScript, no build step, no network
 * beyond this site's own files. The script arrives as window.RUNTHRU (data.js,
 * a classic script, so the page works from file://). Script text is only ever
 * put into the page as text nodes. */
(function () {
  "use strict";

  var D = window.RUNTHRU;
  var body = document.body;
  var AUDIO_BASE = body.getAttribute("data-audio-base");
  var ROOT = body.getAttribute("data-root");
  var baseRoles = JSON.parse(body.getAttribute("data-roles") || "[]");
  var $ = function (id) { return document.getElementById(id); };
  var audio = $("audio");

  var items = D.items;
  var lines = [];            // indices into items of the spoken lines
  items.forEach(function (it, i) { if (it.t === "l") lines.push(i); });

  var bySlug = {};
  D.characters.forEach(function (c) { bySlug[c.slug] = c.name; });

  // -- persistent settings -------------------------------------------------
  var store = {
    get: function (k, fallback) {
      try { var v = window.localStorage.getItem(k); return v === null ? fallback : JSON.parse(v); }
      catch (e) { return fallback; }
    },
    set: function (k, v) { try { window.localStorage.setItem(k, JSON.stringify(v)); } catch (e) { /* private mode */ } }
  };
  var prefix = "runthru:" + D.production.slug + ":";
  var settings = Object.assign({ mode: "wait", display: "full", speed: 1, gap: D.gapMs },
                               store.get(prefix + "settings", {}));

  // -- whose lines are mine --------------------------------------------------
  var mine = {};
  function setRoles(names) {
    mine = {};
    names.forEach(function (n) { mine[n] = true; });
  }
  var alsoParam = new URLSearchParams(window.location.search).get("also");
  var also = alsoParam ? alsoParam.split(",").map(function (s) { return bySlug[s]; }).filter(Boolean) : [];
  setRoles(baseRoles.concat(also));
  function roleNames() { return Object.keys(mine); }
  function isMine(it) { return it.s.some(function (s) { return mine[s]; }); }
  function resumeKey() { return prefix + "at:" + roleNames().sort().join("+"); }

  // -- state -------------------------------------------------------------------
  var cur = 0;               // position in `lines`
  var playing = false;
  var waiting = false;
  var ticket = 0;            // invalidates callbacks of an earlier step
  var timer = null;
  var revealed = {};
  var prefetched = [];

  // -- rendering -------------------------------------------------------------------
  function runsInto(el, runs) {
    runs.forEach(function (run) {
      var node = document.createTextNode(run[1]);
      if (run[0]) {
        var wrap = document.createElement(run[0].indexOf("strong") >= 0 ? "strong" : "em");
        wrap.appendChild(node);
        node = wrap;
      }
      el.appendChild(node);
    });
  }

  function initials(text) {
    return text.replace(/[\p{L}\p{N}'’]+/gu, function (w) {
      return w.charAt(0) + w.slice(1).replace(/[\p{L}\p{N}]/gu, "_");
    });
  }

  function lineNode(it, i) {
    var row = document.createElement("div");
    row.className = "line" + (isMine(it) ? " mine" : "");
    row.setAttribute("data-i", i);
    var cue = document.createElement("span");
    cue.className = "cue";
    cue.textContent = it.c + (it.cont ? " (cont.)" : "");
    row.appendChild(cue);
    var text = document.createElement("span");
    text.className = "text";
    var hide = isMine(it) && settings.display !== "full" && !revealed[i];
    it.p.forEach(function (part) {
      var span = document.createElement("span");
      span.className = part.k === "d" ? "dir" : "speech";
      if (part.k === "d") {
        runsInto(span, [["", "("]].concat(part.r, [["", ")"]]));
      } else if (hide && settings.display === "hidden") {
        span.textContent = "•••";
        span.className += " concealed";
        span.setAttribute("aria-label", "your line, hidden: press H or tap to reveal");
      } else if (hide) {
        runsInto(span, part.r.map(function (r) { return [r[0], initials(r[1])]; }));
        span.className += " initials";
      } else {
        runsInto(span, part.r);
      }
      text.appendChild(span);
      text.appendChild(document.createTextNode(" "));
    });
    row.appendChild(text);
    return row;
  }

  var sceneStarts = [];
  function render() {
    var main = $("script");
    main.textContent = "";
    var lastScene = -1;
    items.forEach(function (it, i) {
      if (it.n !== lastScene) {
        lastScene = it.n;
        var sc = D.scenes[it.n];
        var h = document.createElement("h2");
        h.className = "scene-title";
        h.textContent = sc.act ? sc.act + " — " + sc.title : sc.title;
        main.appendChild(h);
      }
      if (it.t === "d") {
        var d = document.createElement("p");
        d.className = "direction";
        d.setAttribute("data-i", i);
        runsInto(d, it.r);
        main.appendChild(d);
      } else {
        main.appendChild(lineNode(it, i));
      }
    });
    highlight(false);
  }

  function fillScenes() {
    var select = $("scene");
    sceneStarts = D.scenes.map(function () { return -1; });
    lines.forEach(function (itemIndex, pos) {
      var n = items[itemIndex].n;
      if (sceneStarts[n] < 0) sceneStarts[n] = pos;
    });
    D.scenes.forEach(function (sc, n) {
      if (sceneStarts[n] < 0) return;
      var opt = document.createElement("option");
      opt.value = n;
      opt.textContent = sc.act ? sc.act + " — " + sc.title : sc.title;
      select.appendChild(opt);
    });
  }

  function sceneOf(pos) { return items[lines[pos]].n; }

  function highlight(scroll) {
    var it = items[lines[cur]];
    var old = document.querySelector(".line.current");
    if (old) old.classList.remove("current");
    var row = document.querySelector('.line[data-i="' + lines[cur] + '"]');
    if (row) {
      row.classList.add("current");
      if (scroll !== false) row.scrollIntoView({ block: "center", behavior: "smooth" });
    }
    var n = it.n;
    var inScene = lines.filter(function (li) { return items[li].n === n; });
    $("progress").textContent = "Line " + (cur + 1) + " of " + lines.length + " · scene " +
      (inScene.indexOf(lines[cur]) + 1) + "/" + inScene.length;
    $("scene").value = String(n);
    $("now").textContent = (isMine(it) ? "Your line: " : it.c + ": ") +
      it.p.filter(function (p) { return p.k === "s"; }).map(function (p) {
        return p.r.map(function (r) { return r[1]; }).join("");
      }).join(" ");
  }

  // -- playback -------------------------------------------------------------------
  function estimate(it) { return (it.d || (0.6 + it.w / 2.6)) / settings.speed; }

  function clearTimer() { if (timer) { clearTimeout(timer); timer = null; } }

  function setPlaying(on) {
    playing = on;
    $("play").setAttribute("aria-label", on ? "Pause" : "Play");
    body.classList.toggle("is-playing", on);
  }

  function showCue(on) {
    waiting = on;
    $("cue").hidden = !on;
    body.classList.toggle("is-waiting", on);
  }

  function step() {
    ticket += 1;
    clearTimer();
    showCue(false);
    highlight();
    store.set(resumeKey(), cur);
    if (!playing) return;
    var it = items[lines[cur]];
    var mineNow = isMine(it);
    if (mineNow) {
      audio.pause();
      if (settings.mode === "timed") {
        var t = ticket;
        timer = setTimeout(function () { if (t === ticket) advance(); }, estimate(it) * 1000 + 300);
      } else {
        showCue(true);
      }
      prefetch();
      return;
    }
    if (!it.a) { fallback(it); return; }
    var t2 = ticket;
    audio.src = AUDIO_BASE + it.a;
    audio.playbackRate = settings.speed;
    var started = audio.play();
    if (started && started.catch) started.catch(function () { if (t2 === ticket && playing) fallback(it); });
    prefetch();
  }

  function fallback(it) {
    // A missing or broken clip: show the text, wait as long as it would take, move on.
    var row = document.querySelector('.line[data-i="' + lines[cur] + '"]');
    if (row) row.classList.add("no-audio");
    var t = ticket;
    clearTimer();
    timer = setTimeout(function () { if (t === ticket && playing) advance(); }, estimate(it) * 1000);
  }

  function advance() {
    if (cur < lines.length - 1) {
      cur += 1;
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
    cur = 0;
    store.set(resumeKey(), 0);
    store.set(prefix + "ran-through", true);
    makeOffline(true);
  }

  audio.addEventListener("ended", function () {
    if (!playing) return;
    var t = ticket;
    timer = setTimeout(function () { if (t === ticket && playing) advance(); }, settings.gap / settings.speed);
  });
  audio.addEventListener("error", function () {
    if (playing && audio.getAttribute("src")) fallback(items[lines[cur]]);
  });

  function prefetch() {
    prefetched = [];
    for (var k = cur + 1; k < Math.min(lines.length, cur + 4); k++) {
      var it = items[lines[k]];
      if (it.a && !isMine(it)) {
        var a = new Audio();
        a.preload = "auto";
        a.src = AUDIO_BASE + it.a;
        prefetched.push(a);
      }
    }
  }

  function togglePlay() {
    if (playing) {
      setPlaying(false);
      ticket += 1;
      clearTimer();
      audio.pause();
      showCue(false);
      return;
    }
    setPlaying(true);
    var it = items[lines[cur]];
    if (!isMine(it) && it.a && audio.getAttribute("src") === AUDIO_BASE + it.a &&
        audio.currentTime > 0 && !audio.ended) {
      ticket += 1;
      audio.playbackRate = settings.speed;
      audio.play();
    } else {
      step();
    }
  }

  function go(pos) {
    cur = Math.max(0, Math.min(lines.length - 1, pos));
    step();
  }

  function continueAfterMine() { if (waiting) advance(); }

  function reveal() {
    var i = lines[cur];
    revealed[i] = !revealed[i];
    var old = document.querySelector('.line[data-i="' + i + '"]');
    if (old) {
      var fresh = lineNode(items[i], i);
      if (old.classList.contains("current")) fresh.classList.add("current");
      old.replaceWith(fresh);
    }
  }

  // -- settings and controls ------------------------------------------------------
  function saveSettings() { store.set(prefix + "settings", settings); }

  function applySettings() {
    $("mode").value = settings.mode;
    $("display").value = settings.display;
    $("speed").value = String(settings.speed);
    $("gap").value = settings.gap;
    $("gap-out").textContent = (settings.gap / 1000).toFixed(2) + " s";
    audio.playbackRate = settings.speed;
  }

  function fillAlso() {
    var box = $("also");
    D.characters.forEach(function (c) {
      if (baseRoles.indexOf(c.name) >= 0) return;
      var label = document.createElement("label");
      var input = document.createElement("input");
      input.type = "checkbox";
      input.value = c.name;
      input.checked = !!mine[c.name];
      input.addEventListener("change", function () {
        var names = baseRoles.slice();
        box.querySelectorAll("input:checked").forEach(function (x) { names.push(x.value); });
        setRoles(names);
        $("roles-label").textContent = names.length ? names.join(" + ") : "Listening to the whole play";
        render();
      });
      label.appendChild(input);
      label.appendChild(document.createTextNode(" " + c.name));
      box.appendChild(label);
    });
  }

  function setTheme(theme) {
    document.documentElement.setAttribute("data-theme", theme);
    store.set("runthru:theme", theme);
  }

  function toggleHelp(show) {
    $("help").hidden = !show;
    if (show) $("help-close").focus();
  }

  function speedBy(delta) {
    var options = [0.75, 1, 1.25, 1.5, 1.75, 2];
    var i = options.indexOf(settings.speed);
    settings.speed = options[Math.max(0, Math.min(options.length - 1, (i < 0 ? 1 : i) + delta))];
    applySettings();
    saveSettings();
  }

  // -- offline (service worker, only when served over http/https) -----------------
  var offlineCapable = /^https?:$/.test(window.location.protocol) && "serviceWorker" in navigator;

  function offlineUrls() {
    var urls = [window.location.href.split("#")[0], new URL(AUDIO_BASE + "../data.js", window.location.href).href,
                new URL(ROOT + "assets/player.js", window.location.href).href,
                new URL(ROOT + "assets/style.css", window.location.href).href];
    lines.forEach(function (li) {
      var it = items[li];
      if (it.a && !isMine(it)) urls.push(new URL(AUDIO_BASE + it.a, window.location.href).href);
    });
    return urls;
  }

  function makeOffline(quiet) {
    if (!offlineCapable) return;
    navigator.serviceWorker.register(ROOT + "sw.js").then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (reg) {
      if (!quiet) $("offline-status").textContent = "Saving for offline use…";
      reg.active.postMessage({ type: "cache", urls: offlineUrls() });
    }).catch(function () {
      if (!quiet) $("offline-status").textContent = "Offline use is not available in this browser.";
    });
  }

  if (offlineCapable) {
    $("offline-btn").hidden = false;
    navigator.serviceWorker.addEventListener("message", function (e) {
      if (e.data && e.data.type === "cached") {
        $("offline-status").textContent = e.data.failed ? "Saved " + (e.data.done - e.data.failed) + " of " +
          e.data.done + " files; try again when online." : "Available offline ✓";
      }
    });
  }

  // -- wiring -------------------------------------------------------------------------
  $("play").addEventListener("click", togglePlay);
  $("prev").addEventListener("click", function () { go(cur - 1); });
  $("next").addEventListener("click", function () { go(cur + 1); });
  $("replay").addEventListener("click", function () { go(cur); });
  $("restart").addEventListener("click", function () { go(sceneStarts[sceneOf(cur)]); });
  $("continue").addEventListener("click", continueAfterMine);
  $("scene").addEventListener("change", function () { go(sceneStarts[Number(this.value)]); });
  $("script").addEventListener("click", function (e) {
    var row = e.target.closest(".line");
    if (!row) return;
    var i = Number(row.getAttribute("data-i"));
    if (row.classList.contains("mine") && e.target.closest(".concealed")) { cur = lines.indexOf(i); reveal(); return; }
    go(lines.indexOf(i));
  });
  $("mode").addEventListener("change", function () { settings.mode = this.value; saveSettings(); });
  $("display").addEventListener("change", function () { settings.display = this.value; saveSettings(); render(); });
  $("speed").addEventListener("change", function () { settings.speed = Number(this.value); applySettings(); saveSettings(); });
  $("gap").addEventListener("input", function () { settings.gap = Number(this.value); applySettings(); saveSettings(); });
  $("settings-btn").addEventListener("click", function () {
    var panel = $("settings");
    panel.hidden = !panel.hidden;
    this.setAttribute("aria-expanded", String(!panel.hidden));
  });
  $("theme-btn").addEventListener("click", function () {
    var dark = document.documentElement.getAttribute("data-theme") === "dark" ||
      (!document.documentElement.getAttribute("data-theme") && window.matchMedia("(prefers-color-scheme: dark)").matches);
    setTheme(dark ? "light" : "dark");
  });
  $("help-btn").addEventListener("click", function () { toggleHelp(true); });
  $("help-close").addEventListener("click", function () { toggleHelp(false); });
  $("offline-btn").addEventListener("click", function () { makeOffline(false); });

  document.addEventListener("keydown", function (e) {
    if (e.target.closest && e.target.closest("select, input, textarea")) return;
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    var key = e.key;
    if (!$("help").hidden) { if (key === "Escape" || key === "?") { toggleHelp(false); e.preventDefault(); } return; }
    if (key === " " || key === "Spacebar") { if (waiting) continueAfterMine(); else togglePlay(); }
    else if (key === "Enter") { if (waiting) continueAfterMine(); else return; }
    else if (key === "ArrowRight") go(cur + 1);
    else if (key === "ArrowLeft") go(cur - 1);
    else if (key === "r" || key === "R") go(cur);
    else if (key === "s" || key === "S") go(sceneStarts[sceneOf(cur)]);
    else if (key === "h" || key === "H") reveal();
    else if (key === "m" || key === "M") { settings.mode = settings.mode === "wait" ? "timed" : "wait"; applySettings(); saveSettings(); }
    else if (key === "d" || key === "D") {
      var order = ["full", "initials", "hidden"];
      settings.display = order[(order.indexOf(settings.display) + 1) % 3];
      applySettings(); saveSettings(); render();
    }
    else if (key === "+" || key === "=") speedBy(1);
    else if (key === "-" || key === "_") speedBy(-1);
    else if (key === "?") toggleHelp(true);
    else if (key === "Escape") { $("settings").hidden = true; return; }
    else return;
    e.preventDefault();
  });

  // -- start ----------------------------------------------------------------------------
  var theme = store.get("runthru:theme", null);
  if (theme) document.documentElement.setAttribute("data-theme", theme);
  if (also.length) $("roles-label").textContent = roleNames().join(" + ");
  fillScenes();
  fillAlso();
  applySettings();
  var saved = store.get(resumeKey(), 0);
  cur = typeof saved === "number" && saved >= 0 && saved < lines.length ? saved : 0;
  render();
  highlight(true);

  // For tests and for anyone curious in the console.
  window.runthruPlayer = {
    state: function () {
      return { line: cur, item: lines[cur], playing: playing, waiting: waiting, mine: isMine(items[lines[cur]]),
               speed: settings.speed, roles: roleNames() };
    }
  };
})();
