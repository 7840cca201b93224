/* RunThru rehearsal player: the shared state every other player script uses.
 * Plain classic scripts, loaded in order (core, display, playback, navigation,
 * settings, player), no build step and no network beyond this site's own files.
 * The script arrives as window.RUNTHRU (data.js, a classic script, so the page
 * works from file://). Script text is only ever put into the page as text nodes. */
(function () {
  "use strict";

  var D = window.RUNTHRU;
  var body = document.body;
  var $ = function (id) { return document.getElementById(id); };

  var store = {
    get: function (k, fallback) {
      try { var v = window.localStorage.getItem(k); return v === null ? fallback : JSON.parse(v); }
      catch (e) { return fallback; }
    },
    set: function (k, v) { try { window.localStorage.setItem(k, JSON.stringify(v)); } catch (e) { /* private mode */ } }
  };

  var items = D.items;
  var lines = [];            // indices into items of the spoken lines
  items.forEach(function (it, i) { if (it.t === "l") lines.push(i); });
  var bySlug = Object.create(null);  // keyed by script text: no inherited "constructor" or "__proto__"
  D.characters.forEach(function (c) { bySlug[c.slug] = c.name; });

  var prefix = "runthru:" + D.production.slug + ":";
  var P = {
    D: D, $: $, body: body, store: store, items: items, lines: lines, bySlug: bySlug, prefix: prefix,
    audio: $("audio"),
    AUDIO_BASE: body.getAttribute("data-audio-base"),
    ROOT: body.getAttribute("data-root"),
    baseRoles: JSON.parse(body.getAttribute("data-roles") || "[]"),
    // lead: how many cues before my line "next / previous of my lines" starts, and the heads-up counts from
    settings: Object.assign({ mode: "wait", display: "full", speed: 1, gap: D.gapMs, lead: 2 },
                            store.get(prefix + "settings", {})),
    mine: Object.create(null),
    cur: 0,                  // position in `lines`
    playing: false,
    waiting: false,
    ticket: 0,               // invalidates callbacks of an earlier step
    timer: null,
    revealed: {},
    reduceMotion: window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches
  };

  P.setRoles = function (names) {
    P.mine = Object.create(null);
    names.forEach(function (n) { P.mine[n] = true; });
  };
  P.roleNames = function () { return Object.keys(P.mine); };
  P.isMine = function (it) { return it.s.some(function (s) { return P.mine[s]; }); };
  P.resumeKey = function () { return prefix + "at:" + P.roleNames().sort().join("+"); };
  P.lineAt = function (pos) { return items[lines[pos]]; };
  P.sceneOf = function (pos) { return items[lines[pos]].n; };
  P.saveSettings = function () { store.set(prefix + "settings", P.settings); };
  P.spokenText = function (it) {
    return it.p.filter(function (p) { return p.k === "s"; }).map(function (p) {
      return p.r.map(function (r) { return r[1]; }).join("");
    }).join(" ");
  };

  // Scripts only some visits need (voice mode, recordings), loaded on first use; the offline
  // copy and the bundles hold them all the same.
  var loading = {};
  P.lazyScripts = ["voice.js", "recordings.js"];
  P.loadScript = function (name, failed) {
    if (loading[name]) return;
    loading[name] = true;
    var el = document.createElement("script");
    el.src = P.ROOT + "assets/" + name;
    el.onerror = function () { loading[name] = false; if (failed) failed(); };
    document.body.appendChild(el);
  };

  var alsoParam = new URLSearchParams(window.location.search).get("also");
  P.also = alsoParam ? alsoParam.split(",").map(function (s) { return bySlug[s]; }).filter(Boolean) : [];
  P.setRoles(P.baseRoles.concat(P.also));

  window.RunThru = P;
})();
