// Service Academy: small progressive enhancements. Every page works without them.
(function () {
  "use strict";

  // Phone navigation toggle.
  var toggle = document.querySelector(".nav-toggle");
  if (toggle) {
    toggle.addEventListener("click", function () {
      var header = toggle.closest(".site-header");
      var open = header.classList.toggle("nav-open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }

  // Bar widths (set from data attributes: the CSP forbids inline styles).
  document.querySelectorAll(".bar-fill[data-width]").forEach(function (el) {
    el.style.width = Math.max(0, Math.min(100, Number(el.dataset.width))) + "%";
  });

  // Confirm destructive actions.
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (ev) {
      if (!window.confirm(form.dataset.confirm)) ev.preventDefault();
    });
  });

  // Copy buttons.
  document.querySelectorAll("[data-copy]").forEach(function (btn) {
    btn.addEventListener("click", function () {
      var el = document.querySelector(btn.dataset.copy);
      if (!el || !navigator.clipboard) return;
      navigator.clipboard.writeText(el.textContent.trim()).then(function () { btn.textContent = "Copied"; });
    });
  });

  function showProgress(form, text) {
    var box = form.querySelector(".upload-progress");
    if (!box) return null;
    box.hidden = false;
    var status = box.querySelector(".progress-status");
    if (status) status.textContent = text;
    var btn = form.querySelector("button[type=submit]");
    if (btn) btn.disabled = true;
    return box;
  }

  // Long form posts (applying an import) show that work is under way.
  document.querySelectorAll("form[data-progress]").forEach(function (form) {
    form.addEventListener("submit", function () { showProgress(form, form.dataset.progress); });
  });

  // Uploads: refuse files over the limit before sending, and show upload progress.
  document.querySelectorAll("form[data-upload]").forEach(function (form) {
    form.addEventListener("submit", function (ev) {
      var input = form.querySelector("input[type=file]");
      var max = Number(form.dataset.maxBytes || 0);
      if (input && input.files.length && max && input.files[0].size > max) {
        ev.preventDefault();
        var msg = input.files[0].name + " is larger than the " + Math.round(max / 1048576) + " MB limit.";
        var err = form.querySelector("#e-file");
        if (!err) {
          err = document.createElement("p");
          err.className = "field-error";
          err.id = "e-file";
          input.insertAdjacentElement("afterend", err);
        }
        err.textContent = msg;
        input.setAttribute("aria-invalid", "true");
        input.focus();
        return;
      }
      if (!window.XMLHttpRequest || !window.FormData) return;
      ev.preventDefault();
      var box = showProgress(form, "Uploading…");
      var bar = box && box.querySelector("progress");
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable && bar) {
          bar.value = Math.round((e.loaded / e.total) * 100);
          box.querySelector(".progress-status").textContent = "Uploading… " + bar.value + "%";
        }
      });
      xhr.upload.addEventListener("load", function () {
        if (box) box.querySelector(".progress-status").textContent = "Checking every row…";
        if (bar) bar.removeAttribute("value");
      });
      xhr.addEventListener("load", function () {
        if (xhr.responseURL && xhr.responseURL !== form.action) {
          window.location.assign(xhr.responseURL);
        } else {
          document.open();
          document.write(xhr.responseText);
          document.close();
        }
      });
      xhr.addEventListener("error", function () { form.submit(); });
      xhr.send(new FormData(form));
    });
  });
})();

// Lessons: the arrow keys go to the previous and next lesson (not while typing).
(function () {
  "use strict";
  if (!document.getElementById("lesson")) return;
  document.addEventListener("keydown", function (ev) {
    if (ev.altKey || ev.ctrlKey || ev.metaKey || ev.shiftKey) return;
    var t = ev.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
    var link = null;
    if (ev.key === "ArrowLeft") link = document.getElementById("prev");
    if (ev.key === "ArrowRight") link = document.getElementById("next");
    if (link) {
      ev.preventDefault();
      window.location.assign(link.href);
    }
  });
})();

// Authoring: the lesson editor's preview follows the Markdown as the author
// types (the server renders and sanitises it; the Preview button does the
// same without JavaScript).
(function () {
  "use strict";
  var area = document.querySelector("textarea[data-preview]");
  if (!area || !window.fetch || !window.URLSearchParams) return;
  var panel = document.getElementById(area.dataset.preview);
  if (!panel) return;
  var status = document.getElementById("preview-status");
  var meta = document.querySelector('meta[name="csrf-token"]');
  var timer = null;
  var seq = 0;
  function say(text) { if (status) status.textContent = text; }
  function update() {
    var mine = ++seq;
    var body = new URLSearchParams();
    body.set("body", area.value);
    fetch("/authoring/preview", {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRF-Token": meta ? meta.content : "" },
      body: body
    }).then(function (r) {
      return r.text().then(function (html) { return { ok: r.ok, status: r.status, html: html }; });
    }).then(function (res) {
      if (mine !== seq) return; // a newer request is on its way
      if (res.ok || res.status === 422) {
        panel.innerHTML = res.html; // sanitised by the server
        say("");
      } else {
        say("The preview could not be updated (" + res.status + "). Your text is safe: save, or use the Preview button.");
      }
    }).catch(function () {
      if (mine === seq) say("The preview could not be updated: check your connection. Your text is still here.");
    });
  }
  area.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(update, 300);
  });
})();
