// Hermanar: municipality and locality autocomplete on the home page. No
// dependencies.
(function () {
  "use strict";
  var input = document.getElementById("q");
  var list = document.getElementById("suggestions");
  if (!input || !list || !window.fetch) return;
  var base = input.getAttribute("data-suggest");
  var timer = null, seq = 0, active = -1, items = [];

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    active = -1;
  }
  function mark() {
    var lis = list.querySelectorAll("li");
    for (var i = 0; i < lis.length; i++) lis[i].setAttribute("aria-selected", i === active ? "true" : "false");
  }
  function fmt(n) { return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ","); }
  var none = input.getAttribute("data-none") || "";
  function show(places) {
    items = places || [];
    list.textContent = "";
    if (!items.length) {
      // Say that nothing matched rather than show an empty list.
      var li = document.createElement("li");
      li.className = "none";
      li.setAttribute("role", "status");
      li.textContent = none;
      list.appendChild(li);
      list.hidden = !none;
      input.setAttribute("aria-expanded", "false");
      active = -1;
      return;
    }
    items.forEach(function (p, i) {
      var li = document.createElement("li");
      li.setAttribute("role", "option");
      li.id = "sugg-" + i;
      var a = document.createElement("a");
      a.href = p.url;
      a.className = "suggestion" + (p.kind === "place" ? " locality" : "");
      a.textContent = (p.label || (p.name + ", " + (p.admin1 || ""))) + " ";
      var small = document.createElement("small");
      small.textContent = "· " + fmt(p.population);
      a.appendChild(small);
      li.appendChild(a);
      list.appendChild(li);
    });
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    active = -1;
    mark();
  }
  function lookup() {
    var q = input.value.trim();
    if (q.length < 2) { close(); return; }
    var my = ++seq;
    fetch(base + encodeURIComponent(q), { headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : { places: [] }; })
      .then(function (d) { if (my === seq) show(d.places); })
      .catch(function () { close(); });
  }
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(lookup, 120);
  });
  input.addEventListener("keydown", function (e) {
    if (list.hidden) return;
    if (e.key === "ArrowDown") { active = Math.min(active + 1, items.length - 1); mark(); e.preventDefault(); }
    else if (e.key === "ArrowUp") { active = Math.max(active - 1, 0); mark(); e.preventDefault(); }
    else if (e.key === "Enter" && active >= 0 && items[active]) { window.location.href = items[active].url; e.preventDefault(); }
    else if (e.key === "Escape") { close(); }
  });
  document.addEventListener("click", function (e) { if (e.target !== input && !list.contains(e.target)) close(); });
})();

// Profile form: the description's character count (warned before it is
// too long, never cut), more destination rows, live place lookup, and a
// question before an empty form blanks the profile.
(function () {
  "use strict";
  var form = document.getElementById("profile-form");
  if (!form) return;

  var ta = document.getElementById("in-narrative");
  var counter = document.getElementById("count-narrative");
  if (ta && counter) {
    var max = parseInt(ta.getAttribute("data-max"), 10) || 8000;
    var update = function () {
      var n = Array.from(ta.value).length;
      var over = n - max;
      var tpl = over > 0 ? counter.getAttribute("data-over") : counter.getAttribute("data-left");
      counter.textContent = tpl.replace("{n}", String(over > 0 ? over : max - n)).replace("{max}", String(max));
      counter.className = "counter" + (over > 0 ? " over" : (max - n < 200 ? " near" : ""));
    };
    ta.addEventListener("input", update);
    update();
  }

  var rows = document.getElementById("diaspora-rows");
  var add = document.getElementById("add-diaspora");
  if (rows && add) {
    add.hidden = false;
    add.addEventListener("click", function () {
      var all = rows.querySelectorAll(".drow");
      var last = all[all.length - 1];
      var copy = last.cloneNode(true);
      copy.classList.remove("has-error");
      copy.id = "f-diaspora-" + all.length;
      var err = copy.querySelector(".field-error");
      if (err) err.parentNode.removeChild(err);
      copy.querySelectorAll("input").forEach(function (i) { i.value = ""; });
      rows.appendChild(copy);
      copy.querySelector("input").focus();
    });
  }

  var options = document.getElementById("place-options");
  var timer = null, seq = 0;
  form.addEventListener("input", function (e) {
    var input = e.target;
    if (!options || !input.classList || !input.classList.contains("place-lookup") || !window.fetch) return;
    clearTimeout(timer);
    var q = input.value.trim();
    if (q.length < 2) return;
    timer = setTimeout(function () {
      var my = ++seq;
      fetch("/api/v1/places?kind=place&limit=8&q=" + encodeURIComponent(q), { headers: { "Accept": "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { places: [] }; })
        .then(function (d) {
          if (my !== seq) return;
          options.textContent = "";
          (d.places || []).forEach(function (p) {
            if (p.country === "MX") return; // destinations are abroad
            var o = document.createElement("option");
            o.value = p.label;
            options.appendChild(o);
          });
        })
        .catch(function () {});
    }, 150);
  });

  form.addEventListener("submit", function (e) {
    var btn = form.querySelector("[data-confirm-blank]");
    if (!btn || (e.submitter && e.submitter.name === "confirm_blank")) return;
    var filled = false;
    form.querySelectorAll("textarea, input").forEach(function (i) { if (i.value.trim() !== "") filled = true; });
    form.querySelectorAll("select[name^=area_]").forEach(function (s) { if (s.value !== "0") filled = true; });
    var cs = document.getElementById("in-countries");
    if (cs && cs.selectedOptions && cs.selectedOptions.length) filled = true;
    if (!filled && !window.confirm(btn.getAttribute("data-confirm-blank"))) e.preventDefault();
  });
})();
