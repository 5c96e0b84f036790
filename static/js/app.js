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

  // Tables: each cell gets its column's name (data-label) for the phone's card layout
  // (app.css); a frame that still scrolls sideways becomes a labelled, focusable
  // region so the keyboard can scroll it.
  document.querySelectorAll("table.data").forEach(function (table) {
    var heads = [];
    var headRow = table.tHead && table.tHead.rows[table.tHead.rows.length - 1];
    if (headRow) {
      Array.prototype.forEach.call(headRow.cells, function (th) {
        for (var i = 0; i < (th.colSpan || 1); i++) heads.push(th.textContent.replace(/\s+/g, " ").trim());
      });
    }
    var groups = Array.prototype.slice.call(table.tBodies);
    if (table.tFoot) groups.push(table.tFoot);
    groups.forEach(function (tb) {
      Array.prototype.forEach.call(tb.rows, function (tr) {
        var col = 0;
        Array.prototype.forEach.call(tr.cells, function (cell) {
          if (!cell.hasAttribute("data-label") && heads[col]) cell.setAttribute("data-label", heads[col]);
          col += cell.colSpan || 1;
        });
      });
    });
  });
  function labelScrollFrames() {
    document.querySelectorAll(".table-wrap, .scroll-frame").forEach(function (wrap) {
      if (wrap.dataset.frame === "static") return;
      var scrolls = wrap.scrollWidth > wrap.clientWidth + 1 || wrap.scrollHeight > wrap.clientHeight + 1;
      if (scrolls) {
        if (!wrap.hasAttribute("tabindex")) { wrap.setAttribute("tabindex", "0"); wrap.dataset.frame = "auto"; }
        if (!wrap.hasAttribute("role")) wrap.setAttribute("role", "region");
        if (!wrap.hasAttribute("aria-label") && !wrap.hasAttribute("aria-labelledby")) {
          var cap = wrap.querySelector("caption");
          var h = cap ? null : wrap.closest("section") && wrap.closest("section").querySelector("h2, h3");
          var name = (cap || h) ? (cap || h).textContent.replace(/\s+/g, " ").trim() : "Table";
          wrap.setAttribute("aria-label", name + " (scrolls sideways)");
        }
      } else if (wrap.dataset.frame === "auto") {
        wrap.removeAttribute("tabindex");
        delete wrap.dataset.frame;
      }
    });
  }
  labelScrollFrames();
  window.addEventListener("resize", labelScrollFrames);

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

// Quizzes: the countdown to the server's deadline, and autosave of each
// answer as it changes (the Save answers button does the same without
// JavaScript).
(function () {
  "use strict";
  var form = document.getElementById("attempt-form");
  var timer = document.getElementById("quiz-timer"); // the attempt page and the summary before submitting
  if (timer && timer.dataset.remaining) {
    var end = Date.now() + parseInt(timer.dataset.remaining, 10) * 1000;
    var tick = function () {
      var left = Math.max(0, Math.round((end - Date.now()) / 1000));
      if (left === 0) {
        timer.textContent = "Time is up: answers can no longer be saved. Submit the attempt.";
        timer.classList.add("quiz-timer-up");
        return;
      }
      var m = Math.floor(left / 60), s = left % 60;
      timer.textContent = "Time left: " + m + ":" + (s < 10 ? "0" : "") + s;
      if (left <= 60) timer.classList.add("quiz-timer-low");
      setTimeout(tick, 1000);
    };
    timer.setAttribute("role", "timer");
    tick();
  }

  if (!form || !window.fetch || !window.URLSearchParams) return;
  var url = form.dataset.answerUrl;
  var meta = document.querySelector('meta[name="csrf-token"]');
  var status = document.getElementById("save-status");
  var timers = {};
  var seqs = {};

  function save(fs) {
    var id = fs.dataset.question;
    var key = "a" + id;
    var body = new URLSearchParams();
    body.set("question", id);
    Array.prototype.forEach.call(fs.querySelectorAll("input, select, textarea"), function (el) {
      if (!el.name || (el.name !== key && el.name.indexOf(key + ".") !== 0)) return;
      if ((el.type === "radio" || el.type === "checkbox") && !el.checked) return;
      body.append(el.name, el.value);
    });
    var mine = seqs[id] = (seqs[id] || 0) + 1;
    var qstatus = document.getElementById("status-" + id);
    var qerr = document.getElementById("err-" + id);
    if (qstatus) qstatus.textContent = "Saving…";
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRF-Token": meta ? meta.content : "" },
      body: body
    }).then(function (r) {
      if (r.status === 204) return null;
      return r.json().catch(function () { return { error: "The answer could not be saved (" + r.status + ")." }; });
    }).then(function (problem) {
      if (mine !== seqs[id]) return; // a newer save is on its way
      if (!problem) {
        if (qstatus) qstatus.textContent = "Saved";
        if (qerr) { qerr.hidden = true; qerr.textContent = ""; }
        if (status) status.textContent = "Saved";
        return;
      }
      if (qstatus) qstatus.textContent = "Not saved";
      if (qerr) { qerr.textContent = problem.error; qerr.hidden = false; }
      if (status) status.textContent = "Not saved: " + problem.error;
    }).catch(function () {
      if (mine !== seqs[id]) return;
      if (qstatus) qstatus.textContent = "Not saved";
      if (status) status.textContent = "Not saved: check your connection, then use Save answers.";
    });
  }

  function changed(ev, delay) {
    var fs = ev.target.closest ? ev.target.closest("fieldset[data-question]") : null;
    if (!fs) return;
    var id = fs.dataset.question;
    clearTimeout(timers[id]);
    timers[id] = setTimeout(function () { save(fs); }, delay);
  }
  form.addEventListener("change", function (ev) { changed(ev, 0); });
  form.addEventListener("input", function (ev) {
    if (ev.target.tagName === "TEXTAREA" || ev.target.type === "text") changed(ev, 600);
  });
})();

