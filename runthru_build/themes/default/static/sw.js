/* RunThru service worker: keeps a role's page and audio for offline rehearsal.
 * Registered only when the site is served over http(s), never from file://.
 * Stores only what the page asks it to (settings.js); Sign out empties it. */
"use strict";
var CACHE = "runthru-v1";

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (e) { e.waitUntil(self.clients.claim()); });

self.addEventListener("message", function (e) {
  if (!e.data || e.data.type !== "cache") return;
  var urls = e.data.urls.filter(function (u) { return new URL(u).origin === self.location.origin; });
  e.waitUntil(caches.open(CACHE).then(function (cache) {
    var failed = 0;
    return Promise.all(urls.map(function (u) {
      return cache.add(u).catch(function () { failed += 1; });
    })).then(function () {
      e.source.postMessage({ type: "cached", done: urls.length, failed: failed });
    });
  }));
});

function isAudio(url) { return /\.(mp3|opus)$/.test(url.pathname); }

function forgetEverything() {
  return caches.keys().then(function (names) {
    return Promise.all(names.map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.registration.unregister(); });
}

self.addEventListener("fetch", function (e) {
  var req = e.request;
  var url = new URL(req.url);
  if (url.origin === self.location.origin && url.pathname === "/_runthru/logout") {
    // Sign out: nothing of the site stays in this browser (the server also sends Clear-Site-Data)
    e.respondWith(forgetEverything().then(function () { return fetch(req); }, function () { return fetch(req); }));
    return;
  }
  if (req.method !== "GET" || url.origin !== self.location.origin || url.pathname.indexOf("/_runthru/") === 0 ||
      url.pathname.indexOf("/_tableread/") === 0) return;  // the server's own answers, a table read's long-polls
  if (isAudio(url)) {
    // Takes are content-addressed: a cached copy is always right.
    e.respondWith(caches.match(req.url).then(function (hit) { return hit || fetch(req); }));
    return;
  }
  // Pages and assets: the network when it answers, else the saved copy.
  e.respondWith(fetch(req).then(function (res) {
    if (res.ok) {
      var copy = res.clone();
      caches.open(CACHE).then(function (cache) {
        cache.match(req.url).then(function (had) { if (had) cache.put(req.url, copy); });
      });
    }
    return res;
  }).catch(function () {
    return caches.match(req.url, { ignoreSearch: true }).then(function (hit) {
      return hit || new Response("Offline, and this page was not saved.", { status: 503 });
    });
  }));
});
