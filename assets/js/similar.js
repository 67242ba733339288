// While starting a discussion, suggest existing ones with a similar title, so ideas are
// not posted twice. Progressive enhancement: without JavaScript the "Check for similar
// discussions" button does the same through the server.
(function () {
  "use strict";
  var input = document.querySelector("input[data-similar]");
  if (!input) return;
  var box = document.getElementById(input.getAttribute("data-similar"));
  var timer = null;
  var last = "";
  function words(title) {
    return title.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(function (w) { return w.length >= 4; })
      .sort(function (a, b) { return b.length - a.length; }).slice(0, 3);
  }
  function render(hits) {
    box.textContent = "";
    if (!hits.length) return;
    var p = document.createElement("p");
    var strong = document.createElement("strong");
    strong.textContent = "Similar discussions already exist";
    p.appendChild(strong);
    p.appendChild(document.createTextNode(" — maybe join one of them:"));
    var ul = document.createElement("ul");
    hits.forEach(function (h) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = "/discussions/" + h.discussion_id;
      a.textContent = h.title;
      li.appendChild(a);
      ul.appendChild(li);
    });
    box.appendChild(p);
    box.appendChild(ul);
  }
  function lookup() {
    var w = words(input.value);
    var q = w.join(" ");
    if (q === last) return;
    last = q;
    if (!q) { render([]); return; }
    var seen = {};
    var found = [];
    var tries = [q].concat(w.length > 1 ? w : []);
    (function next(i) {
      if (i >= tries.length || found.length >= 5) { render(found); return; }
      fetch("/api/v1/search?kind=discussion&per_page=5&q=" + encodeURIComponent(tries[i] + " "))
        .then(function (r) { return r.ok ? r.json() : { hits: [] }; })
        .then(function (body) {
          body.hits.forEach(function (h) {
            if (!seen[h.discussion_id] && found.length < 5) { seen[h.discussion_id] = true; found.push(h); }
          });
          next(i + 1);
        })
        .catch(function () { render(found); });
    })(0);
  }
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(lookup, 300);
  });
})();