// Quizzes: ordering lists. Without JavaScript each Up / Down button posts the
// form with the move and the server saves the new order. With it, the items
// move in place — by those buttons, by dragging an item's handle (mouse or
// touch), or from the keyboard (Space picks the focused item up, the arrow
// keys move it, Space or Escape drops it; Alt+arrow moves it at once) — and
// a change event lets the autosave above save the full order.
(function () {
  "use strict";
  var lists = document.querySelectorAll("ol[data-ordering]");
  Array.prototype.forEach.call(lists, function (list) {
    var fs = list.closest("fieldset");
    var live = fs ? fs.querySelector(".ordering-live") : null;
    var more = fs ? fs.querySelector(".ordering-more") : null;
    if (more) more.hidden = false;
    function items() { return Array.prototype.slice.call(list.querySelectorAll("li[data-item]")); }
    function label(li) { var t = li.querySelector(".ordering-text"); return t ? t.textContent.trim() : ""; }
    function say(text) { if (live) live.textContent = text; }
    function refresh() {
      var all = items();
      all.forEach(function (li, i) {
        var place = li.querySelector(".ordering-place");
        if (place) place.textContent = String(i + 1);
        var up = li.querySelector('button[data-move="up"]'), down = li.querySelector('button[data-move="down"]');
        if (up) up.disabled = i === 0;
        if (down) down.disabled = i === all.length - 1;
      });
    }
    function moved(li) {
      refresh();
      var all = items();
      say("“" + label(li) + "” is now in place " + (all.indexOf(li) + 1) + " of " + all.length + ".");
      list.dispatchEvent(new Event("change", { bubbles: true }));
    }
    // move shifts li by one place (delta -1 or 1); false when it is already
    // at that end. The neighbour moves, so li keeps the focus.
    function move(li, delta) {
      var all = items(), i = all.indexOf(li), j = i + delta;
      if (i < 0 || j < 0 || j >= all.length) return false;
      if (delta < 0) list.insertBefore(all[j], li.nextSibling);
      else list.insertBefore(all[j], li);
      return true;
    }

    items().forEach(function (li) {
      li.tabIndex = 0;
      li.setAttribute("aria-roledescription", "movable item");
      var handle = li.querySelector(".ordering-handle");
      if (handle) handle.hidden = false;
    });

    list.addEventListener("click", function (ev) {
      var btn = ev.target.closest ? ev.target.closest("button[data-move]") : null;
      if (!btn) return;
      ev.preventDefault();
      var li = btn.closest("li");
      var up = btn.dataset.move === "up";
      if (!move(li, up ? -1 : 1)) return;
      moved(li);
      // Keep the focus on the button pressed; at an end, on its partner.
      var again = li.querySelector('button[data-move="' + (up ? "up" : "down") + '"]');
      var other = li.querySelector('button[data-move="' + (up ? "down" : "up") + '"]');
      (again && !again.disabled ? again : other).focus();
    });

    var grabbed = null;
    function drop() {
      if (!grabbed) return;
      grabbed.classList.remove("grabbed");
      say("Dropped “" + label(grabbed) + "” in place " + (items().indexOf(grabbed) + 1) + ".");
      grabbed = null;
    }
    list.addEventListener("keydown", function (ev) {
      var li = ev.target;
      if (!li.matches || !li.matches("li[data-item]")) return;
      var key = ev.key;
      if (key === " " || key === "Enter") {
        ev.preventDefault();
        if (grabbed === li) { drop(); return; }
        drop();
        grabbed = li;
        li.classList.add("grabbed");
        say("Picked up “" + label(li) + "”, in place " + (items().indexOf(li) + 1) + ". Use the up and down arrow keys to move it, Space to drop it.");
        return;
      }
      if (key === "Escape") { if (grabbed) { ev.preventDefault(); drop(); } return; }
      if (key !== "ArrowUp" && key !== "ArrowDown") return;
      if (grabbed !== li && !ev.altKey) return;
      ev.preventDefault();
      if (move(li, key === "ArrowUp" ? -1 : 1)) moved(li);
      li.focus();
    });
    // Space must not also scroll the page (some browsers scroll on keypress).
    list.addEventListener("keypress", function (ev) {
      if (ev.key === " " && ev.target.matches && ev.target.matches("li[data-item]")) ev.preventDefault();
    });
    list.addEventListener("focusout", function (ev) {
      if (grabbed && ev.target === grabbed && !list.contains(ev.relatedTarget)) drop();
    });

    // Dragging by the handle, with pointer events (mouse, pen and touch alike).
    var dragging = null;
    list.addEventListener("pointerdown", function (ev) {
      var handle = ev.target.closest ? ev.target.closest(".ordering-handle") : null;
      if (!handle || (ev.pointerType === "mouse" && ev.button !== 0)) return;
      dragging = handle.closest("li");
      dragging.classList.add("dragging");
      handle.setPointerCapture(ev.pointerId);
      ev.preventDefault();
    });
    list.addEventListener("pointermove", function (ev) {
      if (!dragging) return;
      var over = document.elementFromPoint(ev.clientX, ev.clientY);
      var target = over && over.closest ? over.closest("li[data-item]") : null;
      if (!target || target === dragging || target.parentNode !== list) return;
      var all = items();
      move(dragging, all.indexOf(target) < all.indexOf(dragging) ? -1 : 1);
      refresh();
    });
    function endDrag() {
      if (!dragging) return;
      var li = dragging;
      dragging = null;
      li.classList.remove("dragging");
      moved(li);
    }
    list.addEventListener("pointerup", endDrag);
    list.addEventListener("pointercancel", endDrag);
  });
})();

