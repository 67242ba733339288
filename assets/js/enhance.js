// Progressive enhancement for every page. Without JavaScript each action is a plain
// form that posts and reloads. With it:
// - a form with data-enhance="id1 id2" posts in the background, and the elements with
//   those ids are replaced by their new versions from the page the server answers with
//   (votes, the e-mail switch, replies, deletions update in place);
// - the unread notification count in the header stays current;
// - Markdown text boxes get a Preview;
// - deep reply branches fold away behind a "Show replies" button.
(function () {
  "use strict";

  function swap(doc, ids) {
    ids.forEach(function (id) {
      var fresh = doc.getElementById(id);
      var current = document.getElementById(id);
      if (fresh && current) current.replaceWith(fresh);
    });
  }

  function setCount(unread) {
    var link = document.getElementById("notif-link");
    if (!link) return;
    var count = link.querySelector(".count");
    if (unread > 0) {
      if (!count) {
        count = document.createElement("span");
        count.className = "count";
        link.appendChild(document.createTextNode(" "));
        link.appendChild(count);
      }
      count.textContent = String(unread);
      count.setAttribute("aria-label", unread + " unread");
    } else if (count) {
      count.remove();
    }
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var targets = form.getAttribute && form.getAttribute("data-enhance");
    if (!targets || event.defaultPrevented) return;
    event.preventDefault();
    var submitter = event.submitter;
    var data = new FormData(form);
    if (submitter && submitter.name) data.append(submitter.name, submitter.value);
    var buttons = form.querySelectorAll("button");
    buttons.forEach(function (b) { b.disabled = true; });
    var focusId = document.activeElement && document.activeElement.id;
    fetch(form.action, {
      method: "POST",
      body: new URLSearchParams(data),
      credentials: "same-origin",
      headers: { "Accept": "text/html" }
    })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.text();
      })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        swap(doc, targets.split(/\s+/).filter(Boolean));
        var fresh = doc.querySelector("#notif-link .count");
        setCount(fresh ? parseInt(fresh.textContent, 10) || 0 : 0);
        var again = focusId && document.getElementById(focusId);
        if (again) again.focus();
        enhance(document);
      })
      .catch(function () {
        // Let the server answer in full (an error page says what went wrong).
        buttons.forEach(function (b) { b.disabled = false; });
        // A plain submit() sends no button: carry the clicked one's value (a vote's).
        if (submitter && submitter.name) {
          var carried = document.createElement("input");
          carried.type = "hidden";
          carried.name = submitter.name;
          carried.value = submitter.value;
          form.appendChild(carried);
        }
        HTMLFormElement.prototype.submit.call(form);
      });
  });

  // The unread count, every minute while the page is open.
  function poll() {
    if (!document.getElementById("notif-link") || document.hidden) return;
    fetch("/api/v1/notifications", { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (body) { if (body && typeof body.unread === "number") setCount(body.unread); })
      .catch(function () {});
  }
  setInterval(poll, 60000);
  document.addEventListener("visibilitychange", poll);

  // Preview for Markdown text boxes.
  function addPreview(textarea) {
    if (textarea.dataset.previewReady) return;
    textarea.dataset.previewReady = "1";
    var form = textarea.form;
    var token = form && form.querySelector("input[name=csrf_token]");
    if (!token) return;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "link-button preview-toggle";
    button.textContent = "Preview";
    button.setAttribute("aria-controls", textarea.id + "-preview");
    var box = document.createElement("div");
    box.className = "preview prose";
    box.id = textarea.id + "-preview";
    box.hidden = true;
    box.setAttribute("aria-live", "polite");
    textarea.after(button, box);
    button.addEventListener("click", function () {
      if (!box.hidden) {
        box.hidden = true;
        button.textContent = "Preview";
        return;
      }
      fetch("/api/v1/markdown/preview", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": token.value },
        body: JSON.stringify({ body: textarea.value })
      })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (body) {
          if (!body) return;
          box.innerHTML = body.body_html || "<p class=\"meta\">Nothing to preview yet.</p>";
          box.hidden = false;
          button.textContent = "Edit";
        })
        .catch(function () {});
    });
  }

  // Deep branches (replies nested more than three levels) fold behind a button.
  var FOLD_DEPTH = 3;
  function depthOf(li) {
    var m = /depth-(\d+)/.exec(li.className);
    return m ? parseInt(m[1], 10) : 0;
  }
  function foldDeepBranches(root) {
    var items = Array.prototype.slice.call(root.querySelectorAll("ol.thread > li.comment"));
    items.forEach(function (li, i) {
      if (li.dataset.foldReady || depthOf(li) !== FOLD_DEPTH) return;
      var hidden = [];
      for (var j = i + 1; j < items.length && depthOf(items[j]) > FOLD_DEPTH; j++) hidden.push(items[j]);
      if (!hidden.length) return;
      li.dataset.foldReady = "1";
      var button = document.createElement("button");
      button.type = "button";
      button.className = "link-button fold-toggle";
      button.setAttribute("aria-expanded", "false");
      var label = function (open) {
        return (open ? "Hide " : "Show ") + hidden.length + (hidden.length === 1 ? " deeper reply" : " deeper replies");
      };
      button.textContent = label(false);
      hidden.forEach(function (h) { h.hidden = true; });
      button.addEventListener("click", function () {
        var open = button.getAttribute("aria-expanded") !== "true";
        hidden.forEach(function (h) { h.hidden = !open; });
        button.setAttribute("aria-expanded", String(open));
        button.textContent = label(open);
      });
      li.appendChild(button);
      // A link straight to a folded reply opens its branch.
      if (location.hash && hidden.some(function (h) { return "#" + h.id === location.hash; })) button.click();
    });
  }

  function enhance(root) {
    root.querySelectorAll("textarea[data-preview]").forEach(addPreview);
    foldDeepBranches(root);
  }
  enhance(document);
})();
