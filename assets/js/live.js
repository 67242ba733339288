// Keeps a live Q&A page current: listens to the session's Server-Sent Events and, at most
// once a second, reloads the question list from the server (which renders it for this
// member: their upvotes, what they may do). Without JavaScript every action is a form
// and a reload shows the same.
(function () {
  "use strict";
  var root = document.querySelector("[data-live-session]");
  if (!root || !window.EventSource) return;
  var id = root.getAttribute("data-live-session");
  var pending = null;
  function refresh() {
    pending = null;
    // Do not replace the list while someone is typing an answer in it.
    var active = document.activeElement;
    if (active && active.closest && active.closest("#questions") && active.tagName === "TEXTAREA") {
      pending = setTimeout(refresh, 2000);
      return;
    }
    fetch(window.location.pathname, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (!html) return;
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById("questions");
        var current = document.getElementById("questions");
        if (fresh && current) current.replaceWith(fresh);
      })
      .catch(function () {});
  }
  function schedule() {
    if (!pending) pending = setTimeout(refresh, 1000);
  }
  var source = new EventSource("/api/v1/sessions/" + id + "/events");
  // Whatever happened between rendering the page and (re)connecting is fetched once.
  source.addEventListener("open", schedule);
  ["question_added", "question_voted", "question_answered", "question_pinned", "question_dismissed", "resync"]
    .forEach(function (kind) { source.addEventListener(kind, schedule); });
})();