// One-line fields shown as textareas so that long text wraps (question
// options, promises): Enter does not add a line break (the server turns any
// into spaces too).
(function () {
  "use strict";
  document.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter" && ev.target.matches && ev.target.matches("textarea[data-one-line]")) ev.preventDefault();
  });
})();

// Role-play observations: autosave the draft on every change.
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave]");
  if (!form || !window.fetch) return;
  var meta = document.querySelector('meta[name="csrf-token"]');
  var status = form.querySelector(".autosave-status");
  var timer = null;
  var seq = 0;
  function say(text) { if (status) status.textContent = text; }
  function save() {
    var mine = ++seq;
    var body = new URLSearchParams(new FormData(form));
    say("Saving…");
    fetch(form.dataset.autosave, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRF-Token": meta ? meta.content : "", "Accept": "application/json" },
      body: body
    }).then(function (r) {
      return r.json().then(function (j) { return { ok: r.ok, status: r.status, body: j }; });
    }).then(function (res) {
      if (mine !== seq) return;
      if (res.ok) {
        form.dataset.saved = String(Number(form.dataset.saved || 0) + 1);
        var left = res.body.unrated;
        say("Draft saved" + (left ? " · " + left + " item" + (left === 1 ? "" : "s") + " still to rate" : " · every item rated"));
      } else {
        say("Not saved: " + (res.body.error || res.status) + " Use Save draft.");
      }
    }).catch(function () {
      if (mine === seq) say("Not saved: check your connection, then use Save draft.");
    });
  }
  form.addEventListener("change", function () {
    clearTimeout(timer);
    timer = setTimeout(save, 150);
  });
  form.addEventListener("input", function (ev) {
    if (ev.target.tagName !== "TEXTAREA") return;
    clearTimeout(timer);
    timer = setTimeout(save, 800);
  });
})();

