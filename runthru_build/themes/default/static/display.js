/* RunThru player: drawing the script, the current line, the progress label and the heads-up. */
(function () {
  "use strict";

  var P = window.RunThru;
  var $ = P.$;
  var items = P.items;
  var lines = P.lines;

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
    var mine = P.isMine(it);
    var row = document.createElement("div");
    row.className = "line" + (mine ? " mine" : "");
    row.setAttribute("data-i", i);
    var cue = document.createElement("span");
    cue.className = "cue";
    cue.textContent = it.c + (it.cont ? " (cont.)" : "");
    row.appendChild(cue);
    var text = document.createElement("span");
    text.className = "text";
    var display = P.settings.display;
    var hide = mine && display !== "full" && !P.revealed[i];
    it.p.forEach(function (part) {
      var span = document.createElement("span");
      span.className = part.k === "d" ? "dir" : "speech";
      if (part.k === "d") {
        runsInto(span, [["", "("]].concat(part.r, [["", ")"]]));
      } else if (hide && display === "hidden") {
        span.textContent = "•••";
        span.className += " concealed";
        span.setAttribute("aria-label", "your line, hidden: press H or tap the dots to reveal");
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

  function sceneName(sc) { return sc.act ? sc.act + " — " + sc.title : sc.title; }

  function render() {
    var main = $("script");
    main.textContent = "";
    var lastScene = -1;
    items.forEach(function (it, i) {
      if (it.n !== lastScene) {
        lastScene = it.n;
        var h = document.createElement("h2");
        h.className = "scene-title";
        h.textContent = sceneName(P.D.scenes[it.n]);
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

  P.sceneStarts = [];
  function fillScenes() {
    var select = $("scene");
    P.sceneStarts = P.D.scenes.map(function () { return -1; });
    lines.forEach(function (itemIndex, pos) {
      var n = items[itemIndex].n;
      if (P.sceneStarts[n] < 0) P.sceneStarts[n] = pos;
    });
    P.D.scenes.forEach(function (sc, n) {
      if (P.sceneStarts[n] < 0) return;
      var opt = document.createElement("option");
      opt.value = n;
      opt.textContent = sceneName(sc);
      select.appendChild(opt);
    });
  }

  function rowOf(pos) { return document.querySelector('.line[data-i="' + lines[pos] + '"]'); }

  // Scroll so the line sits a little above the middle of the free space: between the
  // sticky header and the zone above the controls where the cue banner appears, so the
  // banner never covers the line it refers to.
  function keepInView(row, smooth) {
    var head = document.querySelector(".sticky-head").getBoundingClientRect().bottom;
    var reserve = document.querySelector(".controls").getBoundingClientRect().top - $("cue-zone").offsetHeight;
    var rect = row.getBoundingClientRect();
    var room = reserve - head;
    var want = rect.height < room ? head + (room - rect.height) * 0.35 : head + 8;
    var delta = rect.top - want;
    var heading = sceneHeadingOf(row);
    if (heading) {  // its scene's first line: the heading stays below the bar, if the line still fits
      var top = heading.getBoundingClientRect().top;
      if (top - delta < head + 8 && rect.bottom - top + 16 <= room) delta = top - head - 8;
    }
    if (Math.abs(delta) < 2) return;
    window.scrollTo({ top: window.scrollY + delta, behavior: smooth && !P.reduceMotion ? "smooth" : "auto" });
  }

  // The scene heading just above a row (a direction or two between them), when the row is
  // the scene's first line.
  function sceneHeadingOf(row) {
    for (var el = row.previousElementSibling; el; el = el.previousElementSibling) {
      if (el.classList.contains("scene-title")) return el;
      if (el.classList.contains("line")) return null;
    }
    return null;
  }

  function progressLabel() {
    var n = P.sceneOf(P.cur);
    var inScene = lines.filter(function (li) { return items[li].n === n; });
    return "line " + (inScene.indexOf(lines[P.cur]) + 1) + " of " + inScene.length + " in this scene";
  }

  function headsUp() {
    if (P.isMine(P.lineAt(P.cur))) return "";
    var lead = P.settings.lead;
    for (var k = 1; k <= lead && P.cur + k < lines.length; k++) {
      if (P.isMine(P.lineAt(P.cur + k))) return k === 1 ? "You're on next" : "You're on in " + k;
    }
    return "";
  }

  function highlight(scroll) {
    var it = P.lineAt(P.cur);
    var old = document.querySelector(".line.current");
    if (old) {
      old.classList.remove("current");
      old.querySelector(".cue").removeAttribute("data-heads-up");
    }
    var cue = headsUp();
    var row = rowOf(P.cur);
    if (row) {
      row.classList.add("current");
      if (cue) row.querySelector(".cue").setAttribute("data-heads-up", cue);
      if (scroll !== false) keepInView(row, true);
    }
    $("progress").textContent = progressLabel();
    $("progress").title = "line " + (P.cur + 1) + " of " + lines.length + " in the play";
    $("scene").value = String(it.n);
    $("scene-name").textContent = sceneName(P.D.scenes[it.n]);
    if ($("heads-up").textContent !== cue) $("heads-up").textContent = cue;
    $("now").textContent = (P.isMine(it) ? "Your line: " : it.c + ": ") + P.spokenText(it);
  }

  P.lineNode = lineNode;
  P.render = render;
  P.fillScenes = fillScenes;
  P.highlight = highlight;
  P.rowOf = rowOf;
  P.keepInView = keepInView;
})();
