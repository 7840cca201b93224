/* RunThru table read: the whole cast on one run-through, each on their own phone.
 * Loaded after core, display, playback and settings (it draws the script, the current line
 * and the heads-up with their code). The read's state lives in `runthru-build serve`
 * (tableread.py); this page long-polls it and shows it: the same line on every screen,
 * "your line" for whoever holds it, the voice for a part nobody holds. Names people type
 * only ever reach the page as text nodes. */
(function () {
  "use strict";

  var P = window.RunThru;
  var $ = P.$;
  var API = "/_tableread/";
  var KEY = "runthru:tableread:";
  var slug = P.D.production.slug;

  var s = null;              // the read's latest state
  var code = null;
  var token = null;
  var pollGen = 0;
  var pollCtl = null;
  var mineKey = null;
  var played = -1;           // the `moved` count of the line this device last started to voice
  var voiceDone = false;
  var leadTimer = null;
  var soundBlocked = false;
  var lost = false;          // the last poll failed

  // -- talking to serve --------------------------------------------------------------------
  function api(method, path, body) {
    var opts = { method: method, credentials: "same-origin", cache: "no-store", headers: {} };
    if (token) opts.headers["X-Tableread-Token"] = token;
    if (body !== undefined) {
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(body);
    }
    return fetch(API + path, opts).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) {
        if (!r.ok) {
          var e = new Error(data.error || "the server said " + r.status);
          e.status = r.status;
          throw e;
        }
        return data;
      });
    });
  }

  function act(action, arg) {
    return api("POST", code + "/act", { action: action, arg: arg }).then(function (d) {
      if (d.state && (!s || d.state.version > s.version)) apply(d.state);
    }).catch(function (e) {
      if (e.status === 409 || e.status === 429) return;  // moved on already: the poll brings the news
      if (e.status === 401) { signIn(); return; }
      if (e.status === 403 && /join|removed/.test(e.message)) { forget(e.message); return; }
      error(e.message);
    });
  }

  function poll() {
    var gen = ++pollGen;
    if (pollCtl) pollCtl.abort();
    pollCtl = window.AbortController ? new AbortController() : null;
    // after a failure (offline, a restarted server) ask for the state at once, not for the next change
    fetch(API + code + "/state?since=" + (s && !lost ? s.version : -1), {
      credentials: "same-origin", cache: "no-store", headers: { "X-Tableread-Token": token },
      signal: pollCtl ? pollCtl.signal : undefined
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (d) { return { r: r, d: d }; });
    }).then(function (res) {
      if (gen !== pollGen) return;
      if (res.r.status === 401) { signIn(); return; }
      if (res.r.status === 403) { forget(res.d.error); return; }
      if (res.r.status === 404 || res.r.status === 410) { ended(res.d.error); return; }
      if (!res.r.ok) throw new Error(res.r.status);
      lost = false;
      offline(false);
      apply(res.d);
      poll();
    }).catch(function () {
      if (gen !== pollGen) return;
      lost = true;
      offline(true);
      setTimeout(function () { if (gen === pollGen) poll(); }, 600);  // back within 2 s of the network
    });
  }

  function offline(on) { P.body.classList.toggle("tr-offline", on); if (on) status(); }

  // -- screens -----------------------------------------------------------------------------
  function intro(which, message) {
    ["tr-loading", "tr-needs-serve", "tr-start", "tr-join"].forEach(function (id) { $(id).hidden = id !== which; });
    $("tr-intro").hidden = false;
    $("script").hidden = $("tr-controls").hidden = document.querySelector(".scenebar").hidden = $("tr-status").hidden = true;
    $("cast-btn").hidden = $("settings-btn").hidden = true;
    error(message || "");
  }

  function error(message) {
    $("tr-error").textContent = message;
    $("tr-error").hidden = !message;
  }

  function needsServe() { intro("tr-needs-serve"); }

  function showJoin(joinCode, message) {
    code = joinCode;
    $("tr-join-code").textContent = joinCode;
    intro("tr-join", message);
    api("GET", joinCode).then(function (view) {
      var taken = Object.keys(view.parts).map(function (part) {
        var who = view.participants.filter(function (p) { return p.id === view.parts[part]; })[0];
        return part + " (" + (who ? who.name : "?") + ")";
      });
      $("tr-taken").textContent = taken.length ? "Parts taken: " + taken.join(", ") : "No parts taken yet.";
    }).catch(function (e) {
      if (e.status === 404) { forgetCode(); showStart("That table read has ended."); }
    });
    $("tr-name").value = P.store.get(KEY + "name", "");
    $("tr-name").focus();
  }

  function showStart(message) { code = null; intro("tr-start", message); $("tr-host-name").value = P.store.get(KEY + "name", ""); }

  function forgetCode() {
    if (code) P.store.set(KEY + code, null);
    history.replaceState(null, "", window.location.pathname);
  }

  // The PIN session ended (signed out in another tab, or it expired): the PIN page, then back to
  // this page, where the token this browser kept brings the parts back. (It used to poll a 401
  // every 600 ms for ever, showing "Reconnecting…".)
  function signIn() {
    pollGen += 1;
    stopVoice();
    window.location.assign("/_runthru/pin?next=" + encodeURIComponent(window.location.pathname));
  }

  // This phone is out of the read (removed by the host, or its token is unknown): back to the join
  // form, saying why in the server's words.
  function forget(why) {
    var was = code;
    token = null;
    s = null;
    pollGen += 1;
    stopVoice();
    P.store.set(KEY + was, null);
    mineKey = null;
    P.setRoles([]);
    $("tr-who").textContent = "Table read";  // the header stops naming parts this phone no longer holds
    showJoin(was, /removed/.test(why || "") ? "The host removed you from this table read."
      : "You are not in this table read any more: join again.");
  }

  function ended(message) {
    pollGen += 1;
    stopVoice();
    forgetCode();
    token = null;
    s = null;
    showStart(message || "The table read has ended.");
  }

  function live(joinCode, joinToken, first) {
    code = joinCode;
    token = joinToken;
    P.store.set(KEY + code, { token: token });
    if (new URLSearchParams(window.location.search).get("join") !== code) {
      history.replaceState(null, "", window.location.pathname + "?join=" + encodeURIComponent(code));
    }
    $("tr-intro").hidden = true;
    $("script").hidden = $("tr-controls").hidden = document.querySelector(".scenebar").hidden = $("tr-status").hidden = false;
    $("cast-btn").hidden = $("settings-btn").hidden = false;
    if (first) P.openDialog($("cast"), null);  // the parts first (no focus ring left on ☰ after)
    poll();
  }

  // -- the state, drawn ----------------------------------------------------------------------
  function person(id) { return s.participants.filter(function (p) { return p.id === id; })[0]; }
  function me() { return s && person(s.me); }
  function isHost() { return s && s.host === s.me; }
  function myLine() { return s.actors.indexOf(s.me) >= 0; }

  function apply(state) {
    var prev = s;
    s = state;
    var self = me();
    if (!self) { forget(); return; }
    var parts = self.away ? [] : Object.keys(s.parts).filter(function (part) { return s.parts[part] === s.me; });
    var key = parts.sort().join("+");
    if (key !== mineKey) {
      mineKey = key;
      P.setRoles(parts);
      P.cur = s.line;
      P.render();
      readersKey = null;
    }
    readers();
    var moved = !prev || prev.moved !== s.moved || prev.line !== s.line;
    if (moved) P.ticket += 1;       // voice.js: what it listened for belongs to the line before
    P.cur = s.line;
    P.highlight(moved || !prev);
    P.body.classList.toggle("tr-is-host", isHost());
    P.body.classList.toggle("is-playing", !s.paused);
    $("play").setAttribute("aria-label", s.paused ? (s.done ? "Start again" : "Go on") : "Pause");
    $("scene").disabled = !isHost();
    $("tr-ask").hidden = isHost() || s.paused || myLine() || s.asks.some(function (a) { return a.id === s.me; });
    $("tr-ask").textContent = "Ask to pause";
    $("tr-away").hidden = !self.away;
    $("tr-asks").hidden = !(isHost() && s.asks.length && !s.paused);
    $("tr-asks-text").textContent = s.asks.map(function (a) { return a.name; }).join(", ") +
      (s.asks.length > 1 ? " ask" : " asks") + " to pause";
    $("tr-who").textContent = (self.name + (isHost() ? " · host" : "") + " · " +
      (parts.length ? parts.join(" + ") : "no part yet"));
    status();
    atMyLine(moved);
    voice();
    if ($("cast").hidden === false) drawCast();
  }

  // Beside each cue, who reads it: a name, or "voice" for a part nobody present holds.
  var readersKey = null;
  function readers() {
    var by = {};
    Object.keys(s.parts).forEach(function (part) {
      var p = person(s.parts[part]);
      if (p && !p.away) by[part] = p.id === s.me ? "you" : p.name;
    });
    var key = JSON.stringify(by);
    if (key === readersKey) return;
    readersKey = key;
    document.querySelectorAll("#script .line").forEach(function (row) {
      var it = P.items[Number(row.getAttribute("data-i"))];
      var who = it.s.map(function (sp) { return by[sp] || "voice"; });
      var span = row.querySelector(".tr-reader");
      if (!span) {
        span = document.createElement("span");
        span.className = "tr-reader";
        row.querySelector(".cue").appendChild(span);
      }
      span.textContent = " · " + who.filter(function (w, i) { return who.indexOf(w) === i; }).join(", ");
    });
  }

  function status() {
    if (!s) return;
    var it = P.lineAt(s.line);
    var text;
    if (P.body.classList.contains("tr-offline")) text = "Reconnecting…";
    else if (s.done) text = "The end." + (isHost() ? " ▶ starts again." : "");
    else if (s.paused) text = "Paused" + (isHost() ? ": ▶ goes on" : " by " + nameOf(s.host));
    else if (myLine()) text = "Your line";
    else if (s.actors.length) text = it.c + " — " + s.actors.map(nameOf).join(", ");
    else text = it.c + " — voice" + (s.audio === "room" && !isHost() ? " (on " + nameOf(s.host) + "'s device)" : "");
    $("tr-status").textContent = text;
    $("tr-status").className = "tr-status" + (myLine() && !s.paused ? " mine" : "");
  }

  function nameOf(id) { var p = person(id); return p ? p.name : "nobody"; }

  function atMyLine(moved) {
    var mine = myLine() && !s.paused && !s.done;
    var was = P.waiting;
    P.waiting = mine;
    P.playing = mine;        // voice.js listens only while "playing" and at my line
    $("cue").hidden = !mine;
    P.body.classList.toggle("is-waiting", mine);
    if (mine && (moved || !was) && P.onMyLine) P.onMyLine();
  }

  P.continueAfterMine = function () {
    if (s && P.waiting) { P.waiting = false; act("next", s.line); }
  };

  // -- voices: the host's device leads; in "apart" every phone plays along ---------------------
  function stopVoice() {
    clearTimeout(leadTimer);
    leadTimer = null;
    if (!P.audio.paused) P.audio.pause();
  }

  function voice() {
    var voiced = !s.actors.length && !s.done;
    var here = isHost() || s.audio === "apart";
    if (!voiced || !here) { stopVoice(); played = -1; $("tr-sound").hidden = true; return; }
    if (s.paused) { stopVoice(); return; }
    if (played === s.moved) {       // resumed, or nothing new
      if (!voiceDone && P.audio.paused && P.audio.getAttribute("src")) P.audio.play().catch(blocked);
      else if (voiceDone) lead();
      return;
    }
    played = s.moved;
    voiceDone = false;
    stopVoice();
    var it = P.lineAt(s.line);
    P.prefetch();
    if (!it.a) { voiceDone = true; lead(P.estimate(it) * 1000); return; }
    P.audio.src = P.AUDIO_BASE + it.a;
    P.audio.playbackRate = 1;
    var t = s.moved;
    var started = P.audio.play();
    if (started && started.catch) started.catch(function () { if (t === played) blocked(); });
  }

  function blocked() {
    // The browser wants a tap before it plays sound: say so; the host's device still keeps time.
    soundBlocked = true;
    $("tr-sound").hidden = false;
    if (isHost()) { voiceDone = true; lead(P.estimate(P.lineAt(s.line)) * 1000); }
  }

  function lead(delay) {
    if (!isHost() || s.paused || leadTimer) return;
    var at = s.line, moved = s.moved;
    leadTimer = setTimeout(function () {
      leadTimer = null;
      if (s && s.moved === moved && !s.paused && isHost()) act("next", at);
    }, delay === undefined ? P.D.gapMs : delay);
  }

  P.audio.addEventListener("ended", function () {
    if (!s || played !== s.moved) return;
    voiceDone = true;
    lead();
  });
  P.audio.addEventListener("error", function () {
    if (!s || played !== s.moved || !P.audio.getAttribute("src")) return;
    voiceDone = true;
    lead(P.estimate(P.lineAt(s.line)) * 1000);
  });
  P.audio.addEventListener("playing", function () { soundBlocked = false; $("tr-sound").hidden = true; });

  // -- the parts and people sheet --------------------------------------------------------------
  function button(text, onClick, cls) {
    var b = document.createElement("button");
    b.type = "button";
    b.textContent = text;
    if (cls) b.className = cls;
    b.addEventListener("click", onClick);
    return b;
  }

  function drawCast() {
    if (!s) return;
    var list = $("tr-parts");
    list.textContent = "";
    P.D.characters.forEach(function (c) {
      var holder = s.parts[c.name] ? person(s.parts[c.name]) : null;
      var li = document.createElement("li");
      li.className = "tr-part" + (holder && holder.id === s.me ? " mine" : "");
      var name = document.createElement("span");
      name.className = "role-name";
      name.textContent = c.name;
      var who = document.createElement("span");
      who.className = "tr-holder";
      who.textContent = holder ? holder.name + (holder.away ? " (away: voice)" : "") : "voice";
      var meta = document.createElement("span");
      meta.className = "role-meta";
      meta.textContent = c.lines + " line" + (c.lines === 1 ? "" : "s");
      var label = document.createElement("span");
      label.className = "tr-part-label";
      label.appendChild(name);
      label.appendChild(who);
      label.appendChild(meta);
      li.appendChild(label);
      if (holder && holder.id === s.me) li.appendChild(button("Release", function () { act("release", c.name); }));
      else if (!holder || holder.away) li.appendChild(button(holder ? "Take over" : "Claim", function () { act("claim", c.name); }, "claim"));
      else li.appendChild(document.createTextNode(""));
      li.setAttribute("data-part", c.name);
      list.appendChild(li);
    });
    $("tr-host-panel").hidden = $("tr-invite").hidden = !isHost();
    if (!isHost()) return;
    var link = window.location.origin + window.location.pathname + "?join=" + encodeURIComponent(s.code);
    $("tr-code").textContent = s.code;
    $("tr-link").textContent = link;
    $("tr-link").href = link;
    var qr = API + encodeURIComponent(s.code) + "/qr.svg";
    if ($("tr-qr").getAttribute("src") !== qr) $("tr-qr").setAttribute("src", qr);
    $("tr-audio").value = s.audio;
    $("tr-open").checked = !s.locked;
    var people = $("tr-people");
    people.textContent = "";
    s.participants.forEach(function (p) {
      var li = document.createElement("li");
      var name = document.createElement("span");
      name.className = "tr-person";
      var held = Object.keys(s.parts).filter(function (part) { return s.parts[part] === p.id; });
      name.textContent = p.name + (p.id === s.host ? " · host" : "") + (p.away ? " · away" : "") +
        (held.length ? " — " + held.join(", ") : "");
      li.appendChild(name);
      if (p.id !== s.me && !p.away) {
        li.appendChild(button("Mark away", function () { act("away", p.id); }));
        li.appendChild(button("Make host", function () { act("host", p.id); }));
      }
      if (p.id !== s.me && p.id !== s.host) {
        li.appendChild(button("Remove", function () { act("remove", p.id); }, "tr-remove"));
      }
      people.appendChild(li);
    });
  }

  function openCast() { drawCast(); P.openDialog($("cast"), $("cast-btn")); }

  // -- settings: how my lines show, how I go on --------------------------------------------------
  P.applySettings = function () {
    var set = P.settings;
    if (set.mode !== "voice") set.mode = "wait";
    $("mode").value = set.mode;
    $("display").value = set.display;
    $("lead").value = String(set.lead);
    if (set.mode === "voice") P.loadScript("voice.js", function () { set.mode = "wait"; P.applySettings(); });
    if (P.onSettings) P.onSettings();
  };

  // -- wiring ----------------------------------------------------------------------------------
  function wire() {
    $("tr-start").addEventListener("submit", function (e) {
      e.preventDefault();
      var name = $("tr-host-name").value;
      P.store.set(KEY + "name", name.trim());
      var audio = $("tr-start").querySelector("input[name=audio]:checked").value;
      unlock();
      api("POST", "start", { production: slug, name: name, audio: audio }).then(function (d) {
        s = null;
        live(d.state.code, d.token, true);
      }).catch(function (e) {
        var m = /code ([A-Z0-9]+)/.exec(e.message);
        if (e.status === 409 && m) showJoin(m[1], e.message);
        else error(e.message);
      });
    });
    $("tr-join").addEventListener("submit", function (e) {
      e.preventDefault();
      var name = $("tr-name").value;
      P.store.set(KEY + "name", name.trim());
      unlock();
      api("POST", code + "/join", { name: name }).then(function (d) {
        s = null;
        live(d.state.code, d.token, true);
      }).catch(function (e) {
        if (e.status === 404) { forgetCode(); showStart("That table read has ended."); } else error(e.message);
      });
    });
    $("continue").addEventListener("click", P.continueAfterMine);
    $("play").addEventListener("click", function () {
      if (!s) return;
      if (s.paused) { unlock(); act("resume"); } else act("pause");
    });
    $("next").addEventListener("click", function () { if (s) act("next", s.line); });
    $("prev").addEventListener("click", function () { act("previous"); });
    $("restart").addEventListener("click", function () { act("restart"); });
    $("scene").addEventListener("change", function () { act("scene", Number(this.value)); });
    $("tr-ask").addEventListener("click", function () { act("ask"); $("tr-ask").textContent = "Asked ✓"; });
    $("tr-asks-pause").addEventListener("click", function () { act("pause"); });
    $("tr-asks-dismiss").addEventListener("click", function () { act("dismiss"); });
    $("tr-here").addEventListener("click", function () { act("here"); });
    $("tr-sound-btn").addEventListener("click", function () {
      $("tr-sound").hidden = true;
      if (s && played === s.moved && !voiceDone) P.audio.play().catch(function () {});
      else unlock();
    });
    $("tr-audio").addEventListener("change", function () { act("audio", this.value); });
    $("tr-open").addEventListener("change", function () { act("lock", !this.checked); });
    $("tr-end").addEventListener("click", function () {
      if (window.confirm("End the table read for everyone?")) act("end");
    });
    $("tr-leave").addEventListener("click", function () {
      act("leave").then(function () { P.closeDialog(); ended("You left the table read."); });
    });
    $("cast-btn").addEventListener("click", openCast);
    $("cast-close").addEventListener("click", P.closeDialog);
    $("cast-done").addEventListener("click", P.closeDialog);
    $("cast").addEventListener("click", function (e) { if (e.target === this) P.closeDialog(); });
    $("settings-btn").addEventListener("click", function () { P.openDialog($("settings"), $("settings-btn")); });
    $("settings-close").addEventListener("click", P.closeDialog);
    $("settings").addEventListener("click", function (e) { if (e.target === this) P.closeDialog(); });
    $("mode").addEventListener("change", function () { P.settings.mode = this.value; P.applySettings(); P.saveSettings(); });
    $("display").addEventListener("change", function () {
      P.settings.display = this.value; P.saveSettings(); P.render(); readersKey = null; if (s) readers();
    });
    $("lead").addEventListener("change", function () { P.settings.lead = Number(this.value); P.saveSettings(); P.highlight(false); });
    $("script").addEventListener("click", function (e) {
      var row = e.target.closest(".line");
      if (!row || !s) return;
      var pos = P.lines.indexOf(Number(row.getAttribute("data-i")));
      if (pos === s.line && e.target.closest(".concealed")) { reveal(); return; }
      if (pos === s.line && P.waiting) { P.continueAfterMine(); return; }
      if (isHost() && pos !== s.line) act("line", pos);
    });
    document.addEventListener("keydown", function (e) {
      if (P.dialogKey(e)) return;
      if (!s || (e.target.closest && e.target.closest("select, input, textarea"))) return;
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      var k = e.key;
      if ((k === " " || k === "Enter" || k === "Spacebar") && P.waiting) { P.continueAfterMine(); e.preventDefault(); }
      else if (k === " " && isHost()) { $("play").click(); e.preventDefault(); }
      else if (k === "ArrowRight" && isHost()) { act("next", s.line); e.preventDefault(); }
      else if (k === "ArrowLeft" && isHost()) { act("previous"); e.preventDefault(); }
      else if (k.toLowerCase() === "h") { reveal(); e.preventDefault(); }
    });
    window.addEventListener("online", function () { if (token) { lost = true; poll(); } });
    document.addEventListener("visibilitychange", function () { if (!document.hidden && token) { lost = true; poll(); } });
  }

  function reveal() { P.reveal(); readersKey = null; readers(); }

  // A tap lets this page play sound later (browsers allow audio only after one).
  function unlock() {
    if (!P.audio.getAttribute("src")) {
      P.audio.muted = true;
      var p = P.audio.play();
      if (p && p.catch) p.catch(function () {});
      P.audio.pause();
      P.audio.muted = false;
    }
  }

  function boot() {
    intro("tr-loading");
    wire();
    P.fillScenes();
    P.applySettings();
    var asked = (new URLSearchParams(window.location.search).get("join") || "").toUpperCase().replace(/[^A-Z0-9]/g, "").slice(0, 12);
    if (!/^https?:$/.test(window.location.protocol)) { needsServe(); return; }
    api("GET", "?production=" + encodeURIComponent(slug)).then(function (d) {
      var joinCode = asked || d.code;
      if (!joinCode) { showStart(); return; }
      var kept = P.store.get(KEY + joinCode, null);
      if (kept && kept.token) live(joinCode, kept.token, false);
      else showJoin(joinCode);
    }).catch(function (e) {
      if (e.status === 401) signIn();
      else needsServe();
    });
  }

  window.runthruTableRead = {
    state: function () {
      return { code: code, version: s && s.version, line: s ? s.line : null, item: s ? P.lines[s.line] : null,
               current: (document.querySelector(".line.current") || {}).getAttribute ?
                 Number(document.querySelector(".line.current").getAttribute("data-i")) : null,
               mine: s ? myLine() : false, host: isHost(), paused: s && s.paused, waiting: P.waiting,
               headsUp: $("heads-up").textContent, status: $("tr-status").textContent,
               roles: P.roleNames(), played: played, src: P.audio.getAttribute("src"),
               locked: !!(s && s.locked), parts: s ? s.parts : {} };
    }
  };
  boot();
})();