// Certificates: the register's bulk download fetches the zip and counts its
// entries as they arrive ("12 of 40 certificates"), then saves it (without
// JavaScript the form's POST downloads it); "tick every certificate on this
// page"; colour pickers and their text boxes follow each other; a button
// that submits by GET (a preview) leaves the CSRF token out of the address.
(function () {
  "use strict";
  document.querySelectorAll("button[data-no-csrf]").forEach(function (btn) {
    btn.addEventListener("click", function () {
      var input = btn.form && btn.form.querySelector("input[name=_csrf]");
      if (!input) return;
      input.disabled = true;
      setTimeout(function () { input.disabled = false; }, 0);
    });
  });

  document.querySelectorAll("input[type=color][data-color-for]").forEach(function (picker) {
    var text = document.getElementById(picker.dataset.colorFor);
    if (!text) return;
    picker.addEventListener("input", function () { text.value = picker.value; });
    text.addEventListener("input", function () {
      var v = text.value.trim().toLowerCase();
      if (/^#[0-9a-f]{3}$/.test(v)) v = "#" + v[1] + v[1] + v[2] + v[2] + v[3] + v[3];
      if (/^#[0-9a-f]{6}$/.test(v)) picker.value = v;
    });
  });

  var form = document.querySelector("form[data-bulk-zip]");
  if (!form) return;
  var boxes = form.querySelectorAll("input[type=checkbox][name=code]");
  var pickAll = form.querySelector("[data-pick-all]");
  if (pickAll && boxes.length) {
    pickAll.hidden = false;
    pickAll.addEventListener("change", function () {
      Array.prototype.forEach.call(boxes, function (b) { b.checked = pickAll.checked; });
    });
  }

  if (!window.fetch || !window.ReadableStream || !window.URLSearchParams || !window.FormData || !window.Blob || !window.DOMParser) return;
  var box = document.getElementById("bulk-progress");
  if (!box) return;
  var bar = box.querySelector("progress");
  var status = document.getElementById("bulk-status");
  var buttons = form.querySelectorAll("button[type=submit]");
  var busy = false;
  function say(text) { if (status) status.textContent = text; }
  function setBusy(on) {
    busy = on;
    Array.prototype.forEach.call(buttons, function (b) { b.disabled = on; });
  }
  function showError(text) {
    var err = document.getElementById("e-bulk");
    if (!err) {
      err = document.createElement("p");
      err.className = "field-error";
      err.id = "e-bulk";
      err.setAttribute("role", "alert");
      box.insertAdjacentElement("beforebegin", err);
    }
    err.textContent = text;
  }
  function clearError() {
    var err = document.getElementById("e-bulk");
    if (err) err.remove();
  }

  // Each zip entry starts with a local file header, "PK\x03\x04".
  function countHeaders(bytes) {
    var n = 0;
    for (var i = 0; i + 3 < bytes.length; i++) {
      if (bytes[i] === 0x50 && bytes[i + 1] === 0x4b && bytes[i + 2] === 0x03 && bytes[i + 3] === 0x04) n++;
    }
    return n;
  }
  function fileName(disposition) {
    var m = /filename="?([^";]+)"?/.exec(disposition || "");
    return m ? m[1] : "certificates.zip";
  }
  function save(chunks, name) {
    var url = URL.createObjectURL(new Blob(chunks, { type: "application/zip" }));
    var a = document.createElement("a");
    a.href = url;
    a.download = name;
    a.hidden = true;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
  }

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    if (busy) return;
    var submitter = ev.submitter || document.activeElement;
    var body = new URLSearchParams(new FormData(form));
    if (submitter && submitter.name) body.set(submitter.name, submitter.value);
    clearError();
    setBusy(true);
    box.hidden = false;
    bar.removeAttribute("value");
    say("Preparing the download…");
    fetch(form.action, { method: "POST", credentials: "same-origin", body: body }).then(function (r) {
      var type = r.headers.get("Content-Type") || "";
      if (!r.ok || type.indexOf("application/zip") !== 0 || !r.body) {
        return r.text().then(function (html) {
          var page = new DOMParser().parseFromString(html, "text/html");
          var msg = page.getElementById("e-bulk") || page.querySelector(".error-page p:not(.code)");
          box.hidden = true;
          showError(msg ? msg.textContent.trim() : "The download could not start (" + r.status + "). Reload the page and try again.");
        });
      }
      var total = Number(r.headers.get("X-Certificate-Count") || 0);
      var name = fileName(r.headers.get("Content-Disposition"));
      var reader = r.body.getReader();
      var chunks = [];
      var seen = 0;
      var tail = new Uint8Array(0);
      var shown = -1;
      bar.max = Math.max(total, 1);
      bar.value = 0;
      say("0 of " + total + " certificates");
      function pump() {
        return reader.read().then(function (res) {
          if (res.done) {
            var done = Math.min(seen, total);
            if (done < total) {
              box.hidden = true;
              showError("The download stopped after " + done + " of " + total + " certificates. Try again, or narrow the filters.");
              return;
            }
            save(chunks, name);
            say(total + " of " + total + " certificates: saved as " + name + ".");
            return;
          }
          chunks.push(res.value);
          var joined = new Uint8Array(tail.length + res.value.length);
          joined.set(tail, 0);
          joined.set(res.value, tail.length);
          seen += countHeaders(joined);
          tail = joined.slice(Math.max(0, joined.length - 3));
          var n = Math.min(seen, total);
          if (n !== shown) {
            shown = n;
            bar.value = n;
            say(n + " of " + total + " certificates");
          }
          return pump();
        });
      }
      return pump();
    }).catch(function () {
      box.hidden = true;
      showError("The download failed: check your connection and try again.");
    }).then(function () { setBusy(false); });
  });
})();
